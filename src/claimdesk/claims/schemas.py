"""API shapes of the claims domain (pydantic; money as Decimal, instants aware)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
Fraction = Annotated[Decimal, Field(ge=0, le=1, max_digits=9, decimal_places=6)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Short = Annotated[str, Field(min_length=1, max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Who the reporter is to the insured (the report form's choices).
ReporterRelationship = Literal["self", "spouse", "parent", "child", "other"]


class ReporterIn(_In):
    """报案人: whoever called the hotline or came to the counter for the claimant
    (CLM-R1). Staff only; left out, the claimant reported."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    relationship: ReporterRelationship
    phone: Annotated[str, Field(pattern=r"^1[3-9]\d{9}$")]


class ReportCreate(_In):
    channel: Literal["hotline", "app", "website", "branch_counter", "agent"]
    policy_number: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    insured_id_number: Annotated[str, Field(min_length=6, max_length=32)] | None = None
    claimant_name: Annotated[str, Field(min_length=1, max_length=100)]
    claimant_relationship: Annotated[str, Field(min_length=1, max_length=20)] = "self"
    contact_phone: Annotated[str, Field(pattern=r"^1[3-9]\d{9}$")] | None = None
    loss_date: dt.date
    loss_at: AwareDatetime | None = None
    loss_place: Short
    loss_cause: Literal[
        "illness",
        "accident",
        "fire",
        "theft",
        "water",
        "weather",
        "collision",
        "liability",
        "other",
    ]
    loss_overview: Text
    estimated_amount: Amount | None = None
    casualties: Annotated[int, Field(ge=0, le=100000)] = 0
    group_incident: bool = False
    # At most 20 coverage codes (no product has more); duplicates are dropped (GEN-6).
    coverage_codes: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=20
    )
    received_at: AwareDatetime | None = None
    # Reported by someone other than the claimant (staff; a customer reports for themself).
    reporter: ReporterIn | None = None


class CoveragesIn(_In):
    coverage_codes: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=20
    )
    reason: Annotated[str, Field(max_length=2000)] | None = None


class MaterialReceive(_In):
    code: Annotated[str, Field(min_length=1, max_length=40)]
    count: Annotated[int, Field(ge=1, le=1000)] = 1
    original_checked: bool = False


class MaterialReview(_In):
    code: Annotated[str, Field(min_length=1, max_length=40)]
    result: Literal["ok", "suspected_forgery", "not_necessary"]
    note: Annotated[str, Field(max_length=2000)] | None = None


class NoticeCreate(_In):
    # The first notice lists every missing item by itself; 'items' only checks intent.
    items: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(default_factory=list)


class LaterMaterialsRequest(_In):
    items: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(min_length=1)
    justification: Annotated[str, Field(max_length=2000)] | None = None


class AcceptIn(_In):
    reserves: dict[str, Amount] = Field(default_factory=dict)
    reason: Annotated[str, Field(max_length=2000)] | None = None


class ReserveRevise(_In):
    coverage_code: Annotated[str, Field(min_length=1, max_length=32)]
    amount: Amount
    reason: Text


class AssignIn(_In):
    surveyor_id: int


class ContactIn(_In):
    note: Text


class PlanResultIn(_In):
    """The surveyor's result for one survey plan item (CLM-S2): done / not applicable
    for a check, consistent / inconsistent for a consistency item; not applicable and
    inconsistent need the note (the reason, or the finding)."""

    status: Literal["done", "not_applicable", "consistent", "inconsistent"]
    note: Annotated[str, Field(max_length=2000)] | None = None


class SurveyReportIn(_In):
    surveyed_at: AwareDatetime
    place: Short
    people: Text
    actions: Text
    conclusion: Text
    covered: bool
    cause: Text
    extent: Text
    evidence_file_ids: list[int] = Field(default_factory=list, max_length=100)
    certificate_file_id: int | None = None
    # CLM-S2: one result per item of the claim's survey plan (GET .../survey/plan),
    # keyed by the item's code. Left empty, the first missing item is named
    # (plan.<code>) by the service rather than a bare "field required".
    plan: dict[Annotated[str, Field(min_length=1, max_length=40)], PlanResultIn] = Field(
        default_factory=dict
    )


class SurveyPlanItemOut(BaseModel):
    code: str
    kind: str  # check | consistency
    name_zh: str
    name_en: str
    label_zh: str
    label_en: str
    statuses: list[str]
    spec: str
    # The result of the latest survey report, if any.
    status: str | None = None
    note: str | None = None


class SurveyPlanOut(BaseModel):
    """The survey plan of a claim (CLM-S2): the one given to the surveyor at assignment
    (derived from the line and cause before that), with the report's results."""

    claim_id: int
    line: str
    family: str  # personal | site
    loss_cause: str
    assignment_id: int | None
    report_id: int | None
    items: list[SurveyPlanItemOut]
    inconsistent: list[str]


class ExpenseLineIn(_In):
    description: Short
    amount: Amount
    catalog: Literal["A", "B", "C"] | None = None
    kind: Annotated[str, Field(max_length=40)] = ""
    self_pay_ratio: Fraction | None = None
    removed: bool = False
    removal_reason: Annotated[str, Field(max_length=500)] | None = None


class InjuryIn(_In):
    description: Short
    grade: Annotated[int, Field(ge=1, le=10)]


class RepairIn(_In):
    materials: Amount = Decimal("0")
    labour: Amount = Decimal("0")
    salvage: Amount = Decimal("0")


class TotalLossIn(_In):
    replacement_value: Amount | None = None
    years_in_use: Annotated[int, Field(ge=0, le=200)] = 0


class AssessmentIn(_In):
    coverage_code: Annotated[str, Field(min_length=1, max_length=32)]
    # medical / accident_medical
    lines: list[ExpenseLineIn] = Field(default_factory=list, max_length=500)
    settled_with_social_insurance: bool = False
    social_insurance_paid: Amount = Decimal("0")
    other_compensation: Amount = Decimal("0")
    # critical illness
    disease: Annotated[str, Field(max_length=40)] | None = None
    # disability
    injuries: list[InjuryIn] = Field(default_factory=list, max_length=50)
    # property
    repair: RepairIn | None = None
    total_loss: TotalLossIn | None = None
    actual_value: Amount | None = None
    insured_value: Amount | None = None
    # property and liability
    liability_ratio: Fraction = Decimal("1")
    damages: Amount | None = None
    # CLM-L2 external loss adjuster
    external_adjuster: Annotated[str, Field(max_length=100)] | None = None
    external_report_file_id: int | None = None


class AdjusterAcceptIn(_In):
    side: Literal["insurer", "customer"]
    # For the customer side recorded by staff: the person who accepted (signed form).
    accepted_by: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class AdjustmentIn(_In):
    """The adjuster's liability decision on one coverage (CLM-C1).

    Covered: ``covered_items`` names the product's liabilities (codes of the policy's
    product coverages) the decision pays under, the adjusted coverage among them. The
    ratio and the deductible are the product's and the assessment's: the service states
    them itself; a ``ratio`` or ``deductible`` sent is checked against them. Not covered:
    the written reason, the clause's text and the evidence."""

    coverage_code: Annotated[str, Field(min_length=1, max_length=32)]
    liability: Literal["covered", "not_covered"]
    covered_items: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=20
    )
    ratio: Fraction | None = None
    deductible: Amount | None = None
    rejection_reason: Annotated[str, Field(max_length=4000)] | None = None
    rejection_clause: Annotated[str, Field(max_length=4000)] | None = None
    rejection_evidence: Annotated[str, Field(max_length=4000)] | None = None


class TransitionIn(_In):
    reason: Annotated[str, Field(max_length=2000)] | None = None


class FraudFlagIn(_In):
    description: Text
    rule_code: Annotated[str, Field(max_length=40)] | None = None


class FraudResolveIn(_In):
    outcome: Literal["cleared", "fabricated_event", "forged_evidence", "exaggerated_loss"]
    note: Text
    exaggerated_amount: Amount | None = None
    recovery_amount: Amount | None = None
    police_referred: bool = False
    police_reference: Annotated[str, Field(max_length=100)] | None = None


# -- out ---------------------------------------------------------------------------------


class MaterialOut(BaseModel):
    code: str
    label_zh: str
    label_en: str
    origin: str
    received: bool
    received_at: dt.datetime | None
    paper_count: int
    original_checked_by_id: int | None
    review_result: str | None


class FileOut(BaseModel):
    id: int
    material_code: str | None
    purpose: str
    filename: str
    content_type: str
    size: int
    sha256: str
    auth_method: str
    uploaded_at: dt.datetime


class NoticeOut(BaseModel):
    id: int
    sequence: int
    items: list[str]
    deadline: dt.date
    sent_at: dt.datetime
    justification: str | None


class ReserveOut(BaseModel):
    coverage_code: str
    amount: Decimal


class ReserveChangeOut(BaseModel):
    coverage_code: str
    before: Decimal | None
    after: Decimal
    stage: str
    reason: str
    changed_at: dt.datetime


class AdjustmentOut(BaseModel):
    id: int
    coverage_code: str
    coverage_type: str
    payable: Decimal
    reason: str | None
    liability: str
    # CLM-C1 as stated: covered — the items (codes; [] on a decision from before they
    # were codes) and their words, ratio, deductible, deductible rate; not covered — the
    # reason, the clause and the evidence.
    covered_items: list[str] = Field(default_factory=list)
    covered_items_text: str | None = None
    ratio: Decimal | None = None
    deductible: Decimal | None = None
    deductible_rate: Decimal | None = None
    rejection_reason: str | None = None
    rejection_clause: str | None = None
    rejection_evidence: str | None = None
    signed_by: str
    signed_at: dt.datetime
    history: dict[str, Any]
    trace: list[dict[str, Any]]


class TimelineEntry(BaseModel):
    seq: int
    occurred_at: dt.datetime
    actor: str
    action: str
    reason: str | None
    details: dict[str, Any]


class ClaimSummary(BaseModel):
    id: int
    number: str
    state: str
    line: str
    channel: str
    is_major: bool
    next_due: dt.datetime | None = None


class IntakeFlagOut(BaseModel):
    """Something about the report the handler must see at once, which does not stop it
    being recorded (e.g. a loss dated outside the policy period, CLM-R2)."""

    code: str
    message: str
    details: dict[str, str]


class ReporterOut(BaseModel):
    """Who reported a claim staff took (CLM-R1): the phone masked (SEC-1)."""

    name: str
    relationship: str | None
    phone_masked: str | None


class ClaimOut(BaseModel):
    id: int
    number: str
    state: str
    resume_state: str | None
    policy_id: int
    policy_number: str | None = None
    line: str
    channel: str
    coverage_codes: list[str]
    claimant_name: str
    contact_phone_masked: str | None
    # Staff-taken reports: who reported (the agent who took it is not shown here).
    reporter: ReporterOut | None = None
    loss_date: dt.date
    loss_place: str
    loss_cause: str
    loss_overview: str
    estimated_amount: Decimal | None
    is_major: bool
    # CLM-R4: the stable codes (code_labels.MAJOR_REASON_CODES), one per reason in the
    # order of major_reasons — the texts the report stored with their thresholds, kept
    # as they were for the programs that read them (docs/architecture.md, "Major cases").
    major_reason_codes: list[str] = Field(default_factory=list)
    major_reasons: list[str]
    intake_flags: list[IntakeFlagOut] = Field(default_factory=list)
    received_at: dt.datetime
    entered_at: dt.datetime
    surveyor_id: int | None
    payable_total: Decimal | None
    allowed_actions: list[str]
    checklist: list[MaterialOut]
    files: list[FileOut]
    notices: list[NoticeOut]
    clocks: list[Any]
    reserves: list[ReserveOut]
    reserve_history: list[ReserveChangeOut]
    adjustments: list[AdjustmentOut]
    timeline: list[TimelineEntry]


class ContactPhoneOut(BaseModel):
    """The customer's phone in clear for the assigned surveyor's call (CLM-S1, audited)."""

    phone: str
    tel: str
