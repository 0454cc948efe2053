"""Staffing compliance of the city and each county-level unit (seed clauses 十, 十一, 十三).

Pure: the selectors count, this module judges. The rules and how they are read:

- 配备标准: sworn officers (执法人员, 在编, active) per 10,000 residents must be at least the
  floor (3, 不低于城市常住人口万分之三) and at most the ceiling (7, 原则上不高于万分之七).
  A unit above the ceiling complies when a reason is recorded for it (区域面积大，流动人口多，
  管理执法任务重的地方): the finding is then shown as noted, with the reason, not as a
  violation. Auxiliaries do not count toward the ratio: the clause staffs 执法人员.
- 一线比例: "一线执法人员不得低于执法队伍总编制的80%". 总编制 is the establishment of sworn
  posts, so the share is front-line sworn officers over all sworn officers; auxiliaries hold
  no 编制 and are left out of both sides.
- 协管员数量: auxiliaries may not outnumber sworn officers (原则上不得超过在编执法人员);
  equal numbers comply.
- Certificates expiring within the warning period, officers with no certificate valid on
  the day (the enforcement gate refuses them) and officers whose latest assessment
  failed (评议考核不合格人员，不得从事执法工作) are warnings: they call for action on people,
  but do not make the unit's staffing non-compliant. A failed officer still holds a post,
  so is still counted in the ratios.

Comparisons are exact (fractions, cross-multiplied), so 3.0 per 10,000 passes and 2.99 fails
without floating-point surprises at the edge.
"""

import math
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from chengguan.core.errors import gettext_noop


class Rule(StrEnum):
    POPULATION = "population"
    FLOOR = "floor"
    CEILING = "ceiling"
    FRONT_LINE = "front_line"
    AUXILIARIES = "auxiliaries"
    CERTIFICATES = "certificates"
    UNCERTIFIED = "uncertified"
    ASSESSMENT = "assessment"


class Level(StrEnum):
    VIOLATION = "violation"  # the unit does not comply
    NOTED = "noted"  # above the ceiling with a recorded reason: complies, shown
    WARNING = "warning"  # action needed on people; the unit still complies


@dataclass(frozen=True)
class Thresholds:
    floor_per_10k: float = 3
    ceiling_per_10k: float = 7
    front_line_share_min: float = 0.8
    warning_days: int = 90


@dataclass(frozen=True)
class UnitCounts:
    """What the selectors count for one unit (or the city) on one day."""

    code: str
    name: str
    population: int | None
    officers: int  # active sworn officers
    front_line: int  # of them, in front-line posts
    auxiliaries: int  # active auxiliaries
    expiring_certificates: int = 0  # valid certificates expiring within the warning period
    failing_officers: int = 0  # active officers whose latest assessment is a fail
    uncertified_officers: int = 0  # active officers with no certificate valid on the day
    exception_reason: str = ""  # a StaffingException in force: may exceed the ceiling


@dataclass(frozen=True)
class Finding:
    """One rule's verdict. `message` is a gettext_noop template (Chinese source) and
    `params` its values: the edge translates, then formats."""

    rule: Rule
    level: Level
    message: str
    params: dict = field(default_factory=dict)

    def text(self) -> str:
        return self.message % self.params if self.params else self.message


@dataclass(frozen=True)
class Compliance:
    counts: UnitCounts
    per_10k: float | None
    front_line_share: float | None
    findings: tuple[Finding, ...]

    @property
    def compliant(self) -> bool:
        return not any(f.level is Level.VIOLATION for f in self.findings)

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level is Level.VIOLATION)


def _exact(value: float) -> Fraction:
    """A threshold as written (0.8 is 4/5, not the nearest binary double)."""
    return Fraction(str(value))


def _shown(value: Fraction, places: int, *, up: bool) -> str:
    """A figure rounded away from the threshold it missed, so 2.999 below a floor of 3 reads
    "2.99", never "3.00"."""
    scaled = value * 10**places
    whole = math.ceil(scaled) if up else math.floor(scaled)
    return f"{whole / 10**places:.{places}f}"


def staffing_check(counts: UnitCounts, thresholds: Thresholds) -> Compliance:
    """Judge one unit's counts against the rules above."""
    findings: list[Finding] = []
    per_10k = None
    if not counts.population:
        findings.append(
            Finding(
                Rule.POPULATION,
                Level.VIOLATION,
                gettext_noop("缺少常住人口数据，无法核算配备标准"),
            )
        )
    else:
        ratio = Fraction(counts.officers * 10_000, counts.population)
        per_10k = float(ratio)
        if ratio < _exact(thresholds.floor_per_10k):
            findings.append(
                Finding(
                    Rule.FLOOR,
                    Level.VIOLATION,
                    gettext_noop("每万人执法人员 %(per_10k)s 名，低于下限 %(floor)s 名"),
                    {
                        "per_10k": _shown(ratio, 2, up=False),
                        "floor": f"{thresholds.floor_per_10k:g}",
                    },
                )
            )
        elif ratio > _exact(thresholds.ceiling_per_10k):
            params = {
                "per_10k": _shown(ratio, 2, up=True),
                "ceiling": f"{thresholds.ceiling_per_10k:g}",
            }
            if counts.exception_reason:
                findings.append(
                    Finding(
                        Rule.CEILING,
                        Level.NOTED,
                        gettext_noop(
                            "每万人执法人员 %(per_10k)s 名，超过上限 %(ceiling)s 名，已登记理由：%(reason)s"
                        ),
                        {**params, "reason": counts.exception_reason},
                    )
                )
            else:
                findings.append(
                    Finding(
                        Rule.CEILING,
                        Level.VIOLATION,
                        gettext_noop(
                            "每万人执法人员 %(per_10k)s 名，超过上限 %(ceiling)s 名，且未登记理由"
                        ),
                        params,
                    )
                )
    share = None
    if counts.officers:
        exact_share = Fraction(counts.front_line, counts.officers)
        share = float(exact_share)
        if exact_share < _exact(thresholds.front_line_share_min):
            findings.append(
                Finding(
                    Rule.FRONT_LINE,
                    Level.VIOLATION,
                    gettext_noop("一线执法人员占 %(share)s，低于 %(minimum)s"),
                    {
                        "share": _shown(exact_share * 100, 1, up=False) + "%",
                        "minimum": f"{thresholds.front_line_share_min:.0%}",
                    },
                )
            )
    if counts.auxiliaries > counts.officers:
        findings.append(
            Finding(
                Rule.AUXILIARIES,
                Level.VIOLATION,
                gettext_noop("协管员 %(auxiliaries)s 名，多于在编执法人员 %(officers)s 名"),
                {"auxiliaries": counts.auxiliaries, "officers": counts.officers},
            )
        )
    if counts.expiring_certificates:
        findings.append(
            Finding(
                Rule.CERTIFICATES,
                Level.WARNING,
                gettext_noop("%(count)s 本执法证件将在 %(days)s 天内到期"),
                {"count": counts.expiring_certificates, "days": thresholds.warning_days},
            )
        )
    if counts.uncertified_officers:
        findings.append(
            Finding(
                Rule.UNCERTIFIED,
                Level.WARNING,
                gettext_noop("%(count)s 名执法人员没有有效的执法证件，不能执法"),
                {"count": counts.uncertified_officers},
            )
        )
    if counts.failing_officers:
        findings.append(
            Finding(
                Rule.ASSESSMENT,
                Level.WARNING,
                gettext_noop("%(count)s 名执法人员最近一次评议考核不合格，不得从事执法工作"),
                {"count": counts.failing_officers},
            )
        )
    return Compliance(counts, per_10k, share, tuple(findings))
