"""Reads of bills (CLM-T1). The claim itself is always loaded through the row-filtered
claims repository first; these functions take a claim id the caller may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from claimdesk.crypto.indexes import PURPOSE_DIAGNOSIS_GROUP
from claimdesk.crypto.keyring import blind_index
from claimdesk.models.bill import Bill
from claimdesk.models.claim import Claim
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


def peer_totals(
    session: Session,
    *,
    not_claim_id: int,
    until: dt.datetime,
    limit: int,
    group: str | None = None,
    setting: str | None = None,
) -> list[Decimal]:
    """Totals of the newest ``limit`` bills on other claims received by ``until``, of one
    diagnosis group (ICD-10 category and setting, rules.bills.diagnosis_group: found
    through its keyed hash, ix_claim_bills_dise_group_hash) or of one setting
    (outpatient | inpatient) — the amount check's comparison groups (CLM-F3). No row
    filter: the caller is a check."""
    query = select(Bill.total).join(Claim, Claim.id == Bill.claim_id)
    if group is not None:
        query = query.where(Bill.dise_group_hash == blind_index(group, PURPOSE_DIAGNOSIS_GROUP))
    if setting is not None:
        query = query.where(Bill.setting == setting)
    return list(
        session.scalars(
            query.where(Bill.claim_id != not_claim_id, Claim.received_at <= until)
            .order_by(Claim.received_at.desc(), Bill.id.desc())
            .limit(limit)
        )
    )
