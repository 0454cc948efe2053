"""Money in yuan, exact to the fen (分).

Fines, confiscated values and late fees are `Decimal` amounts quantised to 0.01 yuan. A
float is refused (0.1 + 0.2 is not 0.3 in binary), and so is an amount with a fraction of a
fen: a decision states an exact sum, so such an input is a mistake, not something to round.
Only computed amounts (the late fee, Art. 72) are rounded, half up to the fen, the
rounding people and banks expect (0.105 → 0.11), rather than Decimal's banker's rounding.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from chengguan.core.errors import DomainError, gettext_noop

FEN = Decimal("0.01")


def yuan(amount: Decimal | int | str) -> Decimal:
    """`amount` as a non-negative Decimal to the fen, or DomainError saying what is wrong."""
    if isinstance(amount, float | bool):
        raise TypeError(f"money must be Decimal, int or str, not {type(amount).__name__}")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise DomainError(gettext_noop("金额“%(amount)s”不是数字"), amount=amount) from None
    if not value.is_finite() or value < 0:
        raise DomainError(gettext_noop("金额必须是不小于零的数"))
    if value != value.quantize(FEN):
        raise DomainError(gettext_noop("金额最多精确到分：%(amount)s"), amount=amount)
    return value.quantize(FEN)


def round_fen(value: Decimal) -> Decimal:
    """A computed amount rounded half up to the fen."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)
