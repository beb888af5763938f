"""People (customers, insureds, beneficiaries) with their personal data encrypted (SEC-1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claimdesk.crypto.indexes import name_index
from claimdesk.crypto.types import EncryptedString
from claimdesk.models.base import Base, TimestampMixin


class Person(TimestampMixin, Base):
    __tablename__ = "people"
    # One person per identity document: enforced by the database, so two concurrent
    # registrations of the same ID number cannot both succeed.
    __table_args__ = (UniqueConstraint("id_type", "id_number_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # Keyed hash of the normalised name (crypto.indexes.name_index): the search by name
    # compares hashes (SEC-1). Kept with the name on every write (below).
    name_hash: Mapped[str | None] = mapped_column(
        String(64), index=True, default=lambda ctx: name_hash_default(ctx, "name")
    )
    # "resident_id" (居民身份证) or "passport", "hk_macao_permit", ...
    id_type: Mapped[str] = mapped_column(String(24), default="resident_id")
    id_number: Mapped[str] = mapped_column(EncryptedString("people.id_number"))
    # Keyed hash (HMAC-SHA256) for look-ups; the clear value is never stored.
    id_number_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_number_last4: Mapped[str] = mapped_column(String(4))
    phone: Mapped[str | None] = mapped_column(EncryptedString("people.phone"))
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(1))
    address: Mapped[str | None] = mapped_column(EncryptedString("people.address"))
    # Medical details (allergies, chronic conditions) — encrypted like the numbers.
    medical_notes: Mapped[str | None] = mapped_column(EncryptedString("people.medical_notes"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # The language the customer reads their notices in ("zh-CN" or "en"); None until
    # they choose one (the portal's language switch, or an agent), read as zh-CN.
    preferred_language: Mapped[str | None] = mapped_column(String(10))

    consents: Mapped[list[Consent]] = relationship(lazy="raise", back_populates="person")
    bank_accounts: Mapped[list[BankAccount]] = relationship(lazy="raise", back_populates="person")


def name_hash_default(context: DefaultExecutionContext, column: str) -> str | None:
    """Insert default of a name hash, so bulk inserts that give only the name get it too."""
    return name_index(context.get_current_parameters().get(column))  # type: ignore[no-untyped-call]


@event.listens_for(Person.name, "set")
def _person_name_set(target: Person, value: str | None, _old: Any, _initiator: Any) -> None:
    target.name_hash = name_index(value)


class BankAccount(TimestampMixin, Base):
    __tablename__ = "bank_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(100))
    bank_name: Mapped[str] = mapped_column(String(100))
    account_number: Mapped[str] = mapped_column(EncryptedString("bank_accounts.account_number"))
    account_hash: Mapped[str] = mapped_column(String(64), index=True)
    account_last4: Mapped[str] = mapped_column(String(4))
    # When the holder removed it (the portal, /me): the row stays — payments and the
    # checks' history name it — but nothing pays to it any more; None while in use.
    removed_at: Mapped[dt.datetime | None]

    person: Mapped[Person] = relationship(lazy="raise", back_populates="bank_accounts")


class Consent(TimestampMixin, Base):
    """What a person agreed to when their data was collected (SEC-6)."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # e.g. "claims_handling", "policy_service", "customer_care", "marketing"
    purpose: Mapped[str] = mapped_column(String(40))
    # The categories of data covered, comma separated: "identity,contact,medical,bank"
    scope: Mapped[str] = mapped_column(String(200))
    # How consent was given: "written", "online_click", "phone_recorded", "sms_code"
    method: Mapped[str] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(Text)
    granted_at: Mapped[dt.datetime]
    withdrawn_at: Mapped[dt.datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person] = relationship(lazy="raise", back_populates="consents")
