"""The customer portal: SMS-code login, own policies with plain terms, report a claim,
upload materials from a phone, follow the claim in plain words, rate, complain.

Every handler calls the same thin API handlers as /api/v1 with the customer's principal,
so the row-level rules (own policies and claims only, SEC-4) come from the repositories.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from claimdesk.audit.service import record as audit_record
from claimdesk.auth import second_factor as sms
from claimdesk.auth.csrf import PRE_SESSION_COOKIE, pre_session_token, set_pre_session_cookie
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import notify, read, workflow
from claimdesk.claims.config import rules
from claimdesk.claims.errors import FileRequired
from claimdesk.claims.intake import acceptance, report
from claimdesk.claims.schemas import ReportCreate
from claimdesk.claims.settlement import decision_notices
from claimdesk.claims.settlement.reserves import coverage_names
from claimdesk.code_labels import COMPLAINT_CAUSES as CAUSE_LABELS
from claimdesk.code_labels import LOSS_CAUSES
from claimdesk.config import get_settings
from claimdesk.deps import DB, SESSION_COOKIE, client_ip, require
from claimdesk.errors import ClaimdeskError, NotFound
from claimdesk.formatting import money
from claimdesk.i18n import gettext
from claimdesk.idempotency import service as idempotency
from claimdesk.idempotency.service import FORM_KEY
from claimdesk.models.claim import Claim
from claimdesk.models.job import OutboxMessage
from claimdesk.models.person import Person
from claimdesk.models.policy import PolicyChange
from claimdesk.models.service import ServiceRecord
from claimdesk.payments.service import payments_of
from claimdesk.policies import service as policies_service
from claimdesk.products import service as products_service
from claimdesk.products.coverage_types import MATERIALS as MATERIAL_NAMES
from claimdesk.service import service as service_domain
from claimdesk.service.schemas import (
    ComplaintIn,
    PolicyServiceRequestIn,
    RespondIn,
    ServiceRecordIn,
    SurveyIn,
)
from claimdesk.web.automatic_view import stp_context
from claimdesk.web.form_errors import labelled, problem_of_error, problems_of_validation
from claimdesk.web.kit import (
    Refusal,
    SubmittedForm,
    checked,
    form_action,
    form_context,
    language_of,
    local_today,
    page_request_of,
    render,
    shown_pager,
    translator,
    undo_refused,
)

# The language switch records the customer's notice language only when posted
# (web/portal/language.py): a GET with ?lang= changes what is shown, never the record.
router = APIRouter(prefix="/portal")

Customer = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]
Reporter = Annotated[Principal, Depends(require(Permission.CLAIMS_REPORT))]
Uploader = Annotated[Principal, Depends(require(Permission.CLAIMS_UPLOAD))]
OwnService = Annotated[Principal, Depends(require(Permission.SERVICE_OWN))]

# Where the claim is, in plain words for the customer (msgids), by state — every state
# of the workflow (tests/web/portal/test_portal_status.py), never its internal name. The
# stages a customer follows: materials, the facts checked, the loss assessed, the amount
# calculated (理算), approval, payment. A reviewer's return (CLM-V3) sends the claim back
# to ``assessed``, where the amount is calculated again: what ``assessed`` says is true
# on the way up and after a return alike (nothing says the amount is being approved).
PLAIN_STATUS = {
    "reported": "Report received. A claims handler will contact you soon.",
    "awaiting_materials": "We need some more materials from you. See the list below.",
    "accepted": "Materials are complete; your claim is being reviewed.",
    "surveyed": "The facts of your claim have been checked; the amount of the loss is being determined.",
    "assessed": "The amount payable on your claim is being calculated.",
    "adjusted": "The amount payable has been calculated and is going for approval.",
    "in_review": "The amount has been calculated and is being approved.",
    "suspended": "Materials are complete; your claim is being reviewed.",
    "approved": "Approved. The payment is on its way to your account.",
    "rejected": "Not approved. You will receive a written notice with the reasons and how to appeal.",
    "paid": "Paid. The money has been sent to your account.",
    # CLM-V3: nothing payable is said plainly, never as a payment on its way.
    "decided": (
        "Decided: nothing is payable on this claim. You will receive a written notice "
        "with the calculation and how to object."
    ),
    "closed": "Your claim is closed.",
    "withdrawn": "You withdrew this claim.",
    "reopened": "Your claim has been reopened and is being reviewed again.",
}

# A claim held (CLM-F1) from one of these is said where it was held from (plain_status).
HELD_SAID_AS_BEFORE = ("reported", "awaiting_materials")
# The timeline's uploads, each said by what it was (upload_event).
UPLOADS = ("claim.file_uploaded", "claim.bill_submitted")
STILL_HANDLED = "Your claim is being handled."


def plain_status(claim: Claim) -> str:
    """The claim's state in plain words. A claim held before its acceptance is said where
    it was held from: the customer is still asked for the missing materials and may send
    them (a hold stops the money, not the evidence), where "materials are complete" would
    be untrue; the hold itself is not the customer's to see (CLM-F2)."""
    if claim.state == "suspended" and claim.resume_state in HELD_SAID_AS_BEFORE:
        return PLAIN_STATUS[claim.resume_state]
    # A state without words (none today: a test holds every state) is said neutrally,
    # never by its internal name.
    return PLAIN_STATUS.get(claim.state, STILL_HANDLED)


# Audit entries the customer sees on their timeline, in plain words. Internal steps
# (fraud checks, reads, reserves) are deliberately absent: need to know (CLM-F2).
PLAIN_EVENTS = {
    "claim.report": "We received your report and gave it a number.",
    "claim.request_materials": "We sent you one notice listing every missing material.",
    "claim.material_received": "A material was received.",
    "claim.materials_complete": "Materials are complete; your claim is being reviewed.",
    "claim.accept": "Materials are complete; your claim is being reviewed.",
    "claim.submit_survey": "The facts of the loss were checked.",
    "claim.skip_survey": "The facts of the loss were checked.",
    "claim.complete_assessment": "The loss was assessed.",
    "claim.complete_adjustment": "The amount payable was calculated.",
    "claim.submit_review": "The amount payable was calculated and sent for approval.",
    # CLM-V3: a return or a re-assessment is said as the step the claim goes back to
    # (the reviewer's requirements stay internal, CLM-F2).
    "claim.return_to_adjustment": "The amount payable is being calculated again.",
    "claim.reassess": "The amount of the loss is being determined again.",
    "claim.reopen": "Your claim has been reopened and is being reviewed again.",
    "claim.approve": "Your claim was approved.",
    "claim.reject": "Your claim was not approved.",
    "claim.pay": "The money was paid to your account.",
    "claim.conclude_without_payment": (
        "The amount was decided: nothing is payable. We sent you a notice with the "
        "calculation and how to object."
    ),
    "claim.close": "Your claim was closed.",
    "claim.withdraw": "You withdrew this claim.",
}
# Each upload is its own entry saying what came in (upload_event): a photo or a PDF
# document, with the checklist item it was for; an electronic bill with its total.
UPLOAD_EVENTS = {
    ("photo", True): "A photo was uploaded: %(material)s.",
    ("photo", False): "A photo was uploaded.",
    ("pdf", True): "A PDF document was uploaded: %(material)s.",
    ("pdf", False): "A PDF document was uploaded.",
    ("file", True): "A file was uploaded: %(material)s.",
    ("file", False): "A file was uploaded.",
    (
        "bill",
        True,
    ): "An electronic medical bill was received, with its settlement statement (total %(total)s).",
    ("bill", False): "An electronic medical bill was received (total %(total)s).",
}


def upload_event(
    action: str, details: dict[str, Any], *, language: str, materials: dict[str, str]
) -> str:
    """The words of one upload on the customer's timeline, in ``language``: a photo or a
    PDF document and the checklist item it was for (``materials``: code → name in that
    language), or an electronic bill (CLM-T1) and its total."""
    if action == "claim.bill_submitted":
        msgid = UPLOAD_EVENTS[("bill", bool(details.get("settled")))]
        return gettext(msgid, language) % {"total": money(details.get("total"), language)}
    kind = str(details.get("type") or "")
    shape = "photo" if kind.startswith("image/") else "pdf" if kind == "application/pdf" else "file"
    code = details.get("material")
    named = materials.get(str(code), str(code)) if code else None
    text = gettext(UPLOAD_EVENTS[(shape, named is not None)], language)
    return text % {"material": named} if named else text


# The causes a customer chooses from, in the words the desk's lists say them
# (code_labels.COMPLAINT_CAUSES: one label set, SVC-3).
PORTAL_CAUSES: tuple[str, ...] = (
    "delay",
    "attitude",
    "claim_amount",
    "claim_rejection",
    "process",
    "policy_terms",
    "other",
)
COMPLAINT_CAUSES = tuple((code, CAUSE_LABELS[code]) for code in PORTAL_CAUSES)
SERVICE_REQUESTS = (
    ("policy_change", "Change my policy"),
    ("policy_renewal", "Renew my policy"),
    ("policy_termination", "End my policy"),
    ("claims_help", "Help with a claim"),
)


# -- login with password + SMS code ----------------------------------------------------


def _login_page(
    request: Request, *, step: str, status_code: int = 200, **context: object
) -> Response:
    token = pre_session_token(request)
    response = render(
        request,
        "portal/login.html",
        status_code=status_code,
        csrf_token=token,
        step=step,
        **context,
    )
    set_pre_session_cookie(request, response)
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    if "restart" in request.query_params:
        # "Send a new code": the server drops the pending challenge (its cookie is
        # HttpOnly, and the page may run no inline script under the CSP, SEC-9).
        response = _login_page(request, step="password")
        response.delete_cookie(sms.CHALLENGE_COOKIE)
        return response
    step = "code" if sms.decode_challenge(request.cookies.get(sms.CHALLENGE_COOKIE)) else "password"
    return _login_page(request, step=step)


@router.post("/login")
def login_password(
    request: Request,
    db: DB,
    username: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    try:
        challenge = sms.start(
            db, username=username.strip(), password=password, ip=client_ip(request)
        )
    except ClaimdeskError as error:
        undo_refused(db, error)
        return _login_page(
            request,
            step="password",
            status_code=error.status_code,
            error=error.message(language_of(request)),
            username=username,
        )
    response = _login_page(request, step="code", sent=True)
    response.set_cookie(
        sms.CHALLENGE_COOKIE,
        challenge.token,
        httponly=True,
        samesite="strict",
        secure=get_settings().secure_cookies,
        max_age=int(sms.CODE_TTL.total_seconds()),
    )
    return response


@router.post("/login/code")
def login_code(
    request: Request, db: DB, code: Annotated[str, Form(max_length=12)] = ""
) -> Response:
    try:
        issued = sms.verify(
            db,
            challenge=request.cookies.get(sms.CHALLENGE_COOKIE),
            code=code,
            ip=client_ip(request),
        )
    except ClaimdeskError as error:
        undo_refused(db, error)
        return _login_page(
            request,
            step="code",
            status_code=error.status_code,
            error=error.message(language_of(request)),
        )
    response = RedirectResponse("/portal", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        expires=issued.expires_at,
    )
    response.delete_cookie(sms.CHALLENGE_COOKIE)
    response.delete_cookie(PRE_SESSION_COOKIE)
    return response


# -- home, policies ----------------------------------------------------------------------


def _own_claims(db: Session, principal: Principal) -> list[Claim]:
    """All the customer's own claims (a handful by nature), for the complaint form."""
    return read.visible_claims(db, principal)


def _policies(db: Session, principal: Principal) -> list[dict[str, Any]]:
    policies = policies_service.list_policies(db, actor=principal)
    # Every version with its product and coverages in one go (issue 6: no query per policy).
    versions = products_service.versions_with_coverages(
        db, version_ids={p.product_version_id for p in policies}
    )
    rows = []
    for policy in policies:
        version = versions.get(policy.product_version_id)
        rows.append(
            {
                "policy": policy,
                "version": version,
                "coverages": list(version.coverages) if version else [],
                # Named at render time, in the page's language (``row.product | name_in``).
                "product": version.product if version else None,
            }
        )
    return rows


def portal_home(request: Request, db: Session, principal: Principal) -> Response:
    own = read.claims_page(db, principal, page_request_of(request))
    claims = [{"claim": c, "plain": plain_status(c)} for c in own.rows]
    return render(
        request,
        "portal/home.html",
        claims=claims,
        pager=shown_pager(request, own.page_of(own.rows)),
        policies=_policies(db, principal) if principal.has(Permission.POLICIES_READ) else [],
    )


@router.get("")
def home(request: Request, db: DB, principal: Customer) -> Response:
    return portal_home(request, db, principal)


@router.get("/messages")
def messages(request: Request, db: DB, principal: Customer) -> Response:
    """Every message the insurer sent the customer, newest first: the notices of their
    claims, SMS or not — a claim without a phone sends its notices here only."""
    found = notify.messages_for(db, actor=principal, request=page_request_of(request))
    english = not language_of(request).lower().startswith("zh")
    return render(
        request,
        "portal/messages.html",
        messages=[_in_language(m, english=english) for m in found.rows],
        pager=shown_pager(request, found.page_of(found.rows)),
    )


def _in_language(message: OutboxMessage, *, english: bool) -> dict[str, Any]:
    """A message as the customer reads it now: in the page's language where it was
    kept in both (jobs.outbox.queue_customer_message), else as it was sent."""
    body = message.body_en if english else message.body_zh
    subject = message.subject_en if english else message.subject_zh
    return {
        "id": message.id,
        "at": message.sent_at or message.next_attempt_at,
        "channel": message.channel,
        "subject": subject or message.subject,
        "body": body or message.body,
    }


@router.get("/policies")
def policies(request: Request, db: DB, principal: Customer) -> Response:
    return render(request, "portal/policies.html", policies=_policies(db, principal))


# -- report a claim ----------------------------------------------------------------------

REPORT_FIELDS = (
    "policy_number",
    "coverage_code",
    "loss_date",
    "loss_place",
    "loss_cause",
    "loss_overview",
    "estimated_amount",
    "contact_phone",
)


# The label of each field as the form shows it (msgids): a refusal names the field so.
REPORT_LABELS = {
    "policy_number": "Policy",
    "coverage_code": "What happened is covered by",
    "loss_date": "Date of the loss or of the treatment",
    "loss_cause": "Cause",
    "loss_place": "Where",
    "loss_overview": "What happened, in your words",
    "estimated_amount": "Estimated amount (CNY, optional)",
    "contact_phone": "Mobile number",
}
# API paths of the report body → the form field that fed them.
REPORT_ALIASES = {"coverage_codes": "coverage_code", "claimant_name": ""}


def _chosen_policy(rows: list[dict[str, Any]], number: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["policy"].number == number), rows[0] if rows else None)


def _report_page(
    request: Request,
    db: Session,
    principal: Principal,
    *,
    values: dict[str, str],
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    rows = _policies(db, principal)
    chosen = _chosen_policy(rows, values.get("policy_number", ""))
    return render(
        request,
        "portal/report.html",
        status_code=status_code,
        policies=rows,
        chosen=chosen["policy"].number if chosen else "",
        values=values,
        problems=problems or {},
        causes=LOSS_CAUSES,
    )


@router.get("/report")
def report_form(request: Request, db: DB, principal: Reporter) -> Response:
    # A new key for each form shown: sent twice, it reports once (idempotency.claim_form_key).
    return _report_page(request, db, principal, values={FORM_KEY: secrets.token_urlsafe(16)})


def _coverage_problem(
    rows: list[dict[str, Any]], values: dict[str, str], language: str
) -> dict[str, str]:
    """The coverage offered is one of the chosen policy's (no liability cover on a
    medical policy): checked here too, so it is reported with the other fields."""
    chosen = _chosen_policy(rows, values["policy_number"])
    code = values["coverage_code"]
    if not code or chosen is None or code in {c.code for c in chosen["coverages"]}:
        return {}
    rule = (
        "所选保单不含此保障，请重新选择"
        if language.startswith("zh")
        else "the chosen policy does not include it; choose again"
    )
    return {"coverage_code": labelled(REPORT_LABELS["coverage_code"], rule, language)}


@router.post("/report")
def report_submit(request: Request, form: SubmittedForm, db: DB, principal: Reporter) -> Response:
    language = language_of(request)
    values = {k: str(form.get(k) or "").strip() for k in (*REPORT_FIELDS, FORM_KEY)}
    data: dict[str, Any] = {
        "channel": "app",
        "claimant_name": _own_name(db, principal),
        **{k: values[k] or None for k in REPORT_FIELDS if k != "coverage_code"},
        "coverage_codes": [values["coverage_code"]] if values["coverage_code"] else [],
    }
    problems = _coverage_problem(_policies(db, principal), values, language)
    try:
        body = ReportCreate.model_validate(data)
    except ValidationError as exc:
        # Every field that is wrong, each beside its field, at once (issue 12).
        problems = {
            **problems_of_validation(
                exc.errors(), labels=REPORT_LABELS, language=language, aliases=REPORT_ALIASES
            ),
            **problems,
        }
        body = None
    if problems or body is None:
        return _report_page(
            request, db, principal, values=values, status_code=422, problems=problems
        )
    try:
        first = _first_sending(db, principal, values[FORM_KEY])
        if first is not None:
            return RedirectResponse(first, status_code=303)
        claim = report.report_claim(
            db,
            actor=principal,
            data=report.report_of(body),
        )
    except ClaimdeskError as exc:
        undo_refused(db, exc)
        return _report_page(
            request,
            db,
            principal,
            values=values,
            status_code=exc.status_code,
            problems=problem_of_error(
                exc, labels=REPORT_LABELS, language=language, aliases=REPORT_ALIASES
            ),
        )
    location = f"/portal/claims/{claim.id}?reported=1"
    if values[FORM_KEY]:
        idempotency.answer_form_key(
            db, principal=principal, key=values[FORM_KEY], location=location
        )
    return RedirectResponse(location, status_code=303)


def _first_sending(db: Session, principal: Principal, key: str) -> str | None:
    """Where the report form's first sending went, when this is a second (a double tap,
    the back button and send again); None for the first, or for a form without a key."""
    if not key:
        return None
    return idempotency.claim_form_key(db, principal=principal, key=key, path="/portal/report")


def _own_name(db: Session, principal: Principal) -> str:
    # The customer's own name as on their record (their own data, so no reveal audit).

    person = db.get(Person, principal.person_id) if principal.person_id else None
    return (person.name if person else principal.username)[:100]


# -- a claim: plain timeline, materials, upload, rating ----------------------------------


def _plain_events(db: Session, claim: Claim, detail: Any, language: str) -> list[dict[str, Any]]:
    """The customer's timeline in plain words in ``language``: PLAIN_EVENTS, and each
    upload its own entry saying what it was (upload_event)."""
    zh = language.lower().startswith("zh")
    materials = {code: words[0] if zh else words[1] for code, words in MATERIAL_NAMES.items()} | {
        m.code: m.label_zh if zh else m.label_en for m in detail.checklist
    }
    events = []
    for e in read.claim_timeline(db, claim.id):
        if e.action not in PLAIN_EVENTS and e.action not in UPLOADS:
            continue
        details = json.loads(e.details or "{}")
        text = (
            upload_event(e.action, details, language=language, materials=materials)
            if e.action in UPLOADS
            else gettext(PLAIN_EVENTS[e.action], language)
        )
        events.append({"at": e.occurred_at, "text": text, "detail": details})
    return events


def _claim_page(
    request: Request,
    db: Session,
    principal: Principal,
    claim_id: int,
    *,
    error: dict[str, Any] | None = None,
    message: str | None = None,
    status_code: int = 200,
    material_code: str = "",
    rating: dict[str, str] | None = None,
) -> Response:
    claim = read.claim_for(db, principal, claim_id)
    detail = read.claim_detail(db, claim, language=language_of(request))
    events = _plain_events(db, claim, detail, language_of(request))

    paid = [p for p in payments_of(db, claim_id=claim.id) if p.status == "paid"]
    rated = _rated(db, claim.id)
    notice = decision_notices.notice_of(db, claim.id)
    # The form offers what the service takes (acceptance.takes_upload): on a decided or
    # ended claim only the green channel's deferred items, often nothing at all.
    final = claim.state in workflow.FINAL_STATES
    late = acceptance.late_material_codes(db, claim)
    return render(
        request,
        "portal/claim.html",
        status_code=status_code,
        claim=detail,
        plain=plain_status(claim),
        events=events,
        error=error,
        message=message,
        paid=paid,
        rated=rated,
        missing=[m for m in detail.checklist if not m.received and (not final or m.code in late)],
        can_upload=acceptance.takes_any_upload(db, claim=claim, customer=True),
        more_pages=not final,
        # Offered where the service takes a rating (paid or closed, SVC-5): a rejected
        # claim's form was shown and every rating sent from it refused.
        can_rate=claim.state in service_domain.PAID_CLAIM_STATES and not rated,
        reported=request.query_params.get("reported") == "1",
        **stp_context(db, claim, language=language_of(request)),
        material_code=material_code,
        # A refused rating comes back with the stars and the comment the customer gave.
        rating=rating or {},
        notice=notice,
    )


def _rated(db: Session, claim_id: int) -> bool:

    return service_domain.claim_rated(db, claim_id=claim_id)


@router.get("/claims/{claim_id}")
def claim_page(claim_id: int, request: Request, db: DB, principal: Customer) -> Response:
    return _claim_page(request, db, principal, claim_id)


# -- the settlement notice (理赔决定通知书, CLM-C3, CLM-P2, CLM-V3) --------------------------


def _notice_or_404(db: Session, principal: Principal, claim_id: int) -> tuple[Claim, Any]:
    claim = read.claim_for(db, principal, claim_id)  # the customer's own claims only (SEC-4)
    notice = decision_notices.notice_of(db, claim.id)
    if notice is None:
        raise NotFound(what="decision notice", field="claim_id")
    return claim, notice


def _notice_read(db: Session, principal: Principal, claim: Claim, notice: Any, via: str) -> None:
    # The notice lists treatments and the account: each read is on the trail (GEN-5).
    audit_record(
        db,
        actor=principal,
        action="claim.notice_read",
        entity_type="claim",
        entity_id=claim.id,
        details={"notice_id": notice.id, "via": via},
    )


@router.get("/claims/{claim_id}/notice")
def settlement_notice(claim_id: int, request: Request, db: DB, principal: Customer) -> Response:
    """The customer's notice in plain words: what was claimed, what was not paid and why,
    deductible, ratio, the amount, the payment, how to object; the PDF beside it."""
    claim, notice = _notice_or_404(db, principal, claim_id)
    _notice_read(db, principal, claim, notice, "page")
    # Each coverage named in the reader's language as the notice was issued with it
    # (its Chinese and English names are stored in the row; its PDF is bilingual and
    # never changes); a notice issued before the English name was stored reads the
    # product's English name now (GEN-6, decision_notices.coverage_name_in).
    language = language_of(request)
    names = coverage_names(db, claim, language)
    rows = [
        {**r, "coverage_name": decision_notices.coverage_name_in(r, language, names)}
        for r in notice.calculation.get("coverages", [])
    ]
    payment = notice.calculation.get("payment")
    zh = language_of(request).startswith("zh")
    sentences = decision_notices.summary_sentences(
        rows, payable=notice.payable, already_paid=notice.already_paid, payment=payment
    )
    return render(
        request,
        "portal/notice.html",
        claim=claim,
        notice=notice,
        rows=rows,
        payment=payment,
        sentences=[pair[0] if zh else pair[1] for pair in sentences],
        appeal=decision_notices.APPEAL_ROUTE_ZH if zh else decision_notices.APPEAL_ROUTE_EN,
        yuan=decision_notices.yuan,
        percent=decision_notices.percent,
        overpaid=max(notice.already_paid - notice.payable, Decimal("0.00")),
    )


@router.get("/claims/{claim_id}/notice.pdf")
def settlement_notice_pdf(claim_id: int, db: DB, principal: Customer) -> Response:
    claim, notice = _notice_or_404(db, principal, claim_id)
    _notice_read(db, principal, claim, notice, "pdf")
    return Response(
        content=decision_notices.ensure_pdf(db, notice, actor=principal),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="notice-{claim.number}.pdf"'},
    )


@router.post("/claims/{claim_id}/upload")
def upload(
    claim_id: int,
    request: Request,
    db: DB,
    principal: Uploader,
    file: Annotated[UploadFile | None, File()] = None,
    material_code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    def call() -> object:
        claim = read.claim_for(db, principal, claim_id, for_update=True)
        if file is None or not file.filename:
            # Said beside the file field on the claim page, not on an error page.
            raise FileRequired(field="file")
        # Read one byte past the limit: enough to refuse, never the whole of a huge upload.
        return acceptance.store_upload(
            db,
            actor=principal,
            claim=claim,
            filename=file.filename or "upload",
            content=file.file.read(rules().upload_max_bytes + 1),
            material_code=material_code or None,
            purpose="material",
        )

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _claim_page(
            request,
            db,
            principal,
            claim_id,
            error=refusal.error,
            status_code=refusal.status_code,
            material_code=material_code,
        ),
        redirect=f"/portal/claims/{claim_id}#materials",
    )


@router.post("/claims/{claim_id}/rating")
def rate(
    claim_id: int, request: Request, form: SubmittedForm, db: DB, principal: OwnService
) -> Response:

    read.claim_for(db, principal, claim_id)
    typed = {k: str(form.get(k) or "") for k in RATING_LABELS}
    try:
        # The API's own in-schema (GEN-6): the page takes what the API takes.
        body = checked(
            SurveyIn,
            {
                "subject_type": "claim",
                "subject_id": claim_id,
                "source": "online_rating",
                **{k: value or None for k, value in typed.items()},
            },
        )
        data = body.model_dump()
        scores = {name: data.pop(name) for name in service_domain.SCORE_FIELDS}
        service_domain.record_survey(db, actor=principal, scores=scores, **data)
    except ValidationError as exc:
        undo_refused(db, exc)
        # Every score left unchosen is named at once (issue 12: none is preselected).
        problems = problems_of_validation(
            exc.errors(), labels=RATING_LABELS, language=language_of(request)
        )
        return _claim_page(
            request,
            db,
            principal,
            claim_id,
            status_code=422,
            error={"message": "；".join(problems.values()), "field": next(iter(problems), "")},
            rating=typed,
        )
    except ClaimdeskError as exc:
        undo_refused(db, exc)
        return _claim_page(
            request,
            db,
            principal,
            claim_id,
            status_code=exc.status_code,
            error=exc.to_dict(language_of(request)),
            rating=typed,
        )
    return RedirectResponse(f"/portal/claims/{claim_id}?rated=1", status_code=303)


RATING_LABELS = {
    "score_speed": "Speed",
    "score_attitude": "Attitude",
    "score_result": "Result",
    "score_process": "Process",
    "comment": "Comment (optional)",
}


# -- complaints and policy service requests ----------------------------------------------


def _service_page(
    request: Request,
    db: Session,
    principal: Principal,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    """The complaint and request forms, refused: again with what was typed (a long
    account of what happened is not lost), the message beside the form that was sent;
    below, the customer's own complaints and requests with where each stands (SVC-3)."""
    policies = _policies(db, principal)
    records = service_domain.service_records(db, actor=principal, limit=OWN_RECORDS_SHOWN)
    # Where each policy request's change stands (POL-2: requested → ... → done).
    changes = policies_service.changes_by_id(
        db, change_ids={r.policy_change_id for r in records if r.policy_change_id is not None}
    )
    return render(
        request,
        "portal/service.html",
        **form_context(refusal, action=action, values=values),
        done=request.query_params.get("done"),
        claims=_own_claims(db, principal),
        policies=policies,
        # POL-2: contact details are changed on a policy the customer holds, in force.
        held=[
            row
            for row in policies
            if row["policy"].policyholder_id == principal.person_id
            and row["policy"].status == "in_force"
        ],
        causes=COMPLAINT_CAUSES,
        requests=SERVICE_REQUESTS,
        complaints=service_domain.complaints_of(db, actor=principal, limit=OWN_RECORDS_SHOWN),
        routes=service_domain.ESCALATION_ROUTES,
        records=records,
        changes=changes,
        subjects=_contact_subjects(request, records, changes),
    )


# A contact change's fields as the customer reads them (msgids); CONTACT_WORDS below are
# the Chinese the change's description keeps for the staff.
CONTACT_FIELD_WORDS = {"phone": "mobile number", "email": "e-mail", "address": "contact address"}


def _contact_subjects(
    request: Request, records: list[ServiceRecord], changes: dict[int, PolicyChange]
) -> dict[int, str]:
    """The subject of each contact change request in the page's language: the record
    keeps the Chinese words it was filed with (变更电子邮箱), which an English page would
    show as they are (GEN-6)."""
    gettext = translator(request)
    subjects: dict[int, str] = {}
    for record in records:
        change = changes.get(record.policy_change_id or 0)
        fields = (change.payload or {}).get("contact") if change is not None else None
        if fields:
            words = [gettext(CONTACT_FIELD_WORDS[f]) for f in fields if f in CONTACT_FIELD_WORDS]
            joined = ("、" if language_of(request) == "zh-CN" else ", ").join(words)
            subjects[record.id] = gettext("Change of %(fields)s", fields=joined)
    return subjects


# The newest of the customer's own complaints and requests shown under the forms.
OWN_RECORDS_SHOWN = 20


@router.get("/service")
def service_page(request: Request, db: DB, principal: OwnService) -> Response:
    return _service_page(request, db, principal)


def _service_form(
    request: Request,
    db: Session,
    principal: Principal,
    call: Callable[[], object],
    *,
    done: str,
    values: dict[str, Any],
) -> Response:
    """A complaint or a service request sent from the service page: the page again with
    the refusal and what was typed, or back to it saying what was ``done``."""
    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _service_page(
            request, db, principal, refusal=refusal, action=done, values=values
        ),
        redirect=f"/portal/service?done={done}",
    )


@router.post("/service/complaint")
def complain(request: Request, form: SubmittedForm, db: DB, principal: OwnService) -> Response:

    values = {k: str(form.get(k) or "") for k in ("claim_id", "cause", "description")}
    claim_id = values["claim_id"]

    def call() -> object:
        body = checked(
            ComplaintIn,
            {
                "channel": "web_app",
                "complaint_type": "claims" if claim_id else "service",
                "cause": values["cause"],
                "description": values["description"],
                "claim_id": claim_id or None,
            },
        )
        return service_domain.file_complaint(db, actor=principal, **body.model_dump())

    return _service_form(request, db, principal, call, done="complaint", values=values)


@router.post("/service/request")
def service_request(
    request: Request, form: SubmittedForm, db: DB, principal: OwnService
) -> Response:
    values = {
        k: str(form.get(k) or "") for k in ("service_type", "subject", "request", "policy_id")
    }

    def call() -> object:
        body = checked(
            ServiceRecordIn,
            {
                "service_type": values["service_type"],
                "channel": "web_app",
                "subject": values["subject"],
                "request": values["request"] or None,
                "policy_id": values["policy_id"] or None,
            },
        )
        return service_domain.open_service_record(db, actor=principal, **body.model_dump())

    return _service_form(request, db, principal, call, done="request", values=values)


CONTACT_FIELDS = ("policy_id", "phone", "email", "address", "consent")
# Their names in the change's description (the staff's and the history's reading).
CONTACT_WORDS = {"phone": "手机号码", "email": "电子邮箱", "address": "联系地址"}


@router.post("/service/contact")
def change_contact(
    request: Request, form: SubmittedForm, db: DB, principal: OwnService
) -> Response:
    """变更联系方式 (POL-2): the policyholder asks for new contact details on a policy they
    hold. It is a policy service request like the desk's (service.open_policy_service_
    request: a service record and a policy change, one path): the customer's consent is
    their own click in a session that passed the SMS code (SEC-9), effective the day it
    is asked; staff review, approve and complete it within 2 working days, and the change
    keeps the history."""
    values = {k: str(form.get(k) or "").strip() for k in CONTACT_FIELDS}
    given = {k: values[k] for k in ("phone", "email", "address") if values[k]}

    def call() -> object:
        words = "、".join(CONTACT_WORDS[k] for k in given) or "联系方式"
        body = checked(
            PolicyServiceRequestIn,
            {
                "kind": "change",
                "policy_id": values["policy_id"] or None,
                "channel": "web_app",
                "change": {
                    "kind": "change",
                    "description": f"客户自助申请变更{words}",
                    "effective_date": local_today().isoformat(),
                    "customer_consent": values["consent"] == "yes",
                    "customer_consent_method": "online_click",
                    "contact": given,
                },
            },
        )
        return service_domain.open_policy_service_request(
            db,
            actor=principal,
            **body.model_dump(exclude={"change"}),
            change=body.change,
            subject=f"变更{words}",
        )

    return _service_form(request, db, principal, call, done="contact", values=values)


@router.post("/service/complaints/{complaint_id}/response")
def respond_to_decision(
    complaint_id: int, request: Request, form: SubmittedForm, db: DB, principal: OwnService
) -> Response:
    """The customer accepts a complaint's decision or takes it further (mediation, the
    regulator, arbitration, court; SVC-3): the decision was shown with no way to answer."""
    values = {k: str(form.get(k) or "") for k in ("response", "route")}

    def call() -> object:
        body = checked(
            RespondIn, {"response": values["response"], "route": values["route"] or None}
        )
        return service_domain.respond_to_decision(
            db, actor=principal, complaint_id=complaint_id, **body.model_dump()
        )

    values["complaint_id"] = str(complaint_id)
    return _service_form(request, db, principal, call, done="response", values=values)
