"""GB 11643 check characters, against numbers built from 17 digits and the published rule."""

import pytest

from chengguan.core.errors import DomainError
from chengguan.workforce.domain.id_number import check_character, id_number_check, id_number_mask


def valid_id(first17: str) -> str:
    """A valid number from its first 17 digits: MOD 11-2 computed here, not by the module."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the standard's own example
        "440524188001010014",
        valid_id("41010619850315001"),
        valid_id("41010520000229123"),  # a leap day
    ],
)
def test_valid_numbers_pass(number):
    assert id_number_check(number) == number


def test_lower_case_x_and_spaces_are_normalised():
    assert id_number_check(" 11010519491231002x ") == "11010519491231002X"


def test_weights_are_the_powers_of_two_mod_11():
    for first17 in ("41010619850315001", "11010519491231002", "65010219991231999"):
        assert first17 + check_character(first17) == valid_id(first17)


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("110105194912310021", "校验位"),  # the example with a wrong check character
        ("440524188001010015", "校验位"),
        ("11010519491231002", "18 位"),
        ("1101051949123100211", "18 位"),
        ("11010519491231002Y", "18 位"),
        ("A1010519491231002X", "18 位"),
        (valid_id("41010619850230001"), "出生日期"),  # 30 February
        (valid_id("41010619851301001"), "出生日期"),
        ("", "18 位"),
    ],
)
def test_bad_numbers_are_refused_with_the_reason(number, fragment):
    with pytest.raises(DomainError) as refused:
        id_number_check(number)
    assert fragment in str(refused.value)


def test_mask_keeps_region_and_last_four_only():
    assert id_number_mask("11010519491231002X") == "110105********002X"
    assert id_number_mask("12345") == "*****"
