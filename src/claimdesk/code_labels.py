"""The words a person reads for the stored codes that pages list and refusals name
(GEN-6, issue 12 "no raw codes").

One table per closed list, code → English msgid (translated through the Babel
catalogues like every page label), and the other codes the pages show. The tables are
complete here: the pages' labels (``claimdesk.web.labels``) read them as they are, and
a process that never imports the web layer (the worker, the CLI) names codes in the same
words — a domain error that names allowed values — "the product is sold
through 直销、银行 only" — says them with the same words (``code_list``): the customer
portal, the staff lists and the refusals cannot drift apart. An unknown code is shown as
it is.

The states of every entity with a life (``claimdesk.models.states``) have a table each,
keyed by the enum (``STATE_TABLES``, ``state_label``): a code shared by two lists may
mean two things — a claim "decided" has nothing to pay, a complaint "decided" is
answered; an agent "suspended" is no fraud hold — so a state is never looked up in the
flat table. Imports nothing of the app but the catalogues and the state enums.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, ClassVar

from claimdesk.i18n import gettext
from claimdesk.models.states import (
    CallbackState,
    ClaimDisputeState,
    ClaimState,
    ClockClosedReason,
    ComplaintState,
    FraudFlagState,
    ImprovementActionState,
    MassEventState,
    PaymentBatchState,
    PaymentState,
    PolicyChangeState,
    PolicyDisputeState,
    PolicyState,
    ProductVersionState,
    ReviewRoundState,
    SalesAgentState,
    SecurityIncidentState,
    ServiceRecordState,
)

# What a complaint is about (SVC-3): the portal's choice, the desk's lists, the service
# dashboard's breakdown by cause. Each msgid says the cause as the customer and the desk
# both read it.
COMPLAINT_CAUSES: dict[str, str] = {
    "attitude": "Attitude of staff",
    "delay": "Slow handling",
    "claim_amount": "Amount paid",
    "claim_rejection": "Claim rejected",
    "misleading_sales": "Misleading sales",
    "policy_terms": "Policy terms",
    "fees": "Fees",
    "process": "Service process",
    "other": "Other",
}

# The sales channel a policy was sold through (POL-1) and a product may be limited to
# (PRD-6).
POLICY_CHANNELS: dict[str, str] = {
    "direct": "Direct",
    "agency": "Agency",
    "bank": "Bank",
    "securities": "Securities firm",
    "internet": "Internet",
    "phone": "Phone",
    "other": "Other",
}

# The channel a consultation, request or complaint came in on (SVC-1, SVC-3).
CONTACT_CHANNELS: dict[str, str] = {
    "branch": "Branch",
    "web_app": "Website / app",
    "phone": "Phone",
    "email": "Email",
    "sms": "SMS",
}

# The paths a claim dispute takes (CLM-Z3) — small: re-review or negotiation; large:
# mediation, arbitration or court — and how it ends.
DISPUTE_PATHS: dict[str, str] = {
    "re_review": "Re-review",
    "negotiation": "Negotiation",
    "association_mediation": "Mediation by the insurance association",
    "regulator_mediation": "Mediation by the regulator",
    "arbitration": "Arbitration",
    "court": "Court",
}
DISPUTE_OUTCOMES: dict[str, str] = {
    "upheld": "Upheld",
    "partly_upheld": "Partly upheld",
    "dismissed": "Dismissed",
    "settled": "Settled",
    "withdrawn": "Withdrawn by the customer",
}

# How a sales channel sells (SAL-*): its kind.
SALES_CHANNEL_KINDS: dict[str, str] = {
    "direct_team": "Direct sales team",
    "agency": "Agency",
    "bank": "Bank",
    "securities_firm": "Securities firm",
    "internet": "Internet",
    "other": "Other",
}

# Why a payment will be late, as the customer's delay notice says it (CLM-P4: a remote
# case, holidays ...). The customer reads the category in words, never the staff's note;
# each msgid also reads inside the notice's sentence (赔款将晚于通常时间支付（节假日）).
PAYMENT_DELAY_REASONS: dict[str, str] = {
    "remote_case": "Remote case, handled with another branch",
    "holidays": "Public holidays",
    "bank_processing": "Bank processing time",
    "account_check": "The payee's account is being checked",
    "other": "Other reasons",
}


# Why a cash/offline hand-over did not happen (CLM-P3), as the cancellation message says
# it to the customer — the officer's own note stays internal. Read inside its sentence too
# (赔款 ¥1,500.00 未能完成交付（收款人未按约领取）).
CASH_CANCEL_REASONS: dict[str, str] = {
    "not_collected": "The payee did not come to collect it as arranged",
    "identity_not_verified": "The payee's identity could not be verified",
    "payee_asked_transfer": "The payee asked to be paid by transfer instead",
    "other": "Other reasons",
}


def payment_delay_reason(code: str, language: str) -> str:
    """A payment delay's category in words in ``language``; an unknown code as it is."""
    msgid = PAYMENT_DELAY_REASONS.get(code)
    return gettext(msgid, language) if msgid else code


def cash_cancel_reason(code: str, language: str) -> str:
    """Why a cash hand-over did not happen, in words in ``language``; unknown: as it is."""
    msgid = CASH_CANCEL_REASONS.get(code)
    return gettext(msgid, language) if msgid else code


# The states of a claim (SPEC section 3) as the workbench, the claim page and every list
# of claims show them, and the lines of business a claim is of.
CLAIM_STATES: dict[str, str] = {
    "reported": "Reported",
    "awaiting_materials": "Awaiting materials",
    "accepted": "Accepted",
    "surveyed": "Surveyed",
    "assessed": "Assessed",
    "adjusted": "Adjusted",
    "in_review": "In review",
    "approved": "Approved",
    "rejected": "Rejected",
    "paid": "Paid",
    "decided": "Decided, nothing to pay",
    "closed": "Closed",
    "suspended": "Suspended (fraud hold)",
    "withdrawn": "Withdrawn",
    "reopened": "Reopened",
}
# The cause of a loss, not a line of business: "accident" is said "An accident" (意外事故),
# never "Accident" — that msgid is the accident line (意外险), a product, not what happened.
LOSS_CAUSES = (
    ("illness", "Illness"),
    ("accident", "An accident"),
    ("fire", "Fire"),
    ("theft", "Theft"),
    ("water", "Water damage"),
    ("weather", "Weather"),
    ("collision", "Collision"),
    ("liability", "Damage to others"),
    ("other", "Other"),
)


def loss_cause_msgid(code: str) -> str:
    """The English msgid of a stored loss cause (the code itself if unknown)."""
    return dict(LOSS_CAUSES).get(code, code)


# Why the adjustment engine pays nothing (rules.adjudication.types.Reason), in words:
# the claim page, the adjustment report and the automatic path's referrals.
ADJUDICATION_REASONS: dict[str, str] = {
    "waiting_period": "inside the waiting period",
    "not_in_force": "policy not in force",
    "sum_insured_exhausted": "sum insured used up",
    "not_covered": "not covered",
    "coverage_ended": "coverage ended",
    "benefit_exhausted": "benefit used up",
}


CLAIM_LINES: dict[str, str] = {
    "health": "Health",
    "medical": "Medical",
    "critical_illness": "Critical illness",
    "accident": "Accident",
    "property": "Property",
    "liability": "Liability",
}

# Every other entity's states, one table per enum (the words of the list it is in).
STATE_TABLES: dict[type[StrEnum], Mapping[str, str]] = {
    ClaimState: CLAIM_STATES,
    PolicyState: {"in_force": "In force", "terminated": "Terminated"},
    PolicyChangeState: {
        "requested": "Requested",
        "reviewed": "Reviewed",
        "approved": "Change approved",
        "done": "Done",
        "rejected": "Change refused",
    },
    PolicyDisputeState: {
        "applied": "Applied",
        "negotiating": "Negotiating",
        "agreed": "Agreed",
        "arbitration": "Arbitration",
        "court": "Court",
        "decided": "Decided",
        "closed": "Closed",
    },
    ServiceRecordState: {"open": "Open", "answered": "Answered", "closed": "Closed"},
    ComplaintState: {
        "received": "Received",
        "acknowledged": "Acknowledged",
        "decided": "Decided",
        "accepted": "Accepted by the complainant",
        "escalated": "Escalated",
        "archived": "Archived",
    },
    PaymentState: {
        "pending": "Waiting to be sent to the bank",
        "exported": "Sent to the bank",
        "paid": "Paid",
        "failed": "Failed",
        # CLM-P3: a cash/offline payment not handed over.
        "cancelled": "Cancelled (not handed over)",
    },
    PaymentBatchState: {"exported": "Sent to the bank", "confirmed": "Confirmed"},
    SecurityIncidentState: {
        "reported": "Incident reported",
        "contained": "Contained",
        "root_caused": "Root cause found",
        "corrected": "Corrected",
        "reviewed": "Reviewed (closed)",
    },
    ClaimDisputeState: {
        "open": "Open",
        "answered": "Answered",
        "in_progress": "In progress",
        "resolved": "Resolved",
    },
    MassEventState: {"active": "Active", "closed": "Closed"},
    ProductVersionState: {"draft": "Draft", "published": "Published", "retired": "Retired"},
    ReviewRoundState: {
        "open": "Open",
        "approved": "Approved",
        "rejected": "Rejected",
        "returned": "Returned to adjustment",
    },
    SalesAgentState: {"active": "Active", "suspended": "Suspended"},
    ImprovementActionState: {"open": "Open", "done": "Done"},
    FraudFlagState: {"open": "Open", "cleared": "Cleared", "confirmed": "Confirmed"},
    CallbackState: {"open": "Open", "done": "Done"},
    # Why a deadline clock stopped (GEN-7): only a completed one is met or missed.
    ClockClosedReason: {
        "completed": "Closed: step done",
        "reassigned": "Closed: reassigned",
        "cancelled": "Closed: nothing owed any more",
    },
}
# The same tables by the kind of record, as a page names it: {{ state("complaint", c.status) }}.
STATE_KINDS: dict[str, type[StrEnum]] = {
    "claim": ClaimState,
    "policy": PolicyState,
    "policy_change": PolicyChangeState,
    "policy_dispute": PolicyDisputeState,
    "service_record": ServiceRecordState,
    "complaint": ComplaintState,
    "payment": PaymentState,
    "payment_batch": PaymentBatchState,
    "security_incident": SecurityIncidentState,
    "claim_dispute": ClaimDisputeState,
    "mass_event": MassEventState,
    "product_version": ProductVersionState,
    "review_round": ReviewRoundState,
    "sales_agent": SalesAgentState,
    "improvement_action": ImprovementActionState,
    "fraud_flag": FraudFlagState,
    "callback": CallbackState,
    "clock_closed_reason": ClockClosedReason,
}


def state_msgid(kind: str | type[StrEnum], code: object) -> str | None:
    """The msgid of a state in its own list (``kind``: the enum or its kind of record);
    None for a code the list does not have."""
    enum = STATE_KINDS[kind] if isinstance(kind, str) else kind
    return STATE_TABLES[enum].get("" if code is None else str(code))


def state_label(kind: str | type[StrEnum], code: object, language: str) -> str:
    """A state in words in ``language``, in the words of its own list ("decided": a
    claim's 已核定，无需支付, a complaint's 已决定); an unknown code as it is."""
    msgid = state_msgid(kind, code)
    return gettext(msgid, language) if msgid else ("" if code is None else str(code))


# The other codes the pages and the refusals show — states, lines, clocks, parameters,
# a product's refund rule (a pydantic ``literal_error`` names it) — English msgids
# translated in admin.po and stp.po. They live here, not in the web layer, so a
# process that never imports the pages (the worker, the CLI) says a refused code in
# the same words (``code_list``); ``claimdesk.web.labels`` reads them.
LABELS: dict[str, str] = {
    # claim lines and states
    "health": "Health",
    "accident": "Accident",
    "property": "Property",
    "liability": "Liability",
    "life": "Life",
    "reported": "Reported",
    "accepted": "Accepted",
    "surveyed": "Surveyed",
    "assessed": "Assessed",
    "adjusted": "Adjusted",
    "in_review": "In review",
    "approved": "Approved",
    "rejected": "Rejected",
    "paid": "Paid",
    "closed": "Closed",
    "awaiting_materials": "Awaiting materials",
    "suspended": "Suspended (fraud hold)",
    "withdrawn": "Withdrawn",
    "reopened": "Reopened",
    # rejection grounds
    "non_disclosure": "Non-disclosure",
    "exclusion": "Exclusion",
    "not_covered": "Not covered",
    "fraud": "Fraud",
    "unspecified": "Unspecified",
    # clocks
    "claim.report_entry": "Report entry (1 h)",
    "claim.review": "Review (3 working days)",
    "claim.determination": "Determination (30 days)",
    "claim.survey_contact": "Survey contact (1 h)",
    "claim.survey_report": "Survey report (24 h)",
    "claim.advance_payment": "Advance payment (60 days)",
    "claim.rejection_notice": "Rejection notice (3 days)",
    "claim.payment_small": "Small payment (24 h)",
    "claim.payment_working": "Payment (5 working days)",
    "claim.payment_agreement": "Payment after agreement (10 days)",
    "claim.callback": "Callback (3 working days)",
    "claim.rejection_callback": "Rejection callback (3 working days)",
    "claim_dispute.response": "Claim dispute answer (2 h)",
    "service.consultation_answer": "Consultation answer (2 h)",
    "complaint.acknowledgement": "Complaint acknowledgement (24 h)",
    # The earlier of the two 15-day rules (SVC-3; service.service.BASIS_DECISION).
    "complaint.decision": "Complaint decision (15 working days or 15 days, the earlier)",
    # A complaint about a claim is answered as a dispute is (CLM-Z3), on a clock of its
    # own: the scorecard counts the two apart, so they are named apart.
    "complaint.claim_response": "Claims complaint answer (2 h)",
    # complaints: the causes as the portal offers them too (one label set, SVC-3)
    **COMPLAINT_CAUSES,
    # 投保人与被保险人关系 (the insured is the policyholder's ...)
    "self": "Self (the same person)",
    "spouse": "Spouse",
    "child": "Child",
    "parent": "Father or mother",
    "service": "Service",
    "claims": "Claims",
    "sales": "Sales",
    "product": "Product",
    "policy_service": "Policy service",
    # how a consent was given (people.schemas.ConsentMethod)
    "written": "Signed in writing",
    "online_click": "Online, by click",
    "phone_recorded": "By phone, recorded",
    "sms_code": "By SMS code",
    "received": "Received",
    "acknowledged": "Acknowledged",
    "decided": "Decided",
    "escalated": "Escalated",
    "archived": "Archived",
    "open": "Open",
    "answered": "Answered",
    "upheld": "Upheld",
    "partially_upheld": "Partially upheld",
    "mediation": "Mediation",
    "regulator": "Regulator",
    "arbitration": "Arbitration",
    "court": "Court",
    # channels (of a contact, and of a claim's report: CLM-R1)
    "hotline": "Hotline",
    "app": "App",
    "website": "Website",
    "branch_counter": "Branch counter",
    **CONTACT_CHANNELS,
    # service types and satisfaction dimensions
    "consultation": "Product consultation",
    "application_help": "Application help",
    "policy_change": "Policy change",
    "policy_renewal": "Policy renewal",
    "policy_termination": "Policy termination",
    "claims_help": "Claims help",
    "health_consultation": "Health consultation",
    "emergency_rescue": "Emergency rescue",
    "health_management": "Health management",
    "speed": "Response speed",
    "result": "Result",
    "value_added": "Value-added services",
    "claim": "Claim",
    "callback": "Callback",
    "service_record": "Service contact",
    # where a satisfaction survey came from
    "phone_interview": "Phone interview",
    "third_party": "Third-party survey",
    # dataset columns
    "line": "Line",
    "state": "State",
    # How many times claims stayed in a state and left it (not claims: a claim can
    # come back to a state).
    "stays": "Stays",
    "average_hours": "Average hours",
    "max_hours": "Longest (hours)",
    "clock": "Time limit",
    "governed": "Governed",
    "met": "Met",
    "missed": "Missed",
    "pending": "Pending",
    # Deadline clocks closed in time without their step: not governed, not met (GEN-7).
    "ended_early": "Ended early (reassigned, cancelled)",
    "share_met": "Share met (%)",
    "ground": "Ground",
    "age_days": "Age (days)",
    "outstanding": "Outstanding (CNY)",
    "cause": "Cause",
    "complaints": "Complaints",
    "month": "Month",
    "branch_code": "Branch code",
    "change": "Change",
    "service_type": "Service type",
    "surveys": "Surveys",
}


# Codes shown by the products, policies, sales, events, users and calendar pages; the
# dashboards' table (B) first, these add to it. English msgids, translated in admin.po.
MORE_LABELS: dict[str, str] = {
    "critical_illness": "Critical illness",
    "medical": "Medical",
    "accident_medical": "Accident medical",
    "accident_disability": "Accident disability",
    "accident_death": "Accident death",
    "draft": "Draft",
    "published": "Published",
    "retired": "Retired",
    "pro_rata_days": "Pro rata by days",
    "none": "No refund",
    "in_force": "In force",
    "pending": "Pending",
    "expired": "Expired",
    "terminated": "Terminated",
    "lapsed": "Lapsed",
    "cancelled": "Cancelled",
    "requested": "Requested",
    "reviewed": "Reviewed",
    "completed": "Completed",
    "change": "Change",
    "termination": "Termination",
    "policyholder": "Policyholder",
    "insurer": "Insurer",
    "law": "By law",
    "applied": "Applied",
    "negotiating": "Negotiating",
    "agreed": "Agreed",
    "performed": "Performed",
    "answer": "Answer",
    "agree": "Agreement",
    "complete_formalities": "Formalities completed",
    "decide": "Award or judgment",
    "perform": "Performed the award",
    # a policy's sales channel and a sales channel's kind, as refusals name them too
    **POLICY_CHANNELS,
    **SALES_CHANNEL_KINDS,
    "agent": "Agent",
    "face_to_face": "Face to face",
    "online": "Online",
    "mail_sms": "Mail / SMS",
    "survey": "Survey",
    "mystery_shopping": "Mystery shopping",
    "internal_audit": "Internal audit",
    "data_analysis": "Data analysis",
    "satisfaction": "Satisfaction",
    "service_quality": "Service quality",
    "results": "Results",
    "compliance": "Compliance",
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "active": "Active",
    "suspended_agent": "Suspended",
    "done": "Done",
    "earthquake": "Earthquake",
    "flood": "Flood",
    "typhoon": "Typhoon",
    "fire": "Fire",
    "holiday": "Holiday",
    "workday": "Adjusted working day",
    "package": "Holiday library",
    "administrator": "Administrator",
    "provisional": "Provisional",
    "head_office": "Head office",
    "rule": "Rule",
    "person": "Person",
    "cleared": "Cleared",
    "confirmed": "Confirmed",
    # product parameters (the product version page) and their coded values
    "sum_insured": "Sum insured",
    "deductible": "Deductible",
    "payout_ratio": "Payout ratio",
    "payout_ratio_without_social_insurance": "Payout ratio without social insurance",
    "scope": "Scope of covered expenses",
    "waiting_period_days": "Waiting period (days)",
    "limit": "Limit",
    "deductible_rate": "Deductible rate",
    "valuation": "Valuation of a total loss",
    "depreciation_rate": "Depreciation rate a year",
    "agreed_value": "Agreed value",
    "proportional": "Paid in proportion",
    "excluded_kinds": "Excluded item categories",
    "all_necessary": "Reasonable and necessary medical expenses",
    "social_insurance_only": "Catalogue items of social insurance only",
    "cosmetic": "Cosmetic item",
    "non_necessary_exam": "Examination that was not necessary",
    "diseases": "Diseases",
    "percent": "Percentage",
    "max_times": "Most times payable",
    "mild": "Mild illness",
    "severe": "Severe illness",
    "replacement": "Replacement value",
    "depreciated": "Depreciated value",
    # the demo products' coverage codes and the causes of a loss
    "acc_medical": "Accident medical expenses",
    "ci": "Critical illness benefit",
    "death": "Death benefit",
    "disability": "Disability benefit",
    "illness": "Illness",
    "theft": "Theft",
    "water": "Water damage",
    "weather": "Weather",
    "collision": "Collision",
}


# The straight-through measures (CLM-T4) on the claims dashboard: columns, paths and the
# automatic checks (CLM-F3) by code. English msgids, translated in stp.po.
STP_LABELS: dict[str, str] = {
    "eligible": "Eligible",
    "paid_automatically": "Paid automatically",
    "share_automatic": "Share paid automatically (%)",
    "path": "Path",
    "automatic": "Automatic",
    "manual": "Manual",
    "payments": "Payments",
    "p50_seconds": "Median (seconds)",
    "p95_seconds": "95th percentile (seconds)",
    "check": "Check",
    "hits": "Hits",
    "holds": "Holds",
    "referrals": "Referrals",
    "false_holds": "False holds",
    "confirmed": "Confirmed",
    "false_hold_share": "False holds (%)",
    "duplicate_receipt": "Duplicate receipt",
    "outside_period": "Outside the period or in waiting period",
    "sex_age_mismatch": "Treatment incompatible with sex or age",
    "early_claim": "Claim soon after the start",
    "just_under_limit": "Amounts repeatedly just under a limit",
    "shared_contact": "Shared phone or account across policies",
    "provider_cluster": "Cluster at one provider",
    "claim_frequency": "Claim frequency",
    "amount_outlier": "Amount far outside the usual",
    "sampled": "Sampled",
    "reviewed": "Reviewed",
    "agreed": "Agreed",
    "agreement_rate": "Agreement rate (%)",
}
LABELS.update({k: v for k, v in STP_LABELS.items() if k not in LABELS})

# What a person agreed to (SEC-6; people.schemas ConsentPurpose, DataCategory and
# ConsentMethod), as the portal's "My consents" and the staff read it. Kept out of the flat
# table: the data category "medical" is medical details, the line "medical" is insurance.
CONSENT_PURPOSES: dict[str, str] = {
    "claims_handling": "Handling my claims",
    "policy_service": "Servicing my policies",
    "customer_care": "Customer care messages",
    "marketing": "Offers and marketing",
}
DATA_CATEGORIES: dict[str, str] = {
    "identity": "Identity details",
    "contact": "Contact details",
    "medical": "Medical details",
    "bank": "Bank accounts",
}
CONSENT_METHODS: dict[str, str] = {
    code: LABELS[code] for code in ("written", "online_click", "phone_recorded", "sms_code")
}
# What withdrawing a consent for each purpose means for the customer, said on the
# confirm step before it is done (SEC-6): only what the system does.
CONSENT_WITHDRAWAL_EFFECTS: dict[str, str] = {
    "claims_handling": "We will no longer use the data it covers to handle your claims.",
    "policy_service": "We will no longer use the data it covers to service your policies.",
    "customer_care": "We will no longer send you customer care messages.",
    "marketing": "We will no longer send you offers.",
}
# Said too when the consent is the last one covering bank accounts: the automatic path
# then pays no claim (claims.automatic ``no_bank_consent``) and no account can be added,
# until the customer gives it again (portal 我的授权 → 授权, or staff).
BANK_CONSENT_WITHDRAWAL_EFFECT = (
    "Your claims will no longer be paid automatically, and no payout account can be added, "
    "until you agree again: on this portal (My consents, Give a consent) or with a claims "
    "handler."
)


def consent_word(table: Mapping[str, str], code: object, language: str) -> str:
    """A consent's purpose, data category or method in ``language``; unknown as it is."""
    text = "" if code is None else str(code)
    msgid = table.get(text)
    return gettext(msgid, language) if msgid else text


TABLES: tuple[Mapping[str, str], ...] = (
    COMPLAINT_CAUSES,
    POLICY_CHANNELS,
    CONTACT_CHANNELS,
    SALES_CHANNEL_KINDS,
    DISPUTE_PATHS,
)
# Every code above; a code means the same in every list (tests/test_code_labels.py).
# The closed lists' tables win, then the products' and policies' codes, then the rest
# (as the pages look a code up: kit.label).
CODE_LABELS: dict[str, str] = {
    code: msgid
    for table in (LABELS, MORE_LABELS, *TABLES)  # a later table wins
    for code, msgid in table.items()
}


def code_label(code: object, language: str) -> str:
    """The code in words in ``language`` ("internet" → 互联网 / Internet); an unknown
    code as it is."""
    text = "" if code is None else str(code)
    msgid = CODE_LABELS.get(text)
    return gettext(msgid, language) if msgid else text


# A dataset's column whose name is also a code of another meaning: as a column it heads a
# count or a verdict ("claims" the service kind reads 理赔, the column counts claims;
# "agreed" the dispute state reads 已达成协议, the sample's column counts reviewers who
# agreed with the automatic decision). The dashboards' headers look here first.
COLUMN_LABELS: dict[str, str] = {
    "claims": "Number of claims",
    "agreed": "Agreed with the automatic decision",
}


def column_label(column: str, language: str) -> str:
    """A dataset column's header in words in ``language`` (COLUMN_LABELS, else the
    code's label)."""
    msgid = COLUMN_LABELS.get(column)
    return gettext(msgid, language) if msgid else code_label(column, language)


# A medical expense line's class in the national catalogue (CLM-T1, ADJ-MED), msgids
# (zh-CN 甲类/乙类/丙类): the one label of a class wherever it is shown — the claim page's
# expense table, the assessor's form, the e-bills, the adjustment trace and its PDF.
CATALOG_WORDS = {"A": "Class A (甲)", "B": "Class B (乙)", "C": "Class C (丙)"}


def catalog_class(code: object, language: str | None = None) -> str:
    """An expense line's catalogue class in words — 甲类 / Class A (甲) — or — for none; a
    code outside the catalogue as it is."""
    msgid = CATALOG_WORDS.get(str(code or ""))
    if msgid:
        return gettext(msgid, language)
    return str(code) if code else "—"


def code_list(codes: Iterable[object], language: str) -> str:
    """Codes in words, listed as the language lists them: 直销、银行 / Direct, Bank."""
    separator = "、" if language.lower().startswith("zh") else ", "
    return separator.join(code_label(code, language) for code in codes)


# A major case's reasons (CLM-R4) are stored as the report wrote them ("casualties 3 >=
# 3", "estimated amount 250000.00 > 200000.00", "group incident"; the demo history writes
# "amount"): each names the threshold in force at report time, which a code alone would
# lose. Programs read each reason's stable code (the API's ``major_reason_codes``, in the
# order of ``major_reasons``); people read the reasons in their language. An unknown text
# has the code ``other`` and is shown as stored. (code, stored text, zh-CN, English)
MAJOR_REASON_CODES = ("casualties", "estimated_amount", "group_incident", "other")
_MAJOR_REASONS = (
    (
        "casualties",
        re.compile(r"casualties (?P<n>\d+) >= (?P<limit>\d+)"),
        "伤亡 {n} 人（达到 {limit} 人）",
        "{n} casualties (from {limit})",
    ),
    (
        "estimated_amount",
        re.compile(r"estimated amount (?P<n>[\d.]+) > (?P<limit>[\d.]+)"),
        "估损金额 {n} 元（超过 {limit} 元）",
        "estimated loss CNY {n} (above {limit})",
    ),
    ("group_incident", re.compile(r"group incident"), "群体性事件", "a group incident"),
    (
        "estimated_amount",
        re.compile(r"amount"),
        "估损金额超过重大案件金额",
        "estimated loss above the major-case amount",
    ),
)


def major_reason_code(reason: str) -> str:
    """The stable code of one stored major-case reason (MAJOR_REASON_CODES)."""
    for code, pattern, _zh, _en in _MAJOR_REASONS:
        if pattern.fullmatch(reason):
            return code
    return "other"


def major_reason(reason: str, language: str) -> str:
    """One stored major-case reason in words in ``language``; an unknown one as stored."""
    for _code, pattern, zh, en in _MAJOR_REASONS:
        if found := pattern.fullmatch(reason):
            return (zh if language.lower().startswith("zh") else en).format(**found.groupdict())
    return reason


def major_reasons(reasons: Iterable[str], language: str) -> str:
    """The reasons, listed as the language lists them."""
    separator = "、" if language.lower().startswith("zh") else "; "
    return separator.join(major_reason(r, language) for r in reasons)


class NamesCodes:
    """A mixin for a ``ClaimdeskError`` whose message names the ``allowed`` codes of a
    closed list: a person reads them in words (the codes stay in ``params`` for
    programs). ``allowed`` given as a tuple or list is listed in words; a string (a format
    such as "YYYY-MM") is kept as it is. The refused ``value`` is said in words too when
    it is a code of the list that this case does not allow (``value_is_code``: a channel
    the product is not sold through); a value that is no code of the list is shown as it
    was sent."""

    params: dict[str, Any]
    value_is_code: ClassVar[bool] = False

    def words(self, language: str) -> dict[str, Any]:
        shown = dict(self.params)
        allowed = shown.get("allowed")
        if isinstance(allowed, tuple | list):
            shown["allowed"] = code_list(allowed, language)
        if self.value_is_code and "value" in shown:
            shown["value"] = code_label(shown["value"], language)
        return shown
