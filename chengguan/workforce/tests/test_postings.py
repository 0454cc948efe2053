"""Rotation and recusal of street postings (seed clause 十二), in the domain and the service."""

from datetime import date

import pytest

from chengguan.core.errors import DomainError
from chengguan.core.models import LedgerEntry
from chengguan.org.models import Agency
from chengguan.workforce.domain.postings import RECUSAL, ROTATION, posting_problems
from chengguan.workforce.services import person_create, posting_create
from chengguan.workforce.tests.test_id_number import valid_id

STREET, HOME = "410106001", "410106002"


def problems(**kw):
    base = {
        "street_code": STREET,
        "household_street_code": HOME,
        "start": date(2020, 1, 1),
        "on": date(2024, 1, 1),
        "rotation_years": 5,
    }
    return [p.kind for p in posting_problems(**{**base, **kw})]


def test_a_street_posting_within_the_rotation_period_is_fine():
    assert problems() == []


def test_rotation_is_due_after_the_configured_number_of_years():
    assert problems(on=date(2025, 1, 2)) == [ROTATION]
    assert problems(rotation_years=3) == [ROTATION]
    assert problems(on=date(2025, 1, 2), rotation_years=6) == []


def test_recusal_forbids_the_household_street():
    assert problems(household_street_code=STREET) == [RECUSAL]
    assert problems(household_street_code="") == []


def test_posts_above_streets_neither_rotate_nor_recuse():
    assert problems(street_code="", household_street_code="", on=date(2040, 1, 1)) == []


@pytest.fixture
def person(db):
    return person_create(
        kind="officer",
        name="李四",
        id_number=valid_id("41010619900101123"),
        agency=Agency.objects.get(code="410106-ZD"),
        household_street_code=STREET,
    )


def test_service_refuses_the_household_street_without_a_reason(person):
    with pytest.raises(DomainError) as refused:
        posting_create(
            person=person,
            agency=Agency.objects.get(code=f"{STREET}-DD"),
            street_code=STREET,
            start_on=date(2026, 1, 5),
        )
    assert "应回避" in str(refused.value) and "例外审批理由" in str(refused.value)
    assert not person.postings.exists()


def test_service_saves_an_approved_exception_with_its_reason(person, user_factory):
    approver = user_factory("personnel", region="410106")
    posting = posting_create(
        person=person,
        agency=Agency.objects.get(code=f"{STREET}-DD"),
        street_code=STREET,
        start_on=date(2026, 1, 5),
        exception_reason="街道仅此一名持证队员，经局党组研究同意",
        actor=approver,
    )
    assert posting.approved_by == approver and "党组" in posting.exception_reason
    entry = LedgerEntry.objects.filter(kind="workforce.posted").latest("seq")
    assert RECUSAL in entry.payload and entry.actor_id == str(approver.pk)


def test_a_new_posting_closes_the_open_one(person):
    first = posting_create(
        person=person, agency=person.agency, street_code=HOME, start_on=date(2020, 1, 1)
    )
    posting_create(person=person, agency=person.agency, street_code="", start_on=date(2025, 3, 1))
    first.refresh_from_db()
    assert first.end_on == date(2025, 3, 1)
    with pytest.raises(DomainError):  # a posting cannot be slipped in before the history
        posting_create(
            person=person, agency=person.agency, street_code="", start_on=date(2024, 1, 1)
        )
