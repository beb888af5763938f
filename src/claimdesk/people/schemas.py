"""Pydantic models of the people API. Numbers are masked unless the view was revealed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from claimdesk.models.person import BankAccount, Consent, Person
from claimdesk.rules.identity import mask_account, mask_id_number, mask_phone

IdType = Literal[
    "resident_id", "passport", "hk_macao_permit", "taiwan_permit", "foreign_permanent_resident"
]
ConsentPurpose = Literal["claims_handling", "policy_service", "customer_care", "marketing"]
DataCategory = Literal["identity", "contact", "medical", "bank"]
ConsentMethod = Literal["written", "online_click", "phone_recorded", "sms_code"]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: ConsentPurpose
    scope: list[DataCategory] = Field(min_length=1, max_length=4)
    method: ConsentMethod
    text: str | None = Field(default=None, max_length=4000)


class OwnConsentIn(BaseModel):
    """A consent the customer gives themself (portal, /me): the purpose and the data it
    covers. How it was given is the channel's (``online_click``), and the words agreed
    to are the server's (people.service.OWN_CONSENT_STATEMENT), never the caller's."""

    model_config = ConfigDict(extra="forbid")

    purpose: ConsentPurpose
    scope: list[DataCategory] = Field(min_length=1, max_length=4)


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    id_type: IdType = "resident_id"
    id_number: str = Field(min_length=1, max_length=40)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    birth_date: dt.date | None = None
    address: str | None = Field(default=None, max_length=500)
    medical_notes: str | None = Field(default=None, max_length=4000)
    # Optional here so that the service can refuse with the consent rule (SEC-6).
    consent: ConsentIn | None = None


class BankAccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holder_name: str = Field(min_length=1, max_length=100)
    bank_name: str = Field(min_length=1, max_length=100)
    account_number: str = Field(min_length=1, max_length=40)


class LookupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_number: str | None = Field(default=None, max_length=40)
    phone: str | None = Field(default=None, max_length=32)


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=500)


class RemoveAccountIn(BaseModel):
    """Why a customer removes a payout account (optional, kept on the audit entry)."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=500)


# The language notices are written in for a person who never chose one.
DEFAULT_NOTICE_LANGUAGE = "zh-CN"


class LanguageIn(BaseModel):
    """A customer's notice language: "zh-CN" or "en" (checked by the service, whose
    refusal names the field in both languages)."""

    model_config = ConfigDict(extra="forbid")

    language: str = Field(max_length=20)


class LanguageOut(BaseModel):
    person_id: int
    language: str


class ConsentOut(BaseModel):
    id: int
    purpose: str
    scope: list[str]
    method: str
    text: str | None
    granted_at: dt.datetime
    withdrawn_at: dt.datetime | None
    active: bool


class BankAccountOut(BaseModel):
    id: int
    holder_name: str
    bank_name: str
    account_number: str  # masked (**** **** **** 1234) unless revealed
    account_last4: str
    # When its holder removed it (kept for the payments that name it); None in use.
    removed_at: dt.datetime | None = None


class PersonOut(BaseModel):
    id: int
    name: str
    id_type: str
    id_number: str
    phone: str | None
    email: str | None
    birth_date: dt.date | None
    gender: str | None
    address: str | None
    # The language the person's SMS and portal notices are written in: their choice
    # (PUT /people/{id}/language, /me/language, the portal's switch), else zh-CN.
    preferred_language: str
    medical_notes: str | None  # only when revealed
    has_medical_notes: bool
    revealed: bool
    bank_accounts: list[BankAccountOut]
    consents: list[ConsentOut]


class LookupOut(BaseModel):
    matches: list[PersonOut]


# --- building the output (masking happens here, in one place) -----------------------


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_address(value: str) -> str:
    """Keep the first six characters (province and city, for routing work)."""
    return value[:6] + "****"


def consent_out(consent: Consent) -> ConsentOut:
    return ConsentOut(
        id=consent.id,
        purpose=consent.purpose,
        scope=[p for p in consent.scope.split(",") if p],
        method=consent.method,
        text=consent.text,
        granted_at=consent.granted_at,
        withdrawn_at=consent.withdrawn_at,
        active=consent.withdrawn_at is None,
    )


def bank_account_out(account: BankAccount, *, revealed: bool) -> BankAccountOut:
    number = account.account_number if revealed else mask_account(account.account_last4)
    return BankAccountOut(
        id=account.id,
        holder_name=account.holder_name,
        bank_name=account.bank_name,
        account_number=number,
        account_last4=account.account_last4,
        removed_at=account.removed_at,
    )


def person_out(
    person: Person, *, revealed: bool, bank_accounts: list[BankAccount], consents: list[Consent]
) -> PersonOut:
    def shown(value: str | None, mask: Callable[[str], str]) -> str | None:
        if value is None:
            return None
        return value if revealed else mask(value)

    return PersonOut(
        id=person.id,
        name=person.name,
        id_type=person.id_type,
        id_number=person.id_number if revealed else mask_id_number(person.id_number),
        phone=shown(person.phone, mask_phone),
        email=shown(person.email, mask_email),
        birth_date=person.birth_date,
        gender=person.gender,
        address=shown(person.address, mask_address),
        preferred_language=person.preferred_language or DEFAULT_NOTICE_LANGUAGE,
        medical_notes=person.medical_notes if revealed else None,
        has_medical_notes=bool(person.medical_notes),
        revealed=revealed,
        bank_accounts=[bank_account_out(a, revealed=revealed) for a in bank_accounts],
        consents=[consent_out(c) for c in consents],
    )
