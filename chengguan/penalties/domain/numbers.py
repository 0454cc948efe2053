"""Human numbers of a penalty case: document numbers (文号) and the payment reference.

A document number names the issuing body, the kind of document and the year, and counts
per agency, kind and year: 郑金城综罚决字〔2026〕第123号 is the 123rd decision (罚决) of
金水区's city-enforcement body (郑·金·城综) in 2026. The payment reference (缴款识别码) is
what the party quotes at the bank; a check pair (ISO 7064 MOD 97-10) lets the bank refuse a
mistyped reference before it reaches us.
"""

CITY_SHORT = "郑"


def unit_short(unit_name: str, *, city_short: str = CITY_SHORT) -> str:
    """The one-character short of a county-level unit as document numbers write it
    (金水区 → 金, 郑东新区 → 东); empty for the city itself."""
    name = unit_name.removeprefix("郑州市")
    if not name or name in ("郑州", "市本级"):
        return ""
    if name.startswith(city_short) and len(name) > 1:
        name = name[1:]
    return name[0]


def document_number(*, unit: str, word: str, year: int, serial: int) -> str:
    """郑金城综罚决字〔2026〕第123号."""
    if serial < 1:
        raise ValueError("serials start at 1")
    return f"{CITY_SHORT}{unit}城综{word}字〔{year}〕第{serial}号"


def _mod97_check(digits: str) -> str:
    return f"{98 - int(digits + '00') % 97:02d}"


def payment_reference(*, region_code: str, year: int, serial: int) -> str:
    """18 digits: county code, year, a 6-digit serial, and two check digits."""
    body = f"{region_code}{year}{serial:06d}"
    if len(body) != 16 or not body.isdigit():
        raise ValueError(f"cannot build a reference from {region_code!r}, {year}, {serial}")
    return body + _mod97_check(body)


def payment_reference_valid(reference: str) -> bool:
    return (
        len(reference) == 18
        and reference.isdigit()
        and _mod97_check(reference[:16]) == reference[16:]
    )
