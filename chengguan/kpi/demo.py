"""Demo roll-ups, evaluations and satisfaction inputs, so the dashboard, the rankings and
the public statistics show the demo's month of cases as soon as `make run` is up.

The survey and third-party scores are invented for the demo (their source says so): the
platform has no real survey to load. Each district's bureau and departments that handled
demo cases get one survey and one third-party score for the current month, seeded so a
rerun changes nothing.
"""

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from chengguan.cases.models import Case
from chengguan.kpi.evaluation import evaluation_compute
from chengguan.kpi.evaluation_selectors import month_start, quarter_start
from chengguan.kpi.models import SatisfactionInput
from chengguan.kpi.rollups import rollups_rebuild

DEMO_SOURCE = "演示数据（非真实调查）"


@transaction.atomic
def satisfaction_inputs_ensure(month) -> int:
    if SatisfactionInput.objects.filter(source=DEMO_SOURCE).exists():
        return 0
    agencies = Case.objects.filter(agency__isnull=False).values_list("agency_id", flat=True)
    rows = []
    now = timezone.now()
    for agency_id in sorted(set(agencies), key=str):
        rng = random.Random(str(agency_id))
        rows.append(
            SatisfactionInput(
                agency_id=agency_id,
                month=month,
                kind=SatisfactionInput.Kind.SURVEY,
                score=Decimal(rng.randint(7800, 9600)) / 100,
                respondents=rng.randint(60, 400),
                source=DEMO_SOURCE,
                imported_at=now,
            )
        )
        rows.append(
            SatisfactionInput(
                agency_id=agency_id,
                month=month,
                kind=SatisfactionInput.Kind.THIRD_PARTY,
                score=Decimal(rng.randint(7000, 9400)) / 100,
                respondents=0,
                source=DEMO_SOURCE,
                imported_at=now,
            )
        )
    SatisfactionInput.objects.bulk_create(rows)
    return len(rows)


def kpi_ensure(*, say: Callable[[str], None] = print, days: int = 31) -> None:
    """Roll up the demo's days, add the demo satisfaction inputs, evaluate this and last
    month and this quarter."""
    if not Case.objects.exists():
        return
    today = timezone.localdate()
    rows = rollups_rebuild(start=today - timedelta(days=days), end=today)
    inputs = satisfaction_inputs_ensure(month_start(today))
    evaluated = 0
    for period, start in (
        ("month", month_start(today)),
        ("month", month_start(month_start(today) - timedelta(days=1))),
        ("quarter", quarter_start(today)),
    ):
        evaluated += evaluation_compute(period=period, period_start=start)
    say(
        f"统计与考核：日统计 {rows} 行，满意度外部数据 {inputs} 条（演示），"
        f"考核对象 {evaluated} 个（本月、上月、本季度）"
    )
