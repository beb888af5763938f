"""Staff report of a claim taken by phone, at the counter or by an agent (CLM-R1..R4):
find the policy (by its number, or by the insured's ID number and the date of loss),
choose the coverages the loss concerns, record what happened. The report goes through
the same intake service as /api/v1/claims; customers report on the portal instead."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.errors import (
    PolicyAmbiguous,
    PolicyAmbiguousOutsidePeriod,
    PolicyNotFoundForReport,
)
from claimdesk.claims.intake import report
from claimdesk.claims.schemas import ReportCreate
from claimdesk.code_labels import LOSS_CAUSES
from claimdesk.deps import DB, require
from claimdesk.errors import ClaimdeskError, ValidationFailed
from claimdesk.formatting import local_date, name_in
from claimdesk.i18n import current_language
from claimdesk.web.kit import Refusal, SubmittedForm, attempt, language_of, local_today, render

router = APIRouter()
Reporter = Annotated[Principal, Depends(require(Permission.CLAIMS_REPORT))]

# The channels staff take reports on (CLM-R1; the app is the customer's own), msgids.
STAFF_CHANNELS = (
    ("hotline", "Hotline"),
    ("branch_counter", "Branch counter"),
    ("agent", "Sales agent"),
    ("website", "Website"),
)
RELATIONSHIPS = (
    ("self", "The insured themself"),
    ("spouse", "Spouse"),
    ("parent", "Father or mother"),
    ("child", "Child"),
    ("other", "Other"),
)
TEXT_FIELDS = (
    "channel",
    "policy_number",
    "insured_id_number",
    "loss_date",
    "loss_at",
    "received_at",
    "claimant_name",
    "claimant_relationship",
    "contact_phone",
    "loss_place",
    "loss_cause",
    "loss_overview",
    "estimated_amount",
    "casualties",
)
# 报案人 when someone else calls or comes for the claimant (CLM-R1): all empty, the
# claimant reported.
REPORTER_FIELDS = ("reporter_name", "reporter_relationship", "reporter_phone")


def _local(value: str) -> str | None:
    """A datetime-local value (Beijing time) as an aware instant."""
    return f"{value}:00+08:00" if value and len(value) == 16 else (value or None)


def _found(db: Session, policy: Any, loss_date: dt.date | None) -> dict[str, Any]:
    version = report.product_of(db, policy)
    # A loss outside the policy's period is reported all the same, and flagged: the
    # reporter is told before entering it (CLM-R2, report.LossOutsidePeriod).
    outside = report.loss_outside_cover(policy, loss_date) if loss_date is not None else None
    return {
        "number": policy.number,
        "product": name_in(version.product),
        # As people write dates (2026年1月1日), in the page's language (it printed ISO).
        "period": f"{local_date(policy.period_start)} — {local_date(policy.period_end)}",
        "coverages": [
            (c.code, name_in(c)) for c in sorted(version.coverages, key=lambda c: c.position)
        ],
        "outside": outside.message(current_language.get()) if outside is not None else None,
    }


def _lookup(
    db: Session, actor: Principal, values: dict[str, str]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The policy the report is about and its coverages (CLM-R2) — or, when the
    insured's ID number finds several in force on the date of loss (or, none being in
    force, several as near to it: report.policies_for_report), those to choose from.
    Refusals (a number failing GB 11643, nothing found) are raised."""
    if not values.get("policy_number") and not values.get("loss_date"):
        raise ValidationFailed(field="loss_date")
    loss_date = dt.date.fromisoformat(values["loss_date"]) if values.get("loss_date") else None
    if values.get("policy_number") or not values.get("insured_id_number"):
        data = report.ReportIn(
            channel="hotline",
            loss_date=loss_date or local_today(),
            loss_place="-",
            loss_cause="other",
            loss_overview="-",
            claimant_name="-",
            policy_number=values.get("policy_number") or None,
        )
        return _found(db, report.find_policy(db, actor=actor, data=data), loss_date), []
    assert loss_date is not None
    candidates = report.policies_for_report(
        db, actor=actor, id_number=values["insured_id_number"], loss_date=loss_date
    )
    if not candidates:
        raise PolicyNotFoundForReport(field="insured_id_number")
    if len(candidates) == 1:
        return _found(db, candidates[0], loss_date), []
    return None, [_found(db, policy, loss_date) for policy in candidates]


def _page(
    request: Request,
    db: Session,
    actor: Principal,
    values: dict[str, str],
    chosen: list[str],
    *,
    error: dict[str, Any] | None = None,
    status_code: int = 200,
    reported: str | None = None,
) -> Response:

    found: dict[str, Any] | None = None
    choices: list[dict[str, Any]] = []
    if values.get("policy_number") or (values.get("insured_id_number") and values.get("loss_date")):
        try:
            found, choices = _lookup(db, actor, values)
        except (ClaimdeskError, ValueError) as exc:
            found = None
            if error is None and isinstance(exc, ClaimdeskError):
                error = exc.to_dict(language_of(request))
    if choices and error is None:
        ambiguous = PolicyAmbiguousOutsidePeriod if choices[0]["outside"] else PolicyAmbiguous
        error = ambiguous(field="insured_id_number").to_dict(language_of(request))
    return render(
        request,
        "claims/report.html",
        status_code=status_code,
        values=values,
        chosen=chosen,
        found=found,
        choices=choices,
        error=error,
        channels=STAFF_CHANNELS,
        relationships=RELATIONSHIPS,
        causes=LOSS_CAUSES,
        reported=reported,
    )


@router.get("/claims/new")
def report_form(request: Request, db: DB, principal: Reporter) -> Response:
    if principal.is_customer:
        return RedirectResponse("/portal/report", status_code=303)
    current_language.set(language_of(request))
    return _page(
        request, db, principal, {"channel": "hotline", "claimant_relationship": "self"}, []
    )


def _body(values: dict[str, str], chosen: list[str], group: bool) -> ReportCreate:
    data: dict[str, Any] = {k: (values.get(k) or None) for k in TEXT_FIELDS}
    data["loss_at"] = _local(values.get("loss_at", ""))
    data["received_at"] = _local(values.get("received_at", ""))
    data["casualties"] = values.get("casualties") or 0
    data["claimant_relationship"] = values.get("claimant_relationship") or "self"
    data["group_incident"] = group
    data["coverage_codes"] = chosen
    if any(values.get(name) for name in REPORTER_FIELDS):
        data["reporter"] = {
            "name": values.get("reporter_name") or None,
            "relationship": values.get("reporter_relationship") or None,
            "phone": values.get("reporter_phone") or None,
        }
    return ReportCreate.model_validate(data)


@router.post("/claims/new")
def report_submit(
    request: Request,
    form: SubmittedForm,
    db: DB,
    principal: Reporter,
    find: Annotated[bool, Query()] = False,
) -> Response:
    if principal.is_customer:
        return RedirectResponse("/portal/report", status_code=303)
    language = language_of(request)
    current_language.set(language)
    values = {k: str(form.get(k) or "").strip() for k in (*TEXT_FIELDS, *REPORTER_FIELDS)}
    if form.get("choose_policy"):
        # One of the policies the ID number found, chosen from the list.
        values["policy_number"] = str(form.get("choose_policy")).strip()[:32]
    chosen = [str(v) for v in form.getlist("coverage_codes") if v]
    if find:
        # Find the policy first: its coverages are then offered (the look-up by ID
        # number is audited like every such read, GEN-5); _page looks it up once.
        try:
            if values.get("loss_date"):
                dt.date.fromisoformat(values["loss_date"])
        except ValueError:
            error = ValidationFailed(field="loss_date").to_dict(language)
            return _page(request, db, principal, values, chosen, error=error)
        if not (values.get("policy_number") or values.get("insured_id_number")):
            error = PolicyNotFoundForReport(field="policy_number").to_dict(language)
            return _page(request, db, principal, values, chosen, error=error)
        return _page(request, db, principal, values, chosen)
    claim = attempt(
        request,
        db,
        lambda: report.report_claim(
            db,
            actor=principal,
            data=report.report_of(_body(values, chosen, bool(form.get("group_incident")))),
        ),
    )
    if isinstance(claim, Refusal):
        return _page(
            request, db, principal, values, chosen, error=claim.error, status_code=claim.status_code
        )
    if principal.has(Permission.CLAIMS_READ):
        return RedirectResponse(f"/claims/{claim.id}?done=report", status_code=303)
    # A sales agent reports (the agent channel) but does not work claims: the number
    # is what they give the customer.
    fresh = {"channel": values["channel"], "claimant_relationship": "self"}
    return _page(request, db, principal, fresh, [], reported=claim.number)
