"""Roll-ups of the case flow: what the dashboard, the rankings and the public statistics
read instead of the case table (10 million rows after three years).

- `rollup_day(day)`: the `DailyRollup` and `HexRollup` rows of one local (Asia/Shanghai)
  day, rebuilt in one transaction from one grouped query per measure (only the rows whose
  counts changed are rewritten, so the minute-by-minute rebuild of today does not churn).
- `open_snapshot_refresh()`: `OpenSnapshot`, open and overdue cases per street, now.
- `rollups_sweep()`: what `manage.py tick` runs every minute (today; yesterday until 01:00
  and once more after; the open snapshot).
- `rollups_rebuild(start=, end=)`: a range of days (the back-fill, `manage.py rollups_rebuild`).

What each measure counts, per day and per (county, street, category, channel, handling
agency as the case stands now):

- reported: cases whose `reported_at` falls on the day;
- registered: cases with a 立案 (`register`) event that day: the timeline, not the current
  status, so a case registered and dispatched the same day still counts;
- closed: cases whose `closed_at` falls on the day (a reopened case has none any more);
- closed_on_time: of those, the ones none of whose clocks ran late: no deadline marked
  overdue by the sweep nor stopped after it was due, and not flagged overdue at closing.
  (`Case.overdue` alone would not do: every transition that stops or starts a clock
  clears it, so a closed case almost never carries it);
- reworked: cases sent back for rework that day (核查不通过 `check_fail`, and 重新办理
  `reopen` after a citizen said the problem was not solved: both count in `rework_count`).

Cost: the day's cases are found by `reported_at` and `closed_at` ranges and the day's
events by `CaseEvent.at` (indexed). With indexes on `Case.reported_at` and `Case.closed_at`
a busy day (8,700 cases) rebuilds in about 0.3 s when little changed and 0.9 s from
scratch at 10 million cases; without them each rebuild scans the case table (4 s).
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import h3
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from chengguan.cases.domain.workflow import OPEN, Action
from chengguan.cases.models import Case, CaseEvent
from chengguan.core.models import Deadline
from chengguan.core.selectors import SubjectId
from chengguan.kpi.models import DailyRollup, HexRollup, OpenSnapshot

H3_RESOLUTION = 8
BATCH = 2_000
# The group of a roll-up row, as paths from the case.
KEY_FIELDS = (
    "region_code",
    "street_code",
    "category__code",
    "category__kind",
    "channel",
    "agency_id",
)
ROLLUP_KEY = (
    "region_code",
    "street_code",
    "category_code",
    "category_kind",
    "channel",
    "agency_id",
)
MEASURES = ("reported", "registered", "closed", "closed_on_time", "reworked")
REWORK_ACTIONS = (Action.CHECK_FAIL.value, Action.REOPEN.value)
# Yesterday is rebuilt every tick until this local hour, and once more after it.
YESTERDAY_UNTIL_HOUR = 1

Key = tuple


def late_clocks(case_ref) -> QuerySet[Deadline]:
    """The clocks of a case (`case_ref`: an expression for its pk) that ran late."""
    return Deadline.objects.filter(
        subject_type="cases.case", subject_id=SubjectId(case_ref)
    ).filter(Q(overdue_at__isnull=False) | Q(stopped_at__gt=F("due_at")))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day as [start, end) instants."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def _serialize(name: str) -> None:
    """Rebuilds of the same roll-up wait for each other (PostgreSQL: a transaction-level
    advisory lock; SQLite serializes writers anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def _group(queryset: QuerySet, prefix: str, **aggregates) -> Iterable[tuple[Key, dict]]:
    """One grouped query: (group key, {measure: count}) per group."""
    paths = [prefix + f for f in KEY_FIELDS]
    for row in queryset.values(*paths).annotate(**aggregates).order_by():
        yield tuple(row[p] for p in paths), {m: row[m] for m in aggregates}


def _replace_day(model, day: date, key_fields, measure_fields, fresh: dict[Key, tuple]) -> None:
    """Make the day's rows of `model` equal `fresh` ({key: measures}), touching only the
    rows that changed: the tick rebuilds today every minute, and rewriting thousands of
    unchanged rows each time would bloat the table for nothing."""
    stale, kept = [], set()
    for pk, *values in model.objects.filter(day=day).values_list(
        "pk", *key_fields, *measure_fields
    ):
        key, measures = tuple(values[: len(key_fields)]), tuple(values[len(key_fields) :])
        if key not in kept and fresh.get(key) == measures:
            kept.add(key)
        else:
            stale.append(pk)
    for first in range(0, len(stale), BATCH):
        model.objects.filter(pk__in=stale[first : first + BATCH]).delete()
    model.objects.bulk_create(
        (
            model(
                day=day,
                **dict(zip(key_fields, key, strict=True)),
                **dict(zip(measure_fields, measures, strict=True)),
            )
            for key, measures in fresh.items()
            if key not in kept
        ),
        batch_size=BATCH,
    )


@transaction.atomic
def rollup_day(day: date) -> int:
    """Rebuild the `DailyRollup` and `HexRollup` rows of a local day; returns the number
    of the day's `DailyRollup` rows. Idempotent: the same cases give the same rows (rows
    whose counts did not change are left in place)."""
    _serialize(f"kpi.rollup_day:{day.isoformat()}")
    start, end = day_bounds(day)
    rows: dict[Key, Counter] = {}

    def add(groups: Iterable[tuple[Key, dict]]) -> None:
        for (region, street, *rest), counts in groups:
            rows.setdefault((region, street or "", *rest), Counter()).update(counts)

    add(
        _group(
            Case.objects.filter(reported_at__gte=start, reported_at__lt=end),
            "",
            reported=Count("pk"),
        )
    )
    add(
        _group(
            CaseEvent.objects.filter(action=Action.REGISTER.value, at__gte=start, at__lt=end),
            "case__",
            registered=Count("case_id", distinct=True),
        )
    )
    add(
        _group(
            Case.objects.filter(closed_at__gte=start, closed_at__lt=end).annotate(
                late=Exists(late_clocks(OuterRef("pk")))
            ),
            "",
            closed=Count("pk"),
            closed_on_time=Count("pk", filter=Q(overdue=False, late=False)),
        )
    )
    add(
        _group(
            CaseEvent.objects.filter(action__in=REWORK_ACTIONS, at__gte=start, at__lt=end),
            "case__",
            reworked=Count("case_id", distinct=True),
        )
    )
    _replace_day(
        DailyRollup,
        day,
        ROLLUP_KEY,
        MEASURES,
        {key: tuple(counts.get(m, 0) for m in MEASURES) for key, counts in rows.items()},
    )
    _hex_day(day, start, end)
    return len(rows)


def _hex_day(day: date, start: datetime, end: datetime) -> int:
    """Cases reported that day per H3 cell (resolution 8) and county. The cell needs
    Python per case: a day's ~9,000 cases take a few milliseconds."""
    cells: Counter = Counter()
    located = Case.objects.filter(reported_at__gte=start, reported_at__lt=end).values_list(
        "lat", "lon", "region_code"
    )
    for lat, lon, region in located.iterator(chunk_size=BATCH):
        try:
            cells[(h3.latlng_to_cell(lat, lon, H3_RESOLUTION), region)] += 1
        except (h3.H3BaseException, TypeError, ValueError):
            continue  # no usable position: counted in DailyRollup, not on the map
    _replace_day(
        HexRollup,
        day,
        ("cell", "region_code"),
        ("reported",),
        {key: (n,) for key, n in cells.items()},
    )
    return len(cells)


@transaction.atomic
def open_snapshot_refresh(*, now: datetime | None = None) -> int:
    """Rebuild `OpenSnapshot`: open cases (not in a final status) and, of them, those
    flagged overdue, per county and street, in one grouped query over the open cases
    (the `case_queue` index leads with the status). Returns the number of rows."""
    _serialize("kpi.open_snapshot")
    now = now or timezone.now()
    groups = (
        Case.objects.filter(status__in=[s.value for s in OPEN])
        .values("region_code", "street_code")
        .annotate(n_open=Count("pk"), n_overdue=Count("pk", filter=Q(overdue=True)))
        .order_by()
    )
    snapshot = [
        OpenSnapshot(
            region_code=g["region_code"],
            street_code=g["street_code"] or "",
            open=g["n_open"],
            overdue=g["n_overdue"],
            computed_at=now,
        )
        for g in groups
    ]
    OpenSnapshot.objects.all().delete()
    OpenSnapshot.objects.bulk_create(snapshot, batch_size=BATCH)
    return len(snapshot)


def rollups_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Every minute (`manage.py tick`): today's roll-up; yesterday's until 01:00 local (late
    closures and events of the last minutes of the day) and once more after that in each
    process (a process started later catches up on the day it missed); the open snapshot."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"today": rollup_day(today)}
    yesterday = today - timedelta(days=1)
    final_key = f"kpi:rollup_final:{yesterday.isoformat()}"
    early = timezone.localtime(now).hour < YESTERDAY_UNTIL_HOUR
    if early or not cache.get(final_key):
        counts["yesterday"] = rollup_day(yesterday)
        if not early:
            cache.set(final_key, True, timeout=3 * 24 * 3600)
    counts["open"] = open_snapshot_refresh(now=now)
    return counts


def rollups_rebuild(*, start: date, end: date) -> int:
    """Rebuild every day from `start` to `end` (inclusive), each in its own transaction,
    then the open snapshot. Returns the number of `DailyRollup` rows written."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    total, day = 0, start
    while day <= end:
        total += rollup_day(day)
        day += timedelta(days=1)
    open_snapshot_refresh()
    return total
