"""Pydantic models of the policies API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from claimdesk.clocks.schemas import ClockOut
from claimdesk.people.schemas import ConsentMethod, IdType

Channel = Literal["direct", "agency", "bank", "securities", "internet", "phone", "other"]
Share = Decimal
# 投保人与被保险人关系: the insured is the policyholder's ... (POL-1).
InsuredRelationship = Literal["self", "spouse", "child", "parent", "other"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BeneficiaryIn(_In):
    person_id: int
    relationship: str = Field(min_length=1, max_length=20)
    share: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2)


class PolicyIssueIn(_In):
    product_version_id: int
    policyholder_id: int
    insured_id: int
    # The insured is the policyholder's self | spouse | child | parent | other: required
    # when they are two people; "self" (or nothing) when one.
    insured_relationship: InsuredRelationship | None = None
    # Empty: the legal heirs are the beneficiaries (法定受益人).
    beneficiaries: list[BeneficiaryIn] = Field(default_factory=list, max_length=20)
    period_start: dt.date
    # Defaults to the product's insurance period; when given it must match it.
    period_end: dt.date | None = None
    premium: Decimal = Field(gt=0, max_digits=18, decimal_places=2)
    channel: Channel
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    customer_group: str | None = Field(default=None, min_length=1, max_length=32)
    agent_user_id: int | None = None


class NewPolicyholderIn(_In):
    """变更投保人 (POL-2): who takes the policy over, identified as at issue (POL-1), and
    their own consent (the current holder's is the change's ``customer_consent``)."""

    name: str = Field(min_length=1, max_length=100)
    id_type: IdType = "resident_id"
    id_number: str = Field(min_length=1, max_length=40)
    # A person already registered (found by the ID number) keeps the mobile on record:
    # another one is refused (phone_mismatch), never silently dropped or written over.
    phone: str = Field(
        min_length=1,
        max_length=32,
        description="Mobile number; for a person already registered, the one on record",
    )
    consent: bool = False
    consent_method: ConsentMethod | None = None


class ContactChangeIn(_In):
    """变更联系方式 (POL-2): the policyholder's new contact details, at least one; a field
    left out (or empty) stays as it is."""

    phone: str | None = Field(default=None, max_length=32, description="Mainland mobile")
    email: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=200)


class ChangeIn(_In):
    kind: Literal["change", "termination"]
    description: str = Field(min_length=1, max_length=2000)
    effective_date: dt.date
    customer_consent: bool
    customer_consent_method: str = Field(min_length=1, max_length=40)
    # change: a new beneficiary list (shares add to 100%), and/or the insured's relation
    # to the policyholder set or corrected (投保人与被保险人关系, checked as at issue)
    beneficiaries: list[BeneficiaryIn] | None = Field(default=None, max_length=20)
    insured_relationship: InsuredRelationship | None = None
    # change: a new policyholder (变更投保人); insured_relationship is then the insured's
    # relation to the new holder, required as at issue.
    new_policyholder: NewPolicyholderIn | None = None
    # change: the policyholder's new contact details (变更联系方式; contact.py)
    contact: ContactChangeIn | None = None
    # termination: who ends the contract (POL-3)
    initiator: Literal["policyholder", "insurer", "law"] | None = None


class StepIn(_In):
    """The rejection of a change or termination: ``note`` is the reason for rejecting
    (驳回理由 / Reason for rejection, field_labels.CONTEXT_LABELS)."""

    field_context: ClassVar[str] = "change_rejection"
    note: str | None = Field(default=None, max_length=2000)


class ReviewIn(_In):
    lawful: bool
    note: str = Field(min_length=1, max_length=2000)


class RenewIn(_In):
    product_version_id: int | None = None
    premium: Decimal | None = Field(default=None, gt=0, max_digits=18, decimal_places=2)


class DisputeIn(_In):
    applicant: str = Field(min_length=1, max_length=100)
    description: str = Field(min_length=1, max_length=4000)


class DisputeStepIn(_In):
    action: Literal["answer", "agree", "complete_formalities", "escalate", "decide", "perform"]
    text: str = Field(min_length=1, max_length=4000)
    route: Literal["arbitration", "court"] | None = None
    # When the agreement was reached or the award/judgment took effect; default now.
    at: dt.datetime | None = None


class PartyOut(BaseModel):
    id: int
    name: str


class BeneficiaryOut(BaseModel):
    person_id: int
    name: str
    relationship: str
    share: Decimal


class ProductRef(BaseModel):
    product_id: int
    code: str
    name: str
    name_en: str | None = None
    version_id: int
    version: int


class HolderChangeOut(BaseModel):
    """A change of policyholder: from whom (the holder when it was requested, or the one
    it replaced once done) to whom; ``applied`` once the policy names the new holder,
    from ``switched_at``."""

    old: PartyOut
    new: PartyOut
    applied: bool
    switched_at: dt.datetime | None = None


class ContactChangeOut(BaseModel):
    """A change of contact details as shown (SEC-1: masked for everyone — the values are
    the policyholder's personal data): which fields, the new values masked and, once
    done, the values replaced, masked."""

    person_id: int
    fields: list[str]
    new: dict[str, str]
    before: dict[str, str | None] | None = None


class ChangeOut(BaseModel):
    id: int
    policy_id: int
    kind: str
    status: str
    description: str
    payload: dict[str, object]
    before: dict[str, object] | None
    effective_date: dt.date
    customer_consent: bool
    customer_consent_method: str | None
    requested_at: dt.datetime
    requested_by_id: int | None
    reviewed_at: dt.datetime | None
    reviewed_by_id: int | None
    review_note: str | None
    approved_at: dt.datetime | None
    approved_by_id: int | None
    completed_at: dt.datetime | None
    rejected_reason: str | None
    refund_amount: Decimal | None
    policyholder: HolderChangeOut | None = None
    contact: ContactChangeOut | None = None
    deadlines: list[ClockOut]


class HolderPeriodOut(BaseModel):
    """Who held the policy when (POL-2): ``until`` is the first day they no longer did."""

    person_id: int
    name: str
    held_from: dt.date
    held_until: dt.date | None


class DisputeOut(BaseModel):
    id: int
    policy_id: int
    status: str
    applicant: str
    description: str
    applied_at: dt.datetime
    answer: str | None
    answered_at: dt.datetime | None
    agreement: str | None
    agreed_at: dt.datetime | None
    escalated_at: dt.datetime | None
    decision: str | None
    decision_effective_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome: str | None
    deadlines: list[ClockOut]


class PolicyOut(BaseModel):
    id: int
    number: str
    product: ProductRef
    policyholder: PartyOut
    # Every holder of this term, the first from its start (变更投保人, POL-2).
    policyholders: list[HolderPeriodOut]
    insured: PartyOut
    # None: not recorded (issued before it was asked, two different people).
    insured_relationship: str | None
    beneficiaries: list[BeneficiaryOut]
    legal_heirs_as_beneficiaries: bool
    period_start: dt.date
    period_end: dt.date
    premium: Decimal
    channel: str
    region_code: str | None
    customer_group: str | None
    agent_user_id: int | None
    status: str
    previous_policy_id: int | None
    renewed_by_policy_id: int | None
    # The terms' policy numbers (POL-4), which people name them by; the ids link.
    previous_policy_number: str | None = None
    renewed_by_policy_number: str | None = None
    issued_at: dt.datetime
    org_unit_id: int | None
    terminated_on: dt.date | None
    refund_amount: Decimal | None
    # POL-6: in force (counting renewals) since; incontestable from 2 years later.
    in_force_since: dt.date
    incontestable_from: dt.date
    incontestable: bool
    changes: list[ChangeOut]
    disputes: list[DisputeOut]


class PolicySummary(BaseModel):
    id: int
    number: str
    product_code: str
    version: int
    insured_name: str
    period_start: dt.date
    period_end: dt.date
    status: str
