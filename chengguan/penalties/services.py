"""Writes on penalty cases: every step of the procedure, each in one transaction with its
timeline event, ledger entry and outbox event, after the legal gates of `domain` passed.

Who acts is checked twice: the role and the case's agency here, and the enforcement gate
(a certified sworn officer, `workforce.gate`) for every enforcing act (registering,
investigating, deciding, on-the-spot penalties).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import roles_of
from chengguan.core.errors import DomainError, Forbidden, NotFound, gettext_noop
from chengguan.core.selectors import work_calendar
from chengguan.penalties import documents, evidence_files
from chengguan.penalties.domain import execution, procedure
from chengguan.penalties.domain.money import yuan
from chengguan.penalties.domain.workflow import (
    Action,
    Procedure,
    Status,
)
from chengguan.penalties.models import (
    Evidence,
    Investigator,
    Payment,
    PenaltyCase,
    Reviewer,
)
from chengguan.penalties.selectors import (
    agency_line,
    investigator_user_ids,
)
from chengguan.penalties.steps import (
    Party,
    case_locked,
    case_move,
    investigator_facts,
    local_day,
    measured_facts,
    moment,
    next_case_number,
    party_fields,
    payment_reference_for,
    power_holder,
    required,
    source_case_inform,
    step_check,
    step_record,
    territory_of,
)
from chengguan.powers.discretion import check_fine, propose_tier
from chengguan.powers.models import Power
from chengguan.workforce.gate import enforcer_check
from chengguan.workforce.models import Person


@transaction.atomic
def penalty_register(
    *,
    actor: Any,
    power_id: Any,
    party: Party,
    place: str,
    occurred_on: date,
    discovered_on: date,
    facts: str,
    source: str,
    co_investigator_ids: list[Any],
    measured: dict[str, str] | None = None,
    first_offence: bool = False,
    corrected: bool = False,
    harm: str = "none",
    complex_case: bool = False,
    major_public_interest: bool = False,
    serious_harm_to_life_or_finance: bool = False,
    source_case_id: Any = None,
    approver_opinion: str = "",
    at: datetime | None = None,
) -> PenaltyCase:
    """立案 (Art. 54) with at least two certified investigators (Art. 42), within the
    limitation period (Art. 36), on a power in force held in the officer's territory.
    Issues the 立案审批表."""
    at = moment(at)
    today = local_day(at)
    if Role.OFFICER not in roles_of(actor):
        raise Forbidden(gettext_noop("只有执法队员可以立案"))
    enforcer_check(actor, today)
    power = Power.objects.filter(pk=power_id).first()
    if power is None:
        raise DomainError(gettext_noop("请选择处罚事项"))
    territory = territory_of(actor)
    holder = power_holder(power, territory)
    if occurred_on > discovered_on or discovered_on > today:
        raise DomainError(gettext_noop("违法行为日期不能晚于发现日期，发现日期不能晚于今天"))
    if not procedure.within_limitation(
        act_ended_on=occurred_on,
        discovered_on=discovered_on,
        endangers_life_health_or_finance=serious_harm_to_life_or_finance,
        harmful_consequence=harm == PenaltyCase.Harm.SIGNIFICANT,
    ):
        raise DomainError(
            gettext_noop("违法行为在二年内未被发现的，不再给予行政处罚（行政处罚法第三十六条）")
        )
    if harm not in PenaltyCase.Harm.values:
        raise DomainError(gettext_noop("请选择危害后果"))
    measured = measured_facts(measured or {})
    me = Person.objects.filter(user_id=actor.pk).first()
    others = list(Person.objects.filter(pk__in=co_investigator_ids or []).select_related("agency"))
    if len(others) != len(set(co_investigator_ids or [])):
        raise DomainError(gettext_noop("所选办案人员不存在"))
    line = agency_line(actor.agency_id) if actor.agency_id else set()
    if any(p.agency_id not in line for p in others):
        raise Forbidden(gettext_noop("只能选择本单位的执法人员共同办案"))
    persons = [me, *[p for p in others if p.pk != me.pk]]
    certificates = procedure.check_investigators(investigator_facts(persons, today), today)
    source_case = None
    if source_case_id:
        from chengguan.cases.selectors import cases_visible

        source_case = cases_visible(actor).filter(pk=source_case_id).first()
        if source_case is None:
            raise NotFound(gettext_noop("没有找到来源案卷"))
    case = PenaltyCase.objects.create(
        number=next_case_number(territory[:6], at.year),
        region_code=territory[:6],
        agency=holder.agency,
        power=power,
        procedure=Procedure.ORDINARY,
        status=Status.INVESTIGATING,
        source_case=source_case,
        source=required(source, gettext_noop("请填写案件来源"))[:60],
        place=required(place, gettext_noop("请填写违法地点"))[:200],
        occurred_on=occurred_on,
        discovered_on=discovered_on,
        facts=required(facts, gettext_noop("请填写违法事实")),
        measured=measured,
        first_offence=first_offence,
        corrected=corrected,
        harm=harm,
        complex_case=complex_case,
        major_public_interest=major_public_interest,
        registered_at=at,
        registered_by=actor,
        **party_fields(party),
    )
    for person, certificate in zip(persons, certificates, strict=True):
        Investigator.objects.create(
            case=case, person=person, certificate_number=certificate.number, added_at=at
        )
    document = documents.document_issue(
        case=case,
        kind="register",
        actor=actor,
        at=at,
        extra={"approver_opinion": approver_opinion.strip() or "同意立案", "approver": str(actor)},
    )
    step_record(
        case,
        action="register",
        actor=actor,
        at=at,
        from_status="",
        data={
            "power": power.code,
            "agency": holder.agency.code,
            "investigators": [c.number for c in certificates],
            "source_case": source_case.number if source_case else "",
            "document": document.number,
        },
    )
    source_case_inform(case, "register", actor=actor, at=at)
    return case


@transaction.atomic
def evidence_add(
    *,
    actor: Any,
    case_id: Any,
    kind: str,
    title: str,
    data: bytes,
    filename: str,
    preserved: bool = False,
    at: datetime | None = None,
) -> Evidence:
    """One piece of evidence: checked by content, kept byte-exact, its SHA-256 ledgered.
    Preserved evidence (先行登记保存) starts the 7-working-day limit of Art. 56."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.ADD_EVIDENCE, actor)
    enforcer_check(actor, local_day(at))
    if kind not in Evidence.Kind.values:
        raise DomainError(gettext_noop("请选择证据种类"))
    title = required(title, gettext_noop("请填写证据名称"))[:200]
    stored = evidence_files.evidence_store(data=data, filename=filename)
    evidence = Evidence.objects.create(
        case=case,
        kind=kind,
        title=title,
        file=stored.name,
        filename=stored.filename,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        collected_at=at,
        collected_by=actor,
        preserved=preserved,
    )
    from_status = case_move(case, None)
    step_record(
        case,
        action=Action.ADD_EVIDENCE,
        actor=actor,
        at=at,
        from_status=from_status,
        note=title,
        data={
            "evidence_id": str(evidence.pk),
            "sha256": stored.sha256,
            "size": stored.size,
            "content_type": stored.content_type,
            "preserved": preserved,
        },
    )
    return evidence


@transaction.atomic
def evidence_preservation_decide(
    *, actor: Any, evidence_id: Any, decision: str, at: datetime | None = None
) -> Evidence:
    at = moment(at)
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None:
        raise NotFound(gettext_noop("没有找到该证据"))
    case = case_locked(evidence.case_id, actor)
    step_check(case, Action.DECIDE_PRESERVATION, actor)
    if not evidence.preserved or evidence.preservation_decided_at:
        raise DomainError(gettext_noop("该证据没有待处理的先行登记保存"))
    decision = required(decision, gettext_noop("请填写处理决定"))[:200]
    procedure.check_preservation_decision(evidence.collected_at, at, work_calendar())
    evidence.preservation_decided_at = at
    evidence.preservation_decision = decision
    evidence.save(update_fields=["preservation_decided_at", "preservation_decision"])
    from_status = case_move(case, None)
    step_record(
        case,
        action=Action.DECIDE_PRESERVATION,
        actor=actor,
        at=at,
        from_status=from_status,
        note=decision,
        data={"evidence_id": str(evidence.pk)},
    )
    return evidence


# -- notice, statements, hearing ------------------------------------------------------------


def penalties_parse(items: list[dict[str, str]]) -> list[procedure.Penalty]:
    """The penalties a form or API sends ([{kind, amount}]), checked."""
    penalties = []
    for item in items:
        try:
            kind = procedure.PenaltyKind(item.get("kind", ""))
        except ValueError:
            raise DomainError(gettext_noop("处罚种类无效")) from None
        amount = (
            (item.get("amount") or "").strip()
            if isinstance(item.get("amount"), str)
            else item.get("amount")
        )
        try:
            penalties.append(
                procedure.Penalty(kind, yuan(amount) if amount not in (None, "") else None)
            )
        except ValueError:
            raise DomainError(gettext_noop("罚款、没收须填写金额，其他处罚种类不填金额")) from None
    if not penalties:
        raise DomainError(gettext_noop("请填写拟作出的处罚"))
    return penalties


@dataclass(frozen=True)
class Discretion:
    tier: str | None
    fine_min: Decimal | None
    fine_max: Decimal | None
    why: tuple
    departs: bool


def discretion_check(
    case: PenaltyCase, penalties: list[procedure.Penalty], reason: str
) -> Discretion:
    """The tier the facts point to and whether the fine departs from its range (then a
    written reason is required, and legal review follows)."""
    benchmarks = [b.rule() for b in case.power.benchmarks.all()]
    proposal = propose_tier(
        benchmarks,
        case.measured,
        first_offence=case.first_offence,
        corrected=case.corrected,
        harm=case.harm != PenaltyCase.Harm.NONE,
    )
    fine = sum((p.amount for p in penalties if p.kind is procedure.PenaltyKind.FINE), Decimal(0))
    departs = False
    if proposal.tier is not None:
        departs = check_fine(proposal, fine, reason).needs_legal_review
    return Discretion(proposal.tier, proposal.fine_min, proposal.fine_max, proposal.why, departs)


def review_grounds(case: PenaltyCase, *, departs: bool) -> frozenset[procedure.ReviewGround]:
    return procedure.legal_review_required(
        major_public_interest=case.major_public_interest,
        major_rights=case.hearing_right,
        heard=case.hearing_concluded_at is not None and case.hearing_outcome != "waived",
        complex_case=case.complex_case,
        departs_from_benchmark=departs,
    )


@transaction.atomic
def penalty_notify(
    *,
    actor: Any,
    case_id: Any,
    penalties: list[procedure.Penalty],
    departure_reason: str = "",
    version: int | None = None,
    at: datetime | None = None,
) -> PenaltyCase:
    """The notice of intended penalty (Art. 44): the penalty, facts, reasons, basis and the
    party's rights; the hearing right where Henan's thresholds apply (Art. 63)."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.NOTIFY, actor, version=version)
    enforcer_check(actor, local_day(at))
    if not case.evidence.exists():
        raise DomainError(gettext_noop("尚未登记任何证据，不能告知拟作出的处罚"))
    discretion = discretion_check(case, penalties, departure_reason)
    party_kind = procedure.PartyKind(case.party_kind)
    right = procedure.hearing_right(party_kind, penalties)
    fine = sum((p.amount for p in penalties if p.kind is procedure.PenaltyKind.FINE), Decimal(0))
    grounds = review_grounds(case, departs=discretion.departs)
    from_status = case_move(
        case,
        Status.NOTIFIED,
        penalties=[{"kind": p.kind.value, "amount": p.amount} for p in penalties],
        fine=fine or None,
        proposed_tier=discretion.tier or "",
        departure_reason=departure_reason.strip() if discretion.departs else "",
        hearing_right=right,
        notified_at=at,
        review_grounds=sorted(grounds),
        review_passed=False,
    )
    document = documents.document_issue(case=case, kind="notice", actor=actor, at=at)
    step_record(
        case,
        action=Action.NOTIFY,
        actor=actor,
        at=at,
        from_status=from_status,
        data={
            "penalties": case.penalties,
            "tier": case.proposed_tier,
            "departs": discretion.departs,
            "hearing_right": right,
            "review_grounds": case.review_grounds,
            "document": document.number,
        },
    )
    return case


@transaction.atomic
def statement_record(
    *,
    actor: Any,
    case_id: Any,
    statement: str = "",
    waived: bool = False,
    at: datetime | None = None,
) -> PenaltyCase:
    """The party's statement and defence (陈述申辩), or their express waiver (Art. 62)."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.RECORD_STATEMENT, actor)
    statement = (statement or "").strip()
    if not statement and not waived:
        raise DomainError(gettext_noop("请记录当事人的陈述、申辩，或注明当事人明确放弃"))
    from_status = case_move(
        case,
        None,
        statement=statement,
        statement_waived=waived and not statement,
        statement_recorded_at=at,
    )
    step_record(
        case,
        action=Action.RECORD_STATEMENT,
        actor=actor,
        at=at,
        from_status=from_status,
        note=statement[:500] if statement else "当事人放弃陈述、申辩",
    )
    return case


@transaction.atomic
def hearing_request(
    *, actor: Any, case_id: Any, requested_at: datetime | None = None
) -> PenaltyCase:
    """The party asked for a hearing; only where the notice gave the right, and within 5
    working days of it (Art. 64(1))."""
    at = timezone.now()
    requested_at = requested_at or at
    case = case_locked(case_id, actor)
    step_check(case, Action.REQUEST_HEARING, actor)
    if not case.hearing_right:
        raise DomainError(gettext_noop("拟作出的处罚不在听证范围内，当事人没有要求听证的权利"))
    if local_day(requested_at) < local_day(case.notified_at) or requested_at > at:
        raise DomainError(gettext_noop("听证申请时间应在告知之后、不晚于现在"))
    procedure.check_hearing_request(case.notified_at, requested_at, work_calendar())
    from_status = case_move(case, Status.HEARING, hearing_requested_at=requested_at)
    step_record(case, action=Action.REQUEST_HEARING, actor=actor, at=at, from_status=from_status)
    return case


@transaction.atomic
def hearing_schedule(
    *,
    actor: Any,
    case_id: Any,
    hearing_on: date,
    place: str,
    chair_id: Any,
    public: bool = True,
    at: datetime | None = None,
) -> PenaltyCase:
    """Notice of the hearing at least 7 working days ahead (Art. 64(2)), chaired by someone
    who did not investigate (Art. 64(4)); public unless it involves secrets (Art. 64(3))."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.SCHEDULE_HEARING, actor)
    procedure.check_hearing_notice(at, hearing_on, work_calendar())
    from chengguan.accounts.models import User

    chair = User.objects.filter(pk=chair_id, is_active=True).first()
    if chair is None:
        raise DomainError(gettext_noop("请选择听证主持人"))
    procedure.check_hearing_chair(chair.pk, investigator_user_ids(case))
    from_status = case_move(
        case,
        None,
        hearing_on=hearing_on,
        hearing_place=required(place, gettext_noop("请填写听证地点"))[:200],
        hearing_chair=chair,
        hearing_public=public,
        hearing_notified_at=at,
    )
    document = documents.document_issue(case=case, kind="hearing_notice", actor=actor, at=at)
    step_record(
        case,
        action=Action.SCHEDULE_HEARING,
        actor=actor,
        at=at,
        from_status=from_status,
        data={"hearing_on": hearing_on, "chair": str(chair), "document": document.number},
    )
    return case


@transaction.atomic
def hearing_conclude(
    *,
    actor: Any,
    case_id: Any,
    held: bool,
    outcome: str = "",
    party_signed: bool = False,
    refusal_noted: bool = False,
    good_reason_for_absence: bool = False,
    at: datetime | None = None,
) -> PenaltyCase:
    """The hearing was held (the record signed, or the refusal noted, Art. 64(8)), or the
    party waived it by not attending without good reason (Art. 64(6))."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.CONCLUDE_HEARING, actor)
    if case.hearing_on is None:
        raise DomainError(gettext_noop("尚未安排听证"))
    if held:
        if local_day(at) < case.hearing_on:
            raise DomainError(gettext_noop("听证日期未到"))
        procedure.check_hearing_record(party_signed=party_signed, refusal_noted=refusal_noted)
        result = required(outcome, gettext_noop("请填写听证情况"))
    else:
        if not procedure.hearing_waived(
            absent_or_left_without_leave=True, good_reason=good_reason_for_absence
        ):
            raise DomainError(gettext_noop("当事人有正当理由未出席的，应当另行安排听证"))
        result = "waived"
    from_status = case_move(
        case, Status.NOTIFIED, hearing_concluded_at=at, hearing_outcome=result[:200]
    )
    # A hearing on a major right makes review mandatory (Art. 58(2)).
    grounds = review_grounds(case, departs="benchmark_departed" in case.review_grounds)
    if sorted(grounds) != case.review_grounds:
        case_move(case, None, review_grounds=sorted(grounds))
    step_record(
        case,
        action=Action.CONCLUDE_HEARING,
        actor=actor,
        at=at,
        from_status=from_status,
        note="当事人无正当理由未出席，视为放弃听证" if not held else result[:500],
    )
    return case


# -- legal review, deliberation, decision ---------------------------------------------------


def _may_decide_check(case: PenaltyCase) -> None:
    procedure.check_may_decide(
        notified=case.notified_at is not None,
        statements_heard_or_waived=bool(case.statement_recorded_at),
        hearing_requested=case.hearing_requested_at is not None,
        hearing_concluded=case.hearing_concluded_at is not None,
        review_grounds=[procedure.ReviewGround(g) for g in case.review_grounds],
        review_passed=case.review_passed,
    )


@transaction.atomic
def review_submit(*, actor: Any, case_id: Any, at: datetime | None = None) -> PenaltyCase:
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.SUBMIT_REVIEW, actor)
    if not case.statement_recorded_at:
        raise DomainError(gettext_noop("请先记录当事人的陈述、申辩或放弃"))
    from_status = case_move(case, Status.REVIEWING, review_submitted_at=at, review_passed=False)
    step_record(case, action=Action.SUBMIT_REVIEW, actor=actor, at=at, from_status=from_status)
    return case


@transaction.atomic
def penalty_review(
    *, actor: Any, case_id: Any, passed: bool, opinion: str, at: datetime | None = None
) -> PenaltyCase:
    """法制审核 by a qualified reviewer who did not investigate (Art. 58); sending back
    reopens the investigation with the reviewer's written reasons."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.REVIEW, actor)
    standing = Reviewer.objects.filter(user_id=actor.pk).first()
    if standing is None:
        raise Forbidden(gettext_noop("您未登记为法制审核人员"))
    procedure.check_legal_reviewer(
        procedure.ReviewerFacts(
            person=actor.pk,
            reviewing_since=standing.reviewing_since,
            legal_qualification=standing.legal_qualification,
        ),
        investigator_user_ids(case),
    )
    opinion = required(opinion, gettext_noop("请填写审核意见"))
    if passed:
        from_status = case_move(
            case, None, review_passed=True, reviewer=actor, reviewed_at=at, review_opinion=opinion
        )
    else:
        from_status = case_move(
            case,
            Status.INVESTIGATING,
            review_passed=False,
            reviewer=actor,
            reviewed_at=at,
            review_opinion=opinion,
            notified_at=None,
            statement_recorded_at=None,
            hearing_requested_at=None,
            hearing_concluded_at=None,
        )
    step_record(
        case,
        action=Action.REVIEW,
        actor=actor,
        at=at,
        from_status=from_status,
        note=opinion[:500],
        data={"passed": passed},
    )
    return case


@transaction.atomic
def penalty_deliberate(
    *, actor: Any, case_id: Any, minutes: str, at: datetime | None = None
) -> PenaltyCase:
    """集体讨论 for a complex or major case (Art. 57 para. 2)."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.DELIBERATE, actor)
    minutes = required(minutes, gettext_noop("请填写集体讨论的决定"))
    from_status = case_move(case, None, deliberated_at=at, deliberation=minutes)
    step_record(
        case,
        action=Action.DELIBERATE,
        actor=actor,
        at=at,
        from_status=from_status,
        note=minutes[:500],
    )
    return case


@transaction.atomic
def penalty_extend(
    *, actor: Any, case_id: Any, until: date, basis: str, at: datetime | None = None
) -> PenaltyCase:
    """A longer period to decide, only with a legal basis and the approval (Art. 60)."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.EXTEND, actor)
    extension = procedure.Extension(until=until, basis=basis)
    procedure.decision_due(local_day(case.registered_at), extension)
    from_status = case_move(case, None, extension_until=until, extension_basis=basis.strip()[:300])
    step_record(
        case,
        action=Action.EXTEND,
        actor=actor,
        at=at,
        from_status=from_status,
        note=basis.strip()[:300],
        data={"until": until},
    )
    return case


@transaction.atomic
def penalty_decide(
    *,
    actor: Any,
    case_id: Any,
    party_present: bool = False,
    version: int | None = None,
    at: datetime | None = None,
) -> PenaltyCase:
    """The decision (Art. 57, 59): only after the notice, the party heard, a requested
    hearing held, a required review passed and, for a complex case, the collective
    deliberation; within 90 days of registration (Art. 60). Issues the 决定书 and, for a
    fine, the 缴款通知书 with a bank reference (罚缴分离, Art. 67)."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.DECIDE, actor, version=version)
    enforcer_check(actor, local_day(at))
    _may_decide_check(case)
    if case.complex_case and not case.deliberated_at:
        raise DomainError(gettext_noop("疑难复杂案件须经集体讨论后作出决定"))
    extension = (
        procedure.Extension(until=case.extension_until, basis=case.extension_basis)
        if case.extension_until
        else None
    )
    procedure.check_decision_in_time(local_day(case.registered_at), local_day(at), extension)
    reference = payment_reference_for(case) if case.fine else ""
    from_status = case_move(
        case,
        Status.DECIDED,
        decided_at=at,
        decided_by=actor,
        party_present=party_present,
        payment_reference=reference,
    )
    decision = documents.document_issue(case=case, kind="decision", actor=actor, at=at)
    issued = [decision.number]
    if case.fine:
        issued.append(
            documents.document_issue(case=case, kind="payment_notice", actor=actor, at=at).number
        )
    from chengguan.penalties import publicity

    publicity.publication_prepare(case=case, decision=decision, at=at)
    step_record(
        case,
        action=Action.DECIDE,
        actor=actor,
        at=at,
        from_status=from_status,
        data={"documents": issued, "fine": case.fine, "payment_reference": reference},
    )
    source_case_inform(case, "decide", actor=actor, at=at)
    return case


@transaction.atomic
def penalty_no_penalty(
    *,
    actor: Any,
    case_id: Any,
    education_record: str,
    no_fault_proven: bool = False,
    at: datetime | None = None,
) -> PenaltyCase:
    """不予处罚 (Art. 33): only on a ground the facts support, always with the record of
    the education given to the party (Art. 33 para. 3)."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.DECIDE_NO_PENALTY, actor)
    enforcer_check(actor, local_day(at))
    ground = procedure.no_penalty_ground(
        minor=case.proposed_tier in ("", "minor", "no_penalty"),
        corrected_promptly=case.corrected,
        harm=procedure.Harm(case.harm),
        first_offence=case.first_offence,
        no_fault_proven=no_fault_proven,
    )
    if ground is None:
        raise DomainError(
            gettext_noop(
                "案件事实不符合不予处罚的情形（轻微并及时改正且无危害后果、首违轻微并及时改正、无主观过错）"
            )
        )
    record = required(education_record, gettext_noop("不予处罚的，应当对当事人进行教育并记录"))
    from_status = case_move(
        case,
        Status.CLOSED,
        no_penalty_ground=ground.value,
        education_record=record,
        decided_at=at,
        decided_by=actor,
        closed_at=at,
    )
    step_record(
        case,
        action=Action.DECIDE_NO_PENALTY,
        actor=actor,
        at=at,
        from_status=from_status,
        note=record[:500],
        data={"ground": ground.value},
    )
    source_case_inform(case, "no_penalty", actor=actor, at=at)
    return case


# -- service, payment, enforcement -------------------------------------------------------------

SERVICE_METHODS = {
    "direct": gettext_noop("直接送达"),
    "left": gettext_noop("留置送达"),
    "post": gettext_noop("邮寄送达"),
    "electronic": gettext_noop("电子送达"),
    "public": gettext_noop("公告送达"),
}


@transaction.atomic
def penalty_serve(
    *,
    actor: Any,
    case_id: Any,
    method: str,
    recipient: str,
    served_at: datetime | None = None,
    consent_signed: bool = False,
    at: datetime | None = None,
) -> PenaltyCase:
    """Service of the decision: on the spot if the party was present, else within 7
    working days (Art. 61); electronically only with signed consent. Starts the 15 days to
    pay (Art. 67) and publishes the redacted decision."""
    at = moment(at)
    served_at = served_at or at
    if served_at > at:
        raise DomainError(gettext_noop("送达时间不能晚于现在"))
    case = case_locked(case_id, actor)
    step_check(case, Action.SERVE, actor)
    if method not in SERVICE_METHODS:
        raise DomainError(gettext_noop("请选择送达方式"))
    if method == "electronic":
        procedure.check_electronic_service(consent_signed=consent_signed)
    procedure.check_service_in_time(
        case.decided_at, served_at, party_present=case.party_present, calendar=work_calendar()
    )
    recipient = required(recipient, gettext_noop("请填写受送达人"))
    due = execution.payment_due(local_day(served_at), work_calendar()) if case.fine else None
    from_status = case_move(
        case, Status.SERVED, served_at=served_at, service_method=method, payment_due=due
    )
    document = documents.document_issue(
        case=case,
        kind="service_receipt",
        actor=actor,
        at=at,
        extra={"method": method, "recipient": recipient[:60], "served_at": served_at},
    )
    from chengguan.penalties import publicity

    publicity.publication_publish(case=case, at=at)
    step_record(
        case,
        action=Action.SERVE,
        actor=actor,
        at=at,
        from_status=from_status,
        data={"method": method, "payment_due": due, "document": document.number},
    )
    return case


# -- close, archive, referral, revocation ---------------------------------------------------


def _recorded_stages(case: PenaltyCase) -> set[procedure.RecordStage]:
    actions = set(case.events.values_list("action", flat=True))
    stage = procedure.RecordStage
    found = set()
    if actions & {"register", "summary_decide"}:
        found.add(stage.START)
    if actions & {Action.ADD_EVIDENCE, "summary_decide"}:
        found.add(stage.INVESTIGATION)
    # The decision's approval is its review when legal review is not required.
    if actions & {Action.REVIEW, Action.DECIDE, "summary_decide"}:
        found.add(stage.REVIEW)
    if actions & {Action.DECIDE, Action.DECIDE_NO_PENALTY, "summary_decide"}:
        found.add(stage.DECISION)
    if actions & {Action.SERVE, "summary_decide"} or case.no_penalty_ground:
        found.add(stage.SERVICE)
    if (
        actions & {Action.RECORD_PAYMENT, Action.RECORD_COURT, "warning_given"}
        or case.no_penalty_ground
    ):
        found.add(stage.EXECUTION)
    return found


@transaction.atomic
def penalty_close(*, actor: Any, case_id: Any, at: datetime | None = None) -> PenaltyCase:
    """结案 once every stage is on record (Art. 47); for a summary case, after filing and
    the hand-in of any cash."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.CLOSE, actor)
    missing = procedure.missing_record_stages(_recorded_stages(case))
    if missing:
        raise DomainError(
            gettext_noop("执法全过程记录不完整，缺少：%(stages)s"),
            stages="、".join(m.value for m in missing),
        )
    if case.procedure == Procedure.SUMMARY:
        steps = {
            procedure.SummaryStep.CERTIFICATE_SHOWN,
            procedure.SummaryStep.NUMBERED_FORM,
            procedure.SummaryStep.HANDED_OVER,
        }
        if case.filed_at:
            steps.add(procedure.SummaryStep.FILED)
        if procedure.missing_summary_steps(steps):
            raise DomainError(gettext_noop("当场处罚决定尚未报所属行政机关备案"))
        if case.payments.filter(
            channel=Payment.Channel.OFFICER, handed_in_at__isnull=True
        ).exists():
            raise DomainError(gettext_noop("当场收缴的罚款尚未上交"))
    from_status = case_move(case, Status.CLOSED, closed_at=at)
    step_record(case, action=Action.CLOSE, actor=actor, at=at, from_status=from_status)
    return case


@transaction.atomic
def penalty_archive(*, actor: Any, case_id: Any, at: datetime | None = None) -> PenaltyCase:
    """归档: the file list (documents and evidence with their SHA-256) goes into the ledger,
    so the archive can be checked against it for ever."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.ARCHIVE, actor)
    files = [
        {"document": d.number, "sha256": d.sha256} for d in case.documents.order_by("issued_at")
    ] + [{"evidence": e.title, "sha256": e.sha256} for e in case.evidence.order_by("collected_at")]
    from_status = case_move(case, Status.ARCHIVED, archived_at=at)
    step_record(
        case,
        action=Action.ARCHIVE,
        actor=actor,
        at=at,
        from_status=from_status,
        data={"files": files},
    )
    return case


REFERRAL_BODIES = {
    "police": gettext_noop("公安机关"),
    "procuratorate": gettext_noop("人民检察院"),
    "supervision": gettext_noop("监察机关"),
    "other": gettext_noop("其他有权机关"),
}


@transaction.atomic
def penalty_refer(
    *, actor: Any, case_id: Any, to: str, reason: str, at: datetime | None = None
) -> PenaltyCase:
    """移送 (Art. 27): a suspected crime or a matter outside our powers goes to the body
    competent for it, with the list of evidence handed over."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.REFER, actor)
    if to not in REFERRAL_BODIES:
        raise DomainError(gettext_noop("请选择移送机关"))
    reason = required(reason, gettext_noop("请填写移送理由"))
    evidence = [
        {"title": e.title, "sha256": e.sha256} for e in case.evidence.order_by("collected_at")
    ]
    from_status = case_move(case, Status.REFERRED, referred_to=to, referred_at=at)
    step_record(
        case,
        action=Action.REFER,
        actor=actor,
        at=at,
        from_status=from_status,
        note=reason[:500],
        data={"to": to, "evidence": evidence},
    )
    source_case_inform(case, "refer", actor=actor, at=at)
    return case


@transaction.atomic
def penalty_revoke(
    *, actor: Any, case_id: Any, reason: str, at: datetime | None = None
) -> PenaltyCase:
    """撤销 a decision (by the agency on its own correction, or after reconsideration or a
    court judgment); its publication is withdrawn at once (Art. 48 allows 3 working days)."""
    at = moment(at)
    case = case_locked(case_id, actor)
    step_check(case, Action.REVOKE, actor)
    reason = required(reason, gettext_noop("请填写撤销理由"))
    from_status = case_move(case, Status.REVOKED, revoked_at=at)
    from chengguan.penalties import publicity

    publicity.publication_withdraw(case=case, reason=reason, at=at)
    step_record(
        case, action=Action.REVOKE, actor=actor, at=at, from_status=from_status, note=reason[:500]
    )
    source_case_inform(case, "revoke", actor=actor, at=at)
    return case
