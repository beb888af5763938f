"""Payment forms of the claim page: who is paid (CLM-P1), the indemnity and an advance
(先予支付, CLM-V4 art. 25), the means — a transfer confirmed with its electronic voucher,
or cash/offline handed over against the payee's ID and signed confirmation (CLM-P3) —,
the delay notice (CLM-P4).

The payee is the insured, a beneficiary named on the policy, or someone else whose
power of attorney or notarial certificate is on file — uploaded with the payment here,
recorded through the same payments service as the API. Whether the payee may be
paid is decided by payments.service (payee_basis), never by the page.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.config import rules
from claimdesk.claims.settlement.errors import (
    IdempotencyKeyRequired,
    PaymentNotFound,
    SignedConfirmationMissing,
)
from claimdesk.code_labels import CASH_CANCEL_REASONS, PAYMENT_DELAY_REASONS
from claimdesk.errors import ValidationFailed
from claimdesk.i18n import _
from claimdesk.models.claim import Claim
from claimdesk.models.person import Person
from claimdesk.payments import service as pay_service
from claimdesk.payments.schemas import (
    AuthorisationIn,
    ConfirmationIn,
    DelayNoticeIn,
    OfflineCancelIn,
    PaymentIn,
)
from claimdesk.people.service import bank_accounts_of, find_by_id_number
from claimdesk.web.claims.assess_forms import coverage_words
from claimdesk.web.claims.page_forms import (
    PS,
    TRIAL,
    UPLOAD_ACCEPT,
    ChoiceRequired,
    FormField,
    Values,
    aliased,
    store_file,
    text,
    upload_in,
    validated,
)

OTHER = "other"
# CLM-P3: the account is asked for a transfer; a cash/offline payment states its case.
TRANSFER = {"means": pay_service.TRANSFER_MEANS}
OFFLINE = {"means": (pay_service.OFFLINE,)}


class PayeeNotFound(ValidationFailed):
    code = "payee_not_found"
    message_zh = "{field}：找不到该证件号码对应的人员（收款人须先登记）"
    message_en = "{field}: nobody with this ID number is on record (register the payee first)"


BASIS_LABELS = {
    "insured": "Insured: %(name)s",
    "beneficiary": "Beneficiary: %(name)s",
    "authorised": "Authorised payee: %(name)s",
}


def _other_person(db: Session, actor: Principal | None, form: Values) -> Person | None:
    """The payee typed by ID number (a keyed-hash look-up, audited like every such read)."""
    number = text(form, "payee_id_number")
    if not number or actor is None:
        return None
    try:
        people = find_by_id_number(db, actor=actor, id_number=number, reason="claim payee")
    except ValidationFailed:
        return None
    return people[0] if people else None


def _accounts(db: Session, person_id: int | None) -> list[tuple[str, str]]:
    if person_id is None:
        return []
    rows = bank_accounts_of(db, person_id=person_id)
    return [(str(a.id), f"{a.holder_name} · {a.bank_name} ****{a.account_last4}") for a in rows]


def payee_fields(
    db: Session, claim: Claim, values: Values, actor: Principal | None
) -> list[FormField]:
    payees = pay_service.payees_of(db, claim=claim)
    options = [(str(p.person_id), _(BASIS_LABELS[p.basis], name=p.name)) for p in payees]
    options.append(
        (OTHER, "Someone else, authorised by a power of attorney or notarial certificate")
    )
    chosen = str(values.get("payee") or (options[0][0] if options else OTHER))
    other = {"payee": (OTHER,)}
    person_id: int | None = int(chosen) if chosen.isdigit() else None
    fields = [
        FormField(
            "payee",
            "Payee",
            "select",
            required=True,
            options=options,
            value=chosen,
            refresh=True,
            controls=True,
            binds="payee_person_id",
        ),
        FormField(
            "payee_id_number",
            "ID number of the payee",
            when=other,
            refresh=True,
            help="The payee must already be on record with a bank account.",
            # CLM-P1: register a payee not yet on record, then come back to this claim.
            link=(f"/claims/{claim.id}/payees/new", "Payee not on record yet? Register the payee"),
        ),
    ]
    if chosen == OTHER:
        found = _other_person(db, actor, values)
        person_id = found.id if found else None
        fields.append(
            FormField(
                "payee_found",
                "Payee on record",
                "info",
                value=found.name if found else "—",
                when=other,
            )
        )
    fields += [*_authorisation_fields(when=other), *_means_fields(db, person_id=person_id)]
    return fields


def _authorisation_fields(*, when: dict[str, Any]) -> list[FormField]:
    """Someone other than the claim's payees is paid on a power of attorney or a notarial
    certificate, uploaded here unless already on file."""
    return [
        FormField(
            "authorisation_kind",
            "Authorisation document",
            "select",
            options=[
                ("power_of_attorney", "Power of attorney (授权委托书)"),
                ("notarial_certificate", "Notarial certificate (公证书)"),
            ],
            when=when,
        ),
        FormField(
            "authorisation_file",
            "The signed authorisation (PDF or image)",
            "file",
            accept=UPLOAD_ACCEPT,
            when=when,
            help="Not needed when this person's authorisation is already on file.",
        ),
    ]


def _means_fields(db: Session, *, person_id: int | None) -> list[FormField]:
    """The means of payment; the payee's bank account for a transfer, the special case
    for an offline payment."""
    return [
        FormField(
            "means",
            "Means of payment",
            "select",
            options=[
                ("bank_transfer", "Bank transfer"),
                ("third_party", "Authorised third-party payment"),
                ("offline", "Cash or offline (small amounts or a special case)"),
            ],
            value="bank_transfer",
            controls=True,
        ),
        FormField(
            "bank_account_id",
            "Bank account",
            "select",
            required=True,
            options=_accounts(db, person_id),
            when=TRANSFER,
        ),
        FormField(
            "offline_reason",
            "Special case (needed above the cash limit)",
            "textarea",
            limit=f"{PS}:PaymentIn.offline_reason",
            when=OFFLINE,
            help="Handed over against the payee's ID document and signed confirmation.",
        ),
    ]


def payment_fields(
    db: Session, claim: Claim, values: Values, actor: Principal | None
) -> list[FormField]:
    return [
        *payee_fields(db, claim, values, actor),
        FormField(
            "idempotency_key",
            "Payment key",
            "hidden",
            value=secrets.token_urlsafe(16),
        ),
    ]


def _resolve_payee(db: Session, p: Principal, claim: Claim, form: Values) -> tuple[int, int | None]:
    """(payee person id, authorisation id) — an uploaded authorisation is recorded first."""
    chosen = text(form, "payee")
    if chosen is None:
        raise ChoiceRequired(field="payee")
    if chosen != OTHER:
        if not chosen.isdigit():
            raise ChoiceRequired(field="payee")
        return int(chosen), None
    if not text(form, "payee_id_number"):
        raise ChoiceRequired(field="payee_id_number")
    person = _other_person(db, p, form)
    if person is None:
        raise PayeeNotFound(field="payee_id_number")
    file_id = store_file(db, p, claim, form, "authorisation_file", purpose="authorisation")
    if file_id is None:
        return person.id, None
    body = validated(
        AuthorisationIn,
        {
            "payee_person_id": person.id,
            "kind": text(form, "authorisation_kind") or "power_of_attorney",
            "file_id": file_id,
        },
    )
    stored = pay_service.record_authorisation(
        db,
        actor=p,
        claim=claim,
        payee_person_id=body.payee_person_id,
        kind=body.kind,
        file_id=body.file_id,
    )
    return person.id, stored.id


def _pay(db: Session, p: Principal, claim: Claim, form: Values, extra: dict[str, Any]) -> None:
    aliases = {
        "payee_person_id": "payee",
        "bank_account_id": "bank_account_id",
        "offline_reason": "offline_reason",
    }
    if form.get("payee") == OTHER:
        # Neither insured nor beneficiary: what is missing is the document.
        aliases["payee_person_id"] = "authorisation_file"
    with aliased(aliases | {k: k for k in extra}):
        payee, authorisation = _resolve_payee(db, p, claim, form)
        if form.get(TRIAL) and upload_in(form, "authorisation_file") is not None:
            return  # a trial run stores no document: the rest is checked on submit
        body = validated(
            PaymentIn,
            {
                "payee_person_id": payee,
                "bank_account_id": text(form, "bank_account_id"),
                "means": text(form, "means") or "bank_transfer",
                "offline_reason": text(form, "offline_reason"),
                "authorisation_id": authorisation,
                **extra,
            },
        )
        key = (text(form, "idempotency_key") or secrets.token_urlsafe(16)).strip()
        if not 8 <= len(key) <= 100:
            raise IdempotencyKeyRequired(field="Idempotency-Key")
        data = pay_service.PaymentRequest(**body.model_dump())
        pay_service.request_payment(db, actor=p, claim=claim, key=key, data=data)


def request_payment(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    _pay(db, p, claim, form, {})


# -- advance (先予支付, CLM-V4: the part that can be fixed within 60 days) --------------------


def advance_fields(
    db: Session, claim: Claim, values: Values, actor: Principal | None
) -> list[FormField]:
    named = coverage_words(db, claim)
    return [
        FormField(
            "coverage_code",
            "Coverage",
            "select",
            required=True,
            options=[(c, named(c)) for c in claim.coverage_codes],
        ),
        FormField(
            "amount",
            "Amount that can already be fixed (CNY)",
            "number",
            required=True,
            step="0.01",
            minimum="0",
            help="At most the coverage's case reserve less advances not yet paid.",
        ),
        *payment_fields(db, claim, values, actor),
    ]


def request_advance(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    extra = {
        "kind": "advance",
        "amount": text(form, "amount"),
        "coverage_code": text(form, "coverage_code"),
    }
    _pay(db, p, claim, form, extra)


# -- the bank's confirmation, with the electronic voucher (CLM-P3) ---------------------------


def confirm_fields(_db: Session, _claim: Claim) -> list[FormField]:
    return [
        FormField(
            "result",
            "Bank result",
            "select",
            required=True,
            options=[("paid", "Paid"), ("failed", "Failed")],
        ),
        FormField("reference", "Bank reference", required=True),
        FormField(
            "reason",
            "Reason (when failed)",
            "textarea",
            limit=f"{PS}:ConfirmationLineIn.reason",
        ),
    ]


# The page answers one line per batch: the service's paths of that line → the form's fields.
CONFIRM_ALIASES = {
    f"lines{sep}{name}": name
    for sep in ("[0].", ".0.")
    for name in ("result", "reference", "reason")
}


def confirm_payment(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    """The bank's answer for the claim's exported payments, through the same service as
    the API's confirmation file: a payment answered paid keeps its voucher, or nothing
    is recorded."""
    exported = [
        pm for pm in pay_service.payments_of(db, claim_id=claim.id) if pm.status == "exported"
    ]
    with aliased(CONFIRM_ALIASES):
        for payment in exported:
            assert payment.batch_id is not None  # exported means it is in a batch
            line = {
                "payment_id": payment.id,
                "idempotency_key": payment.idempotency_key,
                "result": text(form, "result"),
                "reference": text(form, "reference"),
                "reason": text(form, "reason"),
            }
            body = validated(ConfirmationIn, {"lines": [line]})
            lines = [pay_service.ConfirmationLine(**x.model_dump()) for x in body.lines or []]
            pay_service.confirm_batch(db, actor=p, batch_id=payment.batch_id, lines=lines)


# -- a cash/offline payment handed over (CLM-P3) ------------------------------------------


def offline_due(db: Session, claim: Claim) -> list[Any]:
    """The claim's cash/offline payments waiting to be handed over, oldest first."""
    return [
        pm
        for pm in pay_service.payments_of(db, claim_id=claim.id)
        if pm.means == pay_service.OFFLINE and pm.status == "pending"
    ]


def offline_available(db: Session, claim: Claim) -> bool:
    return bool(offline_due(db, claim))


def offline_fields(db: Session, claim: Claim) -> list[FormField]:
    due = offline_due(db, claim)
    shown = f"¥{due[0].amount:,.2f} · {due[0].payee_name}" if due else "—"
    return [
        FormField("offline_payment", "Payment handed over", "info", value=shown),
        FormField(
            "payee_document_number",
            "ID document number, read from the payee's own document",
            required=True,
            help="Checked against the payee on record; only its last 4 characters are kept.",
        ),
        FormField(
            "receipt_file",
            "The payee's signed confirmation (PDF or image)",
            "file",
            required=True,
            accept=UPLOAD_ACCEPT,
        ),
    ]


def confirm_offline(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    """The hand-over of the oldest waiting cash/offline payment, through the same service
    as the API (the signed confirmation stored with the claim's files, kept with the
    payment); the payee's ID is checked before any file is read."""
    due = offline_due(db, claim)
    if not due:
        raise PaymentNotFound()
    number = text(form, "payee_document_number") or ""
    with aliased({"file": "receipt_file"}):
        pay_service.check_handover(db, claim=claim, payment=due[0], document_number=number)
        upload = upload_in(form, "receipt_file")
        if form.get(TRIAL):
            return  # a trial run stores no file: the rest is checked on submit
        if upload is None:
            raise SignedConfirmationMissing(field="file")
        pay_service.hand_over(
            db,
            actor=p,
            claim=claim,
            payment_id=due[0].id,
            document_number=number,
            filename=upload.filename or "upload",
            # One byte past the limit: enough to refuse, never the whole of a huge file.
            content=upload.file.read(rules().upload_max_bytes + 1),
        )


def cancel_offline_fields(db: Session, claim: Claim) -> list[FormField]:
    due = offline_due(db, claim)
    shown = f"¥{due[0].amount:,.2f} · {due[0].payee_name}" if due else "—"
    return [
        FormField("offline_payment", "Payment not handed over", "info", value=shown),
        FormField(
            "reason_code",
            "Why the hand-over did not happen (the customer reads this)",
            "select",
            options=list(CASH_CANCEL_REASONS.items()),
            value="not_collected",
            required=True,
        ),
        FormField(
            "reason",
            "Internal note (not sent to the customer)",
            "textarea",
            required=True,
            limit=f"{PS}:OfflineCancelIn.reason",
            help="The claim can then be paid again, by transfer or in cash.",
        ),
    ]


def cancel_offline(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    """CLM-P3: the oldest waiting cash/offline payment cancelled with its reason, through
    the same service as the API; the claim then takes a new payment request."""
    due = offline_due(db, claim)
    if not due:
        raise PaymentNotFound()
    # A form without the kind (an older page) cancels as "not collected", as the API does.
    given = {name: text(form, name) for name in ("reason_code", "reason")}
    body = validated(OfflineCancelIn, {k: v for k, v in given.items() if v is not None})
    pay_service.cancel_offline(
        db,
        actor=p,
        claim=claim,
        payment_id=due[0].id,
        reason=body.reason,
        reason_code=body.reason_code,
    )


# -- a foreseeable delay told in advance (CLM-P4) ---------------------------------------------


def delay_fields(_db: Session, _claim: Claim) -> list[FormField]:
    return [
        FormField(
            "reason_code",
            "Why the payment will be late (the customer reads this)",
            "select",
            options=list(PAYMENT_DELAY_REASONS.items()),
            required=True,
        ),
        FormField(
            "customer_note",
            "Explanation for the customer (sent as written; needed for other reasons)",
            "textarea",
            limit=f"{PS}:DelayNoticeIn.customer_note",
        ),
        FormField(
            "reason",
            "Internal note (not sent to the customer)",
            "textarea",
            required=True,
            limit=f"{PS}:DelayNoticeIn.reason",
        ),
        FormField("expected_arrival", "Expected arrival", "date", required=True),
    ]


def delay_notice(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    fields = ("reason_code", "reason", "customer_note", "expected_arrival")
    body = validated(DelayNoticeIn, {name: text(form, name) for name in fields})
    pay_service.delay_notice(
        db,
        actor=p,
        claim=claim,
        reason_code=body.reason_code,
        reason=body.reason,
        expected=body.expected_arrival,
        customer_note=body.customer_note,
    )
