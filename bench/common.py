"""What the benchmarks share: the machine line they print, Django on a scratch PostgreSQL
database, and the territory most of them load (a few districts with grids)."""

import logging
import os
import platform
import time
from contextlib import contextmanager

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def machine() -> str:
    """CPU model, cores, OS and Python: the line that makes figures comparable."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{cpu}; {os.cpu_count()} CPUs; {platform.system()} {platform.release()}; "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


def django_setup(scratch: str, settings_module: str = "config.settings") -> None:
    """Django on the scratch database. Password hashing (demo users) is deliberately slow
    and never what is measured, so it is swapped for a fast one."""
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{scratch}"
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django
    from django.conf import settings

    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    logging.getLogger("chengguan").setLevel(logging.WARNING)


def territory_load(units: tuple[str, ...], say) -> int:
    """Migrate, load the demo territory without cases, plan grids for `units`; returns the
    number of grids."""
    from django.core.management import call_command

    from chengguan.demo.services import demo_load
    from chengguan.org.grid_planning import grids_plan
    from chengguan.org.models import Region

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    say(f"migrated in {time.perf_counter() - started:.1f} s")
    demo_load(say=lambda _line: None, grids=False, cases=False)
    return grids_plan(units=list(Region.objects.filter(code__in=units)), seed=2017).grids


class NoPostgres(Exception):
    """PostgreSQL is not at ADMIN_DSN: the benchmark cannot run."""


@contextmanager
def scratch_database(prefix: str, say, *, quick: bool, settings_module: str = "config.settings"):
    """A fresh PostgreSQL database with Django set up on it, dropped afterwards whatever
    happens; yields (its name, an autocommit admin connection)."""
    import psycopg

    started = time.perf_counter()
    scratch = f"{prefix}_{os.getpid()}"
    try:
        admin = psycopg.connect(ADMIN_DSN, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as error:
        raise NoPostgres(f"no PostgreSQL at {ADMIN_DSN}: {error}") from None
    server = admin.execute("SHOW server_version").fetchone()[0]
    say(f"{machine()}; PostgreSQL {server}; {'quick' if quick else 'full'} run")
    admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        django_setup(scratch, settings_module)
        yield scratch, admin
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may not have started
            pass
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.close()
        say(
            f"scratch database {scratch} dropped; total run time {time.perf_counter() - started:.0f} s"
        )
