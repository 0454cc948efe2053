"""Rotation and recusal of street-level postings (seed clause 十二: 对街道办事处（乡、镇）
城市管理执法人员实行定期定量异地交流轮岗和任职回避).

Pure rules, configurable per city (CHENGGUAN["ROTATION_YEARS"]):
- rotation: a posting to a street longer than N years is due for rotation;
- recusal: nobody is posted to the street of their household registration (户籍所在地).
A violation blocks a new posting unless it is approved with a written reason.
"""

from dataclasses import dataclass
from datetime import date

from chengguan.core.errors import gettext_noop

ROTATION = "rotation"
RECUSAL = "recusal"
PROBLEM_LABELS = {
    ROTATION: gettext_noop("应轮岗：在同一街道任职超过 %(years)s 年"),
    RECUSAL: gettext_noop("应回避：任职街道为本人户籍所在地"),
}


@dataclass(frozen=True)
class PostingProblem:
    kind: str  # ROTATION or RECUSAL
    years: float = 0.0


def years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


def posting_problems(
    *,
    street_code: str,
    household_street_code: str,
    start: date,
    on: date,
    rotation_years: float,
) -> list[PostingProblem]:
    """What is wrong with a street-level posting on `on` (none for a post above streets)."""
    if not street_code:
        return []
    problems = []
    if household_street_code and household_street_code == street_code:
        problems.append(PostingProblem(RECUSAL))
    served = years_between(start, on)
    if served > rotation_years:
        problems.append(PostingProblem(ROTATION, round(served, 1)))
    return problems
