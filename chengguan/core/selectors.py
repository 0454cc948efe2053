"""Core reads: the in-process caches of structures rebuilt from the database.

Each cache remembers the `Revision` it was built from. A process looks at the revision at
most every CACHE_CHECK_SECONDS (and at once after its own commits), so app servers behind a
load balancer pick up another server's change within seconds, without a message bus.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import CharField, Func

from chengguan.core.models import CalendarDay, CalendarYear, OfficePeriod, Revision
from chengguan.core.services import REVISION_CALENDAR
from chengguan.core.workcal import DEFAULT_PERIODS, DayKind, WorkCalendar

_lock = threading.Lock()
_cache: dict[str, tuple[int, float, Any]] = {}


def revision_value(name: str) -> int:
    return Revision.objects.filter(name=name).values_list("value", flat=True).first() or 0


def cached(name: str, build: Callable[[int], Any], *, fresh: bool = False) -> Any:
    """Return the structure for `name`, rebuilding it when its revision moved."""
    now = time.monotonic()
    entry = _cache.get(name)
    check_every = settings.CHENGGUAN["CACHE_CHECK_SECONDS"]
    if entry and not fresh and now - entry[1] < check_every:
        return entry[2]
    revision = revision_value(name)
    if entry and entry[0] == revision:
        _cache[name] = (revision, now, entry[2])
        return entry[2]
    with _lock:
        value = build(revision)
        _cache[name] = (revision, now, value)
    return value


def forget_cached(name: str) -> None:
    _cache.pop(name, None)


def _build_calendar(_revision: int) -> WorkCalendar:
    overrides = {d: DayKind(kind) for d, kind in CalendarDay.objects.values_list("date", "kind")}
    periods = [(p.start, p.end) for p in OfficePeriod.objects.all()] or list(DEFAULT_PERIODS)
    years = dict(CalendarYear.objects.values_list("year", "status"))
    covered = set(years) | {d.year for d in overrides}
    first, last = (min(covered), max(covered)) if covered else (2020, 2040)
    provisional = {y for y, status in years.items() if status == CalendarYear.Status.PROVISIONAL}
    return WorkCalendar(
        overrides=overrides,
        periods=periods,
        provisional_years=provisional,
        tz=settings.TIME_ZONE,
        first_year=first,
        last_year=last,
    )


def work_calendar(*, fresh: bool = False) -> WorkCalendar:
    """The working calendar as entered by admins (fresh=True when computing a stored deadline)."""
    return cached(REVISION_CALENDAR, _build_calendar, fresh=fresh)


def provisional_years_needing_attention(today_year: int) -> list[int]:
    """Years that deadlines may reach soon but whose official holidays are not yet entered."""
    return list(
        CalendarYear.objects.filter(
            status=CalendarYear.Status.PROVISIONAL, year__lte=today_year + 1
        ).values_list("year", flat=True)
    )


class SubjectId(Func):
    """A row's UUID primary key as `Deadline.subject_id` and the ledger's subject spell it
    (`str(uuid)`, with hyphens), to join them in SQL: PostgreSQL's uuid→text cast gives
    that form; SQLite keeps 32 hex digits, re-hyphenated here."""

    output_field = CharField()
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST({sql} AS text)", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        spans = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        parts = " || '-' || ".join(f"substr({sql}, {a}, {n})" for a, n in spans)
        return f"lower({parts})", list(params) * len(spans)
