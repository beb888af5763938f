"""Rounding of GEN-1, private to the engine: 0.01 half-up, applied once per formula.

The intermediate figures of a formula stay exact; only the figure a formula produces
is rounded. Division (proportional under-insurance) runs in a wide context so the one
rounding at the end sees the exact value.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Wide enough that products and quotients of 2-place amounts and ratios stay exact
# (or, for a recurring quotient, far below a cent) before the single rounding.
WIDE = Context(prec=80, rounding=ROUND_HALF_UP)


def round_money(value: Decimal) -> Decimal:
    """0.01 half-up (四舍五入), never negative (GEN-1)."""
    if value <= 0:
        return ZERO
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=WIDE)
