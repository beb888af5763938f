"""Policy pages (POL-1..POL-6): search (by number, or by the insured's ID number through
the audited people look-up), the policy with its parties, coverages in plain words,
clocks and incontestability; issue, change/termination (request → review → approval →
done), renewal and disputes. Every action is the API's service call with the API's
permission; a refusal is shown beside its form and writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, require
from claimdesk.errors import ValidationFailed
from claimdesk.formatting import name_in
from claimdesk.policies import service
from claimdesk.policies.schemas import (
    ChangeIn,
    DisputeIn,
    DisputeStepIn,
    PolicyIssueIn,
    ReviewIn,
    StepIn,
)
from claimdesk.products import service as product_service
from claimdesk.web import kit
from claimdesk.web.kit import (
    FormPage,
    Pager,
    Refusal,
    attempt,
    common,
    form_action,
    form_context,
    language_of,
    local_today,
    page,
    page_request_of,
    pager,
)

router = APIRouter(prefix="/admin/policies")

Reader = Annotated[Principal, Depends(require(Permission.POLICIES_READ))]
Issuer = Annotated[Principal, Depends(require(Permission.POLICIES_ISSUE))]
Servicer = Annotated[Principal, Depends(require(Permission.POLICIES_SERVICE))]
Approver = Annotated[Principal, Depends(require(Permission.POLICIES_APPROVE))]
Short = Annotated[str, Form(max_length=200)]
Text = Annotated[str, Form(max_length=4000)]

CHANNELS = ("direct", "agency", "bank", "securities", "internet", "phone", "other")
# 投保人与被保险人关系 (POL-1): the insured is the policyholder's ...
RELATIONSHIPS = ("self", "spouse", "child", "parent", "other")
# How the new policyholder's consent was given (people.schemas.ConsentMethod).
CONSENT_METHODS = ("written", "online_click", "phone_recorded", "sms_code")
DISPUTE_ACTIONS = ("answer", "agree", "complete_formalities", "escalate", "decide", "perform")


class InvalidBeneficiaryLine(ValidationFailed):
    code = "invalid_beneficiary_line"
    message_zh = "{field}：每行应为“人员编号，与被保险人关系，份额%”"
    message_en = "{field}: each line must read 'person number, relationship, share %'"


def _beneficiaries(text: str, field: str) -> list[dict[str, str]]:
    found = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 3 or not all(parts):
            raise InvalidBeneficiaryLine(field=field)
        found.append({"person_id": parts[0], "relationship": parts[1], "share": parts[2]})
    return found


# --- search --------------------------------------------------------------------------


@router.get("")
def policies(
    request: Request, db: DB, actor: Reader, number: str = "", id_number: str = "", date: str = ""
) -> Response:
    values = {"number": number, "id_number": id_number, "date": date}
    searched = bool(number.strip() or id_number.strip())
    shown: Pager | None = None
    if not searched:
        # Paged (issue 12): the list stopped silently at the newest 100 policies.
        window = service.policies_page(db, actor=actor, paging=page_request_of(request))
        listed = window.page_of(window.rows)
        shown = pager(request, listed)
        found: Any = listed.items
    else:

        def call() -> list[Any]:
            day = dt.date.fromisoformat(date) if date.strip() else local_today()
            return service.find_for_claim(
                db,
                actor=actor,
                policy_number=number or None,
                id_number=id_number.strip() or None,
                date_of_loss=day,
            )

        found = (
            attempt(request, db, call)
            if _valid_date(date)
            else Refusal(
                {
                    "code": "validation_failed",
                    "field": "date",
                    "message": "日期格式应为 YYYY-MM-DD"
                    if language_of(request) == "zh-CN"
                    else "The date must read YYYY-MM-DD",
                },
                422,
            )
        )
    refusal = found if isinstance(found, Refusal) else None
    rows = [] if refusal else service.policy_summaries(db, policies=found)
    return page(
        request,
        "admin/policies.html",
        **form_context(refusal, values=values),
        policies=rows,
        pager=shown,
        searched=searched,
        may_issue=actor.has(Permission.POLICIES_ISSUE),
        **common(request),
    )


def _valid_date(text: str) -> bool:
    try:
        if text.strip():
            dt.date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


# --- issue ---------------------------------------------------------------------------


def _issue_form(
    request: Request,
    db: Session,
    *,
    refusal: Refusal | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    rows = product_service.published_version_choices(db)
    language = language_of(request)  # the page's: not yet set while the view runs
    choices = [
        (vid, f"{code} · {name_in({'name': name, 'name_en': name_en}, language)} · v{number}")
        for vid, code, name, name_en, number in rows
    ]
    return page(
        request,
        "admin/policy_new.html",
        **form_context(refusal, values=values),
        versions=choices,
        channels=CHANNELS,
        relationships=RELATIONSHIPS,
        **common(request),
    )


@router.get("/new")
def new_policy(request: Request, db: DB, actor: Issuer) -> Response:
    return _issue_form(request, db)


@router.post("")
def issue(
    request: Request,
    db: DB,
    actor: Issuer,
    product_version_id: Short = "",
    policyholder_id: Short = "",
    insured_id: Short = "",
    insured_relationship: Short = "",
    period_start: Short = "",
    period_end: Short = "",
    premium: Short = "",
    channel: Short = "",
    region_code: Short = "",
    customer_group: Short = "",
    beneficiaries: Text = "",
) -> Response:
    values = {
        "product_version_id": product_version_id,
        "policyholder_id": policyholder_id,
        "insured_id": insured_id,
        "insured_relationship": insured_relationship,
        "period_start": period_start,
        "period_end": period_end,
        "premium": premium,
        "channel": channel,
        "region_code": region_code,
        "customer_group": customer_group,
        "beneficiaries": beneficiaries,
    }

    def call() -> Any:
        data = PolicyIssueIn.model_validate(
            {
                "product_version_id": product_version_id,
                "policyholder_id": policyholder_id,
                "insured_id": insured_id.strip() or policyholder_id,
                "insured_relationship": insured_relationship.strip() or None,
                "period_start": period_start,
                "period_end": period_end.strip() or None,
                "premium": premium,
                "channel": channel,
                "region_code": region_code.strip() or None,
                "customer_group": customer_group.strip() or None,
                "beneficiaries": _beneficiaries(beneficiaries, "beneficiaries"),
                "agent_user_id": actor.user_id if actor.has(Permission.SALES_OWN) else None,
            }
        )
        return service.issue_policy(db, actor=actor, data=data)

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _issue_form(request, db, refusal=refusal, values=values),
        redirect=lambda policy: f"/admin/policies/{policy.id}",
    )


# --- the policy ----------------------------------------------------------------------


def _policy(
    request: Request,
    db: Session,
    actor: Principal,
    policy_id: int,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    language = language_of(request)
    shown = service.get_policy(db, actor=actor, policy_id=policy_id)
    policy = service.policy_out(db, policy=shown, language=language)
    version = product_service.version_out(
        version=product_service.get_version(db, version_id=policy.product.version_id),
        language=language,
    )
    return page(
        request,
        "admin/policy.html",
        **form_context(refusal, action=action, values=values),
        policy=policy,
        version=version,
        dispute_actions=DISPUTE_ACTIONS,
        relationships=RELATIONSHIPS,
        consent_methods=CONSENT_METHODS,
        may_service=actor.has(Permission.POLICIES_SERVICE),
        may_approve=actor.has(Permission.POLICIES_APPROVE),
        may_read_people=actor.has(Permission.PEOPLE_READ),
        **common(request),
    )


@router.get("/{policy_id}")
def policy_page(policy_id: int, request: Request, db: DB, actor: Reader) -> Response:
    return _policy(request, db, actor, policy_id)


def _policy_page(request: Request, db: Session, actor: Principal, policy_id: int) -> FormPage:
    """The policy's page, which its change, renewal and dispute forms post back to."""
    show = partial(_policy, request, db, actor, policy_id)
    return FormPage(request, db, show, f"/admin/policies/{policy_id}")


@router.post("/{policy_id}/changes")
def request_change(
    policy_id: int,
    request: Request,
    db: DB,
    actor: Servicer,
    kind: Short = "",
    description: Text = "",
    effective_date: Short = "",
    customer_consent: Short = "",
    customer_consent_method: Short = "",
    initiator: Short = "",
    beneficiaries: Text = "",
    insured_relationship: Short = "",
    holder_name: Annotated[str, Form(max_length=200, alias="new_policyholder.name")] = "",
    holder_id: Annotated[str, Form(max_length=200, alias="new_policyholder.id_number")] = "",
    holder_phone: Annotated[str, Form(max_length=200, alias="new_policyholder.phone")] = "",
    holder_consent: Annotated[str, Form(max_length=200, alias="new_policyholder.consent")] = "",
    holder_method: Annotated[
        str, Form(max_length=200, alias="new_policyholder.consent_method")
    ] = "",
    contact_phone: Annotated[str, Form(max_length=200, alias="contact.phone")] = "",
    contact_email: Annotated[str, Form(max_length=200, alias="contact.email")] = "",
    contact_address: Annotated[str, Form(max_length=200, alias="contact.address")] = "",
) -> Response:
    holder = {"name": holder_name, "id_number": holder_id, "phone": holder_phone}
    holder.update(consent=holder_consent, consent_method=holder_method)
    contact = {"phone": contact_phone, "email": contact_email, "address": contact_address}
    values = {
        "kind": kind,
        "description": description,
        "effective_date": effective_date,
        "customer_consent": customer_consent,
        "customer_consent_method": customer_consent_method,
        "initiator": initiator,
        "beneficiaries": beneficiaries,
        "insured_relationship": insured_relationship,
        **{f"new_policyholder.{name}": value for name, value in holder.items()},
        **{f"contact.{name}": value for name, value in contact.items()},
    }

    def call() -> Any:
        data = _change_in(values, holder, contact)
        return service.request_change(db, actor=actor, policy_id=policy_id, data=data)

    return _policy_page(request, db, actor, policy_id).act("change", values, call)


def _change_in(form: dict[str, str], holder: dict[str, str], contact: dict[str, str]) -> ChangeIn:
    """The change form as the API's body: each part of the other kind left out."""
    kind, beneficiaries = form["kind"], form["beneficiaries"]
    change = kind == "change"
    return ChangeIn.model_validate(
        {
            "kind": kind,
            "description": form["description"],
            "effective_date": form["effective_date"],
            "customer_consent": bool(form["customer_consent"]),
            "customer_consent_method": form["customer_consent_method"],
            "initiator": form["initiator"] or None if kind == "termination" else None,
            "beneficiaries": _beneficiaries(beneficiaries, "beneficiaries")
            if change and beneficiaries.strip()
            else None,
            # Empty: the change leaves 投保人与被保险人关系 as it is.
            "insured_relationship": form["insured_relationship"].strip() or None
            if change
            else None,
            "new_policyholder": _new_holder(holder) if change else None,
            # 变更联系方式: only the fields filled in (none: left as they are).
            "contact": {k: v.strip() for k, v in contact.items() if v.strip()} or None
            if change
            else None,
        }
    )


def _new_holder(form: dict[str, str]) -> dict[str, Any] | None:
    """The change form's new policyholder (变更投保人), or None when no field of it is
    filled in; the page takes resident IDs only, as the policy's issue does."""
    if not any(form[name].strip() for name in ("name", "id_number", "phone")):
        return None
    return {
        "name": form["name"].strip(),
        "id_number": form["id_number"].strip(),
        "phone": form["phone"].strip(),
        "consent": bool(form["consent"]),
        "consent_method": form["consent_method"].strip() or None,
    }


def _change_policy(db: Session, actor: Principal, change_id: int) -> int:
    """The change's policy, as ``actor`` sees it: a change they may not see is the
    not-found page (SEC-4), before any form is read."""
    return service.policy_of_change(db, actor=actor, change_id=change_id)


@router.post("/changes/{change_id}/review")
def review_change(
    change_id: int, request: Request, db: DB, actor: Servicer, lawful: Short = "", note: Text = ""
) -> Response:
    policy_id = _change_policy(db, actor, change_id)

    def call() -> Any:
        _required(note, "note")
        # The API's own schema: the page takes no longer note than the API (GEN-6).
        data = kit.checked(ReviewIn, {"lawful": lawful == "yes", "note": note})
        return service.review_change(
            db, actor=actor, change_id=change_id, lawful=data.lawful, note=data.note
        )

    return _policy_page(request, db, actor, policy_id).act(
        f"change-{change_id}", {"note": note}, call
    )


@router.post("/changes/{change_id}/approve")
def approve_change(change_id: int, request: Request, db: DB, actor: Approver) -> Response:
    policy_id = _change_policy(db, actor, change_id)
    return _policy_page(request, db, actor, policy_id).act(
        f"change-{change_id}",
        {},
        lambda: service.approve_change(db, actor=actor, change_id=change_id),
    )


@router.post("/changes/{change_id}/complete")
def complete_change(change_id: int, request: Request, db: DB, actor: Servicer) -> Response:
    policy_id = _change_policy(db, actor, change_id)
    return _policy_page(request, db, actor, policy_id).act(
        f"change-{change_id}",
        {},
        lambda: service.complete_change(db, actor=actor, change_id=change_id),
    )


@router.post("/changes/{change_id}/reject")
def reject_change(
    change_id: int,
    request: Request,
    db: DB,
    actor: Approver,
    note: Text = "",
    confirm: Short = "",
) -> Response:
    policy_id = _change_policy(db, actor, change_id)

    def call() -> Any:
        if not note.strip():
            raise RejectionReasonRequired(field="note")
        data = kit.checked(StepIn, {"note": note})
        # A rejection ends the request for good (POL-2): the approver ticks the
        # confirmation beside the reason first, as for the page's other final acts.
        if confirm != "yes":
            raise RejectionNotConfirmed(field="confirm")
        return service.reject_change(db, actor=actor, change_id=change_id, reason=data.note or note)

    return _policy_page(request, db, actor, policy_id).act(
        f"change-{change_id}", {"note": note}, call
    )


class TextRequired(ValidationFailed):
    code = "text_required"
    # The one wording of an empty text (validation.TEXT_REQUIRED), as the API says it.
    message_zh = "{field}：不能为空"
    message_en = "{field}: may not be empty"


class RejectionReasonRequired(TextRequired):
    # The reject form's note is the reason for rejecting (驳回理由), as StepIn names it.
    field_context = StepIn.field_context


class RejectionNotConfirmed(ValidationFailed):
    code = "rejection_not_confirmed"
    message_zh = "请勾选确认后再驳回：驳回后此申请即告结束，不能再批准或办结"
    message_en = (
        "Tick the confirmation to reject: the request then ends for good and can no longer "
        "be approved or completed"
    )


def _required(text: str, field: str) -> None:
    if not text.strip():
        raise TextRequired(field=field)


@router.post("/{policy_id}/renew")
def renew(
    policy_id: int, request: Request, db: DB, actor: Servicer, premium: Short = ""
) -> Response:
    def call() -> Any:

        amount = None
        if premium.strip():
            try:
                amount = Decimal(premium.strip())
            except InvalidOperation:
                raise ValidationFailed(field="premium") from None
            if amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
                raise ValidationFailed(field="premium")
        return service.renew_policy(
            db, actor=actor, policy_id=policy_id, product_version_id=None, premium=amount
        )

    return _policy_page(request, db, actor, policy_id).act(
        "renew",
        {"premium": premium},
        call,
        # A renewal is a new policy: its page is the answer.
        redirect=lambda renewed: f"/admin/policies/{renewed.id}",
    )


@router.post("/{policy_id}/disputes")
def open_dispute(
    policy_id: int,
    request: Request,
    db: DB,
    actor: Servicer,
    applicant: Short = "",
    dispute_description: Text = "",
) -> Response:
    def call() -> Any:
        _required(applicant, "applicant")
        _required(dispute_description, "dispute_description")
        data = kit.checked(
            DisputeIn,
            {"applicant": applicant.strip(), "description": dispute_description.strip()},
            named={"description": "dispute_description"},
        )
        return service.open_dispute(
            db,
            actor=actor,
            policy_id=policy_id,
            applicant=data.applicant,
            description=data.description,
        )

    return _policy_page(request, db, actor, policy_id).act(
        "dispute",
        {"applicant": applicant, "dispute_description": dispute_description},
        call,
    )


@router.post("/disputes/{dispute_id}/steps")
def dispute_step(
    dispute_id: int,
    request: Request,
    db: DB,
    actor: Servicer,
    step: Short = "",
    text: Text = "",
    route: Short = "",
) -> Response:
    policy_id = service.policy_of_dispute(db, actor=actor, dispute_id=dispute_id)

    def call() -> Any:
        if step not in DISPUTE_ACTIONS:
            raise ValidationFailed(field="step")
        _required(text, "text")
        data = kit.checked(
            DisputeStepIn,
            {"action": step, "text": text.strip(), "route": route or None},
            named={"action": "step"},
        )
        return service.dispute_step(
            db,
            actor=actor,
            dispute_id=dispute_id,
            action=data.action,
            text=data.text,
            route=data.route,
        )

    return _policy_page(request, db, actor, policy_id).act(
        f"dispute-{dispute_id}",
        {"step": step, "text": text, "route": route},
        call,
    )
