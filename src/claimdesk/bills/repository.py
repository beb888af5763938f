"""Reads of bills (CLM-T1). The claim itself is always loaded through the row-filtered
claims repository first; these functions take a claim id the caller may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from claimdesk.models.bill import Bill
from claimdesk.rules.bills import receipt_key


def bills_of(session: Session, claim_id: int) -> list[Bill]:
    return list(
        session.scalars(
            select(Bill)
            .where(Bill.claim_id == claim_id)
            .options(selectinload(Bill.lines))
            .order_by(Bill.id)
        )
    )


def on_claim(session: Session, claim_id: int, key: str) -> Bill | None:
    return session.scalars(
        select(Bill).where(Bill.claim_id == claim_id, Bill.receipt_key == key)
    ).one_or_none()


def find_receipts(session: Session, code: str, number: str) -> list[Bill]:
    """Every bill carrying this receipt (code + number), on any claim of any policy —
    for the duplicate-receipt check (CLM-F3). Uses ix_claim_bills_receipt_key; no row
    filter: the caller is a check, not a person reading claims."""
    return list(
        session.scalars(
            select(Bill).where(Bill.receipt_key == receipt_key(code, number)).order_by(Bill.id)
        )
    )
