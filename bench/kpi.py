"""KPI roll-ups and the command dashboard at 100,000, 1,000,000 and 10,000,000 cases
(PostgreSQL; 10 million is about three years of Zhengzhou).

For each size the case table is filled (in SQL, three years ending yesterday) with each
case's 立案 and 派遣 events, the closure event and the handling clock, then:

1. **the monthly roll-up**: `kpi.rollups.rollup_day` for every day of the last full month
   (the daily and hexagon roll-ups the dashboard and the public pages read), and
   `kpi.evaluation.evaluation_compute` for that month (indicators, composite, grades,
   ranks, satisfaction); target ≤ 5 s for the roll-up;
2. **the dashboard's data** (`kpi.dashboard.dashboard_data`, what `/dashboard/data.json`
   answers, reading roll-ups), p50 / p95 over repeated calls; target p95 ≤ 300 ms;
3. **the peer**: the same figures (today's intake by channel and category, open and overdue
   per district, the 30-day on-time trend) by plain GROUP BY over the raw cases, in the same
   run.

    .venv/bin/python bench/kpi.py            # 100k, 1M, 10M (10M takes a while)
    .venv/bin/python bench/kpi.py --quick    # 100k and 1M
    .venv/bin/python bench/kpi.py --sizes 100000
"""

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import NoPostgres, scratch_database, territory_load

SIZES = (100_000, 1_000_000, 10_000_000)
CHUNK = 1_000_000
DASHBOARD_CALLS = 30
TARGET_ROLLUP_S = 5.0
TARGET_P95_MS = 300.0

# Channels as the demo weighs them (share of reports).
CHANNELS = {"inspector": 55, "hotline": 20, "12345": 15, "web": 7, "110": 2, "sensor": 1}


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def prepare(cursor) -> None:
    """Lookup tables the generator draws from: streets with their unit's sanitation
    department, matter categories, weighted channels, the demo staff as actors."""
    cursor.execute(
        """
        CREATE TEMP TABLE g_street AS
        SELECT row_number() OVER (ORDER BY s.code) AS i, s.unit_code AS region_code,
               s.code AS street_code, a.id AS agency_id
        FROM org_region s
        LEFT JOIN org_agency a ON a.code = s.unit_code || '-DEPT-SAN'
        WHERE s.kind = 'street' AND s.unit_code <> '';
        CREATE TEMP TABLE g_category AS
        SELECT row_number() OVER (ORDER BY code) AS i, id FROM cases_category
        WHERE kind = 'matter' AND active;
        CREATE TEMP TABLE g_channel (i serial, channel text);
        """
    )
    for channel, weight in CHANNELS.items():
        cursor.execute(
            "INSERT INTO g_channel (channel) SELECT %s FROM generate_series(1, %s)",
            [channel, weight],
        )
    cursor.execute(
        """
        CREATE TEMP TABLE g_actor AS
        SELECT u.username, u.id FROM accounts_user u
        WHERE u.username IN ('shift_leader', 'dispatcher', 'operator', 'inspector');
        """
    )


def generate(cursor, first: int, last: int, end_day: date) -> None:
    """Cases first..last with their events and handling clock, reported over the three
    years before `end_day`; the last week has open cases, older ones are mostly closed."""
    cursor.execute(
        """
        CREATE TEMP TABLE g_batch AS
        WITH r AS (
            SELECT g,
                   1 + floor(random() * (SELECT count(*) FROM g_street))::int AS si,
                   1 + floor(random() * (SELECT count(*) FROM g_category))::int AS ci,
                   1 + floor(random() * (SELECT count(*) FROM g_channel))::int AS hi,
                   random() AS age, random() AS fate, random() AS speed, random() AS late
            FROM generate_series(%(first)s, %(last)s) AS g
        )
        SELECT gen_random_uuid() AS id, 'B' || lpad(g::text, 11, '0') AS number,
               s.region_code, s.street_code, s.agency_id, c.id AS category_id, h.channel,
               (%(end)s::timestamptz - (age * interval '1095 days')) AS reported_at,
               fate, speed, late
        FROM r JOIN g_street s ON s.i = r.si JOIN g_category c ON c.i = r.ci
             JOIN g_channel h ON h.i = r.hi;
        """,
        {"first": first, "last": last, "end": f"{end_day.isoformat()} 00:00+08"},
    )
    cursor.execute(
        """
        INSERT INTO cases_case (id, number, region_code, street_code, grid_id, category_id,
            status, level, version, channel, description, address, lon, lat, reporter_id,
            agency_id, suggested_agency_id, suggestion, extension_pending, extension_hours,
            rework_count, complex, overdue, merged_into_id, reported_at, closed_at, updated_at)
        SELECT id, number, region_code, street_code, NULL, category_id,
            CASE WHEN reported_at > now() - interval '7 days' AND fate > 0.5 THEN
                     (ARRAY['reported','verified','registered','dispatched','handled'])
                     [1 + floor(fate * 10)::int % 5]
                 WHEN fate < 0.955 THEN 'closed'
                 WHEN fate < 0.975 THEN 'voided'
                 WHEN fate < 0.995 THEN 'rejected'
                 ELSE 'deferred' END,
            2, 5, channel, '基准测试背景数据', '',
            113.45 + random() * 0.45, 34.62 + random() * 0.28, NULL,
            agency_id, agency_id, '', false, NULL,
            (late < 0.04)::int, false, (late > 0.97), NULL, reported_at,
            NULL, reported_at
        FROM g_batch;
        UPDATE cases_case c SET closed_at = b.reported_at + interval '2 hours'
                                             + b.speed * interval '96 hours'
        FROM g_batch b WHERE c.id = b.id AND c.status = 'closed';
        INSERT INTO cases_caseevent (id, case_id, action, actor_id, at, from_status,
                                     to_status, note, data)
        SELECT gen_random_uuid(), c.id, e.action,
               (SELECT id FROM g_actor WHERE username = e.who),
               c.reported_at + e.after, '', '', '', '{}'::jsonb
        FROM cases_case c JOIN g_batch b ON b.id = c.id
        CROSS JOIN (VALUES ('register', 'shift_leader', interval '20 minutes'),
                           ('dispatch', 'dispatcher', interval '40 minutes')) AS e(action, who, after)
        WHERE c.status IN ('registered', 'dispatched', 'handled', 'closed', 'deferred')
          AND NOT (e.action = 'dispatch' AND c.status = 'registered');
        INSERT INTO cases_caseevent (id, case_id, action, actor_id, at, from_status,
                                     to_status, note, data)
        SELECT gen_random_uuid(), c.id, 'close', (SELECT id FROM g_actor
                                                  WHERE username = 'shift_leader'),
               c.closed_at, 'checked', 'closed', '', '{}'::jsonb
        FROM cases_case c JOIN g_batch b ON b.id = c.id WHERE c.status = 'closed';
        INSERT INTO core_deadline (id, subject_type, subject_id, kind, start_at, amount, unit,
                                   due_at, provisional, stopped_at, warned_at, overdue_at,
                                   escalated_at)
        SELECT gen_random_uuid(), 'cases.case', c.id::text, 'handle',
               c.reported_at + interval '40 minutes', 48, 'hours',
               c.reported_at + interval '88 minutes' + interval '48 hours', false,
               CASE WHEN c.status = 'deferred' THEN c.reported_at + interval '30 hours'
                    WHEN c.closed_at IS NULL THEN NULL
                    WHEN b.late > 0.9 THEN c.reported_at + interval '60 hours'
                    ELSE c.closed_at - interval '1 hour' END,
               NULL, NULL, NULL
        FROM cases_case c JOIN g_batch b ON b.id = c.id
        WHERE c.status IN ('dispatched', 'handled', 'closed', 'deferred');
        DROP TABLE g_batch;
        """
    )


TABLES = ("cases_case", "cases_caseevent", "core_deadline")


def _secondary_indexes(cursor) -> list[str]:
    """CREATE statements of the generated tables' indexes that back no constraint: dropped
    while loading (the usual bulk-load practice) and built again before measuring."""
    cursor.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = ANY(%s) AND NOT EXISTS (
               SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        [list(TABLES)],
    )
    return cursor.fetchall()


def fill(total: int, have: int, say) -> int:
    from django.db import connection
    from django.utils import timezone

    end_day = timezone.localdate() - timedelta(days=1)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
        if have == 0:
            prepare(cursor)
        indexes = _secondary_indexes(cursor)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        while have < total:
            last = min(total, have + CHUNK)
            generate(cursor, have + 1, last, end_day)
            have = last
            say(f"  … {have:,} cases ({time.perf_counter() - started:.0f} s)")
        generated = time.perf_counter() - started
        cursor.execute("SET maintenance_work_mem TO '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        indexed = time.perf_counter() - started - generated
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
    say(
        f"  table at {total:,} cases (generated in {generated:.0f} s, {len(indexes)} indexes"
        f" built in {indexed:.0f} s, vacuum + analyze"
        f" {time.perf_counter() - started - generated - indexed:.0f} s)"
    )
    return have


def last_full_month(today: date) -> tuple[date, date]:
    first_this = today.replace(day=1)
    last_month_end = first_this - timedelta(days=1)
    return last_month_end.replace(day=1), last_month_end


def monthly_rollup(say) -> tuple[float, float, int]:
    from django.utils import timezone

    from chengguan.kpi.evaluation import evaluation_compute
    from chengguan.kpi.rollups import rollup_day

    start, end = last_full_month(timezone.localdate())
    started = time.perf_counter()
    rows, day = 0, start
    while day <= end:
        rows += rollup_day(day)
        day += timedelta(days=1)
    rollup_s = time.perf_counter() - started
    started = time.perf_counter()
    objects = evaluation_compute(period="month", period_start=start)
    evaluation_s = time.perf_counter() - started
    say(
        f"  monthly roll-up {start:%Y-%m}: {rollup_s:.2f} s for {rows:,} daily rows"
        f" ({(end - start).days + 1} days); evaluation of the month {evaluation_s:.2f} s"
        f" ({objects:,} objects)"
    )
    return rollup_s, evaluation_s, rows


def dashboard_samples(user) -> tuple[float, float]:
    from django.utils import timezone

    from chengguan.kpi.dashboard import dashboard_data
    from chengguan.kpi.rollups import open_snapshot_refresh, rollup_day

    today = timezone.localdate()
    for back in range(31):  # what `tick` keeps fresh: the trend's 30 days and today
        rollup_day(today - timedelta(days=back))
    open_snapshot_refresh()
    dashboard_data(user)  # warm the caches as a running server would be
    samples = []
    for _ in range(DASHBOARD_CALLS):
        started = time.perf_counter()
        dashboard_data(user)
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


NAIVE_SQL = (
    # today's intake by channel and category
    """SELECT channel, category_id, count(*) FROM cases_case
       WHERE reported_at >= date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai')
                            AT TIME ZONE 'Asia/Shanghai'
       GROUP BY channel, category_id""",
    # open and overdue per district
    """SELECT region_code, count(*), count(*) FILTER (WHERE overdue) FROM cases_case
       WHERE status NOT IN ('closed', 'rejected', 'voided', 'merged', 'referred')
       GROUP BY region_code""",
    # the on-time closure trend of 30 days
    """SELECT date_trunc('day', c.closed_at AT TIME ZONE 'Asia/Shanghai') AS day, count(*),
              count(*) FILTER (WHERE NOT c.overdue AND NOT EXISTS (
                  SELECT 1 FROM core_deadline d WHERE d.subject_type = 'cases.case'
                  AND d.subject_id = c.id::text AND d.stopped_at > d.due_at))
       FROM cases_case c WHERE c.closed_at >= now() - interval '30 days'
       GROUP BY 1""",
)


def naive_samples(repeat: int) -> tuple[float, float]:
    from django.db import connection

    samples = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            for sql in NAIVE_SQL:
                cursor.execute(sql)
                cursor.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def run(args, say) -> bool:
    from chengguan.accounts.models import User

    territory_load((), say)
    leader = User.objects.get(username="leader")
    sizes = args.sizes or (SIZES[:2] if args.quick else SIZES)
    have, rows = 0, []
    for size in sizes:
        say(f"\n== {size:,} cases " + "=" * 60)
        have = fill(size, have, say)
        rollup_s, evaluation_s, _daily = monthly_rollup(say)
        ours = dashboard_samples(leader)
        say(f"  dashboard from roll-ups: p50 {ours[0]:.1f} ms, p95 {ours[1]:.1f} ms")
        naive = naive_samples(5 if size >= 10_000_000 else 10)
        say(f"  naive GROUP BY over the cases: p50 {naive[0]:.1f} ms, p95 {naive[1]:.1f} ms")
        rows.append((size, rollup_s, evaluation_s, ours, naive))

    say("\n== summary " + "=" * 68)
    head = (
        f"{'cases':>11} | {'month roll-up s':>15} | {'evaluation s':>12} |"
        f" {'dashboard p50/p95 ms':>20} | {'naive p50/p95 ms':>18}"
    )
    say(head)
    say("-" * len(head))
    for size, rollup_s, evaluation_s, ours, naive in rows:
        say(
            f"{size:>11,} | {rollup_s:>15.2f} | {evaluation_s:>12.2f} |"
            f" {ours[0]:>9.1f} / {ours[1]:<8.1f} | {naive[0]:>8.1f} / {naive[1]:<7.1f}"
        )
    size, rollup_s, _evaluation_s, ours, naive = rows[-1]
    ok = rollup_s <= TARGET_ROLLUP_S and ours[1] <= TARGET_P95_MS
    say(
        f"\nat {size:,} cases: monthly roll-up {rollup_s:.2f} s (target ≤ {TARGET_ROLLUP_S:g} s)"
        f" {'PASS' if rollup_s <= TARGET_ROLLUP_S else 'FAIL'}; dashboard p95 {ours[1]:.1f} ms"
        f" (target ≤ {TARGET_P95_MS:g} ms) {'PASS' if ours[1] <= TARGET_P95_MS else 'FAIL'};"
        f" the naive GROUP BY ×{naive[1] / max(ours[1], 0.001):.0f} slower at p95"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 and 1,000,000 only")
    parser.add_argument("--sizes", type=int, nargs="+", help="case counts, ascending")
    args = parser.parse_args()

    def say(line: str) -> None:
        print(line, flush=True)

    try:
        with scratch_database("kpi_bench", say, quick=args.quick) as _database:
            ok = run(args, say)
    except NoPostgres as error:
        print(error, file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
