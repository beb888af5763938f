"""Staff pages of the claims domain: the workbench queue and the claim page.

Everything here calls the domain services the JSON API's routes call (intake, settlement,
fraud, payments), so a page never re-implements a business rule. Each action
of the claim page is a small form (fields + the handler it calls); only the actions the
claim's state allows AND the user's permissions cover are offered (CLM-F2, SEC-4).

The forms live beside this module: page_forms (fields, refusals next to their field),
assess_forms (one fieldset per coverage type), payment_forms (payee, advance, delay),
case_forms (fraud hold, reopen, reserve, uploads, materials, recoveries), special_forms
(mass events, remote claims, disputes); page_views turns the calculation trace and the
other records into what the page shows; report_pages takes a report by phone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import escape
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from claimdesk import formatting
from claimdesk.audit.service import record
from claimdesk.auth import service as users
from claimdesk.auth.permissions import Permission, Role
from claimdesk.auth.principal import Principal
from claimdesk.claims import read, timeutil, workflow
from claimdesk.claims import schemas as cs
from claimdesk.claims.automatic import service as automatic_service
from claimdesk.claims.config import rules
from claimdesk.claims.errors import CertificateRequired
from claimdesk.claims.fraud import service as fraud
from claimdesk.claims.intake import acceptance, survey
from claimdesk.claims.intake.contact import may_reveal_phone
from claimdesk.claims.intake.report import product_of
from claimdesk.claims.intake.survey import plan_of
from claimdesk.claims.read import claim_for, claim_materials
from claimdesk.claims.settlement import adjustment, closing, liability, review
from claimdesk.claims.settlement import assessment as assessment_service
from claimdesk.claims.settlement import read as settlement_read
from claimdesk.claims.settlement import reserves as reserve_service
from claimdesk.claims.settlement.recoveries import RECOVERY_LINES
from claimdesk.claims.settlement.review import refusal_to_decide
from claimdesk.clocks.service import clocks_of_subjects
from claimdesk.code_labels import CLAIM_LINES, CLAIM_STATES
from claimdesk.deps import DB, require
from claimdesk.errors import ClaimdeskError, NotFound
from claimdesk.i18n import _, current_language, gettext
from claimdesk.models.claim import Claim
from claimdesk.models.policy import Policy
from claimdesk.payments import service as pay_service
from claimdesk.payments.schemas import BatchIn, CallbackIn, DecisionBody, SubmitIn
from claimdesk.products.coverage_types import MATERIALS
from claimdesk.rules.survey_plan import STATUS_LABELS, PlanPhotosMissing
from claimdesk.service import service as desk
from claimdesk.validation import describe_validation_error
from claimdesk.web.automatic_view import stp_context
from claimdesk.web.claims import (
    assess_forms,
    case_forms,
    page_views,
    payment_forms,
    sample_forms,
    special_forms,
)
from claimdesk.web.claims.assess_forms import coverage_label
from claimdesk.web.claims.claim_sections import PREVIEWABLE, notes_context
from claimdesk.web.claims.page_forms import (
    CS,
    PS,
    TRIAL,
    UPLOAD_ACCEPT,
    ActionForm,
    ActionNotOffered,
    FormField,
    FormInvalid,
    Handler,
    When,
    error_target,
    groups,
    name_the_field,
    out_of_cover_warning,
    store_file,
    validated,
)
from claimdesk.web.claims.report_pages import router as report_router
from claimdesk.web.kit import SubmittedForm, language_of, paren, render, templates, undo_refused
from claimdesk.web.labels import rule_words

router = APIRouter()
# The staff report page first: its /claims/new must not be read as a claim id.
router.include_router(report_router)

# Form labels may be built in code (_() with parameters) and may hold a "%": the
# templates translate them with this filter, which never %-formats (Jinja's _() does).
templates.env.filters["msg"] = gettext

Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]

# A deadline this close is shown amber; past it, red (the breach job marks it too).
AMBER_WITHIN = dt.timedelta(hours=4)


def urgency(due: dt.datetime | None, now: dt.datetime) -> str:
    """'ok', 'amber' (within AMBER_WITHIN of the deadline) or 'red' (breached)."""
    if due is None:
        return "none"
    if due <= now:
        return "red"
    return "amber" if due - now <= AMBER_WITHIN else "ok"


class Countdown(str):
    """The time left (or overdue) as people say it, in the language of the page being
    rendered: "剩余 3 天 18 小时" / "overdue by 16 days 8 hours" (never "3d 18h")."""

    seconds: int

    def __new__(cls, seconds: int) -> Countdown:
        made = super().__new__(cls, str(seconds))
        made.seconds = seconds
        return made

    def __str__(self) -> str:
        span = formatting.duration(self.seconds)
        if self.seconds < 0:
            return gettext("overdue by %(span)s") % {"span": span}
        return gettext("%(span)s left") % {"span": span}

    def __html__(self) -> str:
        return str(escape(str(self)))


def countdown(due: dt.datetime | None, now: dt.datetime) -> str:
    if due is None:
        return ""
    return Countdown(int((due - now).total_seconds()))


def _service_queue(db: Session, principal: Principal) -> list[dict[str, Any]]:
    """What waits on the service desk, most urgent first, each linked to where it is
    worked: open complaints (SVC-3), consultations not yet answered (SVC-4) and policy
    service requests whose change is still open (POL-2)."""
    if not principal.has(Permission.SERVICE_DESK):
        return []
    now = timeutil.now()  # the claims clock: frozen in tests, as the deadlines are
    out = []
    for complaint in desk.open_complaints(db, actor=principal, limit=100):
        # SVC-3: the earlier of the two rules binds.
        due = min(complaint.working_days_due_at, complaint.days_due_at)
        href = f"/desk/complaints/{complaint.id}"
        out.append(
            _service_row(complaint, "complaint", complaint.complaint_type, href, _utc(due), now)
        )
    records = desk.open_desk_records(db, actor=principal, limit=100)
    answers = clocks_of_subjects(
        db, subject_type="service_record", subject_ids=[r.id for r in records]
    )
    changes = clocks_of_subjects(
        db,
        subject_type="policy_change",
        subject_ids=[r.policy_change_id for r in records if r.policy_change_id],
    )
    for found in records:
        if found.policy_change_id is not None:
            clocks = changes.get(str(found.policy_change_id), [])
            href = f"/admin/policies/{found.policy_id}#change-{found.policy_change_id}"
        else:
            clocks = answers.get(str(found.id), [])
            href = f"/desk/consultations#record-{found.id}"
        running = clocks[-1] if clocks and clocks[-1].stopped_at is None else None
        due_at = _utc(running.due_at) if running is not None else None
        out.append(_service_row(found, "service_record", found.service_type, href, due_at, now))
    out.sort(key=lambda i: (i["due"] is None, i["due"] or now))
    return out


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands instants back naive (stored in UTC).
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _service_row(
    item: Any, state_kind: str, kind: str, href: str, due: dt.datetime | None, now: dt.datetime
) -> dict[str, Any]:
    return {
        "item": item,
        "state_kind": state_kind,  # whose list of states words item.status
        "kind": kind,
        "href": href,
        "due": due,
        "urgency": urgency(due, now),
        "countdown": countdown(due, now),
    }


# -- the claim page --------------------------------------------------------------------


# The form building blocks live in page_forms (shared by the assessment, payment and
# case forms); these names stay importable from here.
_validated = validated


def _reason_only(_db: Session, _claim: Claim) -> list[FormField]:
    return [FormField("reason", "Reason or note", "textarea", limit=f"{CS}:TransitionIn.reason")]


def _submit_reason(_db: Session, _claim: Claim) -> list[FormField]:
    """The reason of a step the payments service takes (SubmitIn: review, close)."""
    return [FormField("reason", "Reason or note", "textarea", limit=f"{PS}:SubmitIn.reason")]


def _accept_fields(db: Session, claim: Claim) -> list[FormField]:
    named = assess_forms.coverage_words(db, claim)
    return [
        FormField(
            f"reserve__{code}",
            _("Case reserve for %(code)s (CNY)", code=named(code)),
            "number",
            required=True,
            step="0.01",
            minimum="0",
            value=str(claim.estimated_amount or ""),
        )
        for code in claim.coverage_codes
    ] + [FormField("reason", "Reason or note", "textarea", limit=f"{CS}:AcceptIn.reason")]


def _accept(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    reserves = {k.split("__", 1)[1]: v for k, v in form.items() if k.startswith("reserve__")}
    body = _validated(cs.AcceptIn, {"reserves": reserves, "reason": form.get("reason") or None})
    acceptance.accept(
        db, actor=p, claim=claim, reserve_amounts=dict(body.reserves), reason=body.reason
    )


def _receive_fields(db: Session, claim: Claim) -> list[FormField]:
    zh = True
    missing = [
        (m.code, MATERIALS.get(m.code, (m.code, m.code))[0 if zh else 1])
        for m in claim_materials(db, claim.id)
        if not m.received
    ]
    return [
        FormField("code", "Material", "select", required=True, options=missing),
        FormField(
            "count", "Number of pages or items", "number", required=True, value="1", minimum="1"
        ),
        FormField("original_checked", "Copy checked against the original", "checkbox"),
    ]


def _receive(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    body = _validated(
        cs.MaterialReceive,
        {
            "code": form.get("code"),
            "count": form.get("count") or 1,
            "original_checked": bool(form.get("original_checked")),
        },
    )
    acceptance.receive_paper(
        db,
        actor=p,
        claim=claim,
        code=body.code,
        count=body.count,
        original_checked=body.original_checked,
    )


def _notice_fields(db: Session, claim: Claim) -> list[FormField]:
    """CLM-A4: before sending, what the customer will receive — every item the one-time
    notice lists, its deadline and the SMS word for word — from the service that builds
    the notice (acceptance.preview_missing_notice, which writes nothing)."""
    try:
        preview = acceptance.preview_missing_notice(db, claim=claim)
    except ClaimdeskError as refused:
        # Sending would be refused the same way: say so before anyone presses the button.
        return [
            FormField(
                "notice_refused",
                "The notice cannot be sent",
                "info",
                value=refused.message(current_language.get()),
            )
        ]
    language = current_language.get()
    recipient = (
        _("SMS to %(phone)s", phone=preview.recipient_masked)
        if preview.recipient_masked
        else _("No contact phone on the claim: sent to the insured's portal messages")
    )
    return [
        FormField(
            "notice_items",
            "Materials the notice asks for",
            "info",
            value="、".join(preview.labels(language))
            if language == "zh-CN"
            else ", ".join(preview.labels(language)),
        ),
        FormField(
            "notice_deadline",
            "Deadline given to the customer",
            "info",
            value=formatting.local_date(preview.deadline, language),
        ),
        FormField("notice_recipient", "Sent as", "info", value=recipient),
        FormField("notice_message", "What the customer reads", "info", value=preview.message),
    ]


def _notice(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    acceptance.send_missing_notice(db, actor=p, claim=claim, requested=[])


def _surveyor_fields(db: Session, claim: Claim) -> list[FormField]:
    # The unit beside the name: a handler gives a claim to a surveyor of the loss's region.
    surveyors = users.staff_with_roles(db, roles=[Role.SURVEYOR.value])
    options = [(str(i), n + (paren(unit) if unit else "")) for i, n, unit in surveyors]
    return [FormField("surveyor_id", "Surveyor", "select", required=True, options=options)]


def _assign(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    body = _validated(cs.AssignIn, {"surveyor_id": form.get("surveyor_id")})
    survey.assign(db, actor=p, claim=claim, surveyor_id=body.surveyor_id)


def _contact(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    body = _validated(cs.ContactIn, {"note": form.get("note")})
    survey.record_contact(db, actor=p, claim=claim, note=body.note)


def _survey_fields(db: Session, claim: Claim) -> list[FormField]:
    fields = [
        FormField("surveyed_at", "Surveyed at", "datetime-local", required=True),
        FormField("place", "Place", required=True),
        FormField(
            "people",
            "People present",
            "textarea",
            required=True,
            limit=f"{CS}:SurveyReportIn.people",
        ),
        FormField(
            "actions",
            "What was done",
            "textarea",
            required=True,
            limit=f"{CS}:SurveyReportIn.actions",
        ),
        FormField("cause", "Cause", "textarea", required=True, limit=f"{CS}:SurveyReportIn.cause"),
        FormField(
            "extent",
            "Extent of the loss",
            "textarea",
            required=True,
            limit=f"{CS}:SurveyReportIn.extent",
        ),
        FormField(
            "conclusion",
            "Conclusion",
            "textarea",
            required=True,
            limit=f"{CS}:SurveyReportIn.conclusion",
        ),
        FormField("covered", "Covered by the policy", "checkbox"),
        # CLM-S3: the report carries its evidence (photos, signed statements).
        *_survey_evidence_fields(),
    ]
    if claim.loss_cause in rules().certificate_causes:
        # CLM-S4: fire and theft need the official certificate.
        fields.append(
            FormField(
                "certificate_file",
                "Official certificate: fire report or police receipt (PDF or image)",
                "file",
                required=True,
                accept=UPLOAD_ACCEPT,
                binds="certificate_file_id",
            )
        )
    return fields + _survey_plan_fields(db, claim=claim)


def _survey_evidence_fields() -> list[FormField]:
    return [
        FormField(
            f"evidence_file_{n}",
            _("Evidence %(n)s: photo or signed statement (PDF or image)", n=n),
            "file",
            accept=UPLOAD_ACCEPT,
            binds="evidence_file_ids",
        )
        for n in (1, 2, 3)
    ]


def _survey_plan_fields(db: Session, *, claim: Claim) -> list[FormField]:
    """CLM-S2: one result per item of the claim's survey plan, and its note (the reason
    for "not applicable", the finding for "inconsistent"). The names end in
    "__<code>" so the form marks both when the server names plan.<code>."""
    fields: list[FormField] = []
    for item in plan_of(db, claim):
        fields += [
            FormField(
                f"plan__{item.code}",
                item.label_en,
                "select",
                required=True,
                options=[("", "Choose a result")]
                + [(s, STATUS_LABELS[s][1]) for s in item.statuses],
            ),
            FormField(
                f"plan_note__{item.code}",
                _("Note or finding: %(item)s", item=_(item.name_en)),
            ),
        ]
    return fields


def _survey(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    at = form.get("surveyed_at") or ""
    data: dict[str, Any] = {
        k: form.get(k) for k in ("place", "people", "actions", "cause", "extent", "conclusion")
    }
    data["covered"] = bool(form.get("covered"))
    data["surveyed_at"] = f"{at}:00+08:00" if at and len(at) == 16 else at
    trial = bool(form.get(TRIAL))
    # Files are stored with the report (a trial run while typing stores none).
    data["evidence_file_ids"] = [
        file_id
        for n in (1, 2, 3)
        if (file_id := store_file(db, p, claim, form, f"evidence_file_{n}", purpose="evidence"))
    ]
    data["certificate_file_id"] = store_file(
        db, p, claim, form, "certificate_file", purpose="certificate"
    )
    # An unanswered item is left out, so the service names it (plan.<code>).
    data["plan"] = {
        key.split("__", 1)[1]: {
            "status": status,
            "note": form.get(f"plan_note__{key.split('__', 1)[1]}") or None,
        }
        for key, status in form.items()
        if key.startswith("plan__") and status
    }
    try:
        survey.submit(db, actor=p, claim=claim, data=_validated(cs.SurveyReportIn, data))
    except (CertificateRequired, PlanPhotosMissing):
        if not trial:
            raise
        # While typing the chosen files are not sent: they are checked on submit.


def _adjust_fields(db: Session, claim: Claim) -> list[FormField]:
    return _adjust_fields_for(db, claim, {}, None)


def _default_coverage(db: Session, claim: Claim) -> str:
    """The coverage the form opens on: the first assessed and not yet adjusted."""
    assessed = assessment_service.current_assessments(db, claim.id)
    adjusted = adjustment.current_adjustments(db, claim.id)
    for group in (
        [c for c in claim.coverage_codes if c in assessed and c not in adjusted],
        [c for c in claim.coverage_codes if c in assessed],
        list(claim.coverage_codes),
    ):
        if group:
            return group[0]
    return ""


def _terms_words(terms: liability.Terms | None) -> tuple[str, str]:
    """The ratio and the deductible as the decision will state them (CLM-C1)."""
    if terms is None:
        missing = _("not known until the coverage is assessed")
        return missing, missing
    deductible = page_views.money(terms.deductible)
    if terms.deductible_rate:
        deductible = _(
            "%(amount)s and %(rate)s of the loss",
            amount=deductible,
            rate=page_views.ratio(terms.deductible_rate),
        )
    ratio = page_views.ratio(terms.ratio) if terms.ratio is not None else "—"
    return ratio, deductible


def _adjust_fields_for(
    db: Session, claim: Claim, values: dict[str, Any], _actor: Principal | None
) -> list[FormField]:
    """CLM-C1: covered — the product's liabilities to tick (the adjusted coverage ticked),
    and the ratio and deductible the calculation applies, shown, never typed; not
    covered — the reason, the clause's text and the evidence. Choosing another coverage
    re-renders the form with its own terms."""
    chosen = str(values.get("coverage_code") or "")
    if chosen not in claim.coverage_codes:
        chosen = _default_coverage(db, claim)
    covered = {"liability": ("covered",)}
    not_covered = {"liability": ("not_covered",)}
    ratio, deductible = _terms_words(adjustment.proposed_terms(db, claim, chosen))
    named = assess_forms.coverage_words(db, claim)
    return [
        *_cover_warning(db, claim),
        FormField(
            "coverage_code",
            "Coverage",
            "select",
            required=True,
            options=[(c, named(c)) for c in claim.coverage_codes],
            value=chosen,
            refresh=True,
        ),
        FormField(
            "liability",
            "Liability decision",
            "select",
            required=True,
            options=[("covered", "Covered"), ("not_covered", "Not covered")],
            value="covered",
            controls=True,
        ),
        FormField(
            "terms_ratio",
            "Payout ratio (the product's, as assessed)",
            "info",
            value=ratio,
            when=covered,
        ),
        FormField(
            "terms_deductible",
            "Deductible (the product's, as assessed)",
            "info",
            value=deductible,
            when=covered,
        ),
        *_covered_item_boxes(db, claim, chosen, values),
        *_not_covered_fields(not_covered),
    ]


def _covered_item_boxes(
    db: Session, claim: Claim, chosen: str, values: dict[str, Any]
) -> list[FormField]:
    """CLM-C1: the product's liabilities as boxes, named per adjusted coverage: choosing
    another coverage re-renders the form with that coverage's boxes, ticked afresh.
    Ticked at first: the coverage itself; once this coverage's boxes were sent back (a
    refusal shown again), exactly what was ticked."""
    prefix = f"covered_item__{chosen}__"
    sent = any(str(k).startswith(prefix) for k in values)
    return [
        FormField(
            f"{prefix}{item.code}",
            _("Covered item: %(name)s", name=formatting.name_in(item)),
            "checkbox",
            value="1" if item.code == chosen and not sent else "",
            when={"liability": ("covered",)},
            binds="covered_items",
        )
        for item in adjustment.product_items(db, claim)
    ]


def _not_covered_fields(not_covered: When) -> list[FormField]:
    """CLM-C1: a not-covered decision's written reason, clause text and evidence."""
    return [
        FormField(
            "rejection_reason",
            "Reason (when not covered)",
            "textarea",
            required=True,
            limit=f"{CS}:AdjustmentIn.rejection_reason",
            when=not_covered,
        ),
        FormField(
            "rejection_clause",
            "Clause (when not covered)",
            "textarea",
            required=True,
            limit=f"{CS}:AdjustmentIn.rejection_clause",
            when=not_covered,
        ),
        FormField(
            "rejection_evidence",
            "Evidence (when not covered)",
            "textarea",
            required=True,
            limit=f"{CS}:AdjustmentIn.rejection_evidence",
            when=not_covered,
        ),
    ]


def _cover_warning(db: Session, claim: Claim) -> list[FormField]:
    """CLM-C1, POL-3: before signing, the adjuster reads that the policy as it stands did
    not cover the date of loss and that a covered decision will be refused
    (adjustment.adjust's rule, the engine's period step); nothing when it is covered."""
    return out_of_cover_warning(
        adjustment.out_of_cover(db, claim),
        then=(
            "A covered decision will be refused: decide not covered, with the written "
            "reason, the clause text and the evidence"
        ),
    )


def _approval_cover_warning(db: Session, claim: Claim) -> list[FormField]:
    """CLM-V2, CLM-C1, POL-3: before deciding, the reviewer reads that the policy as it
    stands did not cover the date of loss of a covered decision and that an approval
    will be refused (review.check_cover_for_approval's rule): return it to adjustment.
    Nothing when the approval is not refused for cover."""
    return out_of_cover_warning(
        review.approval_out_of_cover(db, claim),
        then=(
            "The adjustment decides it covered, so an approval will be refused: choose "
            "'Return to adjustment' for the adjuster to decide it not covered in writing"
        ),
    )


def _adjust(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    data: dict[str, Any] = {
        k: (form.get(k) or None)
        for k in (
            "coverage_code",
            "liability",
            "rejection_reason",
            "rejection_clause",
            "rejection_evidence",
        )
    }
    # The boxes ticked for the coverage adjusted, in the product's order (an unticked box
    # is simply absent).
    prefix = f"covered_item__{data['coverage_code'] or ''}__"
    data["covered_items"] = [k[len(prefix) :] for k in form if k.startswith(prefix) and form[k]]
    adjustment.adjust(db, actor=p, claim=claim, data=_validated(cs.AdjustmentIn, data))


def _move(action: str) -> Handler:
    """A move of the transition table with an optional reason (the API's generic move)."""

    def handle(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
        reason = cs.TransitionIn(reason=form.get("reason") or None).reason
        workflow.transition(db, claim=claim, action=action, actor=p, reason=reason)

    return handle


def _reassess_fields(_db: Session, _claim: Claim) -> list[FormField]:
    return [
        FormField(
            "reason",
            "Why the assessment is re-opened",
            "textarea",
            required=True,
            limit=f"{CS}:TransitionIn.reason",
        )
    ]


def _reassess(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    reason = cs.TransitionIn(reason=form.get("reason") or None).reason
    assessment_service.reassess(db, actor=p, claim=claim, reason=reason)


def _complete_adjustment(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    reason = cs.TransitionIn(reason=form.get("reason") or None).reason
    adjustment.complete(db, actor=p, claim=claim, reason=reason)


def _submit_review(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    review.submit(
        db, actor=p, claim=claim, reason=SubmitIn(reason=form.get("reason") or None).reason
    )


def _review_checks() -> tuple[tuple[str, str], ...]:
    # The review service owns the checklist (CLM-V2); its English labels are our msgids.
    return tuple((code, review.CHECKLIST_LABELS[code][1]) for code in review.CHECKLIST)


REVIEW_CHECKS = _review_checks()


def _decide_fields(db: Session, claim: Claim) -> list[FormField]:
    return [
        *_approval_cover_warning(db, claim),
        FormField(
            "decision",
            "Review decision",
            "select",
            required=True,
            # The words the claim page's list of decisions says them in (CLM-V1).
            options=list(page_views.CODE_LABELS["decision"].items()),
        ),
        *[FormField(f"check__{code}", label, "checkbox") for code, label in REVIEW_CHECKS],
        FormField("reason", "Reason or note", "textarea", limit=f"{PS}:DecisionBody.reason"),
        FormField(
            "rejection_ground",
            "Rejection ground",
            "select",
            options=[
                ("", "—"),
                ("non_disclosure", "Non-disclosure"),
                ("exclusion", "Exclusion"),
                ("not_covered", "Not covered"),
                ("fraud", "Fraud"),
                ("other", "Other"),
            ],
        ),
        FormField(
            "rejection_clause",
            "Clause (when rejecting)",
            "textarea",
            limit=f"{PS}:DecisionBody.rejection_clause",
        ),
        FormField(
            "rejection_facts",
            "Facts (when rejecting)",
            "textarea",
            limit=f"{PS}:DecisionBody.rejection_facts",
        ),
        FormField(
            "requirements",
            "What must be added (when returning)",
            "textarea",
            limit=f"{PS}:DecisionBody.requirements",
        ),
    ]


def _decide(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    data: dict[str, Any] = {
        k: (form.get(k) or None)
        for k in (
            "decision",
            "reason",
            "rejection_ground",
            "rejection_clause",
            "rejection_facts",
            "requirements",
        )
    }
    data["checklist"] = {code: bool(form.get(f"check__{code}")) for code, _l in REVIEW_CHECKS}
    body = _validated(DecisionBody, data)
    review.decide(db, actor=p, claim=claim, data=review.DecisionIn(**body.model_dump()))


def _export_batch(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    ids = [
        pm.id
        for pm in pay_service.payments_of(db, claim_id=claim.id)
        if pm.status in ("pending", "failed") and pm.means != pay_service.OFFLINE
    ]
    body = BatchIn(payment_ids=ids)
    pay_service.export_batch(db, actor=p, payment_ids=body.payment_ids)


def _open_callback(db: Session, claim: Claim) -> int | None:
    found = [c.id for c in closing.callbacks_of(db, claim.id) if c.status == "open"]
    return found[0] if found else None


# CLM-X2: a rejection callback explains the options (msgids).
CALLBACK_OPTIONS = (
    ("mediation", "Mediation explained"),
    ("arbitration", "Arbitration explained"),
    ("litigation", "Going to court explained"),
    ("re_review", "Re-review explained"),
)


def _callback_fields(db: Session, claim: Claim) -> list[FormField]:
    fields = [
        FormField(
            "outcome",
            "Outcome of the call",
            "select",
            required=True,
            options=[("reached", "Customer reached"), ("unreachable", "Not reachable")],
        ),
        FormField(
            "satisfaction",
            "Satisfaction (1-5)",
            "select",
            options=[("", "—"), *[(str(n), str(n)) for n in (5, 4, 3, 2, 1)]],
        ),
        FormField("suggestions", "Suggestions", "textarea", limit=f"{PS}:CallbackIn.suggestions"),
    ]
    if claim.state in (workflow.REJECTED, workflow.DECIDED) or _open_callback_kind(db, claim) in (
        "rejected",
        "decided",
    ):
        fields += [
            FormField(f"option__{code}", label, "checkbox", binds="options_explained")
            for code, label in CALLBACK_OPTIONS
        ]
    return fields


def _open_callback_kind(db: Session, claim: Claim) -> str | None:
    found = [c.kind for c in closing.callbacks_of(db, claim.id) if c.status == "open"]
    return found[0] if found else None


def _callback(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    callback_id = _open_callback(db, claim)
    if callback_id is None:
        raise NotFound(what="callback", field="callback_id")
    body = _validated(
        CallbackIn,
        {
            "outcome": form.get("outcome"),
            "satisfaction": form.get("satisfaction") or None,
            "suggestions": form.get("suggestions") or None,
            "options_explained": [
                code for code, _label in CALLBACK_OPTIONS if form.get(f"option__{code}")
            ],
        },
    )
    closing.complete_callback(
        db,
        actor=p,
        claim=claim,
        callback_id=callback_id,
        data=closing.CallbackResult.of(body),
    )


def _close(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    closing.close(
        db, actor=p, claim=claim, reason=SubmitIn(reason=form.get("reason") or None).reason
    )


def _coverages_fields(db: Session, claim: Claim) -> list[FormField]:
    policy = db.get(Policy, claim.policy_id)
    assert policy is not None
    return [
        FormField(
            f"coverage__{c.code}",
            coverage_label(c),
            "checkbox",
            value="1" if c.code in claim.coverage_codes else "",
            binds="coverage_codes",
        )
        for c in product_of(db, policy).coverages
    ] + [FormField("reason", "Reason or note", "textarea", limit=f"{CS}:CoveragesIn.reason")]


def _coverages(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    # Checkbox names keep the product's order; an unticked box is simply absent.
    codes = [k.split("__", 1)[1] for k in form if k.startswith("coverage__") and form[k]]
    body = _validated(cs.CoveragesIn, {"coverage_codes": codes, "reason": form.get("reason")})
    acceptance.set_coverages(
        db, actor=p, claim=claim, codes=body.coverage_codes, reason=body.reason
    )


def _flag(db: Session, p: Principal, claim: Claim, form: dict[str, Any]) -> None:
    body = _validated(cs.FraudFlagIn, {"description": form.get("description")})
    fraud.flag(db, actor=p, claim=claim, description=body.description, rule_code=body.rule_code)


def _note_field(_db: Session, _c: Claim) -> list[FormField]:
    return [
        FormField(
            "note", "Note of the call", "textarea", required=True, limit=f"{CS}:ContactIn.note"
        )
    ]


def _flag_fields(_db: Session, _c: Claim) -> list[FormField]:
    return [
        FormField(
            "description",
            "What looks suspicious",
            "textarea",
            required=True,
            limit=f"{CS}:FraudFlagIn.description",
        )
    ]


def _none(_db: Session, _c: Claim) -> list[FormField]:
    return []


def _recoverable(_db: Session, claim: Claim) -> bool:
    return claim.line in RECOVERY_LINES


def _has_received(db: Session, claim: Claim) -> bool:
    return any(m.received for m in claim_materials(db, claim.id))


def _has_unchecked(db: Session, claim: Claim) -> bool:
    return any(m.received and not m.original_checked_by_id for m in claim_materials(db, claim.id))


# An advance can be sent and confirmed before the approval (CLM-V4), the indemnity after.
_PAYABLE = ("accepted", "surveyed", "assessed", "adjusted", "in_review", "approved")
_WORKED = ("accepted", "surveyed", "assessed", "adjusted", "in_review", "approved")
_ACCEPTING = ("reported", "awaiting_materials", "accepted", "surveyed", "assessed")

_BEFORE_SURVEY = ("reported", "awaiting_materials", "accepted")
_NOT_WITHDRAWN = tuple(state for state in workflow.STATES if state != workflow.WITHDRAWN)

# The special cases of the manual §四 (CLM-Z1..Z3), through their API handlers.
SPECIAL_ACTIONS: tuple[ActionForm, ...] = (
    ActionForm(
        "link_event",
        "Group under a mass event (green channel)",
        Permission.CLAIMS_ACCEPT,
        _BEFORE_SURVEY,
        special_forms.event_fields,
        special_forms.link_event,
        primary=False,
        available=special_forms.can_link_event,
    ),
    ActionForm(
        "designate_remote",
        "Make it a remote claim",
        Permission.CLAIMS_ACCEPT,
        _BEFORE_SURVEY,
        special_forms.remote_fields,
        special_forms.designate_remote,
        primary=False,
        available=special_forms.can_designate_remote,
    ),
    ActionForm(
        "record_mailing",
        "Record materials sent by post",
        Permission.CLAIMS_UPLOAD,
        _NOT_WITHDRAWN,
        special_forms.mailing_fields,
        special_forms.record_mailing,
        primary=False,
        available=special_forms.can_mail,
    ),
    ActionForm(
        "receive_mailing",
        "Receive a posted parcel",
        Permission.CLAIMS_ACCEPT,
        _NOT_WITHDRAWN,
        special_forms.receive_mailing_fields,
        special_forms.receive_mailing,
        available=special_forms.has_waiting_mailing,
    ),
    ActionForm(
        "file_dispute",
        "Record a dispute about the claim",
        Permission.CLAIM_DISPUTES,
        _NOT_WITHDRAWN,
        special_forms.dispute_fields,
        special_forms.file_dispute,
        primary=False,
    ),
    ActionForm(
        "answer_dispute",
        "Answer the dispute",
        Permission.CLAIM_DISPUTES,
        _NOT_WITHDRAWN,
        special_forms.answer_fields,
        special_forms.answer_dispute,
        available=special_forms.has_unanswered_dispute,
    ),
    ActionForm(
        "escalate_dispute",
        "Take the dispute to its next step",
        Permission.CLAIM_DISPUTES,
        _NOT_WITHDRAWN,
        special_forms.escalate_fields,
        special_forms.escalate_dispute,
        primary=False,
        available=special_forms.has_answered_dispute,
    ),
    ActionForm(
        "resolve_dispute",
        "Record the dispute's outcome",
        Permission.CLAIM_DISPUTES,
        _NOT_WITHDRAWN,
        special_forms.resolve_fields,
        special_forms.resolve_dispute,
        primary=False,
        available=special_forms.has_answered_dispute,
    ),
)

# The steps around the main line: each reuses its API handler (case_forms,
# payment_forms), offered only to the role that holds the step's permission.
EXTRA_ACTIONS: tuple[ActionForm, ...] = (
    ActionForm(
        "clear_fraud",
        "Clear the fraud hold",
        Permission.FRAUD_INVESTIGATE,
        ("suspended",),
        case_forms.clear_fields,
        case_forms.clear_fraud,
        available=case_forms.has_open_flag,
    ),
    ActionForm(
        "confirm_fraud",
        "Confirm fraud (Insurance Law art. 27)",
        Permission.FRAUD_INVESTIGATE,
        ("suspended",),
        case_forms.confirm_fields,
        case_forms.confirm_fraud,
        available=case_forms.has_open_flag,
    ),
    ActionForm(
        "reopen",
        "Reopen the claim",
        Permission.CLAIMS_REVIEW,
        ("closed",),
        case_forms.reopen_fields,
        case_forms.reopen,
        primary=False,
    ),
    # Re-opens the assessment for editing (claims.settlement.assessment.reassess): also
    # after a reviewer's return (assessed), the reason required, the adjustment voided.
    ActionForm(
        "reassess",
        "Re-open the assessment",
        Permission.CLAIMS_ASSESS,
        ("assessed", "adjusted"),
        _reassess_fields,
        _reassess,
        primary=False,
    ),
    ActionForm(
        "revise_reserve",
        "Revise the case reserve",
        Permission.CLAIMS_RESERVE,
        _WORKED,
        case_forms.reserve_fields,
        case_forms.revise_reserve,
        primary=False,
    ),
    ActionForm(
        "upload_file",
        "Upload a file",
        Permission.CLAIMS_UPLOAD,
        # Every state: whether the claim takes a file is the service's rule (can_upload).
        workflow.STATES,
        case_forms.upload_fields,
        case_forms.upload,
        primary=False,
        dynamic=case_forms.upload_fields_for,
        available=case_forms.can_upload,
    ),
    ActionForm(
        "mark_original_checked",
        "Copy checked against the original",
        Permission.CLAIMS_ACCEPT,
        _ACCEPTING,
        case_forms.original_fields,
        case_forms.original_checked,
        primary=False,
        available=_has_unchecked,
    ),
    ActionForm(
        "review_material",
        "Review a material against the contract",
        Permission.CLAIMS_ACCEPT,
        _ACCEPTING,
        case_forms.review_fields,
        case_forms.review_material,
        primary=False,
        available=_has_received,
    ),
    ActionForm(
        "request_later_materials",
        "Ask for materials a later fact made necessary",
        Permission.CLAIMS_ACCEPT,
        ("accepted", "surveyed", "assessed"),
        case_forms.later_fields,
        case_forms.later_materials,
        primary=False,
    ),
    ActionForm(
        "advance_payment",
        "Pay an advance (part that can be fixed)",
        Permission.CLAIMS_PAY,
        ("accepted", "surveyed", "assessed", "adjusted", "in_review"),
        _none,
        payment_forms.request_advance,
        primary=False,
        dynamic=payment_forms.advance_fields,
    ),
    ActionForm(
        "delay_notice",
        "Tell the customer the payment will be late",
        Permission.CLAIMS_PAY,
        ("in_review", "approved"),
        payment_forms.delay_fields,
        payment_forms.delay_notice,
        primary=False,
    ),
    ActionForm(
        "record_recovery",
        "Record a recovery (salvage, subrogation)",
        Permission.CLAIMS_RECOVERY,
        ("paid", "closed"),
        case_forms.recovery_fields,
        case_forms.record_recovery,
        primary=False,
        available=_recoverable,
    ),
    ActionForm(
        "sample_verdict",
        "Quality sample verdict",
        Permission.CLAIMS_REVIEW,
        # Every state: whether the verdict is due is the service's rule (verdict_refusal).
        workflow.STATES,
        sample_forms.verdict_fields,
        sample_forms.give_verdict,
        primary=False,
    ),
    *SPECIAL_ACTIONS,
)


ACTIONS: dict[str, ActionForm] = {
    a.action: a
    for a in (
        ActionForm(
            "receive_material",
            "Receive a material",
            Permission.CLAIMS_ACCEPT,
            ("reported", "awaiting_materials"),
            _receive_fields,
            _receive,
            primary=False,
        ),
        ActionForm(
            "request_materials",
            "Send the one-time missing-materials notice",
            Permission.CLAIMS_ACCEPT,
            ("reported",),
            _notice_fields,
            _notice,
            primary=False,
            # Nothing missing, nothing to ask for (the notice service refuses it).
            available=special_forms.has_missing,
        ),
        ActionForm(
            "set_coverages",
            "Confirm the coverages claimed",
            Permission.CLAIMS_ACCEPT,
            ("reported",),
            _coverages_fields,
            _coverages,
            primary=False,
        ),
        ActionForm(
            "accept",
            "Accept the claim",
            Permission.CLAIMS_ACCEPT,
            ("reported",),
            _accept_fields,
            _accept,
        ),
        ActionForm(
            "materials_complete",
            "Materials complete",
            Permission.CLAIMS_ACCEPT,
            ("awaiting_materials",),
            _reason_only,
            _move("materials_complete"),
        ),
        ActionForm(
            "assign_surveyor",
            "Assign a surveyor",
            Permission.CLAIMS_ACCEPT,
            ("accepted",),
            _surveyor_fields,
            _assign,
        ),
        ActionForm(
            "skip_survey",
            "Skip the survey (configured rule)",
            Permission.CLAIMS_ACCEPT,
            ("accepted",),
            _none,
            lambda db, p, c, f: survey.skip_survey(db, actor=p, claim=c),
        ),
        ActionForm(
            "record_contact",
            "Record the contact with the customer",
            Permission.CLAIMS_SURVEY,
            ("accepted",),
            _note_field,
            _contact,
        ),
        ActionForm(
            "submit_survey",
            "Submit the survey report",
            Permission.CLAIMS_SURVEY,
            ("accepted",),
            _survey_fields,
            _survey,
        ),
        ActionForm(
            "assess",
            "Record the loss assessment",
            Permission.CLAIMS_ASSESS,
            ("surveyed",),
            assess_forms.assess_fields,
            assess_forms.assess,
        ),
        ActionForm(
            "accept_adjuster_report",
            "Accept the loss adjuster's report",
            Permission.CLAIMS_ASSESS,
            ("surveyed",),
            assess_forms.adjuster_accept_fields,
            assess_forms.accept_adjuster_report,
            available=assess_forms.adjuster_report_pending,
        ),
        ActionForm(
            "complete_assessment",
            "Complete the assessment",
            Permission.CLAIMS_ASSESS,
            ("surveyed",),
            _reason_only,
            _move("complete_assessment"),
        ),
        ActionForm(
            "adjust",
            "Adjust (run the calculation)",
            Permission.CLAIMS_ADJUST,
            ("assessed",),
            _adjust_fields,
            _adjust,
            dynamic=_adjust_fields_for,
        ),
        ActionForm(
            "complete_adjustment",
            "Complete the adjustment",
            Permission.CLAIMS_ADJUST,
            ("assessed",),
            _reason_only,
            _complete_adjustment,
        ),
        ActionForm(
            "submit_review",
            "Submit for review",
            Permission.CLAIMS_ADJUST,
            ("adjusted",),
            _submit_reason,
            _submit_review,
        ),
        ActionForm(
            "decide",
            "Review decision",
            Permission.CLAIMS_REVIEW,
            ("in_review",),
            _decide_fields,
            _decide,
        ),
        ActionForm(
            "request_payment",
            "Request the payment",
            Permission.CLAIMS_PAY,
            ("approved",),
            _none,
            payment_forms.request_payment,
            dynamic=payment_forms.payment_fields,
        ),
        ActionForm(
            "export_batch",
            "Send to the bank (payment batch)",
            Permission.CLAIMS_PAY,
            _PAYABLE,
            _none,
            _export_batch,
        ),
        ActionForm(
            "confirm_payment",
            "Record the bank's confirmation",
            Permission.CLAIMS_PAY,
            _PAYABLE,
            payment_forms.confirm_fields,
            payment_forms.confirm_payment,
        ),
        ActionForm(
            "record_offline_payment",
            "Record the cash or offline hand-over",
            Permission.CLAIMS_PAY,
            _PAYABLE,
            payment_forms.offline_fields,
            payment_forms.confirm_offline,
            available=payment_forms.offline_available,
        ),
        ActionForm(
            "cancel_offline_payment",
            "Cancel the cash or offline payment (not handed over)",
            Permission.CLAIMS_PAY,
            _PAYABLE,
            payment_forms.cancel_offline_fields,
            payment_forms.cancel_offline,
            primary=False,
            available=payment_forms.offline_available,
        ),
        ActionForm(
            "complete_callback",
            "Record the callback",
            Permission.CLAIMS_CALLBACK,
            ("paid", "rejected", "decided", "closed"),
            _callback_fields,
            _callback,
        ),
        ActionForm(
            "close",
            "Close the claim",
            Permission.CLAIMS_REVIEW,
            ("paid", "rejected", "decided"),
            _submit_reason,
            _close,
        ),
        ActionForm(
            "flag_fraud",
            "Flag suspected fraud",
            Permission.FRAUD_FLAG,
            tuple(workflow.OPEN_STATES),
            _flag_fields,
            _flag,
            primary=False,
        ),
        ActionForm(
            "withdraw",
            "Withdraw the claim",
            Permission.CLAIMS_REPORT,
            ("reported", "awaiting_materials", "accepted", "surveyed", "assessed", "adjusted"),
            _reason_only,
            _move("withdraw"),
            primary=False,
        ),
        *EXTRA_ACTIONS,
    )
}


# Forms that themselves write what their move's guard looks for (the survey report is
# written by the form that submits it): the guard is the form's own to meet.
FORM_MEETS_GUARD = frozenset({"submit_survey"})


def refusal_now(db: Session, principal: Principal, claim: Claim, action: str) -> bool:
    """True when the service would refuse this action now whatever is typed: a move of
    the transition table is checked by ``workflow.refusal_of_move`` (permission, fraud
    hold, state, stage guard, the remote claim's org — what ``transition`` checks), the
    review decision by ``review.refusal_to_decide`` (tier, four eyes), an upload by
    ``fraud.upload_refusal`` (an investigator's held claims), a flag's decision by
    ``fraud.resolve_refusal`` (a claim given to another investigator), the quality
    sample's verdict by ``automatic.verdict_refusal`` (tier 1, sampled, not reviewed)."""
    if action in FRAUD_DECISIONS and fraud.resolve_refusal(actor=principal, claim=claim):
        # Before the table's check: "clear_fraud" is also the move the decision makes.
        return True
    if action in workflow.MOVES_BY_ACTION:
        refused = workflow.refusal_of_move(
            db,
            claim=claim,
            action=action,
            actor=principal,
            check_guard=action not in FORM_MEETS_GUARD,
        )
        return refused is not None
    if action == "decide":
        return refusal_to_decide(db, actor=principal, claim=claim) is not None
    if action == "sample_verdict":
        return automatic_service.verdict_refusal(db, actor=principal, claim=claim) is not None
    if action in UPLOADS:
        # The upload service's row rule: an investigator files evidence on the held
        # claims that are theirs or nobody's yet, and posts no claim materials.
        purpose = None if action == "upload_file" else "material"
        return fraud.upload_refusal(actor=principal, claim=claim, purpose=purpose) is not None
    return False


# Actions that decide a fraud flag (fraud.resolve).
FRAUD_DECISIONS = frozenset({"clear_fraud", "confirm_fraud"})


# Actions that file something through the upload services (claims:upload).
UPLOADS = frozenset({"upload_file", "record_mailing"})


def offered_actions(db: Session, principal: Principal, claim: Claim) -> list[ActionForm]:
    """The actions this user may take on this claim now: the form's state AND permission,
    and — for a move of the transition table or the review decision — the same checks
    the service makes (issue 12: "skip survey" was offered on a ¥25,000 claim and then
    refused)."""
    offered = []
    for form in ACTIONS.values():
        if claim.state not in form.states:
            continue
        # A move's permissions are the table's (a supervisor may also assign surveyors).
        is_move = form.action in workflow.MOVES_BY_ACTION
        if not is_move and not principal.has(form.permission):
            continue
        if refusal_now(db, principal, claim, form.action):
            continue
        payment_step = form.action in ("export_batch", "confirm_payment", "request_payment")
        if payment_step and not _payment_step_due(db, claim, form.action):
            continue
        if form.action == "complete_callback" and _open_callback(db, claim) is None:
            continue
        if form.available is not None and not form.available(db, claim):
            continue
        offered.append(form)
    return offered


def _payment_step_due(db: Session, claim: Claim, action: str) -> bool:
    payments = pay_service.payments_of(db, claim_id=claim.id)
    statuses = [p.status for p in payments]
    if action == "request_payment":
        # An advance paid earlier does not stand for the indemnity of the approval.
        return not any(
            p.kind == "indemnity" and p.status in ("pending", "exported", "paid") for p in payments
        )
    if action == "export_batch":
        # A failed one goes again; a cash/offline one is handed over, never sent (CLM-P3).
        return any(
            p.status in ("pending", "failed") and p.means != pay_service.OFFLINE for p in payments
        )
    return "exported" in statuses


# What the timeline says of each audited step of a claim (msgids); others show the code.
EVENT_LABELS = {
    "claim.report": "Reported",
    "claim.material_received": "Material received",
    "claim.file_uploaded": "File uploaded",
    "claim.file_viewed": "File opened in the browser",
    "claim.file_downloaded": "File downloaded",
    "claim.contact_phone_revealed": "Phone number shown for the call",
    "claim.note_added": "Note added",
    "claim.material_original_checked": "Copy checked against the original",
    "claim.material_reviewed": "Material reviewed against the contract",
    "claim.request_materials": "Missing-materials notice sent",
    "claim.request_more_materials": "Later materials requested",
    "claim.materials_complete": "Materials complete",
    "claim.accept": "Accepted",
    "claim.reserve_set": "Case reserve set",
    "claim.reserve_revised": "Case reserve revised",
    "claim.assign_surveyor": "Surveyor assigned",
    "claim.record_contact": "Customer contacted",
    "claim.submit_survey": "Survey report submitted",
    "claim.skip_survey": "Survey skipped",
    "claim.step_skipped": "Step skipped under a configured rule",
    "claim.assessed": "Loss assessed",
    "claim.adjuster_report_accepted": "Loss adjuster's report accepted",
    "claim.complete_assessment": "Assessment completed",
    "claim.adjusted": "Calculation run and signed",
    "claim.complete_adjustment": "Adjustment completed",
    "claim.reassess": "Assessment re-opened",
    "claim.adjustment_voided": "Adjustment voided (assessment re-opened)",
    "claim.submit_review": "Submitted for review",
    "claim.review_approve": "Review tier approved",
    "claim.review_reject": "Review tier rejected",
    "claim.review_return": "Review returned it to adjustment",
    "claim.approve": "Approved",
    "claim.reject": "Rejected",
    "claim.return_to_adjustment": "Returned to adjustment",
    "claim.payee_authorised": "Payee authorisation recorded",
    "claim.payment_requested": "Payment requested",
    "claim.payment_paid": "Payment confirmed by the bank",
    "claim.payment_failed": "Payment failed",
    "claim.payment_cancelled": "Cash or offline payment cancelled (not handed over)",
    "claim.payment_answer_conflict": "Bank answered paid again with another reference (conflict)",
    "claim.payment_delay_notified": "Customer told the payment will be late",
    "claim.pay": "Paid",
    "claim.callback_done": "Callback made",
    "claim.close": "Closed",
    "claim.archived": "Archived",
    "claim.reopen": "Reopened",
    "claim.resume_adjustment": "Back to adjustment after reopening",
    "claim.withdraw": "Withdrawn",
    "claim.suspend": "Held for suspected fraud",
    "claim.fraud_flag_added": "Fraud flag added",
    "claim.fraud_flag_resolved": "Fraud flag resolved",
    "claim.fraud_decision_overridden": "Supervisor decided another investigator's flag",
    "claim.fraud_evidence_overridden": "Supervisor filed evidence on another investigator's claim",
    "claim.clear_fraud": "Fraud hold cleared",
    "claim.confirm_fraud_reduce": "Fraud confirmed: the exaggerated part is not paid",
    "claim.confirm_fraud_reject": "Fraud confirmed: the claim is refused",
    "claim.recovery_recorded": "Recovery recorded",
    "claim.handler_assigned": "Handler assigned",
    "claim.investigator_assigned": "Investigator assigned",
    "claim.coverages_set": "Coverages named",
    "claim.major_escalated": "Escalated as a major case",
    "claim.materials_supplement": "Further materials noted",
    "claim.remote_designated": "Handled remotely",
    "claim.materials_mailed": "Originals mailed",
    "claim.mailing_received": "Mailed originals received",
    "claim.event_linked": "Linked to a mass event",
    "claim.receipt_printed": "Receipt for materials printed",
    "claim.bill_submitted": "Electronic bill received",
    "claim.assessed_from_bills": "Assessed from the electronic bills",
    "claim.checks_run": "Automatic checks run",
    "claim.check_referred": "Sent to a person by a check",
    "claim.check_hit_updated": "A check's finding found again, its figures updated",
    "claim.check_hits_merged": "A check's finding recorded twice, merged into one",
    "claim.automatic_step": "Automatic step",
    "claim.automatic_paid": "Paid automatically",
    "claim.automatic_referred": "Automatic path handed it to a person",
    "claim.automatic_sample_verdict": "Quality sample reviewed",
    "claim.adjustment_corrected": "Calculation corrected",
    "claim.recovery_opened": "Recovery opened",
    "claim.rejection_notice_issued": "Rejection notice issued",
    "claim.rejection_notice_sent": "Rejection notice sent",
    "claim.settlement_notice_issued": "Settlement notice issued",
    "claim.settlement_notice_rendered": "Settlement notice produced",
    "claim.dispute_filed": "Dispute filed",
    "claim.dispute_answered": "Dispute answered",
    "claim.dispute_escalated": "Dispute escalated",
    "claim.dispute_resolved": "Dispute resolved",
}

# CLM-P3: a cash/offline payment is not confirmed by any bank; its paid step says how it
# was handed over (the audit's details.means).
OFFLINE_PAID_LABEL = "Handed over in cash/offline against the payee's ID and signed confirmation"


# Views of the claim or its parts: audited (SEC-5), counted apart, not steps of the claim.
READS = frozenset(
    {
        "claim.read",
        "claim.notes_read",
        "claim.bills_read",
        "claim.network_read",
        "claim.notice_read",
        "claim.decision_notice_read",
        "claim.rejection_notice_read",
    }
)


def _timeline(
    entries: list[cs.TimelineEntry], names: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The claim's trail without the reads (each page view is itself audited), and the
    number of reads left out; each actor by name (``names``: username → name)."""
    names = names or {}
    shown = []
    for e in entries:
        if e.action in READS:
            continue
        label = EVENT_LABELS.get(e.action)
        if e.action == "claim.payment_paid" and e.details.get("means") == pay_service.OFFLINE:
            label = OFFLINE_PAID_LABEL
        to_label = CLAIM_STATES.get(str(e.details.get("to")), "")
        shown.append(
            {
                "entry": e,
                "actor": names.get(str(e.actor), e.actor),
                "label": label,
                "move": "to" in e.details,
                # "Accepted → Accepted" says it twice: the new state only when it differs.
                "to_label": "" if to_label == label else to_label,
            }
        )
    return shown, len(entries) - len(shown)


def claim_context(db: Session, principal: Principal, claim: Claim, language: str) -> dict[str, Any]:
    detail = read.claim_detail(db, claim, language=language)
    review_out = settlement_read.review_out(db, claim.id)
    payments = settlement_read.payments_out(db, claim.id)
    callbacks = settlement_read.callbacks_out(db, claim.id, principal.language)
    reserve_total = sum((r.amount for r in detail.reserves), Decimal("0"))
    paid_total = sum((p.amount for p in payments if p.status == "paid"), Decimal("0"))
    clocks = _clock_rows(detail.clocks, language=language)
    # People by name: the timeline's actors and the reviewers who decided (stored by login).
    reviewers = {str(d.reviewer) for d in review_out.decisions}
    actors = users.display_names_by_username(
        db, usernames={str(e.actor) for e in detail.timeline} | reviewers
    )
    timeline, reads = _timeline(detail.timeline, actors)
    taken_by = _taken_by(db, claim=claim)
    return {
        "claim": detail,
        "review": review_out,
        "payments": payments,
        "callbacks": callbacks,
        "reserve_total": reserve_total,
        "paid_total": paid_total,
        "clocks": clocks,
        "state_label": CLAIM_STATES.get(claim.state, claim.state),
        "line_label": CLAIM_LINES.get(claim.line, claim.line),
        "survey": page_views.survey_view(db, claim),
        "assessments": page_views.assessment_views(db, claim),
        "traces": {a.id: page_views.trace_rows(a.trace, language) for a in detail.adjustments},
        # Each coverage by its product's name in the reader's language (kit.coverage).
        "coverage_names": reserve_service.coverage_names(db, claim, language),
        # A signed decision's covered items by code, in the reader's language (CLM-C1).
        "liability_names": reserve_service.liability_names(db, claim, language),
        "flags": page_views.fraud_flags(db, claim),
        "special": page_views.special_view(db, claim),
        "timeline": timeline,
        "reads": reads,
        # username → name: whoever signed a report acted on the claim, so is in the trail;
        # the reviewers too, read with them.
        "people": actors,
        "money": page_views.money,
        "percent": page_views.ratio,
        # A reason the system wrote in both languages, in the reader's (FIN-1 reserves);
        # its days as people write them, though a check's hold stored them ISO (GEN-2).
        "in_language": lambda text: formatting.dates_as_written(
            reserve_service.reason_in(text, language), language
        ),
        # Which rule raised a fraud flag, in words (CLM-F1), as on the fraud holds list.
        "flag_rule": lambda code: rule_words(code, language, lambda m: gettext(m, language)),
        "code_label": page_views.code_label,
        "previewable": PREVIEWABLE,
        **stp_context(db, claim, language=language),
        "may_reveal_phone": may_reveal_phone(principal, claim),
        "taken_by": taken_by,
        **notes_context(db, principal, claim),
    }


def _clock_rows(clocks: list[dict[str, Any]], *, language: str) -> list[dict[str, Any]]:
    """Each clock with its deadline in words and how urgent it is now (none once stopped
    or paused)."""
    now = timeutil.now()  # the claims clock: frozen in tests, as the deadlines are
    return [
        {
            **c,
            **page_views.deadline_words(c["name"], c["basis"], language),
            "urgency": "none"
            if c["stopped"] or c["paused"]
            else urgency(dt.datetime.fromisoformat(c["due_at"]), now),
        }
        for c in clocks
    ]


def _taken_by(db: Session, *, claim: Claim) -> str | None:
    """CLM-R1: the agent who took a report staff entered (its reporter is on the claim)."""
    taker = claim.entered_by_id if claim.reporter_name is not None else None
    return users.display_names(db, user_ids={taker}).get(taker) if taker is not None else None


@router.get("/claims/{claim_id}")
def claim_page(claim_id: int, request: Request, db: DB, principal: Reader) -> Response:
    if principal.is_customer:
        return RedirectResponse(f"/portal/claims/{claim_id}", status_code=303)
    current_language.set(language_of(request))
    claim = claim_for(db, principal, claim_id)
    # The page shows medical and loss details: every read is on the trail (GEN-5).
    record(
        db,
        actor=principal,
        action="claim.read",
        entity_type="claim",
        entity_id=claim.id,
        details={"via": "page"},
    )
    context = claim_context(db, principal, claim, language_of(request))
    # After an action the page says what was done (GEN-6): the action's own label; an
    # address with an unknown action shows nothing.
    done_key = request.query_params.get("done") or ""
    done = ACTIONS.get(done_key)
    # A report entered on /claims/new lands here too: it says so and who takes it up (the
    # page had only reloaded into the new claim, with no word that the customer was told).
    reported = done_key == "report" and claim.state == "reported"
    return render(
        request,
        "claims/claim.html",
        actions=offered_actions(db, principal, claim),
        done_label=done.label if done else ("Enter the report" if reported else None),
        done_next=REPORT_NEXT if reported else None,
        **context,
    )


# What follows an entered report (CLM-R3: the customer is told at once), a msgid.
REPORT_NEXT = (
    "The customer has been told the report was accepted; a claims handler takes it up next."
)


def _render_form(
    request: Request,
    db: Session,
    principal: Principal,
    *,
    claim: Claim,
    form: ActionForm,
    values: dict[str, Any],
    error: dict[str, Any] | None,
) -> Response:
    fields = form.build(db, claim, values, principal)
    target = error_target(error, fields)
    if error is not None:
        name_the_field(error, fields, target)
    return render(
        request,
        "claims/_action_form.html",
        form=form,
        fields=fields,
        groups=groups(fields, values),
        claim=claim,
        values=values,
        error=error,
        error_field=target,
    )


@router.get("/claims/{claim_id}/actions/{action}", response_class=HTMLResponse)
def action_form(
    claim_id: int, action: str, request: Request, db: DB, principal: Reader
) -> Response:
    # Labels built in code (_()) follow the request's language, as the template does.
    current_language.set(language_of(request))
    claim = claim_for(db, principal, claim_id)
    form = _offered(db, principal, claim, action)
    return _render_form(request, db, principal, claim=claim, form=form, values={}, error=None)


def _offered(db: Session, principal: Principal, claim: Claim, action: str) -> ActionForm:
    for form in offered_actions(db, principal, claim):
        if form.action == action:
            return form
    raise ActionNotOffered()


def _attempt(
    form: ActionForm,
    db: Session,
    principal: Principal,
    claim: Claim,
    submitted: dict[str, Any],
    language: str,
) -> dict[str, Any] | None:
    """Run the action's handler; the refusal, if any, as the page shows it."""
    try:
        form.handle(db, principal, claim, submitted)
    except FormInvalid as exc:
        error = describe_validation_error(exc.errors, language)
        error["form_field"] = exc.aliases.get(str(error["field"]))
        return error
    except ValidationError as exc:
        return describe_validation_error(exc.errors(), language)
    except ClaimdeskError as exc:
        error = exc.to_dict(language)
        error["form_field"] = getattr(exc, "form_field", None)
        return error
    return None


@router.post("/claims/{claim_id}/actions/{action}", response_class=HTMLResponse)
def action_submit(
    claim_id: int,
    action: str,
    request: Request,
    raw: SubmittedForm,
    db: DB,
    principal: Reader,
    validate_only: Annotated[bool, Query(alias="validate")] = False,
    refresh: Annotated[bool, Query()] = False,
) -> Response:
    language = language_of(request)
    current_language.set(language)
    values = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    files = {k: v for k, v in raw.items() if isinstance(v, UploadFile)}
    # A trial run (?validate=1) loads the claim as the action does — row-filtered,
    # locked FOR UPDATE — and runs the same handler, so its verdict is the one the
    # action would give at that moment: it waits for a move of the claim in flight and
    # judges the claim that move left (unlocked, it answered on the state before it,
    # "would be accepted" for an action then refused), and its handler's own locks come
    # in the one order (the claim's row first; docs/architecture.md "Lock order"). The
    # verdict is not a reservation: the lock ends with the trial, and the submission
    # checks everything again under its own. Only a refresh, which runs no handler,
    # reads the claim unlocked.
    claim = claim_for(db, principal, claim_id, for_update=not refresh)
    form = _offered(db, principal, claim, action)
    if refresh:
        # A choice that changes the form (who is paid, a look-up by ID number): the
        # same form again with what was typed; nothing is submitted.
        return _render_form(
            request, db, principal, claim=claim, form=form, values=values, error=None
        )
    # A trial run stores no file: the handler is told so and checks the rest.
    submitted: dict[str, Any] = {**values, TRIAL: True} if validate_only else {**values, **files}
    error = _attempt(form, db, principal, claim, submitted, language)
    if validate_only:
        # A trial run while typing: only the verdict is sent back (the form stays as the
        # user is filling it), and nothing of the trial may stay (GEN-6).
        undo_refused(db)
        if error is not None:
            fields = form.build(db, claim, values, principal)
            name_the_field(error, fields, error_target(error, fields))
        return render(request, "claims/_feedback.html", error=error)
    if error is not None:
        undo_refused(db)
        claim = claim_for(db, principal, claim_id)
        return _render_form(
            request, db, principal, claim=claim, form=form, values=values, error=error
        )
    response = HTMLResponse("", status_code=200)
    response.headers["HX-Redirect"] = f"/claims/{claim_id}?{urlencode({'done': action})}"
    return response
