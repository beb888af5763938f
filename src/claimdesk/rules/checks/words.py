"""A check's reason as people write it (GEN-2, CLM-F3): the dates, amounts and lists in
``reason_zh`` and ``reason_en``, which investigators and handlers read on the claim page
and in the automatic path's referrals. The evidence keeps ISO dates and plain decimals
(machines read it); only the two texts go through here.

claimdesk.formatting writes the pages' dates and amounts, but it reads the app's settings
(the reader's language, the local zone), which rules may not import (pyproject's
import-linter contract). A check's dates are calendar days and its amounts CNY, so the
same output needs neither: tests/rules/checks/test_words.py pins it to formatting's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CENT = Decimal("0.01")


def day_zh(value: dt.date) -> str:
    """``2026年9月1日`` (formatting.local_date in zh-CN)."""
    return f"{value.year}年{value.month}月{value.day}日"


def day_en(value: dt.date) -> str:
    """``1 Sep 2026`` (formatting.local_date in English)."""
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


def amount(value: Decimal) -> str:
    """``12,345.60`` (formatting.amount); a unit price stored to more places than cents
    keeps them (a tablet at ``0.0325``) — rounded it would read as another price."""
    cents = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{cents:,}" if cents == value else f"{value:,}"


def listed_zh(items: Iterable[str]) -> str:
    """``甲、乙、丙``: Chinese lists with the enumeration comma."""
    return "、".join(items)


def listed_en(items: Iterable[str]) -> str:
    """``a, b, c``."""
    return ", ".join(items)
