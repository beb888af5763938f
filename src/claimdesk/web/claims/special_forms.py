"""The claim page's forms for the special cases of the manual §四: a mass event's green
channel (CLM-Z2), a remote claim and its mailed materials (CLM-Z1), and a dispute about
the claim answered by a named person and taken along its path (CLM-Z3). Each handler
calls the special-cases service the API route of the same step calls."""

from __future__ import annotations

from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.auth import service as users
from claimdesk.auth.principal import Principal
from claimdesk.claims.intake import acceptance
from claimdesk.claims.special import disputes, events, remote
from claimdesk.claims.special import schemas as special
from claimdesk.claims.special.disputes import LARGE_PATHS, OUTCOMES, RESPONDER_ROLES, SMALL_PATHS
from claimdesk.code_labels import DISPUTE_OUTCOMES, DISPUTE_PATHS
from claimdesk.i18n import current_language
from claimdesk.models.claim import Claim
from claimdesk.models.event import MassEvent
from claimdesk.org import service as org_service
from claimdesk.products.coverage_types import MATERIALS
from claimdesk.web.claims.page_forms import (
    SS,
    ChoiceRequired,
    FormField,
    Values,
    text,
    validated,
)
from claimdesk.web.kit import listed


def _id(form: Values, name: str) -> int:
    raw = text(form, name)
    if raw is None or not raw.isdigit():
        raise ChoiceRequired(field=name)
    return int(raw)


def _material(code: str) -> str:
    zh, en = MATERIALS.get(code, (code, code))
    return zh if current_language.get() == "zh-CN" else en


# -- mass event (CLM-Z2) ---------------------------------------------------------------------


def _open_events(db: Session) -> list[MassEvent]:
    return events.active_events(db)


def can_link_event(db: Session, claim: Claim) -> bool:
    return events.link_of(db, claim.id) is None and bool(_open_events(db))


def event_fields(db: Session, _claim: Claim) -> list[FormField]:
    options = [(str(e.id), f"{e.name} · {e.region} · {e.starts_on}") for e in _open_events(db)]
    return [
        FormField(
            "event_id",
            "Mass event",
            "select",
            required=True,
            options=options,
            help="The event's green channel: simplified materials, priority, small losses first.",
        )
    ]


def link_event(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    body = special.LinkIn(event_id=_id(form, "event_id"))
    event = events.get_event(db, body.event_id)
    events.link_claim(db, actor=p, event=event, claim=claim)


# -- remote claim (CLM-Z1) -------------------------------------------------------------------


def can_designate_remote(db: Session, claim: Claim) -> bool:
    return remote.remote_of(db, claim.id) is None


def remote_fields(db: Session, claim: Claim) -> list[FormField]:
    branches = [
        unit
        for unit in sorted(org_service.list_units(db, kind="branch"), key=lambda u: u.id)
        if unit.id != (claim.org_unit_id or 0)
    ]
    return [
        FormField(
            "local_org_unit_id",
            "Branch where the loss happened (surveys and assesses)",
            "select",
            required=True,
            options=[(str(u.id), formatting.name_in(u)) for u in branches],
            help="Head office adjusts and reviews a remote claim.",
        )
    ]


def designate_remote(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    body = special.RemoteIn(local_org_unit_id=_id(form, "local_org_unit_id"))
    remote.designate(db, actor=p, claim=claim, local_org_unit_id=body.local_org_unit_id)


def has_missing(db: Session, claim: Claim) -> bool:
    """The notice's form is offered exactly when the service would send it (a
    green-channel deferral is not missing; a notice goes out once)."""
    return acceptance.missing_notice_due(db, claim)


def can_mail(db: Session, claim: Claim) -> bool:
    return bool(remote.mailable_codes(db, claim))


def mailing_fields(db: Session, claim: Claim) -> list[FormField]:
    return [
        FormField("carrier", "Carrier", required=True),
        FormField("tracking_number", "Tracking number", required=True),
        FormField("sent_on", "Sent on", "date", required=True),
        *[
            FormField(f"item__{code}", _material(code), "checkbox", binds="items")
            for code in remote.mailable_codes(db, claim)
        ],
    ]


def record_mailing(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    items = [k.split("__", 1)[1] for k, v in form.items() if k.startswith("item__") and v]
    body = validated(
        special.MailingIn,
        {
            "carrier": text(form, "carrier"),
            "tracking_number": text(form, "tracking_number"),
            "items": items,
            "sent_on": text(form, "sent_on"),
        },
    )
    remote.record_mailing(db, actor=p, claim=claim, **body.model_dump())


def _waiting_mailings(db: Session, claim: Claim) -> list[tuple[str, str]]:
    return [
        (str(m.id), f"{m.carrier} {m.tracking_number} · {listed(_material(c) for c in m.items)}")
        for m in remote.mailings_of(db, claim.id)
        if m.received_at is None
    ]


def has_waiting_mailing(db: Session, claim: Claim) -> bool:
    return bool(_waiting_mailings(db, claim))


def receive_mailing_fields(db: Session, claim: Claim) -> list[FormField]:
    return [
        FormField(
            "mailing_id",
            "Parcel received",
            "select",
            required=True,
            options=_waiting_mailings(db, claim),
        )
    ]


def receive_mailing(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    remote.receive_mailing(db, actor=p, claim=claim, mailing_id=_id(form, "mailing_id"))


# -- dispute (CLM-Z3) ------------------------------------------------------------------------

# The paths and outcomes in words: code_labels.DISPUTE_PATHS, DISPUTE_OUTCOMES (a refusal
# naming the paths allowed says them alike).


def dispute_fields(db: Session, _claim: Claim) -> list[FormField]:
    staff = users.staff_with_roles(db, roles=RESPONDER_ROLES)
    return [
        FormField(
            "description",
            "What the customer disputes",
            "textarea",
            required=True,
            limit=f"{SS}:DisputeIn.description",
        ),
        FormField(
            "disputed_amount",
            "Amount in dispute (CNY)",
            "number",
            required=True,
            step="0.01",
            minimum="0",
        ),
        FormField(
            "responder_id",
            "Named person who answers within 2 hours",
            "select",
            options=[("", "Me"), *[(str(i), n) for i, n, _unit in staff]],
        ),
    ]


def file_dispute(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    responder = text(form, "responder_id")
    body = validated(
        special.DisputeIn,
        {
            "description": text(form, "description"),
            "disputed_amount": text(form, "disputed_amount"),
            "responder_id": int(responder) if responder and responder.isdigit() else None,
        },
    )
    disputes.file_dispute(db, actor=p, claim=claim, **body.model_dump())


def _disputes(db: Session, claim: Claim, *statuses: str) -> list[tuple[str, str]]:
    return [
        (str(d.id), f"#{d.id} · ¥{d.disputed_amount:,.2f} · {d.description}"[:120])
        for d in disputes.disputes_of(db, claim.id)
        if d.status in statuses
    ]


def has_unanswered_dispute(db: Session, claim: Claim) -> bool:
    return bool(_disputes(db, claim, "open"))


def has_answered_dispute(db: Session, claim: Claim) -> bool:
    return bool(_disputes(db, claim, "answered", "in_progress"))


def answer_fields(db: Session, claim: Claim) -> list[FormField]:
    return [
        FormField(
            "dispute_id", "Dispute", "select", required=True, options=_disputes(db, claim, "open")
        ),
        FormField(
            "answer",
            "Answer to the customer",
            "textarea",
            required=True,
            limit=f"{SS}:AnswerIn.answer",
        ),
    ]


def answer_dispute(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    body = validated(special.AnswerIn, {"answer": text(form, "answer")})
    dispute, on_claim = disputes.with_claim(db, actor=p, dispute_id=_id(form, "dispute_id"))
    disputes.answer(db, actor=p, dispute=dispute, claim=on_claim, text=body.answer)


def escalate_fields(db: Session, claim: Claim) -> list[FormField]:
    paths = [(code, DISPUTE_PATHS[code]) for code in (*SMALL_PATHS, *LARGE_PATHS)]
    return [
        FormField(
            "dispute_id",
            "Dispute",
            "select",
            required=True,
            options=_disputes(db, claim, "answered", "in_progress"),
        ),
        FormField(
            "path",
            "Next step",
            "select",
            required=True,
            options=paths,
            help="Small disputes: re-review or negotiation; large: mediation, arbitration or court.",
        ),
        FormField("note", "Note", "textarea", required=True, limit=f"{SS}:EscalateIn.note"),
    ]


def escalate_dispute(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    body = validated(special.EscalateIn, {"path": text(form, "path"), "note": text(form, "note")})
    dispute, _on_claim = disputes.with_claim(db, actor=p, dispute_id=_id(form, "dispute_id"))
    disputes.escalate(db, actor=p, dispute=dispute, path=body.path, note=body.note)


def resolve_fields(db: Session, claim: Claim) -> list[FormField]:
    return [
        FormField(
            "dispute_id",
            "Dispute",
            "select",
            required=True,
            options=_disputes(db, claim, "answered", "in_progress"),
        ),
        FormField(
            "outcome",
            "Outcome",
            "select",
            required=True,
            options=[(code, DISPUTE_OUTCOMES[code]) for code in OUTCOMES],
        ),
        FormField(
            "note",
            "Internal note (not sent to the customer)",
            "textarea",
            required=True,
            limit=f"{SS}:ResolveIn.note",
        ),
        FormField("amount", "Amount agreed (CNY)", "number", step="0.01", minimum="0"),
    ]


def resolve_dispute(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    body = validated(
        special.ResolveIn,
        {
            "outcome": text(form, "outcome"),
            "note": text(form, "note"),
            "amount": text(form, "amount"),
        },
    )
    dispute, on_claim = disputes.with_claim(db, actor=p, dispute_id=_id(form, "dispute_id"))
    disputes.resolve(
        db,
        actor=p,
        dispute=dispute,
        claim=on_claim,
        outcome=body.outcome,
        note=body.note,
        amount=body.amount,
    )
