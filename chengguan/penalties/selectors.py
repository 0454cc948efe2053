"""Reads of penalty cases: who may see which case, queues, limits and the case file.

Visibility is by agency and territory. An officer sees the cases of the agency they work
for and the agencies under it or above it in the line of leadership (a brigade's officer
handles cases in the name of the bureau that holds the power); a legal reviewer and a
leader see the cases of their territory. Nobody else sees penalty cases at all.
"""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import agency_family, roles_of, scope_of
from chengguan.core.selectors import work_calendar
from chengguan.penalties.domain import limits as limits_domain
from chengguan.penalties.domain.workflow import FINAL, Action, Procedure, Status, actions_available
from chengguan.penalties.models import EnforcementCategory, Evidence, Payment, PenaltyCase
from chengguan.powers.models import DiscretionBenchmark, Power, PowerHolder
from chengguan.workforce.models import Person

READERS = frozenset({Role.OFFICER, Role.LEGAL_REVIEWER, Role.LEADER})


def agency_line(agency_id) -> set:
    """The agency, the agencies under it, and those above it (its leadership line)."""
    from chengguan.org.models import Agency

    line = set(agency_family(agency_id))
    parent = Agency.objects.filter(pk=agency_id).values_list("parent_id", flat=True).first()
    while parent is not None and parent not in line:
        line.add(parent)
        parent = Agency.objects.filter(pk=parent).values_list("parent_id", flat=True).first()
    return line


def penalty_cases_visible(user) -> QuerySet[PenaltyCase]:
    roles = roles_of(user)
    if not roles & READERS:
        return PenaltyCase.objects.none()
    scope = scope_of(user)
    cases = PenaltyCase.objects.select_related("agency", "power")
    if roles & {Role.LEGAL_REVIEWER, Role.LEADER}:
        if scope.city_wide:
            return cases
        territorial = Q(region_code=scope.unit_code)
    else:
        territorial = Q(pk__in=[])
    if Role.OFFICER in roles and user.agency_id is not None:
        return cases.filter(territorial | Q(agency_id__in=agency_line(user.agency_id)))
    return cases.filter(territorial)


def may_act_as_officer(user, case: PenaltyCase) -> bool:
    """Officers act only on cases of their own agency line."""
    return (
        Role.OFFICER in roles_of(user)
        and user.agency_id is not None
        and case.agency_id in agency_line(user.agency_id)
    )


def penalty_case_for(user, number: str) -> PenaltyCase | None:
    return penalty_cases_visible(user).filter(number=number).first()


QUEUES = {
    "open": ~Q(status__in=[s.value for s in FINAL]),
    "review": Q(status=Status.REVIEWING, review_passed=False),
    "decided": Q(status__in=[Status.DECIDED, Status.SERVED]),
    "closed": Q(status__in=[Status.CLOSED, Status.ARCHIVED, Status.REFERRED, Status.REVOKED]),
}


def penalty_queue(user, key: str) -> QuerySet[PenaltyCase]:
    return penalty_cases_visible(user).filter(QUEUES[key]).order_by("registered_at")


def case_dates(case: PenaltyCase) -> limits_domain.CaseDates:
    publication = getattr(case, "publication", None)
    paid = case.payments.order_by("paid_at").values_list("paid_at", flat=True).last()
    return limits_domain.CaseDates(
        registered_at=case.registered_at,
        extension_until=case.extension_until,
        decided_at=case.decided_at,
        party_present=case.party_present,
        served_at=case.served_at,
        notified_at=case.notified_at,
        hearing_requested_at=case.hearing_requested_at,
        payment_due=case.payment_due,
        deferred_until=case.deferred_until,
        paid_at=paid if case.status in (Status.EXECUTED, Status.CLOSED, Status.ARCHIVED) else None,
        revoked_at=case.revoked_at,
        withdrawn_at=publication.withdrawn_at if publication else None,
        published_at=publication.published_at if publication else None,
        preserved=tuple(
            (e.title, e.collected_at, e.preservation_decided_at)
            for e in case.evidence.filter(preserved=True)
        ),
        cash=tuple(
            (f"{p.amount}", p.paid_at, p.handed_in_at)
            for p in case.payments.filter(channel=Payment.Channel.OFFICER)
        ),
        summary=case.procedure == Procedure.SUMMARY,
    )


def penalty_limits(case: PenaltyCase, *, now: datetime | None = None) -> list[limits_domain.Limit]:
    return limits_domain.case_limits(case_dates(case), work_calendar(), now or timezone.now())


def penalty_actions(case: PenaltyCase, user) -> list[Action]:
    roles = set(roles_of(user))
    if Role.OFFICER in roles and not may_act_as_officer(user, case):
        roles.discard(Role.OFFICER)
    actions = actions_available(
        procedure=Procedure(case.procedure), status=Status(case.status), roles=roles
    )
    # Not offered while a required review has not passed (the service refuses it anyway).
    if (case.review_grounds and not case.review_passed) or (
        case.status == Status.REVIEWING and not case.review_passed
    ):
        actions = [a for a in actions if a is not Action.DECIDE]
    return actions


def evidence_of(case: PenaltyCase) -> QuerySet[Evidence]:
    return case.evidence.select_related("collected_by")


def investigator_user_ids(case: PenaltyCase) -> set:
    return {
        uid
        for uid in case.investigators.values_list("person__user_id", flat=True)
        if uid is not None
    }


def colleagues_for(user) -> QuerySet[Person]:
    """Officers of the user's agency line who could be named as co-investigators."""
    if user.agency_id is None:
        return Person.objects.none()
    return (
        Person.objects.filter(
            agency_id__in=agency_line(user.agency_id), kind=Person.Kind.OFFICER, active=True
        )
        .exclude(user_id=user.pk)
        .order_by("name")
    )


def powers_for(user) -> QuerySet[Power]:
    """The in-force powers held in the user's territory (what a case may be opened on)."""
    territory = scope_of(user).unit_code or ""
    held = PowerHolder.objects.filter(valid_to__isnull=True, territory_code=territory)
    return Power.objects.filter(status=Power.Status.IN_FORCE, pk__in=held.values("power"))


def benchmarks_of(power: Power) -> list[DiscretionBenchmark]:
    return list(power.benchmarks.all())


def power_for_category(category_id) -> Power | None:
    link = EnforcementCategory.objects.filter(category_id=category_id).select_related("power")
    found = link.first()
    return found.power if found else None


def ledgered_files_check() -> tuple[int, list[str]]:
    """Every evidence file and issued document against the SHA-256 the ledger recorded when
    it arrived: a file changed or lost, or a row whose hash was edited, is a problem."""
    from chengguan.core.services import ledger_data
    from chengguan.penalties.evidence_files import file_sha256
    from chengguan.penalties.models import Document

    recorded: dict[str, str] = {}
    for kind, subject_id, data in ledger_data(["penalty.add_evidence", "penalty.document_issued"]):
        key = data["evidence_id"] if kind == "penalty.add_evidence" else subject_id
        recorded[key] = data["sha256"]
    problems, checked = [], 0
    rows = [(f"证据 {e.title}", e) for e in Evidence.objects.only("pk", "title", "file", "sha256")]
    rows += [
        (f"文书 {d.number}", d) for d in Document.objects.only("pk", "number", "file", "sha256")
    ]
    for label, row in rows:
        checked += 1
        expected = recorded.get(str(row.pk))
        if expected is None:
            problems.append(f"{label}：账本中没有记录")
        elif row.sha256 != expected:
            problems.append(f"{label}：登记的哈希与账本不符")
        else:
            actual = file_sha256(row.file)
            if actual is None:
                problems.append(f"{label}：文件缺失")
            elif actual != expected:
                problems.append(f"{label}：文件内容与账本记录的哈希不符")
    return checked, problems
