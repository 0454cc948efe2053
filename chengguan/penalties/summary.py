"""The summary procedure (简易程序, Arts. 51, 52, 68, 71): a warning or a small fine decided
on the spot, cash within the law's limits, and filing with the agency."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import roles_of
from chengguan.core.errors import DomainError, Forbidden, gettext_noop
from chengguan.core.selectors import work_calendar
from chengguan.penalties import documents
from chengguan.penalties.domain import execution, procedure
from chengguan.penalties.domain.workflow import (
    Action,
    Procedure,
    Status,
)
from chengguan.penalties.models import (
    Investigator,
    Payment,
    PenaltyCase,
)
from chengguan.penalties.steps import (
    Party,
    case_locked,
    case_move,
    local_day,
    moment,
    next_case_number,
    party_fields,
    payment_reference_for,
    power_holder,
    required,
    step_check,
    step_record,
    territory_of,
)
from chengguan.powers.models import Power
from chengguan.workforce.gate import enforcer_check
from chengguan.workforce.models import Person

# -- summary procedure --------------------------------------------------------------------


@transaction.atomic
def penalty_summary_decide(
    *,
    actor: Any,
    power_id: Any,
    party: Party,
    place: str,
    facts: str,
    penalties: list[procedure.Penalty],
    certificate_shown: bool,
    handed_over: bool,
    collect_cash: bool = False,
    hard_to_execute_later: bool = False,
    at: datetime | None = None,
) -> PenaltyCase:
    """当场处罚 (Art. 51, 52): a warning or a fine of at most 200 yuan (a person) or 3,000
    (an organisation), on a numbered form handed over on the spot; cash only within
    Art. 68, handed in within 2 working days (Art. 71)."""
    at = moment(at)
    today = local_day(at)
    if Role.OFFICER not in roles_of(actor):
        raise Forbidden(gettext_noop("只有执法队员可以当场处罚"))
    certificate = enforcer_check(actor, today)
    procedure.check_summary_penalty(procedure.PartyKind(party.kind), penalties)
    procedure.check_inquiry(certificate_shown=certificate_shown, record_made=True)
    if not handed_over:
        raise DomainError(gettext_noop("当场处罚决定书应当当场交付当事人"))
    power = Power.objects.filter(pk=power_id).first()
    if power is None:
        raise DomainError(gettext_noop("请选择处罚事项"))
    territory = territory_of(actor)
    holder = power_holder(power, territory)
    fine = sum((p.amount for p in penalties if p.kind is procedure.PenaltyKind.FINE), Decimal(0))
    if collect_cash:
        execution.check_on_the_spot_collection(
            summary_decision=True, fine=fine, hard_to_execute_later=hard_to_execute_later
        )
        execution.check_fine_collection(execution.Collector.OFFICER, on_the_spot_allowed=True)
    region = territory[:6]
    case = PenaltyCase.objects.create(
        number=next_case_number(region, at.year),
        region_code=region,
        agency=holder.agency,
        power=power,
        procedure=Procedure.SUMMARY,
        status=Status.DECIDED,
        source="当场发现",
        place=required(place, gettext_noop("请填写违法地点"))[:200],
        occurred_on=today,
        discovered_on=today,
        facts=required(facts, gettext_noop("请填写违法事实")),
        registered_at=at,
        registered_by=actor,
        penalties=[{"kind": p.kind.value, "amount": p.amount} for p in penalties],
        fine=fine or None,
        decided_at=at,
        decided_by=actor,
        party_present=True,
        served_at=at,
        service_method="direct",
        **party_fields(party),
    )
    Investigator.objects.create(
        case=case,
        person=Person.objects.get(user_id=actor.pk),
        certificate_number=certificate.number,
        added_at=at,
    )
    if fine and not collect_cash:
        case.payment_reference = payment_reference_for(case)
        case.payment_due = execution.payment_due(today, work_calendar())
        case.save(update_fields=["payment_reference", "payment_due"])
    decision = documents.document_issue(case=case, kind="decision", actor=actor, at=at)
    if fine and not collect_cash:
        documents.document_issue(case=case, kind="payment_notice", actor=actor, at=at)
    step_record(
        case,
        action="summary_decide",
        actor=actor,
        at=at,
        from_status="",
        data={
            "penalties": case.penalties,
            "certificate": certificate.number,
            "document": decision.number,
        },
    )
    if collect_cash and fine:
        payment = Payment.objects.create(
            case=case,
            channel=Payment.Channel.OFFICER,
            amount=fine,
            fine_part=fine,
            late_fee_part=Decimal(0),
            paid_at=at,
            collected_by=actor,
            receipt_number=decision.number,
        )
        from_status = case_move(case, Status.EXECUTED)
        step_record(
            case,
            action=Action.RECORD_PAYMENT,
            actor=actor,
            at=at,
            from_status=from_status,
            data={"channel": "officer", "amount": fine, "payment_id": str(payment.pk)},
        )
    elif not fine:
        from_status = case_move(case, Status.EXECUTED)  # a warning is executed when given
        step_record(case, action="warning_given", actor=actor, at=at, from_status=from_status)
    return case


@transaction.atomic
def penalty_file(*, actor: Any, case_id: Any, at: datetime | None = None) -> PenaltyCase:
    """备案: the summary decision reported to the agency (Art. 52)."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.FILE, actor)
    if case.filed_at:
        raise DomainError(gettext_noop("已备案"))
    from_status = case_move(case, None, filed_at=at)
    step_record(case, action=Action.FILE, actor=actor, at=at, from_status=from_status)
    return case
