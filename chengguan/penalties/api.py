"""HTTP API of penalty cases, read side: the queues and one case file with its time limits
and documents, for officers' and reviewers' apps and integrations.

Edges only: who sees what is `selectors.penalty_cases_visible` (an officer the agency line,
a reviewer or leader the territory); a case outside it answers 404, like the pages. The
party's ID and phone are only ever given masked. Writes go through the pages, where the
forms show the legal gates' refusals in place.
"""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from ninja import Query, Router, Schema
from pydantic import Field

from chengguan.accounts.selectors import roles_of
from chengguan.core.errors import NotFound, gettext_noop
from chengguan.penalties.domain.limits import COUNTING_LABELS, STATE_LABELS
from chengguan.penalties.selectors import (
    QUEUES,
    READERS,
    penalty_case_for,
    penalty_limits,
    penalty_queue,
)

router = Router(tags=["行政处罚"])

PAGE_SIZE = 100


class CaseRow(Schema):
    number: str
    status: str
    status_label: str
    procedure: str
    power_code: str
    power: str
    party_masked: str = Field(description="当事人（公民姓名脱敏）")
    registered_at: datetime
    fine: Decimal | None


class CasePage(Schema):
    count: int
    items: list[CaseRow]


class LimitOut(Schema):
    key: str
    label: str
    basis: str
    counting: str = Field(description="working 工作日 / natural 自然日")
    counting_label: str
    due: datetime
    state: str = Field(description="open / warning / overdue / met / late")
    state_label: str
    party: bool = Field(description="当事人自己的期限（届满不算机关超期）")


class DocumentOut(Schema):
    id: UUID
    kind: str
    title: str
    number: str
    sha256: str
    issued_at: datetime


class EvidenceOut(Schema):
    id: UUID
    kind: str
    title: str
    sha256: str
    size: int
    content_type: str
    collected_at: datetime
    preserved: bool


class CaseOut(CaseRow):
    agency: str
    place: str
    facts: str
    occurred_on: date
    party_id_masked: str
    party_phone_masked: str
    proposed_tier: str
    review_grounds: list[str]
    payment_reference: str
    payment_due: date | None
    limits: list[LimitOut]
    documents: list[DocumentOut]
    evidence: list[EvidenceOut]


def _party(case) -> str:
    from chengguan.penalties.publicity import public_party

    return public_party(case)


def _row(case) -> dict:
    return {
        "number": case.number,
        "status": case.status,
        "status_label": case.status_label,
        "procedure": case.procedure,
        "power_code": case.power.code,
        "power": case.power.name,
        "party_masked": _party(case),
        "registered_at": case.registered_at,
        "fine": case.fine,
    }


def _reader(request) -> None:
    if not roles_of(request.user) & READERS:
        raise PermissionDenied


@router.get("/", response=CasePage, summary="行政处罚案件队列")
def cases(request, queue: str = "open", offset: int = Query(0, ge=0)):
    """`queue`: open 办理中, review 待法制审核, decided 已决定, closed 已办结."""
    _reader(request)
    if queue not in QUEUES:
        raise NotFound(gettext_noop("没有该队列：%(queue)s"), queue=queue)
    rows = penalty_queue(request.user, queue)
    return {
        "count": rows.count(),
        "items": [_row(c) for c in rows[offset : offset + PAGE_SIZE]],
    }


@router.get("/{number}", response=CaseOut, summary="行政处罚案件（含法定期限、文书、证据）")
def case_detail(request, number: str):
    _reader(request)
    case = penalty_case_for(request.user, number)
    if case is None:
        raise NotFound(gettext_noop("没有找到该案件"))
    limits = [
        {
            "key": limit.key,
            "label": gettext(limit.label),
            "basis": gettext(limit.basis),
            "counting": limit.counting.value,
            "counting_label": gettext(COUNTING_LABELS[limit.counting]),
            "due": limit.due,
            "state": limit.state.value,
            "state_label": gettext(STATE_LABELS[limit.state]),
            "party": limit.party,
        }
        for limit in penalty_limits(case)
    ]
    return _row(case) | {
        "agency": case.agency.code,
        "place": case.place,
        "facts": case.facts,
        "occurred_on": case.occurred_on,
        "party_id_masked": case.party_id_masked,
        "party_phone_masked": case.party_phone_masked,
        "proposed_tier": case.proposed_tier,
        "review_grounds": case.review_grounds,
        "payment_reference": case.payment_reference,
        "payment_due": case.payment_due,
        "limits": limits,
        "documents": list(
            case.documents.values("id", "kind", "title", "number", "sha256", "issued_at")
        ),
        "evidence": list(
            case.evidence.values(
                "id", "kind", "title", "sha256", "size", "content_type", "collected_at", "preserved"
            )
        ),
    }
