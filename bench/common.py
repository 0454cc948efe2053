"""What the benchmarks share: the machine line they print, Django on a scratch PostgreSQL
database, and the territory most of them load (a few districts with grids)."""

import logging
import os
import platform
import time

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
