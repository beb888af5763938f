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


def diagnosis_totals(
    session: Session, group: str, *, not_claim_id: int, until: dt.datetime, limit: int
) -> list[Decimal]:
    """Totals of the newest ``limit`` bills of one diagnosis group (ICD-10 category and
    setting, rules.bills.diagnosis_group) on other claims received by ``until`` — the
    amount check's comparison group (CLM-F3). Found through the keyed hash
    (ix_claim_bills_dise_group_hash); no row filter: the caller is a check."""
    return list(
        session.scalars(
            select(Bill.total)
            .join(Claim, Claim.id == Bill.claim_id)
            .where(
                Bill.dise_group_hash == blind_index(group, PURPOSE_DIAGNOSIS_GROUP),
                Bill.claim_id != not_claim_id,
                Claim.received_at <= until,
            )
            .order_by(Claim.received_at.desc(), Bill.id.desc())
            .limit(limit)
        )
    )


def setting_totals(
    session: Session, setting: str, *, not_claim_id: int, until: dt.datetime, limit: int
) -> list[Decimal]:
    """Totals of the newest ``limit`` bills of one setting (outpatient | inpatient) on
    other claims received by ``until``: the amount check's wider group (CLM-F3)."""
    return list(
        session.scalars(
            select(Bill.total)
            .join(Claim, Claim.id == Bill.claim_id)
            .where(
                Bill.setting == setting,
                Bill.claim_id != not_claim_id,
                Claim.received_at <= until,
            )
            .order_by(Claim.received_at.desc(), Bill.id.desc())
            .limit(limit)
        )
    )
