"""Collecting a fine and enforcing a decision: what the party owes on a day (fine and late
fee), the bank's and e-payment system's confirmation (罚缴分离), deferral, court
enforcement, and the hand-in of cash an officer collected on the spot."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from chengguan.core.errors import Conflict, DomainError, NotFound, gettext_noop
from chengguan.core.selectors import work_calendar
from chengguan.penalties.domain import execution
from chengguan.penalties.domain.money import yuan
from chengguan.penalties.domain.workflow import (
    Action,
    Status,
)
from chengguan.penalties.models import (
    Payment,
    PenaltyCase,
)
from chengguan.penalties.steps import (
    case_locked,
    case_move,
    local_day,
    moment,
    required,
    step_check,
    step_record,
)


@dataclass(frozen=True)
class Owed:
    fine: Decimal
    days_late: int
    late_fee: Decimal

    @property
    def total(self) -> Decimal:
        return self.fine + self.late_fee


def owed_on(case: PenaltyCase, on: date) -> Owed:
    """What the party owes if paying on `on`: the fine and the late fee (Art. 72), from the
    end of the payment period (or of an approved deferral)."""
    fine = case.fine or Decimal(0)
    due = case.deferred_until or case.payment_due
    if due is None:
        return Owed(fine, 0, Decimal("0.00"))
    days = execution.days_late(due, on)
    return Owed(fine, days, execution.late_fee(fine, days))


@transaction.atomic
def payment_confirm(
    *,
    channel: str,
    reference: str,
    transaction_id: str,
    amount: Decimal,
    paid_at: datetime,
) -> Payment:
    """The bank's or e-payment system's signed confirmation (罚缴分离, Art. 67): the amount
    must be what is owed that day, fine plus late fee. A repeated confirmation of the same
    transaction returns the payment already recorded."""
    if channel not in (Payment.Channel.BANK, Payment.Channel.E_PAYMENT):
        raise DomainError(gettext_noop("缴款渠道应为指定银行或电子支付"))
    transaction_id = required(transaction_id, gettext_noop("缺少交易流水号"))[:64]
    # Lock the case first: two deliveries of one confirmation then queue, and the second
    # finds the first's payment below instead of racing it.
    case = PenaltyCase.objects.select_for_update().filter(payment_reference=reference).first()
    if case is None or not reference:
        raise NotFound(gettext_noop("缴款识别码不存在"))
    existing = Payment.objects.filter(channel=channel, transaction_id=transaction_id).first()
    if existing is not None:
        if existing.case_id != case.pk or existing.amount != yuan(amount):
            raise Conflict(gettext_noop("交易流水号已用于另一笔缴款"))
        return existing
    if case.status in (Status.EXECUTED, Status.CLOSED, Status.ARCHIVED):
        raise Conflict(gettext_noop("该案件罚款已缴清"))
    step_check(case, Action.RECORD_PAYMENT, None)
    if case.decided_at is None or paid_at < case.decided_at:
        raise DomainError(gettext_noop("缴款时间早于处罚决定"))
    execution.check_fine_collection(execution.Collector(channel), on_the_spot_allowed=False)
    owed = owed_on(case, local_day(paid_at))
    amount = yuan(amount)
    if amount != owed.total:
        raise DomainError(
            gettext_noop(
                "缴款金额 %(amount)s 元与应缴金额 %(owed)s 元（罚款 %(fine)s 元，加处罚款 %(fee)s 元）不符"
            ),
            amount=amount,
            owed=owed.total,
            fine=owed.fine,
            fee=owed.late_fee,
        )
    payment = Payment.objects.create(
        case=case,
        channel=channel,
        amount=amount,
        fine_part=owed.fine,
        late_fee_part=owed.late_fee,
        paid_at=paid_at,
        transaction_id=transaction_id,
    )
    from_status = case_move(case, Status.EXECUTED)
    step_record(
        case,
        action=Action.RECORD_PAYMENT,
        actor=None,
        at=timezone.now(),
        from_status=from_status,
        data={
            "channel": channel,
            "amount": amount,
            "late_fee": owed.late_fee,
            "days_late": owed.days_late,
            "transaction_id": transaction_id,
        },
    )
    return payment


@transaction.atomic
def payment_defer(
    *,
    actor: Any,
    case_id: Any,
    until: date,
    hardship: bool,
    applied: bool,
    approved: bool,
    at: datetime | None = None,
) -> PenaltyCase:
    """暂缓或分期缴纳 (Art. 66): only for real hardship, on application, with approval."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.DEFER_PAYMENT, actor)
    execution.check_deferral(financial_hardship=hardship, applied=applied, approved=approved)
    if case.payment_due is None or until <= case.payment_due:
        raise DomainError(gettext_noop("暂缓或分期的期限应晚于原缴款期限"))
    from_status = case_move(case, None, deferred_until=until)
    step_record(
        case,
        action=Action.DEFER_PAYMENT,
        actor=actor,
        at=at,
        from_status=from_status,
        data={"until": until},
    )
    return case


@transaction.atomic
def court_apply(*, actor: Any, case_id: Any, at: datetime | None = None) -> PenaltyCase:
    """申请人民法院强制执行 (Art. 72(3)): only once the payment period (or an approved
    deferral, Art. 72 para. 2) has ended unpaid."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.APPLY_COURT, actor)
    if case.court_applied_at:
        raise DomainError(gettext_noop("已申请法院强制执行"))
    due = case.deferred_until or case.payment_due
    if due is None or local_day(at) <= due:
        raise DomainError(gettext_noop("缴款期限尚未届满，不能申请强制执行"))
    counted_from = execution.court_enforcement_counted_from(case.payment_due, case.deferred_until)
    from_status = case_move(case, None, court_applied_at=at)
    step_record(
        case,
        action=Action.APPLY_COURT,
        actor=actor,
        at=at,
        from_status=from_status,
        data={"counted_from": counted_from, "owed": owed_on(case, local_day(at)).total},
    )
    return case


@transaction.atomic
def court_record(
    *, actor: Any, case_id: Any, outcome: str, at: datetime | None = None
) -> PenaltyCase:
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.RECORD_COURT, actor)
    if not case.court_applied_at:
        raise DomainError(gettext_noop("尚未申请法院强制执行"))
    outcome = required(outcome, gettext_noop("请填写法院执行结果"))
    from_status = case_move(case, Status.EXECUTED, court_outcome=outcome)
    step_record(
        case,
        action=Action.RECORD_COURT,
        actor=actor,
        at=at,
        from_status=from_status,
        note=outcome[:500],
    )
    return case


@transaction.atomic
def cash_hand_in(*, actor: Any, case_id: Any, at: datetime | None = None) -> Payment:
    """Cash collected on the spot reaches the agency (Art. 71); a late hand-in is still
    taken (the money must arrive) but recorded as late for discipline (Art. 78)."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.HAND_IN_CASH, actor)
    payment = case.payments.filter(
        channel=Payment.Channel.OFFICER, handed_in_at__isnull=True
    ).first()
    if payment is None:
        raise DomainError(gettext_noop("没有待上交的当场收缴罚款"))
    due = execution.hand_in_due(payment.paid_at, work_calendar()).at
    payment.handed_in_at = at
    payment.save(update_fields=["handed_in_at"])
    from_status = case_move(case, None)
    step_record(
        case,
        action=Action.HAND_IN_CASH,
        actor=actor,
        at=at,
        from_status=from_status,
        data={"amount": payment.amount, "due": due, "late": at > due},
    )
    return payment
