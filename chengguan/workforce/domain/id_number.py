"""Resident ID numbers (居民身份证号码, GB 11643-1999): 17 digits and a check character.

Pure: the import and the forms share it. The check character is ISO 7064 MOD 11-2 over the
first 17 digits with weights 2^(17-i) mod 11; 10 is written X.
"""

from datetime import date

from chengguan.core.errors import DomainError, gettext_noop

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def check_character(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_number_check(text: str) -> str:
    """The number, upper-cased and stripped, or a DomainError saying what is wrong."""
    number = (text or "").strip().upper()
    if (
        len(number) != 18
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        raise DomainError(gettext_noop("身份证号码应为 18 位（末位可为 X）：%(id)s"), id=text)
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise DomainError(gettext_noop("身份证号码中的出生日期无效：%(id)s"), id=text) from None
    if check_character(number[:17]) != number[17]:
        raise DomainError(gettext_noop("身份证号码校验位不正确：%(id)s"), id=text)
    return number


def id_number_mask(number: str) -> str:
    """410102********1234: the region and the last four, never the birth date."""
    return number[:6] + "*" * 8 + number[-4:] if len(number) == 18 else "*" * len(number)
