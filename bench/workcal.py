"""Benchmark: deadline arithmetic of `chengguan.core.workcal.WorkCalendar`.

Run from the repository root:

    .venv/bin/python bench/workcal.py            # full run (~10 s)
    .venv/bin/python bench/workcal.py --quick    # smoke run (~1 s)

It builds the calendar for 2025–2026 from the official arrangements, then measures
(a) single `add_working_time` calls per second over random stored-style (UTC) starts with a
mix of hour and day allowances, and (b) a naive peer, `minute_stepping_add_hours`, which
walks the clock one minute at a time, on a smaller sample of the hour allowances. Both must
give the same deadline on that sample; the speed-up compares per-call rates on it.

Targets: ≥ 200,000 calls/s (≤ 5 µs per call) and ≥ 100× the peer.
"""

import argparse
import gc
import random
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import machine

from chengguan.core.calendar_sources import day_kinds, official_year
from chengguan.core.workcal import DEFAULT_PERIODS, DayKind, WorkCalendar

TARGET_CALLS_PER_SECOND = 200_000
TARGET_SPEED_UP = 100
SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_MINUTE = timedelta(minutes=1)


def minute_stepping_add_hours(
    overrides: Mapping[date, DayKind], start: datetime, hours: float
) -> datetime:
    """The obvious implementation: step the local clock a minute at a time.

    A minute counts when its day is a working day (override, else Monday–Friday) and it
    begins inside an office period. Exact for minute-aligned starts and whole-minute hours.
    """
    remaining = round(hours * 60)
    t = start.astimezone(SHANGHAI)
    while remaining > 0:
        day = t.date()
        kind = overrides.get(day)
        workday = kind is DayKind.WORKDAY if kind is not None else day.weekday() < 5
        if workday and any(opens <= t.time() < closes for opens, closes in DEFAULT_PERIODS):
            remaining -= 1
        t += ONE_MINUTE
    return t.astimezone(UTC)


def random_starts(rng: random.Random, n: int) -> list[datetime]:
    """Minute-aligned aware UTC instants in 2025–2026, as the database returns them."""
    first = datetime(2025, 1, 1, tzinfo=UTC)
    minutes = (datetime(2027, 1, 1, tzinfo=UTC) - first) // ONE_MINUTE
    return [first + timedelta(minutes=rng.randrange(minutes)) for _ in range(n)]


def timed(run: Callable[[], object], repeat: int) -> float:
    """Best wall time of `repeat` runs, with the garbage collector off (as `timeit` does)."""
    best = float("inf")
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            began = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - began)
    finally:
        if gc_was_enabled:
            gc.enable()
    return best


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small samples, one repeat")
    args = parser.parse_args()
    n_ours, n_peer, repeat = (20_000, 200, 1) if args.quick else (200_000, 2_000, 3)
    rng = random.Random(20260214)

    overrides: dict[date, DayKind] = {}
    for year in (2025, 2026):
        entries = official_year(year)
        if entries is None:
            print(f"chinesecalendar has no official data for {year}", file=sys.stderr)
            return 2
        overrides |= day_kinds(entries)
    built = time.perf_counter()
    cal = WorkCalendar(overrides=overrides, first_year=2025, last_year=2026)
    build_ms = (time.perf_counter() - built) * 1000

    # (a) ours: mixed allowances, as case handling uses them (hours for urgent steps,
    # days for statutory decisions). Each call is a separate, ordinary method call.
    starts = random_starts(rng, n_ours)
    mixed = [
        (s, rng.randrange(1, 161) / 4, None)
        if rng.random() < 0.7
        else (s, None, rng.randint(1, 20))
        for s in starts
    ]
    add = cal.add_working_time

    def run_mixed() -> None:
        for start, hours, days in mixed:
            add(start, hours=hours, days=days)

    ours_rate = n_ours / timed(run_mixed, repeat)

    # (b) the peer, on a smaller sample of hour allowances (whole quarter-hours, 0.25–40 h).
    sample = [(s, rng.randrange(1, 161) / 4) for s in random_starts(rng, n_peer)]
    peer_results: list[datetime] = []

    def run_peer() -> None:
        peer_results[:] = [minute_stepping_add_hours(overrides, s, h) for s, h in sample]

    def run_ours_on_sample() -> None:
        for start, hours in sample:
            add(start, hours=hours)

    peer_rate = n_peer / timed(run_peer, 1)
    ours_sample_rate = n_peer / timed(run_ours_on_sample, max(repeat, 5))
    mismatches = [
        (s, h, mine, theirs)
        for (s, h), theirs in zip(sample, peer_results, strict=True)
        if (mine := add(s, hours=h).at) != theirs
    ]
    speed_up = ours_sample_rate / peer_rate

    print(f"machine       : {machine()}")
    print(
        f"calendar      : 2025–2026 official, built in {build_ms:.1f} ms; "
        f"{'quick' if args.quick else 'full'} run"
    )
    print(
        f"ours (mixed)  : {ours_rate:>12,.0f} calls/s  ({1e6 / ours_rate:.2f} µs/call, "
        f"{n_ours:,} calls, 70% hours / 30% days)   target ≥ {TARGET_CALLS_PER_SECOND:,}/s: "
        f"{verdict(ours_rate >= TARGET_CALLS_PER_SECOND)}"
    )
    print(
        f"ours (sample) : {ours_sample_rate:>12,.0f} calls/s  (hours only, same {n_peer:,} "
        "inputs as the peer)"
    )
    print(f"peer          : {peer_rate:>12,.0f} calls/s  (minute_stepping_add_hours)")
    print(
        f"speed-up      : {speed_up:>12,.0f} ×        target ≥ {TARGET_SPEED_UP}×: "
        f"{verdict(speed_up >= TARGET_SPEED_UP)}"
    )
    print(f"agreement     : {n_peer - len(mismatches):,}/{n_peer:,} identical deadlines")
    for s, h, mine, theirs in mismatches[:5]:
        print(f"  MISMATCH start={s.isoformat()} hours={h}: ours={mine} peer={theirs}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
