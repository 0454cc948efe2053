"""Satisfaction per agency and period: three sources combined into one score.

- **Ratings** of closed cases by their reporters (1–5 stars): the mean mapped onto 0–100
  ((mean − 1) / 4 × 100), counted only from `MIN_RATINGS` ratings up, since three angry or
  delighted reporters say little about an agency.
- **Survey** results the city imports (a telephone or questionnaire survey: a score 0–100
  with the number of respondents), respondent-weighted when several arrive for a period.
- **Third-party** scores (an independent assessor's 0–100), averaged.

The combined score is the weighted mean of the sources present (default weights 50 / 30 /
20, configurable), the weights of missing sources left out, so an agency nobody surveyed
is scored on its ratings alone rather than marked down.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MIN_RATINGS = 5
DEFAULT_WEIGHTS = {"ratings": Decimal(50), "survey": Decimal(30), "third_party": Decimal(20)}
TWO_PLACES = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def ratings_score(stars: Mapping[int, int]) -> tuple[int, Decimal | None]:
    """(how many ratings, their score 0–100 or None below MIN_RATINGS) from {stars: count}."""
    if any(s not in range(1, 6) or n < 0 for s, n in stars.items()):
        raise ValueError(f"bad star counts {dict(stars)}")
    count = sum(stars.values())
    if count < MIN_RATINGS:
        return count, None
    mean = Decimal(sum(s * n for s, n in stars.items())) / Decimal(count)
    return count, _round((mean - 1) / 4 * 100)


def survey_score(results: Iterable[tuple[Decimal, int]]) -> Decimal | None:
    """Respondent-weighted mean of (score, respondents)."""
    results = [(Decimal(score), int(n)) for score, n in results if n > 0]
    total = sum(n for _s, n in results)
    if not total:
        return None
    return _round(sum(score * n for score, n in results) / total)


def third_party_score(scores: Iterable[Decimal]) -> Decimal | None:
    scores = [Decimal(s) for s in scores]
    return _round(sum(scores) / len(scores)) if scores else None


@dataclass(frozen=True)
class Combined:
    ratings_count: int
    ratings: Decimal | None
    survey: Decimal | None
    third_party: Decimal | None
    combined: Decimal | None


def combine(
    *,
    stars: Mapping[int, int],
    surveys: Iterable[tuple[Decimal, int]] = (),
    third_party: Iterable[Decimal] = (),
    weights: Mapping[str, Decimal] = DEFAULT_WEIGHTS,
) -> Combined:
    count, ratings = ratings_score(stars)
    parts = {
        "ratings": ratings,
        "survey": survey_score(surveys),
        "third_party": third_party_score(third_party),
    }
    present = {k: v for k, v in parts.items() if v is not None and weights.get(k, 0) > 0}
    weight_sum = sum(weights[k] for k in present)
    combined = (
        _round(sum(v * weights[k] for k, v in present.items()) / weight_sum) if weight_sum else None
    )
    return Combined(count, ratings, parts["survey"], parts["third_party"], combined)
