"""Production starts without the exchange, and refuses to start with a partner switched on
but no secret (or a guessable one) to check its messages with."""

import secrets

import pytest

from chengguan.accounts.tests.test_accounts_security import (
    manage,
    production_env,
    random_secret_key,
)


def exchange_env(tmp_path, **extra: str) -> dict[str, str]:
    env = production_env(tmp_path, DJANGO_SECRET_KEY=random_secret_key())
    env = {k: v for k, v in env.items() if not k.startswith("CHENGGUAN_EXCHANGE_")}
    return env | extra


def test_production_runs_with_the_exchange_off_by_default(tmp_path):
    result = manage("check", env=exchange_env(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("", "CHENGGUAN_EXCHANGE_12345_SECRET must be set in production"),
        ("short", "CHENGGUAN_EXCHANGE_12345_SECRET: at least 32 characters"),
    ],
)
def test_production_refuses_a_partner_without_a_good_secret(tmp_path, secret, message):
    env = exchange_env(tmp_path, CHENGGUAN_EXCHANGE_PARTNERS="12345")
    if secret:
        env["CHENGGUAN_EXCHANGE_12345_SECRET"] = secret

    result = manage("check", env=env)

    assert result.returncode != 0 and message in result.stderr


def test_production_runs_a_partner_with_its_secret(tmp_path):
    env = exchange_env(
        tmp_path,
        CHENGGUAN_EXCHANGE_PARTNERS="12345,110",
        CHENGGUAN_EXCHANGE_12345_SECRET=secrets.token_urlsafe(32),
        CHENGGUAN_EXCHANGE_110_SECRET=secrets.token_urlsafe(32),
        CHENGGUAN_EXCHANGE_110_CALLBACK_URL="https://110.example.org/callbacks",
    )
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr


def test_a_callback_url_must_be_http(tmp_path):
    env = exchange_env(tmp_path, CHENGGUAN_EXCHANGE_12345_CALLBACK_URL="file:///etc/passwd")
    result = manage("check", env=env)
    assert result.returncode != 0 and "must be http(s)" in result.stderr
