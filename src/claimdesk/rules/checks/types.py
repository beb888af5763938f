"""The facts the automatic checks read (CLM-F3): plain frozen dataclasses, no database.

The checks domain (claimdesk.checks.repository) fills them; tests build them by hand.
Contacts arrive as keyed hashes only (SEC-1): a check never sees a clear phone or account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ClaimFacts:
    claim_id: int
    policy_id: int
    insured_id: int
    reported_on: dt.date
    loss_date: dt.date
    # The amount claimed: the bills' total when there are bills, else the estimate.
    amount: Decimal | None = None
    # The loss cause of the report (illness, accident …): the amount check's group when
    # the bills carry no diagnosis, or too few bills share it.
    diagnosis: str | None = None
    # When the claim was reported (duplicate_receipt: which of two claims came first).
    received_at: dt.datetime | None = None
    # A claim of a medical-expense coverage is paid against its bills (e-bills, or paper
    # bills a person assesses): until they arrive its amount is the report's estimate — a
    # guess, not evidence of a bill inflated (the amount checks wait for the bills).
    bills_expected: bool = False


@dataclass(frozen=True)
class PolicyFacts:
    policy_id: int
    start: dt.date
    end: dt.date  # the period's last day, inclusive (a termination may end cover earlier)
    waiting_period_days: int = 0
    # A renewal without a gap carries no new waiting period.
    renewal: bool = False
    # A termination (POL-3) ends cover the day it takes effect (rules.cover).
    terminated_on: dt.date | None = None


@dataclass(frozen=True)
class InsuredFacts:
    person_id: int
    gender: str | None = None  # "M" | "F" (from the resident ID, GB 11643)
    birth_date: dt.date | None = None


@dataclass(frozen=True)
class ReceiptLine:
    line_no: int
    item_code: str | None
    name: str
    amount: Decimal
    quantity: Decimal = Decimal("1")
    # The bill's unit price (None: the amount over the quantity stands in for it).
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class ItemPrice:
    """One earlier bill line of a national item code, on another claim: what the item
    usually costs (amount_outlier's item comparison)."""

    claim_id: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Receipt:
    """A medical e-receipt (医疗收费电子票据) as the bills domain stores it."""

    receipt_id: int
    claim_id: int
    receipt_code: str
    number: str
    issuer: str
    issued_on: dt.date
    total: Decimal
    lines: tuple[ReceiptLine, ...] = ()
    treatment_from: dt.date | None = None
    treatment_to: dt.date | None = None
    # 主诊断 of its settlement statement (ICD-10, as billed) and the group the amount
    # check compares it in: ICD-10 category and setting, "K29:outpatient" (rules.bills).
    diagnosis: str | None = None
    diagnosis_group: str | None = None
    # outpatient | inpatient: from the statement's med_type, else (no statement) from
    # the receipt's own lines — a bed-day or a level of nursing is a stay's
    # (rules.bills.setting_of_lines); ``setting_from`` says which: statement | lines.
    setting: str | None = None
    setting_from: str | None = None


@dataclass(frozen=True)
class LineUse:
    """One receipt line on another claim that looks like one of this claim's lines."""

    claim_id: int
    receipt_id: int
    issuer: str
    issued_on: dt.date
    item_code: str | None
    name: str
    amount: Decimal
    quantity: Decimal = Decimal("1")


@dataclass(frozen=True)
class ContactLink:
    """Another person reached through the same contact as this claim's claimant."""

    kind: str  # "phone" | "bank_account"
    key_hash: str  # keyed hash (HMAC) of the contact, never the clear value
    person_id: int
    claim_ids: tuple[int, ...]  # the other person's claims (none: not a claimant)
    # Is the other person one family with this claimant through the policies: on one
    # policy together, the holder having declared a family relation to the insured
    # (spouse, child, parent; or none recorded), chained — a parent's phone on the
    # separate policies of the children, a child's on the parent's bought for them?
    shares_policy: bool
    # Is the contact registered on the other person's record (their phone, one of their
    # bank accounts) — there before any claim — rather than only given on their claims?
    registered: bool = False
    # A bank account registered on the other person's record in another holder's name
    # than on the claimant's: one account number in two names, which no honest account
    # has (a spouse's account on the wife's record carries the husband's name on both).
    other_holder: bool = False
    # Is the contact registered on the claimant's own record (their phone), rather than
    # only given as this claim's contact phone? With ``registered`` it tells a known
    # person's own number (a household's) from a number on no record (a go-between's).
    claimant_registered: bool = False
    # The other person's family among the people sharing the contact (the smallest
    # person id of it, linked as for ``shares_policy``); None: counted alone. The
    # people of one family count once: an older couple on their child's mobile, the
    # child's policies bought by the child, are one household, not three people.
    family: int | None = None


@dataclass(frozen=True)
class ProviderVisit:
    claim_id: int
    insured_id: int
    provider: str
    on: dt.date
    # Insureds linked to each other (same policy or family) are not "unrelated".
    policy_id: int | None = None


@dataclass(frozen=True)
class PastClaim:
    claim_id: int
    reported_on: dt.date
    amount: Decimal | None
    # The date of the loss (the treatment): what claim_frequency counts by.
    loss_date: dt.date | None = None
    # The diagnosis groups of its receipts (Receipt.diagnosis_group; none: no statement).
    diagnosis_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupVisit:
    """A claim of another insured with a receipt of one diagnosis group, by the date of its
    treatment: how often the patients of that diagnosis are treated (claim_frequency).
    ``named`` False: a claim of theirs naming no diagnosis (no statement, or no bill
    yet) between two that name this one — a visit of their course whose statement is
    missing, when those two are close enough (the rule decides)."""

    claim_id: int
    insured_id: int
    on: dt.date
    named: bool = True


@dataclass(frozen=True)
class CheckInput:
    claim: ClaimFacts
    policy: PolicyFacts
    insured: InsuredFacts
    receipts: tuple[Receipt, ...] = ()
    # Receipts with the same receipt code + number on other claims (any policy).
    same_receipts: tuple[Receipt, ...] = ()
    # Lines of the insured's own other claims (any provider, any day).
    line_uses: tuple[LineUse, ...] = ()
    # Lines of every other claim's receipts from the same provider on the same day as
    # one of this claim's receipts (other insureds' included).
    provider_lines: tuple[LineUse, ...] = ()
    contacts: tuple[ContactLink, ...] = ()
    provider_visits: tuple[ProviderVisit, ...] = ()
    # The insured's other claims (not this one).
    insured_claims: tuple[PastClaim, ...] = ()
    # The insured's other policies (renewals before this one, other products): with this
    # claim's policy, the days the insured was covered — claim_frequency's exposure.
    insured_policies: tuple[PolicyFacts, ...] = ()
    # Per diagnosis group of this claim's receipts, the other insureds' claims of it
    # treated in the year before this claim (the newest, bounded): the visit pattern of
    # the diagnosis, claim_frequency's comparison for a series of one diagnosis.
    diagnosis_visits: Mapping[str, tuple[GroupVisit, ...]] = field(default_factory=dict)
    # Claims per insured-year over the book's last year (treatments / covered days):
    # claim_frequency's prior for an insured with little history. None: no book yet.
    book_rate: Decimal | None = None
    # Amounts of earlier claims of the same line and loss cause (not this one): the
    # amount check's fallback group.
    cause_amounts: tuple[Decimal, ...] = ()
    # Totals of earlier receipts on other claims, per diagnosis group of this claim's
    # receipts (Receipt.diagnosis_group → amounts).
    diagnosis_amounts: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict)
    # The same per setting (outpatient | inpatient) of this claim's receipts.
    setting_amounts: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict)
    # Earlier lines on other claims of each national item code on this claim's receipts
    # (ReceiptLine.item_code → the newest lines, in no order): amount_outlier's item comparison.
    item_prices: Mapping[str, tuple[ItemPrice, ...]] = field(default_factory=dict)
    # The rest of the book around this claim's receipt days (±90 days): per issue date,
    # the other claims with a receipt that day from any provider. provider_cluster
    # takes the book's own surge out of a provider's (a flu wave lifts every provider, a
    # ring lifts one). Empty: unknown (a receipt source without it, a test) — the
    # provider is then judged against its own usual alone.
    book_days: Mapping[dt.date, int] = field(default_factory=dict)
    # When each other claim of same_receipts, line_uses and provider_lines was reported
    # (duplicate_receipt: the original is the claim reported and billed first).
    claims_received: Mapping[int, dt.datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class PeerQuery:
    """Which earlier receipts a receipt's amount is compared with (amount_outlier): those
    of one diagnosis group (rules.bills.diagnosis_group) or of one setting (outpatient |
    inpatient), on other claims received by ``until``, the newest ``limit``."""

    not_claim_id: int
    until: dt.datetime
    limit: int
    group: str | None = None
    setting: str | None = None


@dataclass(frozen=True)
class ItemQuery:
    """Which earlier bill lines a claim's lines are compared with (amount_outlier): those
    of the national item ``codes`` on other claims received by ``until``, the newest
    ``limit`` of each code."""

    not_claim_id: int
    until: dt.datetime
    limit: int
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    code: str
    reason_zh: str
    reason_en: str
    evidence: dict[str, Any] = field(default_factory=dict)
    # Empty: the hit is this claim's. Else it is these other claims' and not this one's:
    # the claims that presented a copy of this claim's receipt later (duplicate_receipt).
    on_claim_ids: tuple[int, ...] = ()
