"""Hand-built inputs of the checks (CLM-F3): explicit defaults, one change per test."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from claimdesk.rules.checks.params import validate
from claimdesk.rules.checks.rules import RULES
from claimdesk.rules.checks.types import (
    CheckInput,
    ClaimFacts,
    InsuredFacts,
    PolicyFacts,
    Receipt,
    ReceiptLine,
)

D = Decimal
day = dt.date.fromisoformat


def claim(**changes: Any) -> ClaimFacts:
    base = ClaimFacts(
        claim_id=1,
        policy_id=10,
        insured_id=100,
        reported_on=day("2026-06-10"),
        loss_date=day("2026-06-01"),
        amount=D("800.00"),
        diagnosis="illness",
    )
    return dataclasses.replace(base, **changes)


def policy(**changes: Any) -> PolicyFacts:
    base = PolicyFacts(
        policy_id=10, start=day("2026-01-01"), end=day("2026-12-31"), waiting_period_days=30
    )
    return dataclasses.replace(base, **changes)


def insured(**changes: Any) -> InsuredFacts:
    base = InsuredFacts(person_id=100, gender="M", birth_date=day("1985-03-12"))
    return dataclasses.replace(base, **changes)


def line(
    name: str = "血常规", *, code: str | None = "250101001", amount: str = "200.00", no: int = 1
) -> ReceiptLine:
    return ReceiptLine(line_no=no, item_code=code, name=name, amount=D(amount))


def receipt(
    *,
    rid: int = 1,
    claim_id: int = 1,
    code: str = "11010125",
    number: str = "0000000001",
    issuer: str = "北京协和医院",
    on: str = "2026-06-01",
    total: str = "800.00",
    lines: tuple[ReceiptLine, ...] = (),
) -> Receipt:
    return Receipt(rid, claim_id, code, number, issuer, day(on), D(total), lines)


def make(**changes: Any) -> CheckInput:
    base = CheckInput(claim=claim(), policy=policy(), insured=insured())
    return dataclasses.replace(base, **changes)


def run(code: str, inp: CheckInput, **params: Any):  # -> list[Hit]
    return RULES[code].run(inp, validate(RULES[code].params, params))
