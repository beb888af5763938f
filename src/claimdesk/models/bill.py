"""Bills as data (CLM-T1): a medical e-receipt with its lines and, when the claimant
settled through social medical insurance, the settlement statement's figures.

The JSON as submitted is kept, encrypted (SEC-1), beside the parsed columns; item names
and codes are medical details and are encrypted too. ``receipt_key`` (a hash of receipt
code + number) is the same for the same receipt on any claim: one column to index for
the duplicate-receipt check across claims (CLM-F3); on one claim it is unique.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claimdesk.crypto.indexes import PURPOSE_ITEM_CODE
from claimdesk.crypto.keyring import blind_index
from claimdesk.crypto.types import EncryptedString
from claimdesk.models.base import Base, Ratio

Quantity = Numeric(14, 4, asdecimal=True)
UnitPrice = Numeric(18, 4, asdecimal=True)


class Bill(Base):
    __tablename__ = "claim_bills"
    __table_args__ = (
        UniqueConstraint("claim_id", "receipt_key", name="uq_claim_bills_claim_id_receipt_key"),
        # The checks read a provider's bills of one day or window (CLM-F3: lines reused
        # across insureds, clusters at a provider).
        Index("ix_claim_bills_issuer_name_issue_date", "issuer_name", "issue_date"),
        # provider_cluster's book surge: the book's claims per day over a window (an
        # index-only count on PostgreSQL once vacuumed).
        Index("ix_claim_bills_issue_date_claim_id", "issue_date", "claim_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    receipt_code: Mapped[str] = mapped_column(String(8))
    receipt_number: Mapped[str] = mapped_column(String(10))
    receipt_key: Mapped[str] = mapped_column(String(64), index=True)
    issuer_name: Mapped[str] = mapped_column(String(200))
    issuer_credit_code: Mapped[str] = mapped_column(String(18), index=True)
    issue_date: Mapped[dt.date] = mapped_column(Date)
    total: Mapped[Decimal]
    # The settlement statement (医保结算单), national platform names; NULL without one.
    settled: Mapped[bool] = mapped_column(Boolean, default=False)
    setl_id: Mapped[str | None] = mapped_column(String(40))
    setl_time: Mapped[dt.datetime | None]
    medfee_sumamt: Mapped[Decimal | None]
    fund_pay_sumamt: Mapped[Decimal | None]
    acct_pay: Mapped[Decimal | None]
    psn_cash_pay: Mapped[Decimal | None]
    fulamt_ownpay_amt: Mapped[Decimal | None]
    overlmt_selfpay: Mapped[Decimal | None]
    preselfpay_amt: Mapped[Decimal | None]
    inscp_scp_amt: Mapped[Decimal | None]
    # 主诊断 and 医疗类别 of the statement (optional; medical details, encrypted, SEC-1).
    dise_codg: Mapped[str | None] = mapped_column(EncryptedString("claim_bills.dise_codg"))
    dise_name: Mapped[str | None] = mapped_column(EncryptedString("claim_bills.dise_name"))
    med_type: Mapped[str | None] = mapped_column(EncryptedString("claim_bills.med_type"))
    # What the amount check groups by — ICD-10 category and setting, "K29:outpatient"
    # (rules.bills.diagnosis_group) — and its keyed hash, the indexed look-up (CLM-F3).
    dise_group: Mapped[str | None] = mapped_column(EncryptedString("claim_bills.dise_group"))
    dise_group_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # outpatient | inpatient, from med_type: the amount check's wider group when too few
    # bills share the diagnosis. In clear, like the amount: a stay says no more than that.
    setting: Mapped[str | None] = mapped_column(String(10), index=True)
    # Who sent it: customer | staff (no hospital system role exists yet, see docs/bills.md).
    source: Mapped[str] = mapped_column(String(16))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime]
    auth_method: Mapped[str] = mapped_column(String(32))
    # The request body exactly as submitted (SEC-1: encrypted at rest).
    original: Mapped[str] = mapped_column(EncryptedString("claim_bills.original"))

    lines: Mapped[list[BillLine]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="BillLine.position"
    )


class BillLine(Base):
    __tablename__ = "claim_bill_lines"
    __table_args__ = (
        # An item's newest lines, read backwards (bills.repository.item_history).
        Index("ix_claim_bill_lines_item_code_hash_id", "item_code_hash", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(
        ForeignKey("claim_bills.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    item_code: Mapped[str] = mapped_column(EncryptedString("claim_bill_lines.item_code"))
    # Keyed hash of the item code (blind index, SEC-1; kept below): the amount check finds
    # earlier lines of the same item (their usual price, CLM-F3) without decrypting any.
    item_code_hash: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(EncryptedString("claim_bill_lines.name"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(UnitPrice)
    amount: Mapped[Decimal]
    catalog: Mapped[str] = mapped_column(String(1))  # A 甲 | B 乙 | C 丙
    self_pay_ratio: Mapped[Decimal | None] = mapped_column(Ratio)
    category: Mapped[str | None] = mapped_column(String(40))


def item_code_index(value: str | None) -> str | None:
    """The item code's keyed hash (crypto.indexes): what the amount check looks up."""
    return blind_index(value, PURPOSE_ITEM_CODE) if value else None


@event.listens_for(BillLine.item_code, "set")
def _item_code_set(target: BillLine, value: str | None, _old: Any, _initiator: Any) -> None:
    target.item_code_hash = item_code_index(value)
