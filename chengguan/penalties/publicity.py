"""Publicity of decisions (执法公示, Art. 48): what the public may read of a decision.

The public copy is built once, redacted, when the decision is made, and kept apart from
the case file: a natural person's name is masked to the family name, ID numbers and phone
numbers are removed wherever they appear, and a person's address is left out (an
organisation's name is public register data and stays). It goes online when the decision
is served, within the 20 working days of the local standard, and is withdrawn when the
decision is revoked (Art. 48: within 3 working days).
"""

import re
from datetime import datetime
from typing import Any

from chengguan.core.personal import ID_NUMBER_IN_TEXT, MOBILE_IN_TEXT, name_mask
from chengguan.core.selectors import work_calendar
from chengguan.penalties.documents import penalty_text
from chengguan.penalties.domain import procedure
from chengguan.penalties.domain.periods import local_date
from chengguan.penalties.models import Document, PenaltyCase, Publication

REMOVED = "（已删除）"
# Numbers as people type them: +86 or 86 before a mobile, spaces or hyphens inside; an ID
# number in groups. Digits are compared after the separators, so "138-0371-1234" goes too.
_SEP = r"[\s\-]?"
MOBILE_WRITTEN = re.compile(rf"(?<!\d)(?:\+?86{_SEP})?1[3-9]\d(?:{_SEP}\d){{8}}(?!\d)")
ID_WRITTEN = re.compile(rf"(?<![\dXx])\d(?:{_SEP}\d){{16}}{_SEP}[\dXx](?![\dXx])")
LANDLINE_IN_TEXT = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def redact(text: str, *, party_kind: str, party_name: str) -> str:
    """`text` fit for the public: ID and phone numbers removed however they are written,
    a natural person's name masked, and their given name alone too ("小明称…"). Other
    people's names in free text cannot be told from ordinary words; officers write facts
    without them (docs/penalties.md)."""
    for pattern in (
        ID_NUMBER_IN_TEXT,
        ID_WRITTEN,
        MOBILE_IN_TEXT,
        MOBILE_WRITTEN,
        LANDLINE_IN_TEXT,
    ):
        text = pattern.sub(REMOVED, text)
    if party_kind == PenaltyCase.PartyKind.PERSON and party_name:
        masked = name_mask(party_name)
        text = text.replace(party_name, masked)
        given = party_name[1:]
        if len(given) >= 2:
            text = text.replace(given, masked[1:])
    return text


def public_party(case: PenaltyCase) -> str:
    if case.party_kind == PenaltyCase.PartyKind.PERSON:
        return name_mask(case.party_name)
    return case.party_name


def publication_content(case: PenaltyCase, decision: Document) -> dict[str, Any]:
    def clean(text: str) -> str:
        return redact(text, party_kind=case.party_kind, party_name=case.party_name)

    return {
        "decision_number": decision.number,
        "party": public_party(case),
        "party_kind": case.get_party_kind_display(),
        "power_code": case.power.code,
        "power": case.power.name,
        "facts": clean(case.facts),
        "place": clean(case.place),
        "basis": case.power.legal_basis_penalty,
        "penalty": penalty_text(case.penalties),
        "agency": case.agency.also_named or case.agency.name,
        "decided_on": local_date(case.decided_at, work_calendar()).isoformat(),
    }


def publication_prepare(*, case: PenaltyCase, decision: Document, at: datetime) -> Publication:
    """The redacted copy of a new decision, due online within 20 working days."""
    return Publication.objects.create(
        case=case,
        region_code=case.region_code,
        decision_number=decision.number,
        content=publication_content(case, decision),
        decided_on=local_date(at, work_calendar()),
        due_at=procedure.publication_due(at, work_calendar()).at,
    )


def publication_publish(*, case: PenaltyCase, at: datetime) -> None:
    Publication.objects.filter(
        case=case, published_at__isnull=True, withdrawn_at__isnull=True
    ).update(published_at=at)


def publication_withdraw(*, case: PenaltyCase, reason: str, at: datetime) -> None:
    Publication.objects.filter(case=case, withdrawn_at__isnull=True).update(
        withdrawn_at=at,
        withdraw_due_at=procedure.withdrawal_due(at, work_calendar()).at,
        withdraw_reason=redact(reason, party_kind=case.party_kind, party_name=case.party_name)[
            :200
        ],
    )
