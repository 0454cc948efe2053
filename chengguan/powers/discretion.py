"""Discretion benchmarks (裁量基准) as pure rules: read a seed row, propose a tier from the
facts of a case, and check a fine against the tier's range. No Django import.

A published benchmark states each tier's condition in words ("单体面积2-10㎡,或3-10处");
where the words give numbers we keep them as quantities, several joined by "或" (any one
met is enough). The Henan tables write the tiers of one measure as "≤2", "2-10", ">10":
the lower number belongs to the tier below, so a quantity is the half-open interval
(above, up_to] and a value exactly on a bound falls in the lighter tier.

A fine outside the proposed range is not forbidden (the officer may have reasons the table
does not foresee) but must be explained in writing and then goes to legal review
(法制审核), so a departure from the published standard is always seen by a second person.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Protocol

from chengguan.core.errors import DomainError, gettext_noop
from chengguan.penalties.domain.money import yuan

# Lightest first: "most serious matching" means the last of these that matches.
TIERS = ("no_penalty", "minor", "ordinary", "serious")
TIER_LABELS = {
    "no_penalty": gettext_noop("不予处罚"),
    "minor": gettext_noop("轻微"),
    "ordinary": gettext_noop("一般"),
    "serious": gettext_noop("严重"),
}
# A condition with these words fines only a party that let the correction period pass.
AFTER_DEADLINE = "逾期不改正"
REQUIRED = ("power_code", "tier", "condition", "source")

_NUMBER = r"\d+(?:\.\d+)?"
_TERM = re.compile(
    rf"^(?:(?P<above>{_NUMBER})<)?(?P<measure>[^\d<>≤]+?)"
    rf"(?:≤(?P<up_to>{_NUMBER})|>(?P<over>{_NUMBER}))?$"
)


@dataclass(frozen=True)
class Quantity:
    """One measured alternative of a condition: `measure` in (above, up_to]; None = open."""

    measure: str
    above: Decimal | None
    up_to: Decimal | None

    def contains(self, value: Decimal) -> bool:
        return (self.above is None or value > self.above) and (
            self.up_to is None or value <= self.up_to
        )

    def as_json(self) -> dict[str, str | None]:
        return {
            "measure": self.measure,
            "above": None if self.above is None else str(self.above),
            "up_to": None if self.up_to is None else str(self.up_to),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, str | None]) -> "Quantity":
        above, up_to = data.get("above"), data.get("up_to")
        return cls(
            measure=str(data["measure"]),
            above=None if above is None else Decimal(above),
            up_to=None if up_to is None else Decimal(up_to),
        )


def quantities_parse(text: str, *, line: int) -> tuple[Quantity, ...]:
    """Read the seed's notation: "单体面积㎡≤2 或 处数≤3" is two quantities; "2<处数≤4" and
    "处数>10" give a lower bound.

    An empty text is a qualitative condition (no quantities); a term without a bound says
    nothing measurable and is refused rather than read as "any value".
    """
    terms = [term.strip() for term in re.split(r"\s*或\s*", text.strip()) if term.strip()]
    quantities = []
    for term in terms:
        match = _TERM.match(term)
        bounds = match and (match["above"] or match["up_to"] or match["over"])
        if not bounds or (match["above"] and match["over"]):
            raise DomainError(
                gettext_noop("第 %(line)s 行量化条件无法识别：%(term)s"), line=line, term=term
            )
        above = match["above"] or match["over"]
        quantity = Quantity(
            measure=match["measure"].strip(),
            above=Decimal(above) if above else None,
            up_to=Decimal(match["up_to"]) if match["up_to"] else None,
        )
        if None not in (quantity.above, quantity.up_to) and quantity.above >= quantity.up_to:
            raise DomainError(
                gettext_noop("第 %(line)s 行量化条件的下限不小于上限：%(term)s"),
                line=line,
                term=term,
            )
        quantities.append(quantity)
    return tuple(quantities)


@dataclass(frozen=True)
class Benchmark:
    """One tier of one power's benchmark, as the rules need it."""

    tier: str
    condition: str
    quantities: tuple[Quantity, ...]
    fine_min: Decimal | None
    fine_max: Decimal | None
    other_sanction: str


@dataclass(frozen=True)
class BenchmarkRow:
    """One checked row of data/discretion_benchmarks.csv, ready to store."""

    power_code: str
    source: str
    benchmark: Benchmark


def _money(value: str, *, line: int, name: str) -> Decimal | None:
    if not value:
        return None
    try:
        return yuan(value)
    except DomainError:
        raise DomainError(
            gettext_noop("第 %(line)s 行 %(name)s 应为不小于零的金额（元）：%(value)s"),
            line=line,
            name=name,
            value=value,
        ) from None


def benchmark_row_parse(row: Mapping[str, str], *, line: int) -> BenchmarkRow:
    """Check one seed row; a refusal names the line and the problem.

    A fine range is either absent (no fine in this tier: warning only, or no penalty) or
    has an upper bound; a lower bound alone would let any amount through. "X元以下" is
    stored as 0–X, because the statute then sets no minimum.
    """
    values = {key: (value or "").strip() for key, value in row.items() if key}
    missing = [name for name in REQUIRED if not values.get(name)]
    if missing:
        raise DomainError(
            gettext_noop("第 %(line)s 行缺少：%(fields)s"), line=line, fields="、".join(missing)
        )
    tier = values["tier"]
    if tier not in TIERS:
        raise DomainError(gettext_noop("第 %(line)s 行等次无效：%(tier)s"), line=line, tier=tier)
    fine_min = _money(values.get("fine_min", ""), line=line, name="fine_min")
    fine_max = _money(values.get("fine_max", ""), line=line, name="fine_max")
    if fine_max is None and fine_min is not None:
        raise DomainError(gettext_noop("第 %(line)s 行有罚款下限而无上限"), line=line)
    if fine_max is not None and fine_min is None:
        fine_min = Decimal("0.00")
    if fine_min is not None and fine_max is not None and fine_min > fine_max:
        raise DomainError(gettext_noop("第 %(line)s 行罚款下限大于上限"), line=line)
    if tier == "no_penalty" and fine_max is not None:
        raise DomainError(gettext_noop("第 %(line)s 行“不予处罚”等次不能有罚款幅度"), line=line)
    return BenchmarkRow(
        power_code=values["power_code"],
        source=values["source"],
        benchmark=Benchmark(
            tier=tier,
            condition=values["condition"],
            quantities=quantities_parse(values.get("quantities", ""), line=line),
            fine_min=fine_min,
            fine_max=fine_max,
            other_sanction=values.get("other_sanction", ""),
        ),
    )


def yuan_text(amount: Decimal) -> str:
    """5000.00 → "5000", 12.50 → "12.50": whole yuan as the published tables write them."""
    return str(amount.quantize(Decimal(1))) if amount == amount.to_integral_value() else str(amount)


def fine_range_text(fine_min: Decimal | None, fine_max: Decimal | None) -> str:
    """The range as the public reads it; "以下" includes the amount, as in the statutes."""
    if fine_max is None:
        return "不罚款"
    if not fine_min:
        return f"{yuan_text(fine_max)}元以下"
    return f"{yuan_text(fine_min)}–{yuan_text(fine_max)}元"


@dataclass(frozen=True)
class Note:
    """One reason of a proposal, translatable at the edge like a DomainError message."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


@dataclass(frozen=True)
class Proposal:
    """The tier and fine range the facts point to; `tier` None means no proposal (the notes
    say why), so the officer decides within the statutory range."""

    tier: str | None
    fine_min: Decimal | None
    fine_max: Decimal | None
    why: tuple[Note, ...]


def measured_values(facts: Mapping[str, Decimal | int | str]) -> dict[str, Decimal]:
    """The facts as numbers, or DomainError naming the first that is not a number ≥ 0."""
    measured = {}
    for measure, value in facts.items():
        if isinstance(value, float | bool):
            raise TypeError(f"a fact must be Decimal, int or str, not {type(value).__name__}")
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or number < 0:
            raise DomainError(
                gettext_noop("“%(measure)s”应为不小于零的数：%(value)s"),
                measure=measure,
                value=value,
            )
        measured[measure] = number
    return measured


def propose_tier(
    benchmarks: Sequence[Benchmark],
    facts: Mapping[str, Decimal | int | str],
    *,
    first_offence: bool,
    corrected: bool,
    harm: bool,
) -> Proposal:
    """The most serious tier whose quantified condition the facts meet.

    `facts` maps a measure ("单体面积㎡", "处数") to the value found; `corrected` means the
    party corrected the violation in time, `harm` that it caused harmful consequences.
    When no measure the tiers use is given, nothing is proposed: guessing a tier would look
    like a standard. A measure left out may raise the tier, so the notes name it. The
    qualitative part of a condition ("或造成严重后果") is the officer's to weigh; the
    notes quote the condition met.

    行政处罚法 第三十三条第一款 then turns a minor tier into no penalty: 违法行为轻微并及时
    改正，没有造成危害后果的，不予行政处罚; 初次违法且危害后果轻微并及时改正的，可以不予
    行政处罚. And a condition that fines only "逾期不改正" is not met by a party who
    corrected in time.
    """
    if not benchmarks:
        return Proposal(None, None, None, (Note(gettext_noop("该事项裁量基准待发布")),))
    measured = measured_values(facts)
    used = list(dict.fromkeys(q.measure for b in benchmarks for q in b.quantities))
    given = [measure for measure in used if measure in measured]
    if not given:
        return Proposal(
            None,
            None,
            None,
            (
                Note(
                    gettext_noop("未填写裁量基准所用的量化事实（%(measures)s），不提出等次"),
                    {"measures": "、".join(used) or "无"},
                ),
            ),
        )
    matching = [
        b
        for b in benchmarks
        if any(q.measure in measured and q.contains(measured[q.measure]) for q in b.quantities)
    ]
    if not matching:
        found = "、".join(f"{m} {measured[m]}" for m in given)
        return Proposal(
            None,
            None,
            None,
            (
                Note(
                    gettext_noop("事实（%(found)s）不在已公布各等次的量化条件内，不提出等次"),
                    {"found": found},
                ),
            ),
        )
    chosen = max(matching, key=lambda b: TIERS.index(b.tier))
    why = [
        Note(
            gettext_noop("符合“%(tier)s”等次的情形：%(condition)s"),
            {"tier": TIER_LABELS[chosen.tier], "condition": chosen.condition},
        )
    ]
    missing = [measure for measure in used if measure not in measured]
    if missing:
        why.append(
            Note(
                gettext_noop("未填写：%(measures)s，补充后等次可能提高"),
                {"measures": "、".join(missing)},
            )
        )
    if corrected and AFTER_DEADLINE in chosen.condition:
        why.append(Note(gettext_noop("当事人已在限期内改正，不符合“逾期不改正”的处罚条件")))
        return Proposal("no_penalty", None, None, tuple(why))
    if chosen.tier == "minor" and corrected and not harm:
        why.append(
            Note(
                gettext_noop(
                    "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚（《行政处罚法》第三十三条第一款）"
                )
            )
        )
        return Proposal("no_penalty", None, None, tuple(why))
    if chosen.tier == "minor" and corrected and first_offence:
        why.append(
            Note(
                gettext_noop(
                    "初次违法且危害后果轻微并及时改正的，可以不予行政处罚（《行政处罚法》第三十三条第一款）；决定处罚的，按“轻微”等次幅度"
                )
            )
        )
        return Proposal("no_penalty", None, None, tuple(why))
    return Proposal(chosen.tier, chosen.fine_min, chosen.fine_max, tuple(why))


class FineRange(Protocol):
    """A Proposal or a Benchmark: a tier and its fine range."""

    tier: str | None
    fine_min: Decimal | None
    fine_max: Decimal | None


@dataclass(frozen=True)
class FineCheck:
    needs_legal_review: bool


def check_fine(range_: FineRange, fine: Decimal | int | str, reason: str = "") -> FineCheck:
    """A fine within the tier's range passes; outside it, a written reason is required and
    the decision then needs legal review. A tier without a fine range (no penalty, warning
    only) makes any fine above zero a departure."""
    if range_.tier is None:
        raise DomainError(gettext_noop("未确定裁量等次，无法对照裁量基准的罚款幅度"))
    amount = yuan(fine)
    if range_.fine_max is None:
        inside = amount == 0
    else:
        inside = (range_.fine_min or 0) <= amount <= range_.fine_max
    if inside:
        return FineCheck(needs_legal_review=False)
    if not reason.strip():
        raise DomainError(
            gettext_noop(
                "罚款 %(fine)s 元超出“%(tier)s”等次的幅度（%(range)s），须书面说明理由并经法制审核"
            ),
            fine=yuan_text(amount),
            tier=TIER_LABELS[range_.tier],
            range=fine_range_text(range_.fine_min, range_.fine_max),
        )
    return FineCheck(needs_legal_review=True)
