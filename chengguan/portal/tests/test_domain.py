"""What the public sees and says, as pure rules (no database)."""

import pytest

from chengguan.cases.domain.workflow import ACTION_LABELS, STATUS_LABELS, Action, Status
from chengguan.cases.services import TRACKING_ALPHABET, TRACKING_LENGTH
from chengguan.core.errors import DomainError
from chengguan.portal.domain import (
    PUBLIC_EVENTS,
    STATUS_HINTS,
    check_rating,
    tracking_code_normalise,
)
from chengguan.portal.forms import megabytes


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("ABCDEFGHJK", "ABCDEFGHJK"),
        (" abcde-fghjk ", "ABCDEFGHJK"),
        ("ABCDE FGHJK", "ABCDEFGHJK"),
        ("abcde－fghjk", "ABCDEFGHJK"),  # a full-width dash from a Chinese keyboard
        ("ABCDEFGHJ", ""),
        ("ABCDEFGHJKM", ""),
        ("ABCDEFGHJO", ""),  # O is never in a code (nor 0, 1, I, L)
        ("", ""),
    ],
)
def test_codes_are_normalised_as_people_type_them(typed, code):
    assert tracking_code_normalise(typed) == code


def test_every_code_the_cases_app_makes_is_accepted():
    assert tracking_code_normalise(TRACKING_ALPHABET[:TRACKING_LENGTH]) != ""
    assert tracking_code_normalise(TRACKING_ALPHABET[-TRACKING_LENGTH:]) != ""


def test_every_status_has_a_public_explanation_and_public_events_are_real_actions():
    assert set(STATUS_HINTS) == set(STATUS_LABELS)
    assert set(PUBLIC_EVENTS) - {"reported", "enforcement"} <= set(ACTION_LABELS)
    internal = {Action.SUPERVISE, Action.MARK_COMPLEX, Action.REQUEST_EXTENSION}
    assert not internal & set(PUBLIC_EVENTS)


def test_only_a_closed_case_with_one_to_five_stars_is_rated():
    check_rating(status=Status.CLOSED, stars=5, comment="好")
    with pytest.raises(DomainError, match="办结后"):
        check_rating(status=Status.HANDLED, stars=5, comment="")
    for stars in (0, 6):
        with pytest.raises(DomainError, match="1 至 5 星"):
            check_rating(status=Status.CLOSED, stars=stars, comment="")
    with pytest.raises(DomainError, match="500"):
        check_rating(status=Status.CLOSED, stars=3, comment="长" * 501)


@pytest.mark.parametrize(
    ("size", "text"), [(10_000_000, "10"), (2_500_000, "2.5"), (500, "0.0005")]
)
def test_size_limits_read_as_megabytes(size, text):
    assert megabytes(size) == text
