"""What the claim page shows beyond the API's ClaimOut: the adjustment's calculation as a
readable table (CLM-C3), the survey report, the assessed facts, the fraud flags and the
reserve history — amounts as CNY with two decimals, words in the reader's language."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.claims import deadline_names
from claimdesk.claims.fraud.service import flags_of
from claimdesk.claims.intake.survey import report_of
from claimdesk.claims.settlement import recoveries
from claimdesk.claims.settlement.assessment import MEDICAL, current_assessments
from claimdesk.claims.special import disputes, events, remote
from claimdesk.claims.trace_words import DATES, INPUT_LABELS, MONEY, RATIOS
from claimdesk.code_labels import ADJUDICATION_REASONS, STATE_TABLES, catalog_class
from claimdesk.i18n import _, current_language, gettext
from claimdesk.models.claim import Claim
from claimdesk.models.event import MassEvent
from claimdesk.models.org import OrgUnit
from claimdesk.models.states import CallbackState, FraudFlagState, PaymentState
from claimdesk.models.user import User
from claimdesk.products.coverage_types import TYPE_LABELS
from claimdesk.products.diseases import name_of
from claimdesk.rules import survey_plan
from claimdesk.rules.adjudication.trace import clause_words

CENT = Decimal("0.01")

# Short names of the engine's steps (msgids); the rule in words comes with the trace.
STEP_NAMES = {
    "PERIOD": "Policy in force on the date of loss",
    "NO_POLICY": "No policy period given",
    "WAITING": "Waiting period",
    "ROUND": "Rounding",
    "CLM-L3.REMOVED": "Expense line removed by the assessor",
    "MED.LINE.EXCLUDED": "Expense line: excluded category",
    "MED.LINE.A": "Expense line: Class A (甲)",
    "MED.LINE.B": "Expense line: Class B (乙)",
    "MED.LINE.C": "Expense line: Class C (丙) or self-funded",
    "MED.LINE.ALL": "Expense line: reasonable and necessary",
    "MED.ELIGIBLE": "Eligible expense",
    "MED.NET": "Net expense",
    "MED.DEDUCTIBLE": "Deductible",
    "MED.BASE": "Base",
    "MED.RATIO": "Payout ratio applied",
    "MED.CAP": "Remaining sum insured",
    "MED.NOT_COVERED": "Not covered",
    "CI.ENDED": "Coverage ended",
    "CI.SEVERE": "Severe disease",
    "CI.MILD": "Mild disease",
    "CI.MILD_EXHAUSTED": "Mild benefit used up",
    "CI.NOT_COVERED": "Disease not covered",
    "DIS.GRADE": "Most severe grade",
    "DIS.RAISE": "Grade raised",
    "DIS.PERCENT": "Percentage of the grade",
    "DIS.AMOUNT": "Disability benefit",
    "DIS.CAP": "Remaining sum insured",
    "DTH.AMOUNT": "Death benefit",
    "DTH.CAP": "Remaining sum insured",
    "PRP.REPAIR": "Repair cost",
    "PRP.ACTUAL_VALUE": "Capped at the actual value",
    "PRP.TOTAL.replacement": "Total loss",
    "PRP.TOTAL.depreciated": "Total loss",
    "PRP.TOTAL.agreed": "Total loss",
    "PRP.PROPORTIONAL": "Under-insurance",
    "PRP.PROPORTIONAL_NOT_APPLIED": "Under-insurance",
    "PRP.FORMULA": "Liability ratio and deductibles",
    "PRP.CAP": "Remaining sum insured",
    "LIA.FORMULA": "Liability ratio and deductibles",
    "LIA.CAP": "Limit per occurrence",
}

# The engine's input names (msgids) and how each figure is written live in
# claims.trace_words, shared with the adjustment report PDF.
# Results that are words, not amounts (msgids).
RESULT_WORDS = {
    "in_force": "in force",
    "not_in_force": "not in force",
    "covered": "past the waiting period",  # the figure of a waiting-period step
    "waiting_period": "inside the waiting period",
    "not_covered": "not covered",
    "coverage_ended": "coverage ended",
    "benefit_exhausted": "benefit used up",
    "True": "yes",
    "False": "no",
}
GRADE_RESULTS = frozenset({"DIS.GRADE", "DIS.RAISE"})
RATIO_RESULTS = frozenset({"DIS.PERCENT"})


# Codes stored on records, in words (msgids), per kind of record.
CODE_LABELS: dict[str, dict[str, str]] = {
    "flag_status": dict(STATE_TABLES[FraudFlagState]),
    "fraud_outcome": {
        "fabricated_event": "Fabricated event",
        "forged_evidence": "Forged evidence",
        "exaggerated_loss": "Exaggerated loss",
    },
    "review_result": {
        "ok": "In order",
        "not_necessary": "Not reasonable or necessary",
        "suspected_forgery": "Suspected forgery",
    },
    "purpose": {
        "material": "Claim material",
        "evidence": "Survey evidence",
        "certificate": "Official certificate",
        "adjuster_report": "Loss adjuster's report",
        "authorisation": "Payee authorisation",
        "payment_receipt": "Payee's signed payment confirmation",
    },
    # How the person who uploaded a file had logged in (CLM-A2): a customer's portal
    # session is verified by an SMS code too.
    "auth_method": {"password": "Password", "password+sms": "Password and SMS code"},
    # A tier's review decision (CLM-V1) as the review pages name it — the claim page's
    # list of decisions and the decision form's choices alike, and as the timeline says
    # it (本级核赔通过): "Approve" / "通过" read as a bare verb where a decision is named.
    "decision": {
        "approve": "Approved at this tier",
        "reject": "Rejected at this tier",
        "return": "Returned to adjustment",
    },
    "payment_kind": {"indemnity": "Indemnity", "advance": "Advance"},
    "payment_status": {
        **STATE_TABLES[PaymentState],
        # CLM-P3: a cash/offline payment is handed over, never sent to the bank.
        "offline_pending": "Waiting to be handed over (cash or offline)",
    },
    "payee_basis": {
        "insured": "the insured",
        "beneficiary": "a beneficiary",
        "authorised": "authorised payee",
    },
    "callback_kind": {
        "paid": "After payment",
        "rejected": "After rejection",
        "decided": "After a decision with nothing to pay",
    },
    "callback_status": {
        **STATE_TABLES[CallbackState],
        # What the callback found (its outcome), shown in place of "done".
        "reached": "Customer reached",
        "unreachable": "Not reachable",
    },
    "reserve_stage": {
        "acceptance": "at acceptance",
        "assessment": "at assessment",
        "adjustment": "at adjustment",
        "manual": "revised by hand",
        "payment": "drawn by a payment",
        "closing": "released at closing",
    },
    "reason": dict(ADJUDICATION_REASONS),
}


def code_label(kind: str, code: Any) -> str:
    """A stored code in the reader's words; an unknown code is shown as it is."""
    msgid = CODE_LABELS.get(kind, {}).get(str(code))
    return gettext(msgid) if msgid else str(code)


def money(value: Any) -> str:
    """CNY with two decimals, half-up (GEN-1): '¥1,234.56'; '—' when there is none (the
    one formatter of claimdesk.formatting)."""
    return formatting.money(value)


def ratio(value: Any) -> str:
    try:
        number = Decimal(str(value)) * 100
    except InvalidOperation:
        return str(value)
    return f"{number.normalize():f}%"


def _word(value: str) -> str:
    return gettext(RESULT_WORDS[value]) if value in RESULT_WORDS else value


def _input(name: str, value: str) -> str:
    if value == "":
        return "—"
    if name in MONEY:
        return money(value)
    if name in RATIOS:
        return ratio(value)
    if name in DATES:
        return formatting.local_date(value)
    if name == "line" and value.isdigit():
        return str(int(value) + 1)
    if name == "catalog":
        # 甲类 / Class A (甲), as the expense table and the assessor's form say it.
        return catalog_class(value)
    return _word(value)


def _step_name(code: str) -> str:
    if code in STEP_NAMES:
        return gettext(STEP_NAMES[code])
    tail = code.split(".", 1)[-1]
    return gettext(STEP_NAMES.get(tail, code))


def _result(code: str, figure: str) -> str:
    if figure in RESULT_WORDS or figure == "":
        return _word(figure) if figure else "—"
    if code in GRADE_RESULTS:
        return _("Grade %(grade)s", grade=figure)
    if code in RATIO_RESULTS:
        return ratio(figure)
    return money(figure)


def trace_rows(trace: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """One row per step: its name, the rule in words, inputs and result, the clause."""
    rows = []
    for step in trace:
        code = str(step.get("code", ""))
        inputs = [
            (gettext(INPUT_LABELS.get(name, name)), _input(name, str(value)))
            for name, value in (step.get("inputs") or {}).items()
            if name != "of" and str(value) != ""  # an empty input says nothing
        ]
        rows.append(
            {
                "code": code,
                "name": _step_name(code),
                "rule": step.get("zh") if language == "zh-CN" else step.get("en"),
                "inputs": inputs,
                "result": _result(code, str(step.get("figure", ""))),
                "clause": clause_words(str(step.get("clause", "")), language),
            }
        )
    return rows


# -- survey, assessment, fraud flags, reserves ----------------------------------------------


def survey_view(db: Session, claim: Claim) -> dict[str, Any] | None:
    """The signed survey report and its answers to the survey plan (CLM-S2, CLM-S3)."""

    report = report_of(db, claim.id)
    if report is None:
        return None
    names = {item.code: item.name_en for item in survey_plan.ALL_ITEMS}
    plan = [
        (
            gettext(names.get(str(r.get("code")), str(r.get("code")))),
            gettext(
                survey_plan.STATUS_LABELS.get(str(r.get("status")), ("", str(r.get("status"))))[1]
            ),
            r.get("note"),
        )
        for r in report.plan_results or []
    ]
    return {"report": report, "plan": plan}


def assessment_views(db: Session, claim: Claim) -> list[dict[str, Any]]:

    out = []
    for code, a in current_assessments(db, claim.id).items():
        labels = TYPE_LABELS.get(a.coverage_type, (a.coverage_type, a.coverage_type))
        out.append(
            {
                "coverage_code": code,
                "type_label": labels[0] if _zh() else labels[1],
                "assessed_at": a.assessed_at,
                "facts": _facts(a.facts, medical=a.coverage_type in MEDICAL),
                "lines": [i for i in a.items if i.item_type == "expense_line"],
                "injuries": [i for i in a.items if i.item_type == "injury"],
                "external_adjuster": a.external_adjuster,
                "insurer_accepted_at": a.insurer_accepted_at,
                "customer_accepted_at": a.customer_accepted_at,
                "customer_accepted_by": a.customer_accepted_by,
            }
        )
    return out


FACT_LABELS = {
    "settled_with_social_insurance": "Settled through social insurance",
    "social_insurance_paid": "Paid by social insurance",
    "other_compensation": "Other compensation",
    "disease": "Disease",
    "actual_value": "Actual value",
    "insured_value": "Insured value",
    "liability_ratio": "Liability ratio",
    "damages": "Damages",
    "repair": "Repair",
    "total_loss": "Total loss",
}


def _zh() -> bool:

    return current_language.get() == "zh-CN"


def _fact_text(name: str, value: Any) -> str:
    if isinstance(value, dict):
        # Several facts: "；" between them in Chinese, as kit.words lists a small table.
        return ("；" if _zh() else ", ").join(
            f"{gettext(INPUT_LABELS.get(str(k), str(k)))} {_input(str(k), str(v))}"
            for k, v in value.items()
        )
    if name == "disease":
        return f"{value} {name_of(str(value)) or ''}".strip()
    return _input(name, str(value))


def _facts(facts: dict[str, Any], *, medical: bool) -> list[tuple[str, str]]:
    shown = []
    for name, value in facts.items():
        if name == "settled_with_social_insurance" and not medical:
            # Every assessment stores the flag (False by default); only a medical bill
            # is settled through social insurance — a house fire's read "经社保结算 否".
            continue
        if name == "liability_ratio" and str(value) in ("1", "1.0", "1.000000"):
            continue  # the default: full liability, nothing to say
        if name in ("social_insurance_paid", "other_compensation") and Decimal(str(value)) == 0:
            continue
        shown.append((gettext(FACT_LABELS.get(name, name)), _fact_text(name, value)))
    return shown


def fraud_flags(db: Session, claim: Claim) -> list[Any]:

    return flags_of(db, claim_id=claim.id)


# -- special cases (CLM-Z1..Z3) and recoveries (FIN-2) --------------------------------------

DISPUTE_STATUS = {
    "open": "Waiting for the answer",
    "answered": "Answered",
    "in_progress": "In progress",
    "resolved": "Resolved",
}


def special_view(db: Session, claim: Claim) -> dict[str, Any]:
    """The mass event, the remote designation with its mailings, the disputes, and the
    recoveries of the claim: whatever of these it has."""

    link = events.link_of(db, claim.id)
    event = db.get(MassEvent, link.event_id) if link else None
    designation = remote.remote_of(db, claim.id)
    local = db.get(OrgUnit, designation.local_org_unit_id) if designation else None
    rows = []
    for d in disputes.disputes_of(db, claim.id):
        responder = db.get(User, d.responder_id)
        clock = disputes.response_clock(db, d)
        rows.append(
            {
                "dispute": d,
                "status": gettext(DISPUTE_STATUS.get(d.status, d.status)),
                "responder": responder.display_name if responder else "?",
                "due_at": clock.due_at if clock is not None and d.answered_at is None else None,
            }
        )
    return {
        "event": event,
        "small_loss": bool(link and link.small_loss),
        "local_unit": formatting.name_in(local) if local else None,
        "mailings": remote.mailings_of(db, claim.id),
        "disputes": rows,
        "recoveries": recoveries.recoveries_of(db, claim.id),
        "net_cost": recoveries.net_cost(db, claim.id),
    }


def deadline_words(name: str, basis: str | None, language: str) -> dict[str, str]:
    """What a deadline is for and the rule that made it, in the reader's language (GEN-4):
    the article of law, the service standard or the claims manual, never a SPEC ID."""
    found = deadline_names.name_of(name, basis)
    return {"purpose": found.purpose(language), "basis_text": found.basis(language)}
