"""Claims (SPEC section 3, FIN-1): the claim, its materials, survey, assessment,
adjustment, reserves and fraud flags.

The claim's state moves only through ``claims.workflow`` (one explicit table); every
move is a ClaimTransition row and an audit entry.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claimdesk.crypto.indexes import PURPOSE_PHONE, name_index
from claimdesk.crypto.keyring import blind_index
from claimdesk.crypto.types import EncryptedJSON, EncryptedString
from claimdesk.models.base import Base, Ratio, TimestampMixin
from claimdesk.models.person import name_hash_default
from claimdesk.models.states import ClaimState, FraudFlagState, StateType


class ClaimSequence(Base):
    """Per-day counter of report numbers (BA + yyyymmdd + 6 digits, CLM-R3).

    SQLite: the day's row is incremented by one upsert in the reporting transaction.
    PostgreSQL: numbers come from the day's sequence (db.next_daily_value: no lock held
    to commit); this table then only holds numbers issued before, which the day's
    sequence starts above."""

    __tablename__ = "claim_sequences"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Claim(TimestampMixin, Base):
    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    state: Mapped[ClaimState] = mapped_column(
        StateType(ClaimState, 24), default=ClaimState.REPORTED
    )
    # While suspended (fraud hold), the state to return to when cleared.
    resume_state: Mapped[ClaimState | None] = mapped_column(StateType(ClaimState, 24))
    # While awaiting materials asked after acceptance, the state to return to.
    materials_return_state: Mapped[ClaimState | None] = mapped_column(StateType(ClaimState, 24))
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    # The coverage codes of the policy's product version this claim is made under.
    coverage_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    line: Mapped[str] = mapped_column(String(20))  # the product line, for queues and skips
    channel: Mapped[str] = mapped_column(String(20))  # CLM-R1
    insured_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    claimant_name: Mapped[str] = mapped_column(String(100))
    # Keyed hash of the normalised claimant name (search by name, SEC-1; kept below).
    claimant_name_hash: Mapped[str | None] = mapped_column(
        String(64), index=True, default=lambda ctx: name_hash_default(ctx, "claimant_name")
    )
    claimant_relationship: Mapped[str] = mapped_column(String(20), default="self")
    contact_phone: Mapped[str | None] = mapped_column(EncryptedString("claims.contact_phone"))
    # Keyed hash of the contact phone (blind index, SEC-1; kept below): the checks find
    # other claims given the same phone (CLM-F3 shared contact) without decrypting any.
    contact_phone_hash: Mapped[str | None] = mapped_column(
        String(64), index=True, default=lambda ctx: _phone_hash_default(ctx)
    )
    # Who reported it when staff took the report (报案人: the caller on the hotline, the
    # person at the counter; CLM-R1, migration 0049): the claimant unless someone else
    # reported for them. NULL on a customer's own report and on claims before 0049. The
    # agent who took it is ``entered_by_id``. The phone is encrypted (SEC-1).
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_relationship: Mapped[str | None] = mapped_column(String(20))
    reporter_phone: Mapped[str | None] = mapped_column(EncryptedString("claims.reporter_phone"))
    # What happened (CLM-R2).
    loss_date: Mapped[dt.date] = mapped_column(Date)
    loss_at: Mapped[dt.datetime | None]
    loss_place: Mapped[str] = mapped_column(String(200))
    loss_cause: Mapped[str] = mapped_column(String(40))  # illness|accident|fire|theft|water|...
    # Medical and loss details: encrypted at rest (SEC-1, migration 0018).
    loss_overview: Mapped[str] = mapped_column(EncryptedString("claims.loss_overview"))
    estimated_amount: Mapped[Decimal | None]
    casualties: Mapped[int] = mapped_column(Integer, default=0)
    group_incident: Mapped[bool] = mapped_column(Boolean, default=False)
    is_major: Mapped[bool] = mapped_column(Boolean, default=False)
    major_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Received from the customer vs entered into the system (1-hour entry, CLM-R3).
    received_at: Mapped[dt.datetime]
    entered_at: Mapped[dt.datetime]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    surveyor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The fraud investigator a supervisor gave the held claim to (CLM-F1, CLM-F2): the
    # only investigator who adds evidence to it while it is held.
    investigator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    materials_complete_at: Mapped[dt.datetime | None]
    accepted_at: Mapped[dt.datetime | None]
    payable_total: Mapped[Decimal | None]
    # Derived, never set by hand: the earliest due_at of the claim's running, unpaused
    # clocks (NULL when none). Kept by clocks.service on every clock change so the work
    # queue reads one index instead of aggregating clocks per claim.
    next_due_at: Mapped[dt.datetime | None]


Index("ix_claims_state", Claim.state)


def phone_index(value: str | None) -> str | None:
    """The contact phone's keyed hash, as people's phones are hashed (crypto.indexes)."""
    return blind_index(value, PURPOSE_PHONE) if value else None


def _phone_hash_default(context: DefaultExecutionContext) -> str | None:
    """Insert default, so bulk inserts that give only the phone get the hash too."""
    return phone_index(context.get_current_parameters().get("contact_phone"))  # type: ignore[no-untyped-call]


@event.listens_for(Claim.contact_phone, "set")
def _contact_phone_set(target: Claim, value: str | None, _old: Any, _initiator: Any) -> None:
    target.contact_phone_hash = phone_index(value)


@event.listens_for(Claim.claimant_name, "set")
def _claimant_name_set(target: Claim, value: str | None, _old: Any, _initiator: Any) -> None:
    target.claimant_name_hash = name_index(value)


# The states of the handler's work queue: claims.workflow OPEN_STATES + suspended
# (tests/claims/test_queue.py keeps the two equal).
QUEUE_STATES = (
    "reported",
    "awaiting_materials",
    "accepted",
    "surveyed",
    "assessed",
    "adjusted",
    "in_review",
    "approved",
    "reopened",
    "suspended",
)
_QUEUE_PREDICATE = "state IN ({})".format(", ".join(f"'{s}'" for s in QUEUE_STATES))
# The work queue (claims.repository.queue) walks this index in order: open claims by
# next deadline (NULLs last, as btree ASC sorts them), then id. Partial, so the closed
# claims of past years are not in it.
Index(
    "ix_claims_queue",
    Claim.next_due_at,
    Claim.id,
    postgresql_where=text(_QUEUE_PREDICATE),
    sqlite_where=text(_QUEUE_PREDICATE),
)


class ClaimTransition(Base):
    """One move of the workflow (also in the audit trail; kept here for step times, CLM-Q2)."""

    __tablename__ = "claim_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    at: Mapped[dt.datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)


class Material(Base):
    """One checklist item of a claim (CLM-A1) and what is known about it."""

    __tablename__ = "claim_materials"
    __table_args__ = (UniqueConstraint("claim_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    # checklist: from the product (PRD-4); later: became necessary by a later fact.
    origin: Mapped[str] = mapped_column(String(12), default="checklist")
    origin_reason: Mapped[str | None] = mapped_column(Text)
    received: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[dt.datetime | None]
    # Paper originals counted at the counter (材料签收单, CLM-A3).
    paper_count: Mapped[int] = mapped_column(Integer, default=0)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Copy checked against the original by a named staff member (CLM-A2).
    original_checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    original_checked_at: Mapped[dt.datetime | None]
    # Compliance review (CLM-A5): ok | suspected_forgery | not_necessary
    review_result: Mapped[str | None] = mapped_column(String(24))
    review_note: Mapped[str | None] = mapped_column(Text)


class MaterialFile(Base):
    __tablename__ = "claim_material_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    material_code: Mapped[str | None] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(
        String(20), default="material"
    )  # material|evidence|certificate|adjuster_report
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # The key in the file store (claimdesk.storage), not a filesystem path.
    storage_path: Mapped[str] = mapped_column(String(400))
    # The file's own AES-GCM data key, wrapped by the keyring (storage.files, SEC-1).
    data_key: Mapped[str | None] = mapped_column(EncryptedString("claim_material_files.data_key"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime]
    # The identity check of the uploader's session (CLM-A2): "password", "password+sms", ...
    auth_method: Mapped[str] = mapped_column(String(32))


class MissingMaterialsNotice(Base):
    """The one-time notice of CLM-A4 (sequence 1) and any justified supplement."""

    __tablename__ = "claim_materials_notices"
    __table_args__ = (UniqueConstraint("claim_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    items: Mapped[list[str]] = mapped_column(JSON)
    deadline: Mapped[dt.date] = mapped_column(Date)
    sent_at: Mapped[dt.datetime]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Required for a supplement: the later fact that made the items necessary.
    justification: Mapped[str | None] = mapped_column(Text)


class SurveyAssignment(Base):
    __tablename__ = "claim_survey_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    surveyor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[dt.datetime]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    contacted_at: Mapped[dt.datetime | None]
    contact_note: Mapped[str | None] = mapped_column(Text)
    surveyed_at: Mapped[dt.datetime | None]
    # CLM-S2: the survey plan the surveyor was given at assignment (rules.survey_plan
    # items as dicts); NULL on assignments made before plans existed (derived instead).
    plan: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class SurveyReport(Base):
    __tablename__ = "claim_survey_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("claim_survey_assignments.id"))
    surveyed_at: Mapped[dt.datetime]
    place: Mapped[str] = mapped_column(String(200))
    people: Mapped[str] = mapped_column(Text)
    actions: Mapped[str] = mapped_column(Text)
    conclusion: Mapped[str] = mapped_column(Text)
    covered: Mapped[bool] = mapped_column(Boolean)
    cause: Mapped[str] = mapped_column(Text)
    extent: Mapped[str] = mapped_column(Text)
    evidence_file_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    certificate_file_id: Mapped[int | None] = mapped_column(ForeignKey("claim_material_files.id"))
    # CLM-S2: one result per plan item, in plan order: {code, status, note}; an
    # inconsistency keeps its finding in the note. NULL on reports made before plans.
    plan_results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Signature: who, when, and the SHA-256 of the canonical report content.
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_by: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime]
    content_hash: Mapped[str] = mapped_column(String(64))


class Assessment(Base):
    """Assessed facts for one coverage of a claim (CLM-L1..L4); the latest is current."""

    __tablename__ = "claim_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    coverage_code: Mapped[str] = mapped_column(String(32))
    coverage_type: Mapped[str] = mapped_column(String(24))
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    # Facts that are not items: social insurance paid, total-loss values, disease, ...
    # Diagnoses and other medical facts: encrypted at rest (SEC-1).
    facts: Mapped[dict[str, Any]] = mapped_column(
        EncryptedJSON("claim_assessments.facts"), default=dict
    )
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[dt.datetime]
    # External loss adjuster (公估, CLM-L2): report accepted by both sides.
    external_adjuster: Mapped[str | None] = mapped_column(String(100))
    external_report_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim_material_files.id")
    )
    insurer_accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    insurer_accepted_at: Mapped[dt.datetime | None]
    customer_accepted_by: Mapped[str | None] = mapped_column(String(100))
    customer_accepted_at: Mapped[dt.datetime | None]

    items: Mapped[list[AssessmentItem]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AssessmentItem.position"
    )


class AssessmentItem(Base):
    """A medical expense line, a repair cost, or an injury with its grade."""

    __tablename__ = "claim_assessment_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("claim_assessments.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    item_type: Mapped[str] = mapped_column(String(16))  # expense_line | injury
    # Treatments and injuries: encrypted at rest (SEC-1); the API still caps it at 200.
    description: Mapped[str] = mapped_column(EncryptedString("claim_assessment_items.description"))
    amount: Mapped[Decimal | None]
    catalog: Mapped[str | None] = mapped_column(String(1))
    kind: Mapped[str | None] = mapped_column(String(40))
    self_pay_ratio: Mapped[Decimal | None] = mapped_column(Ratio)
    grade: Mapped[int | None] = mapped_column(Integer)
    # CLM-L3: removed lines stay on record with the reason.
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    removal_reason: Mapped[str | None] = mapped_column(Text)


class AdjustmentResult(Base):
    """The engine's result for one coverage, the adjuster's liability statement and
    signature (CLM-C1..C3)."""

    __tablename__ = "claim_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    coverage_code: Mapped[str] = mapped_column(String(32))
    coverage_type: Mapped[str] = mapped_column(String(24))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("claim_assessments.id"))
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    payable: Mapped[Decimal]
    reason: Mapped[str | None] = mapped_column(String(40))
    liability: Mapped[str] = mapped_column(String(12))  # covered | not_covered
    # CLM-C1, covered: the product's liabilities (its coverages' codes) the decision pays
    # under, and the same in words as signed (NULL codes: a decision from before 0046,
    # whose items were free text only).
    covered_item_codes: Mapped[list[str] | None] = mapped_column(JSON)
    covered_items: Mapped[str | None] = mapped_column(Text)
    # The ratio and deductible the calculation applied, from the product's coverage and
    # the assessed facts (liability.stated_terms): medical — the payout ratio applied and
    # the deductible applied this time (what later claims of the policy year count);
    # property/liability — the insured's liability ratio, the absolute deductible and the
    # deductible rate; fixed benefits — the share of the sum insured, deductible 0.
    ratio: Mapped[Decimal | None] = mapped_column(Ratio)
    deductible: Mapped[Decimal | None]
    deductible_rate: Mapped[Decimal | None] = mapped_column(Ratio)
    # CLM-C1, not covered: the written reason, the clause's text and the evidence.
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    rejection_clause: Mapped[str | None] = mapped_column(Text)
    rejection_evidence: Mapped[str | None] = mapped_column(Text)
    # What the coverage already paid before, as read under the policy lock.
    history: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    trace: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_by: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime]


class Reserve(Base):
    """Case reserve per coverage (未决赔款准备金, FIN-1)."""

    __tablename__ = "claim_reserves"
    __table_args__ = (UniqueConstraint("claim_id", "coverage_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    coverage_code: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal]
    set_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class ReserveChange(Base):
    __tablename__ = "claim_reserve_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    reserve_id: Mapped[int] = mapped_column(ForeignKey("claim_reserves.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    before: Mapped[Decimal | None]
    after: Mapped[Decimal]
    stage: Mapped[str] = mapped_column(String(16))  # acceptance|assessment|adjustment|manual
    reason: Mapped[str] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[dt.datetime]


class FraudFlag(Base):
    """A fraud suspicion (CLM-F1): it suspends the claim until cleared or confirmed."""

    __tablename__ = "claim_fraud_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    source: Mapped[str] = mapped_column(String(10))  # rule | person
    rule_code: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    flagged_at: Mapped[dt.datetime]
    status: Mapped[FraudFlagState] = mapped_column(
        StateType(FraudFlagState, 12), default=FraudFlagState.OPEN
    )
    # Insurance Law art. 27: fabricated_event | forged_evidence | exaggerated_loss
    outcome: Mapped[str | None] = mapped_column(String(20))
    exaggerated_amount: Mapped[Decimal | None]
    recovery_amount: Mapped[Decimal | None]
    police_referred: Mapped[bool] = mapped_column(Boolean, default=False)
    police_reference: Mapped[str | None] = mapped_column(String(100))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[dt.datetime | None]
