"""The evaluation indicators (GB/T 30428.4 structure, as `data/evaluation_indicators.csv`
gives them) as pure rules: what each measures, how a value becomes a score, and how
scores become a composite and a grade.

Each object evaluated (an area, a department, a post) has indicators of three kinds:

- a rate (结案率 = 结案数 / 应结案数 × 100 %): the score is the rate;
- an inverse rate (返工率, 监督举报率, 漏报率): the score is 100 − the rate;
- a count scored in bands (立案数, 派遣数, 受理数): the CSV's bands, on a 100-point scale.

An indicator whose denominator is zero (nothing to measure this period) is "not
applicable": it gets no score, and the composite is the weighted mean of the others, so an
object is neither rewarded nor punished for what did not happen. The weights are the CSV's
defaults; a city changes them (`IndicatorWeight`), and the grade bands (A ≥ 90, B ≥ 75,
C ≥ 60, D ≥ 40, else E) in settings.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from chengguan.core.errors import DomainError, gettext_noop

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


class ObjectKind(StrEnum):
    AREA = "area"  # 区域 (a county-level unit, a street)
    DEPARTMENT = "department"  # 专业部门 (an agency cases are dispatched to)
    INSPECTOR = "inspector"  # 监督员
    OPERATOR = "operator"  # 受理员
    SHIFT_LEADER = "shift_leader"  # 值班长
    DISPATCHER = "dispatcher"  # 派遣员


OBJECT_LABELS = {
    ObjectKind.AREA: gettext_noop("区域"),
    ObjectKind.DEPARTMENT: gettext_noop("专业部门"),
    ObjectKind.INSPECTOR: gettext_noop("监督员"),
    ObjectKind.OPERATOR: gettext_noop("受理员"),
    ObjectKind.SHIFT_LEADER: gettext_noop("值班长"),
    ObjectKind.DISPATCHER: gettext_noop("派遣员"),
}


class Scoring(StrEnum):
    RATE = "rate"
    INVERSE_RATE = "inverse_rate"
    BANDS = "bands"
    NONE = "none"  # shown, not scored (监督举报核实数 feeds 监督举报率)


# A count's bands: (upper bound inclusive, score), checked in order; above the last → 0.
Bands = tuple[tuple[Decimal, Decimal], ...]


def _bands(*pairs: tuple[str, str]) -> Bands:
    return tuple((Decimal(bound), Decimal(score)) for bound, score in pairs)


# 立案数 of an area, per grid and month (the CSV's counts are a grid's): 一类区域 0 → 100,
# < 3 → 90, < 5 → 75, < 7 → 60, < 9 → 40; 二类 0 → 100, < 4 → 90, < 6 → 75, < 8 → 60,
# < 10 → 40. "< 3" on a per-grid average is read as "≤ 3 − ε": bounds are exclusive.
AREA_BANDS = {
    1: (
        (Decimal(0), True, Decimal(100)),
        (Decimal(3), False, Decimal(90)),
        (Decimal(5), False, Decimal(75)),
        (Decimal(7), False, Decimal(60)),
        (Decimal(9), False, Decimal(40)),
    ),
    2: (
        (Decimal(0), True, Decimal(100)),
        (Decimal(4), False, Decimal(90)),
        (Decimal(6), False, Decimal(75)),
        (Decimal(8), False, Decimal(60)),
        (Decimal(10), False, Decimal(40)),
    ),
}
# 派遣数 of a department: ≤ 50 → 10, ≤ 100 → 9, ≤ 200 → 7.5, ≤ 500 → 6, ≤ 1000 → 4 (of 10).
DEPARTMENT_BANDS = _bands(
    ("50", "100"), ("100", "90"), ("200", "75"), ("500", "60"), ("1000", "40")
)
# 受理数 of an operator: > 2000 → 100, 1201–2000 → 90, 501–1200 → 75, 301–500 → 60, else 0.
# The dispatcher's 派遣数 has no bands in the CSV ("派遣数分值"); the operator's are used.
VOLUME_BANDS_DESC = (
    (Decimal(2000), Decimal(100)),
    (Decimal(1200), Decimal(90)),
    (Decimal(500), Decimal(75)),
    (Decimal(300), Decimal(60)),
)


@dataclass(frozen=True)
class Indicator:
    code: str
    object_kind: ObjectKind
    name: str  # the CSV's Chinese name, shown on the pages
    scoring: Scoring
    weight: Decimal  # default weight in the composite, percent
    definition: str  # what is counted, in words (shown with the number)
    applicable: bool = True  # False: this platform's workflow has no such step


def _i(code, kind, name, scoring, weight, definition, applicable=True) -> Indicator:
    return Indicator(code, kind, name, Scoring(scoring), Decimal(weight), definition, applicable)


A, D = ObjectKind.AREA, ObjectKind.DEPARTMENT
INS, OP, SL, DI = (
    ObjectKind.INSPECTOR,
    ObjectKind.OPERATOR,
    ObjectKind.SHIFT_LEADER,
    ObjectKind.DISPATCHER,
)

INDICATORS: tuple[Indicator, ...] = (
    _i("public_reports", A, "监督举报核实数", "none", "0", gettext_noop("公众举报（热线、网站、12345、110 等）且经核实立案的案卷数")),
    _i("registered", A, "立案数", "bands", "20", gettext_noop("本期立案的案卷数（按网格平均，分区域类别换算分值）")),
    _i("public_report_rate", A, "监督举报率", "inverse_rate", "10", gettext_noop("监督举报核实数 / 立案数")),
    _i("closing_rate", A, "结案率", "rate", "30", gettext_noop("本期立案的案卷中已结案的 / 本期立案数")),
    _i("on_time_closing_rate", A, "按期结案率", "rate", "40", gettext_noop("本期立案的案卷中按期结案（各环节均未超时）的 / 本期立案数")),
    _i("dispatched", D, "立案数(派遣数)", "bands", "10", gettext_noop("本期派遣给该部门的案卷数")),
    _i("closing_rate", D, "结案率", "rate", "30", gettext_noop("本期派遣给该部门的案卷中已结案的 / 派遣数")),
    _i("on_time_handling_rate", D, "按期处置率", "rate", "30", gettext_noop("本期处置（反馈）的案卷中在处置时限内的 / 处置数")),
    _i("rework_rate", D, "返工率", "inverse_rate", "30", gettext_noop("本期派遣的案卷中发生过返工的 / 派遣数")),
    _i("valid_report_rate", INS, "有效上报率", "rate", "40", gettext_noop("本期上报的案卷中立案的 / 上报数")),
    _i("missed_report_rate", INS, "漏报率", "inverse_rate", "20", gettext_noop("其辖区内公众举报且经核实立案的 / 辖区立案数")),
    _i("on_time_verify_rate", INS, "按时核实率", "rate", "20", gettext_noop("本期核实的案卷中在核实时限内的 / 核实数")),
    _i("on_time_check_rate", INS, "按时核查率", "rate", "20", gettext_noop("本期核查的案卷中在核查时限内的 / 核查数")),
    _i("accepted", OP, "受理数", "bands", "25", gettext_noop("本期受理（热线上报）的案卷数")),
    _i("on_time_verify_dispatch_rate", OP, "核实按时派发率", "rate", "40", gettext_noop("本平台核实任务自动推送给监督员，没有受理员派发环节"), applicable=False),
    _i("on_time_check_dispatch_rate", OP, "核查按时派发率", "rate", "35", gettext_noop("本平台核查任务自动推送给监督员，没有受理员派发环节"), applicable=False),
    _i("on_time_register_rate", SL, "按时立案率", "rate", "25", gettext_noop("本期立案的案卷中在立案时限内的 / 立案数")),
    _i("accurate_register_rate", SL, "准确立案率", "rate", "40", gettext_noop("（立案数 − 其后作废数）/ 立案数")),
    _i("on_time_close_rate", SL, "按时结案率", "rate", "35", gettext_noop("本期结案的案卷中未超时的 / 结案数")),
    _i("dispatch_count", DI, "派遣数", "bands", "20", gettext_noop("本期派遣的案卷数（分值按受理数分档）")),
    _i("on_time_dispatch_rate", DI, "按时派遣率", "rate", "40", gettext_noop("本期派遣的案卷中在派遣时限内的 / 派遣数")),
    _i("accurate_dispatch_rate", DI, "准确派遣率", "rate", "40", gettext_noop("（派遣数 − 被处置单位退回数）/ 派遣数")),
)  # fmt: skip

BY_KIND: dict[ObjectKind, tuple[Indicator, ...]] = {
    kind: tuple(i for i in INDICATORS if i.object_kind is kind) for kind in ObjectKind
}


def indicator(kind: ObjectKind, code: str) -> Indicator:
    for item in BY_KIND[kind]:
        if item.code == code:
            return item
    raise KeyError(f"{kind}:{code}")


def area_class(unit_name: str) -> int:
    """一类 (urban districts and the zones) or 二类 (counties and county-level cities)."""
    return 2 if unit_name.endswith(("县", "市")) else 1


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator × 100, to 0.01; None when there is nothing to measure."""
    if numerator < 0 or denominator < 0 or numerator > denominator:
        raise ValueError(f"bad rate {numerator}/{denominator}")
    if denominator == 0:
        return None
    return _round(Decimal(numerator) * HUNDRED / Decimal(denominator))


def area_band_score(per_grid: Decimal, area: int) -> Decimal:
    for bound, inclusive, score in AREA_BANDS[area]:
        if per_grid < bound or (inclusive and per_grid == bound):
            return score
    return Decimal(0)


def department_band_score(count: int) -> Decimal:
    for bound, score in DEPARTMENT_BANDS:
        if count <= bound:
            return score
    return Decimal(0)


def volume_band_score(count: int) -> Decimal:
    for floor, score in VOLUME_BANDS_DESC:
        if count > floor:
            return score
    return Decimal(0)


@dataclass(frozen=True)
class Measured:
    """One indicator of one object for one period: the counts and what they score."""

    code: str
    numerator: int
    denominator: int
    value: Decimal | None  # the rate in percent, the count, or the per-grid count
    score: Decimal | None  # None: not applicable this period


def score(
    item: Indicator, numerator: int, denominator: int, *, grids: int = 0, area: int = 1
) -> Measured:
    """The value and score of `item` from its counts. For counts, `numerator` is the count
    (and `denominator` unused); an area's 立案数 is averaged over its `grids`."""
    if not item.applicable:
        return Measured(item.code, 0, 0, None, None)
    if item.scoring is Scoring.NONE:
        return Measured(item.code, numerator, denominator, Decimal(numerator), None)
    if item.scoring is Scoring.BANDS:
        if item.object_kind is ObjectKind.AREA:
            if grids <= 0:
                return Measured(item.code, numerator, 0, None, None)
            per_grid = _round(Decimal(numerator) / Decimal(grids))
            return Measured(item.code, numerator, grids, per_grid, area_band_score(per_grid, area))
        scorer = (
            department_band_score
            if item.object_kind is ObjectKind.DEPARTMENT
            else volume_band_score
        )
        return Measured(item.code, numerator, denominator, Decimal(numerator), scorer(numerator))
    value = rate(numerator, denominator)
    if value is None:
        return Measured(item.code, numerator, denominator, None, None)
    points = value if item.scoring is Scoring.RATE else HUNDRED - value
    return Measured(item.code, numerator, denominator, value, points)


def composite(measured: Iterable[Measured], weights: Mapping[str, Decimal]) -> Decimal | None:
    """The weighted mean of the scored indicators, the weights of the unscored ones left
    out (renormalised); None when nothing was scored."""
    total = weight_sum = Decimal(0)
    for item in measured:
        weight = weights.get(item.code, Decimal(0))
        if item.score is None or weight <= 0:
            continue
        total += item.score * weight
        weight_sum += weight
    return _round(total / weight_sum) if weight_sum else None


DEFAULT_GRADES = (("A", Decimal(90)), ("B", Decimal(75)), ("C", Decimal(60)), ("D", Decimal(40)))


def grades_parse(text: str) -> tuple[tuple[str, Decimal], ...]:
    """ "A:90,B:75,C:60,D:40" → bands, checked to descend; the grade below the last is E."""
    bands = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        letter, _, floor = part.partition(":")
        try:
            bands.append((letter.strip(), Decimal(floor.strip())))
        except ArithmeticError:
            raise DomainError(gettext_noop("评价等级设置无效：%(part)s"), part=part) from None
    floors = [floor for _letter, floor in bands]
    if not bands or floors != sorted(floors, reverse=True) or len(set(floors)) != len(floors):
        raise DomainError(gettext_noop("评价等级的分数线应从高到低排列且互不相同"))
    return tuple(bands)


def grade(value: Decimal | None, bands=DEFAULT_GRADES, lowest: str = "E") -> str:
    """A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, else E (a band's floor belongs to it); "" when the
    object had nothing to evaluate."""
    if value is None:
        return ""
    for letter, floor in bands:
        if value >= floor:
            return letter
    return lowest


def default_weights(kind: ObjectKind) -> dict[str, Decimal]:
    return {item.code: item.weight for item in BY_KIND[kind] if item.applicable}
