"""What every step of a penalty case shares: loading the case under its lock with the
user's permissions, checking the workflow, writing the step (timeline event, ledger entry,
outbox event), telling the source city-management case, numbering, and reading the party
and the power holder. The steps themselves are in `services` (the ordinary procedure),
`summary` (on the spot) and `collection` (payment and enforcement)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import roles_of, scope_of
from chengguan.core.errors import Conflict, DomainError, NotFound, gettext_noop
from chengguan.core.personal import personal_encrypt, phone_mask, phone_normalise
from chengguan.core.selectors import work_calendar
from chengguan.core.services import ledger_append, outbox_emit
from chengguan.penalties.domain.numbers import payment_reference
from chengguan.penalties.domain.periods import local_date
from chengguan.penalties.domain.workflow import (
    Action,
    Procedure,
    Status,
    case_number,
    case_number_parts,
    check_transition,
)
from chengguan.penalties.models import (
    CaseCounter,
    PenaltyCase,
    PenaltyEvent,
)
from chengguan.penalties.selectors import (
    may_act_as_officer,
    penalty_cases_visible,
)
from chengguan.powers.discretion import measured_values
from chengguan.powers.models import Power, PowerHolder
from chengguan.workforce.domain.id_number import id_number_mask
from chengguan.workforce.gate import enforcer_facts
from chengguan.workforce.models import Person

# -- helpers ----------------------------------------------------------------------------


def moment(at: datetime | None) -> datetime:
    return at or timezone.now()


def local_day(at: datetime) -> date:
    return local_date(at, work_calendar())


def case_locked(case_id: Any, actor: Any) -> PenaltyCase:
    """The case, locked, if `actor` may see it (404 otherwise: never say it exists)."""
    case = (
        penalty_cases_visible(actor).select_for_update(of=("self",)).filter(pk=case_id).first()
        if actor is not None
        else PenaltyCase.objects.select_for_update().filter(pk=case_id).first()
    )
    if case is None:
        raise NotFound(gettext_noop("没有找到该案件"))
    return case


def step_check(case: PenaltyCase, action: Action, actor: Any, *, version: int | None = None):
    """Role, agency and stage; `version` (from the page the user saw) refuses a stale form."""
    roles = set(roles_of(actor)) if actor is not None else {None}
    if Role.OFFICER in roles and not may_act_as_officer(actor, case):
        roles.discard(Role.OFFICER)
    transition = check_transition(
        action, procedure=Procedure(case.procedure), status=Status(case.status), roles=roles
    )
    if version is not None and version != case.version:
        raise Conflict(gettext_noop("案件已被他人更新，请刷新页面后重试"))
    return transition


def step_record(
    case: PenaltyCase,
    *,
    action: Action | str,
    actor: Any,
    at: datetime,
    from_status: str,
    note: str = "",
    data: dict | None = None,
) -> PenaltyEvent:
    """The timeline event, the ledger entry and the outbox event of one step."""
    data = data or {}
    event = PenaltyEvent.objects.create(
        case=case,
        action=str(action),
        actor=actor if getattr(actor, "pk", None) else None,
        at=at,
        from_status=from_status,
        to_status=case.status,
        note=note,
        data=data,
    )
    ledger_append(
        kind=f"penalty.{action}",
        subject=case,
        actor=actor,
        data={"number": case.number, "from": from_status, "to": case.status, "note": note, **data},
    )
    outbox_emit(
        f"penalty.{action}",
        case_id=str(case.pk),
        event_id=str(event.pk),
        number=case.number,
        status=case.status,
        region_code=case.region_code,
        source_case_id=str(case.source_case_id or ""),
    )
    return event


# What the reporter of the source case reads of its penalty case (C4 ← C6): fixed public
# wording, never the party or the amounts.
OUTCOME_TEXTS = {
    "register": gettext_noop("执法部门已对违法行为立案调查"),
    "decide": gettext_noop("执法部门已依法作出行政处罚决定"),
    "no_penalty": gettext_noop("当事人已改正，执法部门依法不予处罚并进行了教育"),
    "refer": gettext_noop("执法部门已将案件移送有关机关处理"),
    "revoke": gettext_noop("原行政处罚决定已撤销"),
}


def source_case_inform(case: PenaltyCase, outcome: str, *, actor: Any, at: datetime) -> None:
    if case.source_case_id:
        from chengguan.cases.services import case_enforcement_record

        case_enforcement_record(
            case_id=case.source_case_id,
            actor=actor,
            outcome=outcome,
            public_text=OUTCOME_TEXTS[outcome],
            reference=case.number,
            at=at,
        )


def case_move(case: PenaltyCase, target: Status | None, **fields: Any) -> str:
    """Apply a step's changes to the row; returns the status it came from."""
    from_status = case.status
    if target is not None:
        case.status = target
    for name, value in fields.items():
        setattr(case, name, value)
    case.version = F("version") + 1
    case.save()
    case.refresh_from_db(fields=["version"])
    return from_status


def required(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message)
    return value


def investigator_facts(persons: list[Person], on: date):
    return [enforcer_facts(person, on) for person in persons]


def territory_of(actor: Any) -> str:
    return scope_of(actor).unit_code or settings.CHENGGUAN["CITY_CODE"]


def payment_reference_for(case: PenaltyCase) -> str:
    """The case's payment reference, made from its own number: one per case, never shared."""
    region, year, serial = case_number_parts(case.number)
    return payment_reference(region_code=region, year=year, serial=serial)


def next_case_number(region_code: str, year: int) -> str:
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(
        region_code=region_code, year=year
    )
    CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    return case_number(region_code, year, counter.last)


# -- registration and investigation -------------------------------------------------------


@dataclass(frozen=True)
class Party:
    kind: str
    name: str
    id_number: str = ""
    address: str = ""
    phone: str = ""


def measured_facts(measured: dict[str, Any]) -> dict[str, str]:
    """The measured facts the discretion benchmark reads ({"处数": "6"}), as typed; blank
    values are left out (not measured), any other must be a number ≥ 0."""
    facts = {str(k)[:40]: str(v).strip() for k, v in measured.items() if str(v).strip()}
    measured_values(facts)
    return facts


def party_fields(party: Party) -> dict[str, Any]:
    kind = party.kind
    if kind not in PenaltyCase.PartyKind.values:
        raise DomainError(gettext_noop("当事人类型应为公民或法人、其他组织"))
    name = required(party.name, gettext_noop("请填写当事人姓名或名称"))
    fields: dict[str, Any] = {
        "party_kind": kind,
        "party_name": name[:100],
        "party_address": party.address.strip()[:200],
    }
    id_number = party.id_number.strip().upper()
    if id_number:
        if kind == PenaltyCase.PartyKind.PERSON:
            from chengguan.workforce.domain.id_number import id_number_check

            id_number = id_number_check(id_number)
            fields["party_id_masked"] = id_number_mask(id_number)
        else:
            if len(id_number) != 18 or not id_number.isalnum():
                raise DomainError(gettext_noop("统一社会信用代码应为18位数字或大写字母"))
            fields["party_id_masked"] = id_number  # public register data, not personal
        fields["party_id_cipher"] = personal_encrypt(id_number)
    if party.phone.strip():
        phone = phone_normalise(party.phone)
        fields["party_phone_cipher"] = personal_encrypt(phone)
        fields["party_phone_masked"] = phone_mask(phone)
    return fields


def power_holder(power: Power, territory: str) -> PowerHolder:
    if power.status != Power.Status.IN_FORCE:
        raise DomainError(
            gettext_noop("“%(power)s”暂缓划转，综合执法部门尚不能行使"), power=power.name
        )
    holder = (
        PowerHolder.objects.filter(power=power, territory_code=territory, valid_to__isnull=True)
        .select_related("agency")
        .first()
    )
    if holder is None:
        raise DomainError(gettext_noop("本辖区没有登记该事项的行使主体，不能立案"))
    return holder
