"""Bills as data (CLM-T1): submit a receipt (and its settlement statement), and turn the
claim's bills into the medical assessment's expense lines (ADJ-MED, CLM-L3).

Services only flush; the request edge commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.bills import repository
from claimdesk.bills.errors import (
    BillCoverageAmbiguous,
    BillCoverageNotMedical,
    BillPayerNotInsured,
    BillsClosed,
    BillsMissing,
    DuplicateReceiptOnClaim,
    TooManyBillLines,
)
from claimdesk.bills.schemas import BillIn, FromBillsIn
from claimdesk.claims import timeutil, workflow
from claimdesk.claims.schemas import AssessmentIn, ExpenseLineIn
from claimdesk.claims.settlement.assessment import record_assessment
from claimdesk.claims.settlement.reserves import claim_coverages
from claimdesk.crypto.indexes import PURPOSE_DIAGNOSIS_GROUP
from claimdesk.crypto.keyring import blind_index
from claimdesk.models.bill import Bill, BillLine
from claimdesk.models.claim import Assessment, Claim
from claimdesk.people import service as people
from claimdesk.rules.adjudication.types import MEDICAL_COVERAGE_TYPES
from claimdesk.rules.bills import (
    SETTLEMENT_AMOUNTS,
    catalog_of,
    check_bill,
    diagnosis_group,
    receipt_key,
    setting_of,
)
from claimdesk.rules.deadlines import local_date

# Bills arrive with the materials, before the assessment; a reopened claim takes more.
BILLABLE_STATES = frozenset(
    {
        workflow.REPORTED,
        workflow.AWAITING_MATERIALS,
        workflow.ACCEPTED,
        workflow.SURVEYED,
        workflow.REOPENED,
    }
)
INVOICE_MATERIAL = "expense_invoices"
MEDICAL = MEDICAL_COVERAGE_TYPES
MAX_LINES = 500  # what one assessment takes (claims.schemas.AssessmentIn.lines)


def takes_bills(*, claim: Claim) -> bool:
    """Whether the claim takes an e-bill now: in a billable state, or held (CLM-F1) from
    one. A hold stops the money, not the evidence: the investigator judges the claim with
    its bills, the customer hands in what was asked for, and a cleared claim resumes with
    its bills there. A claim held after its assessment stays closed to bills, as it was."""
    if claim.state == workflow.SUSPENDED:
        return claim.resume_state in BILLABLE_STATES
    return claim.state in BILLABLE_STATES


def _check_payer(session: Session, claim: Claim, data: BillIn) -> None:
    insured = repository.person_name(session, person_id=claim.insured_person_id)
    if insured is None or not people.same_name(data.receipt.payer.name, insured):
        raise BillPayerNotInsured(field="receipt.payer.name")


def _mark_invoices_received(
    session: Session, *, actor: Principal, claim: Claim, at: dt.datetime
) -> bool:
    """CLM-A1: the e-bill is the expense invoice, received electronically (no paper
    count). Returns whether the checklist item was newly ticked."""
    material = repository.checklist_item(session, claim_id=claim.id, code=INVOICE_MATERIAL)
    if material is None or material.received:
        return False
    material.received = True
    material.received_at = at
    material.received_by_id = actor.user_id
    return True


def _bill_row(
    data: BillIn, *, actor: Principal, claim: Claim, original: str, at: dt.datetime
) -> Bill:
    r, s = data.receipt, data.settlement
    bill = Bill(
        claim_id=claim.id,
        receipt_code=r.receipt_code,
        receipt_number=r.receipt_number,
        receipt_key=receipt_key(r.receipt_code, r.receipt_number),
        issuer_name=r.issuer.name,
        issuer_credit_code=r.issuer.credit_code,
        issue_date=r.issue_date,
        total=r.total,
        settled=s is not None,
        source="customer" if actor.is_customer else "staff",
        submitted_by_id=actor.user_id,
        submitted_at=at,
        auth_method=actor.auth_method,
        original=original,
    )
    if s is not None:
        setl_time = s.setl_time
        if setl_time.tzinfo is None:
            setl_time = setl_time.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
        bill.setl_id = s.setl_id
        bill.setl_time = setl_time
        for name in SETTLEMENT_AMOUNTS:
            setattr(bill, name, getattr(s, name))
        if s.dise_codg is not None and s.med_type is not None:
            # Validated together (rules.bills.check_diagnosis): code, name, medical type.
            bill.dise_codg = s.dise_codg
            bill.dise_name = s.dise_name
            bill.med_type = s.med_type
            bill.dise_group = diagnosis_group(s.dise_codg, s.med_type)
            bill.dise_group_hash = blind_index(bill.dise_group, PURPOSE_DIAGNOSIS_GROUP)
            bill.setting = setting_of(s.med_type)
    bill.lines = [
        BillLine(
            position=index,
            item_code=item.code,
            name=item.name,
            quantity=item.quantity,
            unit_price=item.unit_price,
            amount=item.amount,
            catalog=catalog_of(item),
            self_pay_ratio=item.self_pay_ratio,
            category=item.category,
        )
        for index, item in enumerate(r.items)
    ]
    return bill


def submit_bill(
    session: Session, *, actor: Principal, claim: Claim, data: BillIn, original: str
) -> Bill:
    """Validate every field (GEN-6), refuse the same receipt twice on the claim, store
    the lines and the original, tick the invoices on the checklist (CLM-A1). A claim
    held before its assessment takes the bill too (``takes_bills``): the bill queues a
    checks run on the claim's new data like any other (checks.hooks), whose hits add to
    the hold, and nothing is paid while the hold stands (payments, automatic path)."""
    if not takes_bills(claim=claim):
        raise BillsClosed(state=claim.state)
    at = timeutil.now()
    check_bill(data, today=local_date(at))
    _check_payer(session, claim, data)
    key = receipt_key(data.receipt.receipt_code, data.receipt.receipt_number)
    if repository.on_claim(session, claim_id=claim.id, key=key) is not None:
        raise DuplicateReceiptOnClaim(
            field="receipt.receipt_number",
            receipt_code=data.receipt.receipt_code,
            receipt_number=data.receipt.receipt_number,
        )
    bill = _bill_row(data, actor=actor, claim=claim, original=original, at=at)
    session.add(bill)
    ticked = _mark_invoices_received(session, actor=actor, claim=claim, at=at)
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.bill_submitted",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={
            "bill_id": bill.id,
            "receipt_key": key,
            "total": str(bill.total),
            "lines": len(bill.lines),
            "settled": bill.settled,
            "source": bill.source,
            "auth_method": actor.auth_method,
            "material": INVOICE_MATERIAL if ticked else None,
            "electronic": True,
        },
    )
    return bill


# -- bills → the medical assessment (ADJ-MED) ---------------------------------------------


@dataclass(frozen=True)
class BillExpenses:
    """What the claim's bills give the medical assessment.

    ``social_insurance_paid`` is the fund payment (fund_pay_sumamt) of every settlement
    statement: what social medical insurance reimbursed (ADJ-MED step 2). The personal
    account (acct_pay) is the insured's own money and is not deducted (docs/bills.md)."""

    lines: tuple[ExpenseLineIn, ...]
    settled_with_social_insurance: bool
    social_insurance_paid: Decimal
    bill_ids: tuple[int, ...]


def _line(name: str, code: str, line: BillLine) -> ExpenseLineIn:
    return ExpenseLineIn(
        description=f"{name}（{code}）"[:200],
        amount=line.amount,
        catalog=line.catalog,
        kind=line.category or "",
        self_pay_ratio=line.self_pay_ratio,
    )


def expense_lines_for(session: Session, *, claim: Claim) -> BillExpenses:
    """The claim's bills as the assessment's expense lines: catalogue class, self-pay
    ratio and category from each receipt line; social insurance from the statements."""
    bills = repository.bills_of(session, claim_id=claim.id)
    if not bills:
        raise BillsMissing()
    lines = tuple(_line(line.name, line.item_code, line) for b in bills for line in b.lines)
    if len(lines) > MAX_LINES:
        raise TooManyBillLines(count=len(lines), limit=MAX_LINES)
    fund = sum((b.fund_pay_sumamt or Decimal("0") for b in bills if b.settled), Decimal("0"))
    return BillExpenses(
        lines=lines,
        settled_with_social_insurance=any(b.settled for b in bills),
        social_insurance_paid=fund,
        bill_ids=tuple(b.id for b in bills),
    )


def _removals(
    lines: tuple[ExpenseLineIn, ...], parameters: dict[str, object]
) -> list[ExpenseLineIn]:
    """CLM-L3: lines the product does not cover are removed, each with its reason —
    excluded categories (e.g. cosmetic) and, under social_insurance_only, 丙类 lines.
    The engine would count them 0 anyway; the removal shows the person why."""
    kinds = parameters.get("excluded_kinds")
    excluded = {str(k) for k in kinds} if isinstance(kinds, list) else set()
    scope = parameters.get("scope", "all_necessary")
    out = []
    for line in lines:
        reason = None
        if line.kind and line.kind in excluded:
            reason = f"除外项目类别 {line.kind} / excluded category {line.kind} (CLM-L3)"
        elif scope == "social_insurance_only" and line.catalog == "C":
            reason = (
                "丙类项目不在保障范围（仅限社保目录内）/ class 丙 (C) outside the scope (CLM-L3)"
            )
        out.append(
            line.model_copy(update={"removed": True, "removal_reason": reason}) if reason else line
        )
    return out


def _pick_coverage(
    session: Session, claim: Claim, wanted: str | None
) -> tuple[str, dict[str, object]]:
    coverages = claim_coverages(session, claim)
    medical = [code for code, c in coverages.items() if c.type in MEDICAL]
    if wanted is None:
        if len(medical) != 1:
            raise BillCoverageAmbiguous(field="coverage_code")
        wanted = medical[0]
    coverage = coverages.get(wanted)
    if coverage is not None and coverage.type not in MEDICAL:
        raise BillCoverageNotMedical(field="coverage_code")
    # An unknown code is refused by the assessment itself (UnknownCoverage).
    return wanted, dict(coverage.parameters) if coverage is not None else {}


def assessment_input(
    session: Session, *, claim: Claim, coverage_code: str | None, other_compensation: Decimal
) -> tuple[AssessmentIn, BillExpenses]:
    """The medical assessment the bills make, as if typed into POST /assessments, and
    the bills' figures it came from."""
    code, parameters = _pick_coverage(session, claim, coverage_code)
    expenses = expense_lines_for(session, claim=claim)
    payload = AssessmentIn(
        coverage_code=code,
        lines=_removals(expenses.lines, parameters),
        settled_with_social_insurance=expenses.settled_with_social_insurance,
        social_insurance_paid=expenses.social_insurance_paid,
        other_compensation=other_compensation,
    )
    return payload, expenses


def assess_from_bills(
    session: Session, *, actor: Principal, claim: Claim, data: FromBillsIn
) -> tuple[Assessment, AssessmentIn, BillExpenses]:
    """The assessor's assessment made from the bills (CLM-T1): nobody types the lines.
    The usual assessment service records it (state, CLM-Z1, audit), then the audit
    notes which bills it came from."""
    payload, expenses = assessment_input(
        session,
        claim=claim,
        coverage_code=data.coverage_code,
        other_compensation=data.other_compensation,
    )
    assessment = record_assessment(session, actor=actor, claim=claim, data=payload)
    record(
        session,
        actor=actor,
        action="claim.assessed_from_bills",
        entity_type="claim",
        entity_id=claim.id,
        details={
            "assessment_id": assessment.id,
            "bill_ids": list(expenses.bill_ids),
            "social_insurance_paid": str(payload.social_insurance_paid),
        },
    )
    return assessment, payload, expenses


def bills_of(session: Session, *, claim_id: int) -> list[Bill]:
    """The claim's bills with their lines (the bills pages and the automatic path's view)."""
    return repository.bills_of(session, claim_id=claim_id)
