"""Collecting a fine: who may take the money, by when, the late fee, court enforcement.

Articles are those of the Administrative Penalty Law (2021); the rule map is in
`procedure`, the counting of days in `periods`.
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from chengguan.core.errors import DomainError, Forbidden, gettext_noop
from chengguan.core.workcal import Due, WorkCalendar
from chengguan.penalties.domain.money import round_fen, yuan
from chengguan.penalties.domain.periods import (
    first_working_day_from,
    natural_days_end,
    working_days_due,
)

# Art. 68(1): an officer may take at most this much on the spot, unless (2) applies.
ON_THE_SPOT_COLLECTION_CAP = Decimal(100)


def check_on_the_spot_collection(
    *, summary_decision: bool, fine: Decimal | int | str, hard_to_execute_later: bool
) -> None:
    """Art. 68: only after a summary (Art. 51) decision, and only for a fine of at most
    100 yuan or one that would be hard to enforce later. (Art. 69, remote, water-borne or
    poorly connected areas, is not in the rule set and not modelled.)"""
    if not summary_decision:
        raise Forbidden(gettext_noop("只有当场作出的简易程序处罚决定才可以当场收缴罚款"))
    if yuan(fine) > ON_THE_SPOT_COLLECTION_CAP and not hard_to_execute_later:
        raise Forbidden(
            gettext_noop("当场收缴限于一百元以下罚款，或者不当场收缴事后难以执行的情形")
        )


def hand_in_due(collected_at: datetime, calendar: WorkCalendar) -> Due:
    """Art. 71: a fine collected on the spot reaches the agency within 2 days (working,
    Art. 85). The water-borne variant (from landing) does not arise in city management."""
    return working_days_due(collected_at, 2, calendar)


def bank_deposit_due(received_at: datetime, calendar: WorkCalendar) -> Due:
    """Art. 71: the agency pays the fine into the designated bank within 2 working days."""
    return working_days_due(received_at, 2, calendar)


class Collector(StrEnum):
    BANK = "bank"  # 指定的银行
    E_PAYMENT = "e_payment"  # 电子支付系统
    AGENCY = "agency"  # 作出决定的行政机关
    OFFICER = "officer"  # 执法人员


def check_fine_collection(collector: Collector, *, on_the_spot_allowed: bool) -> None:
    """Art. 67: the deciding agency and the collector are separate (罚缴分离): the party pays
    a designated bank or the e-payment system. The agency and its officers never take a
    fine themselves (Art. 78 disciplines those who do), except an officer collecting on the
    spot where `check_on_the_spot_collection` allows it."""
    if collector in (Collector.BANK, Collector.E_PAYMENT):
        return
    if collector is Collector.OFFICER and on_the_spot_allowed:
        return
    raise Forbidden(
        gettext_noop("罚缴分离：除依法当场收缴外，作出决定的机关及执法人员不得自行收缴罚款")
    )


# Art. 67: 15 days from receiving the decision; natural days (see `periods`).
PAYMENT_DAYS = 15


def payment_due(received_on: date, calendar: WorkCalendar) -> date:
    """The last day to pay: 15 natural days after receipt, moved to the next working day
    when it falls on a rest day (民法典 Art. 203; why only here: `periods`)."""
    return first_working_day_from(natural_days_end(received_on, PAYMENT_DAYS), calendar)


def days_late(due_on: date, paid_on: date, review_periods: Iterable[tuple[date, date]] = ()) -> int:
    """Days of late payment counted for the late fee: the days after `due_on` up to and
    including `paid_on`, less every day inside a reconsideration or lawsuit (Art. 73
    para. 3: the late fee does not run meanwhile). Periods are inclusive date ranges and
    may overlap."""
    first, last = due_on.toordinal() + 1, paid_on.toordinal()
    paused: set[int] = set()
    for start, end in review_periods:
        paused.update(range(max(first, start.toordinal()), min(last, end.toordinal()) + 1))
    return max(0, last - first + 1) - len(paused)


LATE_FEE_DAILY_RATE = Decimal("0.03")


def late_fee(fine: Decimal | int | str, days: int) -> Decimal:
    """Art. 72(1): 3 % of the fine for each day late, never more than the fine itself.

    Computed on the whole period and rounded once, half up to the fen (see `money`), so the
    fee is monotone in `days` and reaches the fine on day 34 (34 × 3 % > 100 %).
    """
    if days < 0:
        raise ValueError(f"days late must be >= 0, got {days}")
    fine = yuan(fine)
    return min(round_fen(fine * LATE_FEE_DAILY_RATE * days), fine)


def check_deferral(*, financial_hardship: bool, applied: bool, approved: bool) -> None:
    """Art. 66: payment is deferred or split only for a party in real financial hardship,
    on the party's application and with the agency's approval."""
    if not (financial_hardship and applied and approved):
        raise DomainError(
            gettext_noop("当事人确有经济困难，经申请并经行政机关批准，才可以暂缓或者分期缴纳罚款")
        )


def court_enforcement_counted_from(ordinary_start: date, deferred_until: date | None) -> date:
    """Art. 72 para. 2: after an approved deferral or instalment plan, the period to apply to
    the court runs from the end of that plan instead of from `ordinary_start` (the length
    of the period, and its ordinary start, come from the Administrative Compulsion Law and
    are not part of this rule set)."""
    return ordinary_start if deferred_until is None else deferred_until


def execution_suspended(*, review_pending: bool, law_suspends: bool = False) -> bool:
    """Art. 73: a pending reconsideration or lawsuit suspends the penalty only where a law
    says so; otherwise the fine stays due (while the late fee pauses, see `days_late`)."""
    return review_pending and law_suspends
