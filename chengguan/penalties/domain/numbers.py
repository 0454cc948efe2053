"""Human numbers of a penalty case: document numbers (文号) and the payment reference.

A document number names the issuing body, the kind of document and the year, and counts
per agency, kind and year: 郑金水城综罚决字〔2026〕第123号 is the 123rd decision (罚决) of
金水区's city-enforcement body (郑·金水·城综) in 2026. The payment reference (缴款识别码) is
what the party quotes at the bank; a check pair (ISO 7064 MOD 97-10) lets the bank refuse a
mistyped reference before it reaches us.
"""

CITY_SHORT = "郑"


# County-level units whose short form is not just the name without its suffix.
_ZONE_SHORTS = {
    "经济技术开发区": "经开",
    "高新技术产业开发区": "高新",
    "航空港经济综合实验区": "航空港",
    "郑东新区": "郑东",
}


def unit_short(unit_name: str) -> str:
    """The short form of a county-level unit as document numbers write it: 金水区 → 金水,
    管城回族区 → 管城, 中牟县 → 中牟, 郑州经济技术开发区 → 经开; empty for the city itself.
    Two characters, not one: 中原区 and 中牟县, 新密市 and 新郑市 must not share a prefix."""
    name = unit_name.removeprefix("郑州市").removeprefix("郑州")
    if not name:
        return ""
    for suffix, short in _ZONE_SHORTS.items():
        if name.endswith(suffix):
            return short
    for suffix in ("回族区", "区", "县", "市"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


def document_number(*, unit: str, word: str, year: int, serial: int) -> str:
    """郑金水城综罚决字〔2026〕第123号; a unit already named after the city (郑东) is not
    prefixed twice."""
    if serial < 1:
        raise ValueError("serials start at 1")
    prefix = unit if unit.startswith(CITY_SHORT) else CITY_SHORT + unit
    return f"{prefix}城综{word}字〔{year}〕第{serial}号"


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
