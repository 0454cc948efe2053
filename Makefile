# Two commands for a fresh machine: `make run` (platform with demo data on SQLite) and
# `make test` (the test suite). Both create the environment themselves.
SHELL := /bin/bash
PORT ?= 8000
UV_VERSION := 0.13.8
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python

.PHONY: run test lint install messages bench clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(PY): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $(PY)

install: $(PY)

run: install
	mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo_load
	@echo "平台已启动：http://127.0.0.1:$(PORT)/  （Ctrl+C 停止）"
	.venv/bin/waitress-serve --listen=127.0.0.1:$(PORT) --threads=8 config.wsgi:application

test: install
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=.tools
	$(PY) manage.py compilemessages -l en --ignore=.venv --ignore=.tools

bench: install  # case_flow, intake and kpi need PostgreSQL at 127.0.0.1:5432 (trust auth)
	$(PY) bench/workcal.py
	$(PY) bench/locate.py
	$(PY) bench/case_flow.py
	$(PY) bench/intake.py
	$(PY) bench/kpi.py --quick

clean:
	rm -rf .venv .tools var
