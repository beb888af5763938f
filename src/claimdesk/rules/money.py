"""Money arithmetic (SPEC GEN-1): exact decimals, one rounding at the end, never negative."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(amount: Decimal) -> Decimal:
    """Round to 0.01 half-up (四舍五入). Floats are refused: they are already inexact."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be a Decimal, got {type(amount).__name__}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def floor_zero(amount: Decimal) -> Decimal:
    """No amount payable is negative: anything below zero becomes 0.00."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be a Decimal, got {type(amount).__name__}")
    return amount if amount > 0 else ZERO
