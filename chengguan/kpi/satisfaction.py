"""Satisfaction per agency and period (services): the reporters' ratings of the cases the
agency handled, the surveys and third-party assessments the city imports, combined by
`kpi.domain.satisfaction.combine`.

`satisfaction_compute` rewrites one period's scores (called by `evaluation_compute`);
`satisfaction_import` takes in a CSV or Excel file of survey and third-party scores: every
bad row is named with its line and problem, and nothing is imported while any row is bad.
The import is one transaction with one ledger entry carrying the file's SHA-256.
"""

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from chengguan.accounts.selectors import region_scope_keys
from chengguan.cases.models import Rating
from chengguan.core.errors import DomainError, gettext_noop
from chengguan.core.services import ledger_append
from chengguan.core.tabular import read_table
from chengguan.kpi.domain.satisfaction import DEFAULT_WEIGHTS, MIN_RATINGS, combine
from chengguan.kpi.evaluation_selectors import (
    MONTH,
    QUARTER,
    period_end,
    period_window,
    quarter_start,
)
from chengguan.kpi.models import SatisfactionInput, SatisfactionScore
from chengguan.org.models import Agency

SOURCES = ("ratings", "survey", "third_party")


def satisfaction_weights() -> dict[str, Decimal]:
    """ "ratings:50,survey:30,third_party:20" (or a mapping) from settings, else the
    defaults; a source left out weighs nothing."""
    configured = settings.CHENGGUAN.get("SATISFACTION_WEIGHTS")
    if not configured:
        return dict(DEFAULT_WEIGHTS)
    if isinstance(configured, Mapping):
        pairs = configured.items()
    else:
        pairs = [part.partition(":")[::2] for part in str(configured).split(",") if part.strip()]
    weights = {}
    for name, weight in pairs:
        name = str(name).strip()
        try:
            value = Decimal(str(weight).strip())
        except InvalidOperation:
            raise DomainError(
                gettext_noop("满意度权重设置无效：%(part)s"), part=f"{name}:{weight}"
            ) from None
        if name not in SOURCES or value < 0:
            raise DomainError(gettext_noop("满意度权重设置无效：%(part)s"), part=f"{name}:{weight}")
        weights[name] = value
    return weights


@transaction.atomic
def satisfaction_compute(*, period: str, period_start: date) -> int:
    """Rewrite the satisfaction scores of one period: one row per agency with ratings or
    imported scores in it. Returns how many rows were written."""
    start, end = period_window(period, period_start)
    last_day = period_end(period, period_start)
    stars: dict[Any, dict[int, int]] = defaultdict(dict)
    rated = (
        Rating.objects.filter(at__gte=start, at__lt=end, case__agency__isnull=False)
        .order_by()
        .values_list("case__agency_id", "stars")
        .annotate(n=Count("pk"))
    )
    for agency_id, value, count in rated:
        stars[agency_id][value] = count
    surveys: dict[Any, list] = defaultdict(list)
    third: dict[Any, list] = defaultdict(list)
    inputs = SatisfactionInput.objects.filter(
        month__gte=period_start, month__lt=last_day
    ).values_list("agency_id", "kind", "score", "respondents")
    for agency_id, kind, value, respondents in inputs:
        if kind == SatisfactionInput.Kind.SURVEY:
            surveys[agency_id].append((value, respondents))
        else:
            third[agency_id].append(value)
    agencies = {
        a.pk: a
        for a in Agency.objects.filter(
            pk__in=set(stars) | set(surveys) | set(third)
        ).select_related("region")
    }
    weights = satisfaction_weights()
    now = timezone.now()
    rows = []
    for agency_id, agency in agencies.items():
        result = combine(
            stars=stars.get(agency_id, {}),
            surveys=surveys.get(agency_id, ()),
            third_party=third.get(agency_id, ()),
            weights=weights,
        )
        rows.append(
            SatisfactionScore(
                period=period,
                period_start=period_start,
                agency=agency,
                region_code=region_scope_keys(agency.region)["unit_code"],
                ratings_count=result.ratings_count,
                ratings=result.ratings,
                survey=result.survey,
                third_party=result.third_party,
                combined=result.combined,
                computed_at=now,
            )
        )
    SatisfactionScore.objects.filter(period=period, period_start=period_start).delete()
    SatisfactionScore.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# ---------------------------------------------------------------- the import

HEADERS = {
    "机构代码": "agency",
    "月份": "month",
    "类型": "kind",
    "得分": "score",
    "样本量": "respondents",
    "来源": "source",
    "来源说明": "source",
}
REQUIRED = ("agency", "month", "kind", "score")
KIND_WORDS = {
    "survey": SatisfactionInput.Kind.SURVEY,
    "满意度调查": SatisfactionInput.Kind.SURVEY,
    "调查": SatisfactionInput.Kind.SURVEY,
    "third_party": SatisfactionInput.Kind.THIRD_PARTY,
    "第三方测评": SatisfactionInput.Kind.THIRD_PARTY,
    "第三方": SatisfactionInput.Kind.THIRD_PARTY,
}
# 2026-11, 2026/11, 2026.11, 202611, and Excel's "2026-11-01 00:00:00".
MONTH_TEXT = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})月?(?:[-/.]0?1(?:[ T]00:00(?::00)?)?)?$")


@dataclass
class RejectedRow:
    number: int  # as the spreadsheet shows it: the header is row 1
    agency: str
    problems: list[str]


@dataclass
class SatisfactionReport:
    rows: int = 0
    imported: int = 0
    replaced: int = 0
    months: list[str] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    applied: bool = False
    sha256: str = ""

    @property
    def errors(self) -> list[str]:
        """One line per problem, as the command prints them."""
        return self.file_problems + [
            f"第 {r.number} 行（{r.agency or '未填机构代码'}）：" + "；".join(r.problems)
            for r in self.rejected
        ]


@dataclass
class _Planned:
    number: int
    agency: Agency
    month: date
    kind: str
    score: Decimal
    respondents: int
    source: str


def _month(text: str) -> date | None:
    match = MONTH_TEXT.match(text.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 1 <= month <= 12 and 2000 <= year <= 2100 else None


def _check(number: int, row: dict, agencies: dict, seen: dict) -> tuple[_Planned | None, list]:
    problems: list[str] = []
    code = row.get("agency", "")
    agency = agencies.get(code)
    if not code:
        problems.append("须填写机构代码")
    elif agency is None:
        problems.append(f"没有机构代码“{code}”")
    month = _month(row.get("month", ""))
    if month is None:
        problems.append(f"月份“{row.get('month', '')}”应写作 YYYY-MM")
    kind = KIND_WORDS.get(row.get("kind", "").strip().lower())
    if kind is None:
        problems.append(
            f"类型“{row.get('kind', '')}”应为 满意度调查（survey）或 第三方测评（third_party）"
        )
    value = None
    try:
        value = Decimal(row.get("score", "").replace("%", "").strip())
        if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
            raise InvalidOperation
        value = value.quantize(Decimal("0.01"))
    except InvalidOperation:
        problems.append(f"得分“{row.get('score', '')}”应为 0–100 的数")
        value = None
    respondents_text = row.get("respondents", "").strip()
    respondents = 0
    if respondents_text:
        try:
            respondents = int(Decimal(respondents_text))
            if respondents < 0 or Decimal(respondents_text) != respondents:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"样本量“{respondents_text}”应为非负整数")
    if kind == SatisfactionInput.Kind.SURVEY and respondents_text and respondents == 0:
        problems.append("满意度调查的样本量应大于 0")
    if kind == SatisfactionInput.Kind.SURVEY and not respondents_text:
        problems.append("满意度调查须填写样本量")
    source = row.get("source", "").strip()
    if len(source) > 200:
        problems.append("来源说明不能超过 200 个字")
    if agency is not None and month is not None and kind is not None:
        identity = (agency.pk, month, kind, source)
        if identity in seen:
            problems.append(f"与第 {seen[identity]} 行重复（同一机构、月份、类型和来源）")
        else:
            seen[identity] = number
    if problems:
        return None, problems
    return _Planned(number, agency, month, kind, value, respondents, source), []


@transaction.atomic
def satisfaction_import(*, filename: str, content: bytes, actor: Any) -> SatisfactionReport:
    """Import survey and third-party scores (columns 机构代码, 月份 YYYY-MM, 类型, 得分
    0–100, 样本量, 来源). A row with the same agency, month, type and source as an earlier
    import replaces it. With any bad row nothing is written; otherwise the affected months
    and quarters are rescored."""
    report = SatisfactionReport(sha256=hashlib.sha256(content).hexdigest())
    rows = read_table(filename, content)
    report.rows = len(rows)
    if not rows:
        report.file_problems.append("文件中没有数据行")
        return report
    columns = {HEADERS.get(k.strip(), k.strip().lower()) for k in rows[0]}
    missing = [h for h, f in HEADERS.items() if f in REQUIRED and f not in columns]
    if missing:
        report.file_problems.append("缺少列：" + "、".join(missing))
        return report
    agencies = {a.code: a for a in Agency.objects.filter(active=True)}
    seen: dict = {}
    planned: list[_Planned] = []
    for number, raw in enumerate(rows, start=2):
        row = {HEADERS.get(k.strip(), k.strip().lower()): (v or "").strip() for k, v in raw.items()}
        plan, problems = _check(number, row, agencies, seen)
        if problems:
            report.rejected.append(RejectedRow(number, row.get("agency", ""), problems))
        else:
            planned.append(plan)
    if report.rejected:
        return report
    now = timezone.now()
    for plan in planned:
        report.replaced += SatisfactionInput.objects.filter(
            agency=plan.agency, month=plan.month, kind=plan.kind, source=plan.source
        ).delete()[0]
    SatisfactionInput.objects.bulk_create(
        [
            SatisfactionInput(
                agency=p.agency,
                month=p.month,
                kind=p.kind,
                score=p.score,
                respondents=p.respondents,
                source=p.source,
                imported_at=now,
            )
            for p in planned
        ]
    )
    report.imported = len(planned)
    months = sorted({p.month for p in planned})
    report.months = [f"{m.year}-{m.month:02d}" for m in months]
    for start in months:
        satisfaction_compute(period=MONTH, period_start=start)
    for start in sorted({quarter_start(m) for m in months}):
        satisfaction_compute(period=QUARTER, period_start=start)
    report.applied = True
    ledger_append(
        kind="kpi.satisfaction_imported",
        subject_type="kpi.satisfactioninput",
        subject_id="",
        actor=actor,
        data={
            "source": filename,
            "sha256": report.sha256,
            "rows": report.rows,
            "imported": report.imported,
            "replaced": report.replaced,
            "months": report.months,
        },
    )
    return report


METHOD = gettext_noop(
    "综合满意度 = 各来源得分的加权平均（缺少的来源不计权重）。评价得分：本期对该单位处置的已结案案卷的"
    "群众评价（1–5 星），按（平均星级 − 1）÷ 4 × 100 折算，满 %(min)s 条评价才计分；满意度调查："
    "按样本量加权平均；第三方测评：简单平均。权重：评价 %(ratings)s、调查 %(survey)s、第三方 %(third)s。"
)


def method_params() -> dict:
    weights = satisfaction_weights()
    return {
        "min": MIN_RATINGS,
        "ratings": f"{weights.get('ratings', 0):g}",
        "survey": f"{weights.get('survey', 0):g}",
        "third": f"{weights.get('third_party', 0):g}",
    }
