"""Evaluation snapshots: every indicator of every object for a month or a quarter, the
composite score, the grade and the rank (GB/T 30428.4 structure, `kpi.domain.indicators`).

`evaluation_compute` rewrites one period in one transaction. Each indicator's rows are
defined once (`evaluation_selectors.indicator_spec`) and counted for all objects of a kind
with grouped queries, indicators sharing their rows in one query; the drill-down filters
the same rows, so the cases listed behind a number are exactly that many.

`evaluation_sweep` (run by `manage.py tick`) keeps the current month and quarter fresh
(at most every 15 minutes) and recomputes the previous month and quarter once at the start
of the next, when the last cases of the period have been closed or marked.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from chengguan.accounts.selectors import region_scope_keys
from chengguan.kpi.domain.indicators import (
    BY_KIND,
    Measured,
    ObjectKind,
    Scoring,
    area_class,
    composite,
    default_weights,
    grade,
    grades_parse,
    score,
)
from chengguan.kpi.evaluation_selectors import (
    AREA_LEVELS,
    MONTH,
    QUARTER,
    Spec,
    indicator_spec,
    period_start_of,
    period_window,
    previous_period_start,
    territory_filter,
)
from chengguan.kpi.models import Evaluation, IndicatorValue, IndicatorWeight

DEFAULT_GRADES = "A:90,B:75,C:60,D:40"
SWEEP_EVERY = timedelta(minutes=15)
FINAL_RECOMPUTE_DAYS = 3  # the previous period is recomputed once during these first days


@dataclass
class _Object:
    key: str
    name: str
    region_code: str
    grids: int = 0
    area: int = 1


def grade_bands():
    return grades_parse(settings.CHENGGUAN.get("EVALUATION_GRADES", DEFAULT_GRADES))


def weights_for(kind: ObjectKind) -> dict[str, Decimal]:
    """The default weights, each replaced by the city's own where it set one."""
    weights = default_weights(kind)
    for code, weight in IndicatorWeight.objects.filter(object_kind=kind.value).values_list(
        "indicator", "weight"
    ):
        if code in weights:
            weights[code] = Decimal(weight)
    return weights


def _count(specs: dict[str, Spec]) -> dict[str, dict[str, tuple[int, int]]]:
    """{indicator: {object key: (numerator, denominator)}}, one query per group of specs
    sharing their rows."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for code, spec in specs.items():
        groups[(spec.group, spec.key)].append(code)
    found: dict[str, dict[str, tuple[int, int]]] = {code: {} for code in specs}
    for (_group, key), codes in groups.items():
        first = specs[codes[0]]
        annotations = {"n_all": Count(first.case_ref)}
        for index, code in enumerate(codes):
            spec = specs[code]
            if spec.numerator is not None:
                annotations[f"n_{index}"] = Count(spec.case_ref, filter=spec.numerator)
        rows = first.base.order_by().values(key).annotate(**annotations)
        for row in rows:
            if row[key] is None or row[key] == "":
                continue
            for index, code in enumerate(codes):
                numerator = row.get(f"n_{index}", row["n_all"])
                found[code][str(row[key])] = (numerator, row["n_all"])
    return found


def _count_territories(spec: Spec) -> dict[str, tuple[int, int]]:
    """A territory's counts by county code, street code and "" for the whole city."""
    found: dict[str, tuple[int, int]] = {}
    for key in ("region_code", "street_code"):
        by_key = Spec(spec.group, spec.base, spec.case_ref, key, spec.numerator)
        found.update(_count({"t": by_key})["t"])
    whole = spec.base.aggregate(
        n_all=Count(spec.case_ref), n=Count(spec.case_ref, filter=spec.numerator)
    )
    found["*"] = (whole["n"], whole["n_all"])
    return found


def _territory_key(user) -> str | None:
    where = territory_filter(user)
    if where is None:
        return None
    region = user.region
    return "*" if region.kind == "city" else region.code


def _area_objects(level: str) -> list[_Object]:
    from chengguan.org.models import Grid, Region

    units = {
        r.code: r for r in Region.objects.filter(kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE])
    }
    if level == "county":
        grids = dict(
            Grid.objects.order_by()
            .values("region_code")
            .annotate(n=Count("pk"))
            .values_list("region_code", "n")
        )
        return [
            _Object(code, r.name, code, grids.get(code, 0), area_class(r.name))
            for code, r in units.items()
        ]
    grids = dict(
        Grid.objects.order_by()
        .values("street__code")
        .annotate(n=Count("pk"))
        .values_list("street__code", "n")
    )
    streets = Region.objects.filter(kind=Region.Kind.STREET)
    objects = []
    for street in streets:
        unit = units.get(street.unit_code)
        objects.append(
            _Object(
                street.code,
                street.name,
                street.unit_code,
                grids.get(street.code, 0),
                area_class(unit.name if unit else street.name),
            )
        )
    return objects


def _agency_objects(keys: Iterable[str]) -> list[_Object]:
    from chengguan.org.models import Agency

    return [
        _Object(str(a.pk), a.name, region_scope_keys(a.region)["unit_code"])
        for a in Agency.objects.filter(pk__in=list(keys)).select_related("region")
    ]


def _user_objects(keys: Iterable[str]) -> tuple[list[_Object], dict]:
    from chengguan.accounts.models import User

    users = {str(u.pk): u for u in User.objects.filter(pk__in=list(keys)).select_related("region")}
    return [
        _Object(key, u.full_name or u.username, region_scope_keys(u.region)["unit_code"])
        for key, u in users.items()
    ], users


def _measure_kind(
    kind: ObjectKind, start: datetime, end: datetime, *, level: str = "county"
) -> list[tuple[_Object, list[Measured]]]:
    items = BY_KIND[kind]
    specs = {
        i.code: spec
        for i in items
        if (spec := indicator_spec(kind, i.code, start, end, level=level)) is not None
    }
    keyed = {code: spec for code, spec in specs.items() if spec.key is not None}
    counts = _count(keyed)
    users: dict = {}
    if kind is ObjectKind.AREA:
        objects = _area_objects(level)
    else:
        keys = set().union(*(set(c) for c in counts.values())) if counts else set()
        if kind is ObjectKind.DEPARTMENT:
            objects = _agency_objects(keys)
        else:
            objects, users = _user_objects(keys)
    for code, spec in specs.items():
        if spec.key is None:  # by territory: the counts of where each person works
            territories = _count_territories(spec)
            counts[code] = {}
            for key, user in users.items():
                where = _territory_key(user)
                if where is not None:
                    counts[code][key] = territories.get(where, (0, 0))
    measured = []
    for obj in objects:
        results = []
        for item in items:
            numerator, denominator = counts.get(item.code, {}).get(obj.key, (0, 0))
            if item.scoring is Scoring.BANDS:
                results.append(score(item, numerator, 0, grids=obj.grids, area=obj.area))
            else:
                results.append(score(item, numerator, denominator))
        measured.append((obj, results))
    return measured


def _ranks(scores: list[tuple[str, Decimal | None]]) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4) by composite, highest first; no composite, no rank."""
    ordered = sorted((s, k) for k, s in scores if s is not None)[::-1]
    ranks, previous, rank = {}, None, 0
    for position, (value, key) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = position, value
        ranks[key] = rank
    return ranks


@transaction.atomic
def evaluation_compute(*, period: str, period_start: date, now: datetime | None = None) -> int:
    """Rewrite the indicator values, composites, grades and ranks of one period (month or
    quarter), and the satisfaction scores; returns how many objects were evaluated. `now`
    is the time recorded as computed (the sweep passes its own)."""
    from chengguan.kpi.satisfaction import satisfaction_compute

    start, end = period_window(period, period_start)  # checks the start
    now = now or timezone.now()
    bands = grade_bands()
    IndicatorValue.objects.filter(period=period, period_start=period_start).delete()
    Evaluation.objects.filter(period=period, period_start=period_start).delete()
    values: list[IndicatorValue] = []
    evaluations: list[Evaluation] = []
    runs = [(ObjectKind.AREA, level) for level in AREA_LEVELS] + [
        (kind, "county") for kind in ObjectKind if kind is not ObjectKind.AREA
    ]
    for kind, level in runs:
        weights = weights_for(kind)
        measured = _measure_kind(kind, start, end, level=level)
        totals = [(obj.key, composite(results, weights)) for obj, results in measured]
        ranks = _ranks(totals)
        for (obj, results), (_key, total) in zip(measured, totals, strict=True):
            common = {
                "period": period,
                "period_start": period_start,
                "object_kind": kind.value,
                "object_key": obj.key,
                "object_name": obj.name[:100],
                "region_code": obj.region_code,
            }
            evaluations.append(
                Evaluation(
                    **common,
                    composite=total,
                    grade=grade(total, bands),
                    rank=ranks.get(obj.key),
                    computed_at=now,
                )
            )
            values.extend(
                IndicatorValue(
                    **common,
                    indicator=m.code,
                    numerator=m.numerator,
                    denominator=m.denominator,
                    value=m.value,
                    score=m.score,
                )
                for m in results
            )
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    Evaluation.objects.bulk_create(evaluations, batch_size=2000)
    satisfaction_compute(period=period, period_start=period_start)
    return len(evaluations)


def _last_computed(period: str, start: date):
    return Evaluation.objects.filter(period=period, period_start=start).aggregate(
        at=Max("computed_at")
    )["at"]


def evaluation_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Recompute what is due: the current month and quarter when their last computation is
    15 minutes old, the previous month and quarter once during the first days of the next.
    Two cheap queries when nothing is due."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done: dict[str, int] = {}

    def compute(name: str, period: str, start: date) -> None:
        try:
            done[name] = evaluation_compute(period=period, period_start=start, now=now)
        except IntegrityError:  # another process rewrote the same period at the same time
            done[name] = 0

    for period in (MONTH, QUARTER):
        current = period_start_of(period, today)
        last = _last_computed(period, current)
        if last is None or now - last >= SWEEP_EVERY:
            compute(period, period, current)
        if (today - current).days < FINAL_RECOMPUTE_DAYS:
            previous = previous_period_start(period, current)
            last = _last_computed(period, previous)
            begun, _end = period_window(period, current)
            if last is None or last < begun:
                compute(f"previous_{period}", period, previous)
    return done
