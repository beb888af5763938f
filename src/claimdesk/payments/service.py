"""Claim payments, exactly once (CLM-P1..P5, FIN-1).

The rules that make a payment happen once:
- a payment request carries an idempotency key (unique): a retry with the same key
  returns the same payment;
- at most one payment per (claim, kind, sequence): the indemnity of one approval exists
  once, whoever asks and however often; requests for a claim serialise on its row lock;
- a payment moves pending → exported → paid | failed (→ exported again in a new batch)
  only under the row locks of its claim and itself, so two exports never put the same
  payment in two live batches, and a process killed between export and confirmation
  leaves an exported payment that no later export picks up again;
- a suspended claim's payment is not exported (fraud hold, checked under the lock).

The means (CLM-P3): a bank transfer or an authorised third-party payment goes out in a
bank batch and is confirmed paid only with its electronic voucher (the bank's or the
provider's transaction reference, kept as ``bank_reference``); cash or another offline
means is for amounts up to the administrator's small-cash limit (thresholds, versioned)
or a stated special case, is never exported, and moves pending → paid when the officer
records the hand-over: the payee's ID document checked against the payee on record and
the payee's signed confirmation kept with the payment — under the same locks, once.
Services flush only; the request edge commits.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claimdesk import lifecycle
from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import notify, timeutil, workflow
from claimdesk.claims.intake.acceptance import store_upload
from claimdesk.claims.settlement import decision_notices, reserves
from claimdesk.claims.settlement.callbacks import open_callback
from claimdesk.claims.settlement.errors import (
    AdvanceTooLarge,
    AuthorisationFileMissing,
    BankAccountNotPayees,
    BankAccountRequired,
    BatchNotFound,
    CancellationReasonRequired,
    ConfirmationEmpty,
    ConfirmationInvalid,
    DelayExplanationRequired,
    IdempotencyKeyReused,
    NotCancellable,
    NothingToExport,
    NotOfflinePayment,
    NotPayable,
    OfflinePaymentNotAllowed,
    OfflineTotalNotAllowed,
    PayeeDocumentMismatch,
    PayeeMismatch,
    PaymentNotFound,
    SignedConfirmationMissing,
    VoucherMalformed,
    VoucherMissing,
)
from claimdesk.clocks import service as clocks
from claimdesk.code_labels import cash_cancel_reason, payment_delay_reason
from claimdesk.crypto.indexes import PURPOSE_ID_NUMBER
from claimdesk.crypto.keyring import blind_index
from claimdesk.errors import NotFound, ValidationFailed
from claimdesk.jobs.queue import enqueue
from claimdesk.models.claim import Claim, MaterialFile
from claimdesk.models.payment import (
    PayeeAuthorisation,
    Payment,
    PaymentAnswerConflict,
    PaymentAttempt,
    PaymentBatch,
)
from claimdesk.models.person import BankAccount, Person
from claimdesk.models.states import PaymentBatchState, PaymentState
from claimdesk.paging import PageRequest, Slice
from claimdesk.payments import plan as pay_plan
from claimdesk.payments import repository
from claimdesk.people.errors import BankAccountRemoved
from claimdesk.people.service import normalise_document
from claimdesk.rules.deadlines import local_date
from claimdesk.thresholds import service as thresholds

CENT = Decimal("0.01")
# CLM-P3: the means of payment. Transfers go to the bank in batches; offline is handed over.
TRANSFER_MEANS = ("bank_transfer", "third_party")
OFFLINE = "offline"
# A signed confirmation of a cash/offline payment is an upload of this purpose.
RECEIPT_PURPOSE = "payment_receipt"
LIVE = ("pending", "exported", "paid")
# Claims that may receive an advance (先予支付): worked but not yet decided.
ADVANCE_STATES = (
    workflow.ACCEPTED,
    workflow.SURVEYED,
    workflow.ASSESSED,
    workflow.ADJUSTED,
    workflow.IN_REVIEW,
)
CSV_HEADER = (
    "payment_id",
    "idempotency_key",
    "claim_number",
    "payee_name",
    "bank_name",
    "account_number",
    "amount",
)


@dataclass(frozen=True)
class PaymentRequest:
    payee_person_id: int
    bank_account_id: int | None  # None only for an offline payment (ignored there)
    kind: str = "indemnity"  # indemnity | advance
    means: str = "bank_transfer"  # bank_transfer | third_party | offline (CLM-P3)
    amount: Decimal | None = None  # advances only
    coverage_code: str | None = None  # advances only
    authorisation_id: int | None = None
    # CLM-P3: the special case of an offline payment above the small-cash limit.
    offline_reason: str | None = None


OFFLINE_WORDS = "现金/线下支付 (cash/offline)"


def mask_account(*, last4: str) -> str:
    """The account as the customer and staff see it; an offline payment pays none."""
    if not last4:
        return OFFLINE_WORDS
    return f"**** **** **** {last4}"


# -- payee (CLM-P1) ------------------------------------------------------------------


def record_authorisation(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    payee_person_id: int,
    kind: str,
    file_id: int,
) -> PayeeAuthorisation:
    file = session.get(MaterialFile, file_id)
    if file is None or file.claim_id != claim.id:
        raise AuthorisationFileMissing(field="file_id")
    if session.get(Person, payee_person_id) is None:
        raise NotFound(what="person", field="payee_person_id")
    at = timeutil.now()
    authorisation = PayeeAuthorisation(
        claim_id=claim.id,
        payee_person_id=payee_person_id,
        kind=kind,
        file_id=file_id,
        recorded_by_id=actor.user_id,
        recorded_at=at,
    )
    session.add(authorisation)
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.payee_authorised",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={
            "authorisation_id": authorisation.id,
            "payee_person_id": payee_person_id,
            "kind": kind,
            "file_sha256": file.sha256,
        },
    )
    return authorisation


def payee_basis(
    session: Session, *, claim: Claim, payee_person_id: int, authorisation_id: int | None
) -> tuple[str, int | None]:
    """Insured, a named beneficiary of the policy, or authorised by a document on file."""
    if payee_person_id == claim.insured_person_id:
        return "insured", None
    if repository.is_beneficiary(session, policy_id=claim.policy_id, person_id=payee_person_id):
        return "beneficiary", None
    found = repository.authorisation_for(
        session,
        claim_id=claim.id,
        payee_person_id=payee_person_id,
        authorisation_id=authorisation_id,
    )
    if found is None:
        raise PayeeMismatch(field="payee_person_id")
    return "authorised", found.id


# -- request (exactly once) -------------------------------------------------------------


def by_key(session: Session, *, key: str) -> Payment | None:
    return repository.by_key(session, key=key)


def payments_of(session: Session, *, claim_id: int) -> list[Payment]:
    return repository.payments_of(session, claim_id=claim_id)


@dataclass(frozen=True)
class PayeeChoice:
    person_id: int
    name: str
    basis: str  # insured | beneficiary | authorised


def payees_of(session: Session, *, claim: Claim) -> list[PayeeChoice]:
    """Who may be paid without a new document (CLM-P1): the insured, the policy's
    beneficiaries, and anyone already authorised on this claim; each person once."""
    found: list[PayeeChoice] = []
    seen: set[int] = set()
    candidates = [(claim.insured_person_id, "insured")]
    candidates += [
        (pid, "beneficiary")
        for pid in repository.beneficiary_ids(session, policy_id=claim.policy_id)
    ]
    candidates += [
        (pid, "authorised") for pid in repository.authorised_payee_ids(session, claim_id=claim.id)
    ]
    for person_id, basis in candidates:
        person = session.get(Person, person_id)
        if person is not None and person_id not in seen:
            seen.add(person_id)
            found.append(PayeeChoice(person_id, person.name, basis))
    return found


def _approval_number(session: Session, claim: Claim) -> int:
    return repository.approvals(session, claim_id=claim.id)


def _advances(session: Session, claim_id: int) -> list[Payment]:
    return [
        p
        for p in payments_of(session, claim_id=claim_id)
        if p.kind == "advance" and p.status in LIVE
    ]


def _indemnity_plan(session: Session, claim: Claim) -> tuple[Decimal, dict[str, str]]:
    plan = pay_plan.indemnity_plan(session, claim)
    return max(plan.difference, Decimal("0.00")), plan.allocations


def _expected_arrival(session: Session, claim: Claim, at: dt.datetime) -> dt.date:
    running = [
        c.due_at
        for c in clocks.clocks_for(session, subject_type="claim", subject_id=claim.id)
        if c.name in workflow.PAYMENT_CLOCKS and c.stopped_at is None
    ]
    return local_date(min(running)) if running else local_date(at + dt.timedelta(days=1))


def _requested(
    session: Session, *, actor: Principal, claim: Claim, payment: Payment, at: dt.datetime
) -> None:
    """A new payment (a payment, an advance or a top-up) on the claim's trail, and the
    payment notice to the customer."""
    record(
        session,
        actor=actor,
        action="claim.payment_requested",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={
            "payment_id": payment.id,
            "kind": payment.kind,
            "sequence": payment.sequence,
            "amount": str(payment.amount),
            "payee_basis": payment.payee_basis,
            "account_last4": payment.account_last4,
        },
    )
    _payment_notice(session, claim, payment)


def request_payment(
    session: Session, *, actor: Principal, claim: Claim, key: str, data: PaymentRequest
) -> tuple[Payment, bool]:
    """(payment, created). The caller holds the claim's row lock."""
    existing = by_key(session, key=key)
    if existing is not None:
        if existing.claim_id != claim.id or existing.kind != data.kind:
            raise IdempotencyKeyReused()
        return existing, False
    if data.kind == "indemnity":
        sequence = _approval_number(session, claim)
        live = repository.payment_in_sequence(
            session, claim_id=claim.id, kind="indemnity", sequence=sequence
        )
        if live is not None:
            return live, False  # a second click or a second officer: the same payment
        if claim.state != workflow.APPROVED:
            raise NotPayable(state=claim.state, what="赔付 / the payment")
        amount, allocations = _indemnity_plan(session, claim)
    else:
        if claim.state not in ADVANCE_STATES:
            raise NotPayable(state=claim.state, what="先予支付 / an advance")
        amount, allocations, sequence = _advance_plan(session, claim, data)
    if amount <= 0:
        raise NotPayable(state=claim.state, what="零金额支付 / a zero payment")
    basis, authorisation_id = payee_basis(
        session,
        claim=claim,
        payee_person_id=data.payee_person_id,
        authorisation_id=data.authorisation_id,
    )
    at = timeutil.now()
    account: BankAccount | None = None
    offline_reason: str | None = None
    if data.means == OFFLINE:
        offline_reason = offline_allowed(
            session, claim=claim, amount=amount, reason=data.offline_reason, at=at
        )
    else:
        if data.bank_account_id is None:
            raise BankAccountRequired(field="bank_account_id")
        account = session.get(BankAccount, data.bank_account_id)
        if account is None or account.person_id != data.payee_person_id:
            raise BankAccountNotPayees(field="bank_account_id")
        if account.removed_at is not None:
            raise BankAccountRemoved(field="bank_account_id")
    payee = session.get(Person, data.payee_person_id)
    assert payee is not None
    payment = Payment(
        claim_id=claim.id,
        kind=data.kind,
        sequence=sequence,
        idempotency_key=key,
        amount=amount,
        allocations=allocations,
        means=data.means,
        payee_person_id=payee.id,
        payee_name=payee.name,
        payee_basis=basis,
        authorisation_id=authorisation_id,
        bank_account_id=account.id if account else None,
        account_last4=account.account_last4 if account else "",
        offline_reason=offline_reason,
        status="pending",
        created_at=at,
        created_by_id=actor.user_id,
        expected_arrival=_expected_arrival(session, claim, at),
    )
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        # Another transaction created it between our look-up and insert (possible only
        # without the claim lock, e.g. on SQLite): answer with theirs.
        session.expunge(payment) if payment in session else None
        again = by_key(session, key=key) or repository.payment_in_sequence(
            session, claim_id=claim.id, kind=data.kind, sequence=sequence
        )
        if again is None:
            raise
        return again, False
    _requested(session, actor=actor, claim=claim, payment=payment, at=at)
    if payment.kind == "indemnity":
        # CLM-C3/CLM-P2: how the amount was worked out goes out with the payment notice,
        # whoever instructed the payment (a payment officer or the automatic path).
        decision_notices.issue_for_payment(session, actor=actor, claim=claim, payment=payment)
    return payment, True


def offline_total(session: Session, *, claim_id: int) -> Decimal:
    """What the claim already pays in cash/offline: its offline payments handed over or
    waiting to be (a cancelled one, never handed over, does not count)."""
    return sum(
        (
            p.amount
            for p in payments_of(session, claim_id=claim_id)
            if p.means == OFFLINE and p.status in pay_plan.COUNTED
        ),
        Decimal("0.00"),
    )


def offline_allowed(
    session: Session, *, claim: Claim, amount: Decimal, reason: str | None, at: dt.datetime
) -> str | None:
    """CLM-P3: cash/offline only for a small case — the claim's cash/offline payments
    together (earlier ones not cancelled, and this one) up to the small-cash limit in
    force at ``at`` — or a stated special case. Counted per claim, so a payment split in
    parts, an advance and its indemnity, a top-up or a reopened claim's further payment
    in cash are held to the limit as one payment would be. The reason kept (None within
    the limit when none is given), or the refusal naming the limit."""
    stated = (reason or "").strip() or None
    limit = thresholds.in_force(session, at=at).small_cash_max
    earlier = offline_total(session, claim_id=claim.id)
    total = earlier + amount
    if total > limit and stated is None:
        if earlier > 0:
            raise OfflineTotalNotAllowed(
                field="offline_reason",
                amount=str(amount),
                earlier=str(earlier),
                total=str(total),
                limit=str(limit),
            )
        raise OfflinePaymentNotAllowed(field="offline_reason", amount=str(amount), limit=str(limit))
    return stated


def request_top_up(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    key: str,
    amount: Decimal,
    coverage_code: str,
    basis: Payment,
) -> tuple[Payment, bool]:
    """A correction after the quality sample (CLM-T3, CLM-P5): the difference a reviewer
    found owed on top of an automatic payment, to the same payee and account as
    ``basis``, by the same means. Once per claim (kind top_up, sequence 1) and per key;
    the caller holds the claim's row lock. It counts as paid on the claim like any other
    payment. In cash/offline (CLM-P3) it is held to the small-cash limit as the first
    payment was, counted with the claim's other cash payments; the special case stated
    for ``basis`` (the same payee, the same means) stands for it."""
    existing = by_key(session, key=key)
    if existing is not None:
        if existing.claim_id != claim.id or existing.kind != "top_up":
            raise IdempotencyKeyReused()
        return existing, False
    live = repository.first_of_kind(session, claim_id=claim.id, kind="top_up")
    if live is not None:
        return live, False
    if amount <= 0 or amount != amount.quantize(CENT):
        raise NotPayable(state=claim.state, what="零金额支付 / a zero payment")
    at = timeutil.now()
    offline_reason: str | None = None
    if basis.means == OFFLINE:
        offline_reason = offline_allowed(
            session, claim=claim, amount=amount, reason=basis.offline_reason, at=at
        )
    payment = Payment(
        claim_id=claim.id,
        kind="top_up",
        sequence=1,
        idempotency_key=key,
        amount=amount,
        allocations={coverage_code: str(amount)},
        means=basis.means,
        payee_person_id=basis.payee_person_id,
        payee_name=basis.payee_name,
        payee_basis=basis.payee_basis,
        authorisation_id=basis.authorisation_id,
        bank_account_id=basis.bank_account_id,
        account_last4=basis.account_last4,
        offline_reason=offline_reason,
        status="pending",
        created_at=at,
        created_by_id=actor.user_id,
        expected_arrival=local_date(at + dt.timedelta(days=1)),
    )
    session.add(payment)
    session.flush()
    _requested(session, actor=actor, claim=claim, payment=payment, at=at)
    return payment, True


def _advance_plan(
    session: Session, claim: Claim, data: PaymentRequest
) -> tuple[Decimal, dict[str, str], int]:
    """CLM-V4 (art. 25): the part that can be fixed — at most the coverage's reserve
    less advances already made on it."""
    if data.amount is None or data.amount <= 0 or data.amount != data.amount.quantize(CENT):
        raise ValidationFailed(field="amount")
    code = data.coverage_code or (claim.coverage_codes[0] if claim.coverage_codes else "")
    reserve = next(
        (r for r in reserves.reserves_of(session, claim.id) if r.coverage_code == code), None
    )
    if reserve is None:
        raise ValidationFailed(field="coverage_code")
    advanced = sum(
        (Decimal(p.allocations.get(code, "0")) for p in _advances(session, claim.id)),
        Decimal("0.00"),
    )
    # Reserves are drawn when an advance is paid; a pending advance still counts here.
    pending = sum(
        (
            Decimal(p.allocations.get(code, "0"))
            for p in _advances(session, claim.id)
            if p.status != "paid"
        ),
        Decimal("0.00"),
    )
    limit = reserve.amount - pending
    if data.amount > limit:
        raise AdvanceTooLarge(field="amount", limit=str(limit))
    sequence = repository.last_sequence(session, claim_id=claim.id, kind="advance") + 1
    del advanced
    return data.amount, {code: str(data.amount)}, sequence


def _payment_notice(session: Session, claim: Claim, payment: Payment) -> None:
    """CLM-P2: amount, expected arrival and the masked account; a cash/offline payment
    (CLM-P3) says how it is handed over instead of an account."""
    offline = payment.means == OFFLINE
    params = {
        "number": claim.number,
        "amount": payment.amount,
        "arrival": payment.expected_arrival,
        "account": None if offline else mask_account(last4=payment.account_last4),
    }
    text = "claim.payment_notice.offline" if offline else "claim.payment_notice"
    notify.send_to_customer(
        session,
        claim=claim,
        template="claim.payment_notice",
        body=lambda language: notify.render(text, params, language),
        key=f"payment_notice:{payment.id}",
    )


def delay_notice(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    reason_code: str,
    reason: str,
    expected: dt.date,
    customer_note: str | None = None,
) -> None:
    """CLM-P4: a foreseeable delay (remote case, holidays) is told in advance. The
    customer reads the category (``reason_code``) in words and ``customer_note``, which
    staff write for them; ``reason`` is the staff's internal note, kept in the audit
    trail only. "other" says nothing by itself, so it needs the customer's note."""
    note = (customer_note or "").strip()
    if not reason.strip():
        raise ValidationFailed(field="reason")
    if reason_code == "other" and not note:
        raise DelayExplanationRequired(field="customer_note")
    at = timeutil.now()
    queued = notify.send_to_customer(
        session,
        claim=claim,
        template="claim.payment_delay",
        body=lambda language: _delay_text(claim, reason_code, expected, note, language),
        key=f"payment_delay:{expected.isoformat()}",
    )
    if queued is None:
        return  # this date was told before (a second click): nothing more to record
    record(
        session,
        actor=actor,
        action="claim.payment_delay_notified",
        entity_type="claim",
        entity_id=claim.id,
        reason=reason,
        at=at,
        details={
            "expected": expected.isoformat(),
            "reason_code": reason_code,
            "customer_note": note or None,
        },
    )


def _delay_text(claim: Claim, reason_code: str, expected: dt.date, note: str, language: str) -> str:
    reason = payment_delay_reason(reason_code, language)
    params = {"number": claim.number, "reason": reason, "expected": expected}
    text = notify.render("claim.payment_delay", params, language)
    return text + (
        notify.render("claim.payment_delay.note", {"note": note}, language) if note else ""
    )


# -- bank batches ------------------------------------------------------------------------


def batch_csv(session: Session, *, batch: PaymentBatch, actor: Principal) -> bytes:
    """The bank's file: full account numbers (each read audited), keyed lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    attempts = repository.attempts_of_batch(session, batch_id=batch.id)
    for attempt in attempts:
        payment = session.get(Payment, attempt.payment_id)
        assert payment is not None
        claim = session.get(Claim, payment.claim_id)
        account = session.get(BankAccount, payment.bank_account_id)
        assert claim is not None and account is not None
        record(
            session,
            actor=actor,
            action="bank_account.pii_read",
            entity_type="bank_account",
            entity_id=account.id,
            reason=f"付款文件 payment file batch {batch.id}",
            details={"person_id": account.person_id, "payment_id": payment.id},
        )
        writer.writerow(
            (
                payment.id,
                payment.idempotency_key,
                claim.number,
                payment.payee_name,
                account.bank_name,
                account.account_number,
                f"{payment.amount:.2f}",
            )
        )
    return out.getvalue().encode("utf-8")


def export_batch(
    session: Session, *, actor: Principal, payment_ids: list[int] | None = None
) -> tuple[PaymentBatch, list[int]]:
    """Pending and failed payments → one new batch. Returns (batch, held payment ids)."""
    candidates = repository.exportable(session, payment_ids=payment_ids)
    if not candidates:
        raise NothingToExport()
    # Lock order everywhere: claims (by id), then payments (by id).
    claims = repository.lock_claims(session, claim_ids=[c for _, c in candidates])
    locked = repository.lock_payments(session, payment_ids=[p for p, _ in candidates])
    at = timeutil.now()
    chosen: list[Payment] = []
    held: list[int] = []
    for payment in locked:
        if not lifecycle.PAYMENT.allows(payment.status, "exported"):
            continue  # exported meanwhile by another officer's batch
        if claims[payment.claim_id].state == workflow.SUSPENDED:
            held.append(payment.id)  # CLM-F1: no money leaves a suspended claim
            continue
        chosen.append(payment)
    if not chosen:
        raise NothingToExport()
    batch = PaymentBatch(
        created_at=at,
        created_by_id=actor.user_id,
        status="exported",
        payment_count=len(chosen),
        total=sum((p.amount for p in chosen), Decimal("0.00")),
        filename="",
        sha256="",
    )
    session.add(batch)
    session.flush()
    batch.filename = f"claimdesk-payments-{batch.id:08d}.csv"
    for payment in chosen:
        session.add(PaymentAttempt(payment_id=payment.id, batch_id=batch.id, exported_at=at))
        payment.batch_id = batch.id
        payment.attempts += 1
        payment.exported_at = at
        lifecycle.transition(
            session,
            entity=payment,
            table=lifecycle.PAYMENT,
            to="exported",
            actor=actor,
            at=at,
            details={"batch_id": batch.id},
        )
    session.flush()
    batch.sha256 = hashlib.sha256(batch_csv(session, batch=batch, actor=actor)).hexdigest()
    # The file is written after commit by the worker, which checks the same hash.
    enqueue(
        session,
        kind="payments.write_batch_file",
        payload={"batch_id": batch.id},
        dedupe_key=f"payments.batch_file:{batch.id}",
    )
    record(
        session,
        actor=actor,
        action="payment.batch_exported",
        entity_type="payment_batch",
        entity_id=batch.id,
        at=at,
        details={
            "payments": [p.id for p in chosen],
            "held": held,
            "total": str(batch.total),
            "sha256": batch.sha256,
        },
    )
    return batch, held


@dataclass(frozen=True)
class ConfirmationLine:
    payment_id: int
    idempotency_key: str
    result: str  # paid | failed
    reference: str | None = None
    reason: str | None = None
    # The line's row in the bank's CSV file, from 1 with the header counted (the row a
    # spreadsheet shows); None for the API's JSON lines, named by their index.
    file_line: int | None = None


def parse_confirmation_csv(*, text: str) -> list[ConfirmationLine]:
    """The bank's answer: payment_id, idempotency_key, result, reference, reason."""
    lines: list[ConfirmationLine] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or row[0].strip() in ("", "payment_id"):
            continue
        if len(row) < 3 or not row[0].strip().isdigit():
            raise ConfirmationInvalid(
                field=f"line {number}", line=number, why_zh="格式错误", why_en="malformed line"
            )
        lines.append(
            ConfirmationLine(
                payment_id=int(row[0]),
                idempotency_key=row[1].strip(),
                result=row[2].strip(),
                reference=(row[3].strip() or None) if len(row) > 3 else None,
                reason=(row[4].strip() or None) if len(row) > 4 else None,
                file_line=number,
            )
        )
    return lines


def confirmation_lines(
    *, csv_text: str | None, lines: Sequence[Any] | None, csv_field: str = "csv"
) -> list[ConfirmationLine]:
    """The bank's answer as posted (API or page): its CSV file, or the lines of
    ``ConfirmationIn`` (pydantic models, taken by their fields). An answer without a
    single line — neither given, ``lines`` empty, a file with only its header — is
    refused (GEN-6, CLM-P3): confirming it would record an answer the bank never gave
    (``csv_field``: how the caller names the CSV, the page's upload is ``file``)."""
    if csv_text is not None:
        parsed = parse_confirmation_csv(text=csv_text)
        if not parsed:
            raise ConfirmationEmpty(field=csv_field)
        return parsed
    if not lines:
        raise ConfirmationEmpty(field="csv" if lines is None else "lines")
    return [ConfirmationLine(**line.model_dump()) for line in lines]


# CLM-P3: the electronic voucher of a transfer — the bank's or the payment provider's
# transaction reference (银行流水号 / 支付交易号): letters, digits and - _ . /.
VOUCHER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{2,99}")


def line_field(*, line: ConfirmationLine, index: int, name: str) -> tuple[str, int]:
    """(field path, line number) of ``name`` on an answered line, for a refusal (GEN-6): a
    CSV line by the file's row (the header skipped is still a row, as a spreadsheet shows
    it), a JSON line by its index in ``lines`` (its position from 1 in the message)."""
    if line.file_line is not None:
        return f"line {line.file_line}.{name}", line.file_line
    return f"lines[{index}].{name}", index + 1


def voucher_reference(*, value: str | None, field: str, line: int) -> str:
    """The voucher of a payment confirmed as paid, trimmed; refused when empty or not a
    reference (``line``: the CSV file's row or the JSON line's position, from 1, for the
    message)."""
    text = (value or "").strip()
    if not text:
        raise VoucherMissing(field=field, line=line)
    if not VOUCHER.fullmatch(text):
        raise VoucherMalformed(field=field, line=line)
    return text


@dataclass(frozen=True)
class LineOutcome:
    """What one answered line did (CLM-P3, CLM-P5), for the payment officer: ``paid`` or
    ``failed`` (recorded now), ``unchanged`` (answered alike before: a re-sent file), or
    ``conflict`` (paid before with another voucher: the payment unchanged, the conflict
    recorded, ``conflict_id``)."""

    line: int  # the CSV file's row (header counted), or the JSON line's position from 1
    payment_id: int
    outcome: str  # paid | failed | unchanged | conflict
    reference: str | None  # the voucher the payment keeps
    answered_reference: str | None = None
    conflict_id: int | None = None


@dataclass(frozen=True)
class Confirmation:
    batch: PaymentBatch
    lines: list[LineOutcome]


@dataclass(frozen=True)
class Unvouchered:
    """A paid transfer without a valid electronic voucher (CLM-P3): confirmed before the
    voucher rule (be2a954) with an empty or malformed reference. ``why``: empty |
    malformed."""

    payment_id: int
    claim_number: str
    amount: Decimal
    means: str
    paid_at: dt.datetime | None
    batch_id: int | None
    reference: str | None
    why: str


def unvouchered(
    session: Session, *, after: int = 0, limit: int = 500
) -> tuple[list[Unvouchered], int | None]:
    """Of the next ``limit`` paid transfers after payment ``after``, those whose kept
    reference is not a voucher (``VOUCHER``), and the last payment id read (None: no
    more). Cash/offline payments have their ID check and signed confirmation instead and
    are never listed."""
    found = []
    last: int | None = None
    for pid, number, amount, means, paid_at, batch_id, reference in repository.paid_transfers(
        session, after=after, limit=limit
    ):
        last = pid
        text = (reference or "").strip()
        if text and VOUCHER.fullmatch(text):
            continue
        why = "malformed" if text else "empty"
        found.append(Unvouchered(pid, number, amount, means, paid_at, batch_id, reference, why))
    return found, last


def confirm_batch(
    session: Session, *, actor: Principal, batch_id: int, lines: list[ConfirmationLine]
) -> Confirmation:
    """Apply the bank's answers; the outcome of every line. Answering a line again alike
    changes nothing (a re-sent confirmation file); answering paid again with another
    voucher leaves the paid payment as it is and records a conflict (audited, shown to
    the officer with the batch) — the bank paid twice, or corrected its reference; a
    contradicting result (paid against failed) is refused. Every line is checked before
    anything changes: a line answered paid without its electronic voucher (CLM-P3)
    refuses the whole confirmation."""
    batch = repository.batch_for_update(session, batch_id=batch_id)
    if batch is None:
        raise BatchNotFound()
    attempts = {
        a.payment_id: a
        for a in repository.attempts_of_batch(session, batch_id=batch_id, for_update=True)
    }
    lines = _checked_lines(lines, attempts)
    payment_ids = [line.payment_id for line in lines]
    claims = repository.lock_claims(
        session, claim_ids=repository.claim_ids_of_payments(session, payment_ids=payment_ids)
    )
    payments = {p.id: p for p in repository.lock_payments(session, payment_ids=payment_ids)}
    _check_against_payments(lines, attempts, payments)
    at = timeutil.now()
    outcomes = [
        _apply_line(
            session,
            actor=actor,
            batch_id=batch_id,
            line=line,
            where=line_field(line=line, index=index, name="payment_id"),
            attempt=attempts[line.payment_id],
            payment=payments[line.payment_id],
            claim=claims[payments[line.payment_id].claim_id],
            at=at,
        )
        for index, line in enumerate(lines)
    ]
    session.flush()
    if all(a.result is not None for a in attempts.values()):
        _close_batch(session, actor=actor, batch=batch, at=at)
    _record_confirmation(session, actor=actor, batch_id=batch_id, outcomes=outcomes, at=at)
    session.flush()
    return Confirmation(batch, outcomes)


def _checked_lines(
    lines: list[ConfirmationLine], attempts: dict[int, PaymentAttempt]
) -> list[ConfirmationLine]:
    """Each line's result known, a paid line's voucher valid (CLM-P3, normalised), its
    payment in the batch."""
    checked: list[ConfirmationLine] = []
    for index, line in enumerate(lines):
        if line.result not in ("paid", "failed"):
            field, number = line_field(line=line, index=index, name="result")
            raise ConfirmationInvalid(
                field=field,
                line=number,
                why_zh="结果须为 paid 或 failed",
                why_en="result must be paid or failed",
            )
        if line.result == "paid":
            field, number = line_field(line=line, index=index, name="reference")
            line = replace(
                line, reference=voucher_reference(value=line.reference, field=field, line=number)
            )
        checked.append(line)
        if line.payment_id not in attempts:
            field, number = line_field(line=line, index=index, name="payment_id")
            raise ConfirmationInvalid(
                field=field, line=number, why_zh="不在本批次", why_en="not in this batch"
            )
    return checked


def _check_against_payments(
    lines: list[ConfirmationLine],
    attempts: dict[int, PaymentAttempt],
    payments: dict[int, Payment],
) -> None:
    """Still nothing changed: each line against its payment and the answers before it
    (the batch's stored answers, then the file's earlier lines)."""
    answered = {pid: a.result for pid, a in attempts.items()}
    for index, line in enumerate(lines):
        if payments[line.payment_id].idempotency_key != line.idempotency_key:
            field, number = line_field(line=line, index=index, name="idempotency_key")
            raise ConfirmationInvalid(
                field=field,
                line=number,
                why_zh="与付款不符",
                why_en="does not match the payment",
            )
        if answered[line.payment_id] not in (None, line.result):
            field, number = line_field(line=line, index=index, name="result")
            raise ConfirmationInvalid(
                field=field,
                line=number,
                why_zh="与已回盘结果矛盾",
                why_en="contradicts the answer already given",
            )
        answered[line.payment_id] = line.result


def _apply_line(
    session: Session,
    *,
    actor: Principal,
    batch_id: int,
    line: ConfirmationLine,
    where: tuple[str, int],
    attempt: PaymentAttempt,
    payment: Payment,
    claim: Claim,
    at: dt.datetime,
) -> LineOutcome:
    number = where[1]
    if attempt.result is not None:  # answered before: alike, or a conflicting voucher
        if line.result == "paid" and line.reference != attempt.reference:
            assert line.reference is not None and attempt.reference is not None
            return _answer_conflict(
                session,
                actor=actor,
                attempt=attempt,
                payment=payment,
                answered=line.reference,
                line=number,
                at=at,
            )
        return LineOutcome(number, payment.id, "unchanged", attempt.reference)
    attempt.result, attempt.reference, attempt.reason, attempt.answered_at = (
        line.result,
        line.reference,
        line.reason,
        at,
    )
    if line.result == "paid":
        assert line.reference is not None  # checked above: the voucher (CLM-P3)
        _paid(
            session,
            actor=actor,
            claim=claim,
            payment=payment,
            reference=line.reference,
            at=at,
            where=where,
        )
    else:
        payment.failure_reason = line.reason
        # CLM-P5: the entry stays the claim's, as the payment's history is.
        lifecycle.transition(
            session,
            entity=payment,
            table=lifecycle.PAYMENT,
            to="failed",
            actor=actor,
            action="claim.payment_failed",
            audit_as=("claim", payment.claim_id),
            at=at,
            reason=line.reason,
            details={"payment_id": payment.id, "batch_id": batch_id},
        )
    return LineOutcome(number, payment.id, line.result, line.reference)


def _close_batch(
    session: Session, *, actor: Principal, batch: PaymentBatch, at: dt.datetime
) -> None:
    """Every line answered: the batch is confirmed (once)."""
    batch.confirmed_at = batch.confirmed_at or at
    if batch.status != PaymentBatchState.CONFIRMED:
        lifecycle.transition(
            session, entity=batch, table=lifecycle.PAYMENT_BATCH, to="confirmed", actor=actor, at=at
        )


def _record_confirmation(
    session: Session,
    *,
    actor: Principal,
    batch_id: int,
    outcomes: list[LineOutcome],
    at: dt.datetime,
) -> None:
    def of(outcome: str) -> list[int]:
        return [x.payment_id for x in outcomes if x.outcome == outcome]

    record(
        session,
        actor=actor,
        action="payment.batch_confirmed",
        entity_type="payment_batch",
        entity_id=batch_id,
        at=at,
        details={
            "paid": of("paid"),
            "failed": of("failed"),
            "unchanged": of("unchanged"),
            "conflicts": [x.conflict_id for x in outcomes if x.outcome == "conflict"],
        },
    )


def _answer_conflict(
    session: Session,
    *,
    actor: Principal,
    attempt: PaymentAttempt,
    payment: Payment,
    answered: str,
    line: int,
    at: dt.datetime,
) -> LineOutcome:
    """CLM-P3, CLM-P5: the bank answers paid again with another voucher for a payment it
    already answered paid. The payment keeps its first voucher and is paid once; the
    other reference is recorded (once per reference) and audited on the claim, for the
    officer to chase with the bank."""
    assert attempt.reference is not None
    found = repository.answer_conflict(session, attempt_id=attempt.id, answered_reference=answered)
    if found is None:
        found = PaymentAnswerConflict(
            batch_id=attempt.batch_id,
            payment_id=payment.id,
            attempt_id=attempt.id,
            kept_reference=attempt.reference,
            answered_reference=answered,
            line=line,
            recorded_at=at,
            recorded_by_id=actor.user_id,
        )
        session.add(found)
        session.flush()
        record(
            session,
            actor=actor,
            action="claim.payment_answer_conflict",
            entity_type="claim",
            entity_id=payment.claim_id,
            at=at,
            details={
                "payment_id": payment.id,
                "batch_id": attempt.batch_id,
                "conflict_id": found.id,
                "kept_reference": attempt.reference,
                "answered_reference": answered,
                "line": line,
            },
        )
    return LineOutcome(
        line, payment.id, "conflict", attempt.reference, answered, conflict_id=found.id
    )


def answer_conflicts(session: Session, *, batch_id: int) -> list[PaymentAnswerConflict]:
    """The batch's answer conflicts (CLM-P3), first recorded first."""
    return repository.answer_conflicts_of_batch(session, batch_id=batch_id)


def _paid(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    payment: Payment,
    reference: str,
    at: dt.datetime,
    where: tuple[str, int],
) -> None:
    """A transfer the bank (or the payment provider) answered paid, with its voucher
    (``where``: the answered line's field and number, for a refusal)."""
    if payment.status != PaymentState.EXPORTED:
        raise ConfirmationInvalid(
            field=where[0],
            line=where[1],
            why_zh=f"付款状态为 {payment.status}",
            why_en=f"the payment is {payment.status}",
        )
    payment.paid_at, payment.bank_reference = at, reference
    _settled(
        session, actor=actor, claim=claim, payment=payment, at=at, proof={"reference": reference}
    )


def hand_over(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    payment_id: int,
    document_number: str,
    filename: str,
    content: bytes,
) -> tuple[Payment, bool]:
    """CLM-P3: a cash/offline payment handed over — (payment, recorded now). The payee's
    ID document is checked against the payee on record; then the payee's signed
    confirmation (``content``) is stored through the claim's upload service (type
    sniffed, size limit, sealed in the file store; purpose ``payment_receipt``) and kept
    with the payment, which is paid as a confirmed transfer is (reserves, the claim's
    move, the callback). CLM-P5: the caller holds the claim's row lock and the
    payment's is taken here; a payment already paid is answered as it is (a double
    click, a retry) and nothing is stored or recorded twice. A held claim pays nothing
    (CLM-F1)."""
    locked = repository.lock_payments(session, payment_ids=[payment_id])
    payment = locked[0] if locked else None
    if payment is None or payment.claim_id != claim.id:
        raise PaymentNotFound()
    if payment.means != OFFLINE:
        raise NotOfflinePayment(field="payment_id")
    if payment.status == PaymentState.PAID:
        return payment, False
    last4 = check_handover(session, claim=claim, payment=payment, document_number=document_number)
    if not content:
        raise SignedConfirmationMissing(field="file")
    receipt = store_upload(
        session,
        actor=actor,
        claim=claim,
        filename=filename,
        content=content,
        material_code=None,
        purpose=RECEIPT_PURPOSE,
    )
    at = timeutil.now()
    payment.paid_at, payment.payee_id_last4, payment.receipt_file_id = at, last4, receipt.id
    _settled(
        session,
        actor=actor,
        claim=claim,
        payment=payment,
        at=at,
        proof={
            "payee_id_last4": last4,
            "receipt_file_id": receipt.id,
            "receipt_sha256": receipt.sha256,
            "offline_reason": payment.offline_reason,
        },
    )
    return payment, True


def check_handover(
    session: Session, *, claim: Claim, payment: Payment, document_number: str
) -> str:
    """What a cash/offline hand-over needs before its signed confirmation: the claim not
    held (CLM-F1), the payment still to hand over, and the payee's ID document number as
    read from the document — valid for its type (a resident ID by its rules) and the
    payee's on record (compared by keyed hash; the number itself is not kept). Its last
    4 characters; the refusal otherwise. A page checks this before it stores the file."""
    if claim.state == workflow.SUSPENDED:
        raise NotPayable(state=claim.state, what="现金/线下支付 / a cash or offline payment")
    if payment.means != OFFLINE or payment.status != PaymentState.PENDING:
        raise NotOfflinePayment(field="payment_id")
    field = "payee_document_number"
    number = document_number
    if not number.strip():
        raise ValidationFailed(
            field=field,
            zh="{field}：现金/线下支付须核对并填写收款人本人身份证件号码",
            en="{field}: a cash/offline payment checks the payee's own ID document; type its number",
        )
    payee = session.get(Person, payment.payee_person_id)
    assert payee is not None
    normalised, _birth, _gender = normalise_document(
        id_type=payee.id_type, id_number=number, birth_date=None, field=field
    )
    if blind_index(normalised, PURPOSE_ID_NUMBER) != payee.id_number_hash:
        raise PayeeDocumentMismatch(field=field)
    return normalised[-4:]


def cancel_offline(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    payment_id: int,
    reason: str,
    reason_code: str = "not_collected",
) -> tuple[Payment, bool]:
    """CLM-P3: a cash/offline hand-over that did not happen (the payee never came, the
    special case fell away) — (payment, cancelled now). The payment moves pending →
    cancelled through its table (a payment already paid is refused, 409), with the
    reason, audited on the claim; it no longer counts as paid or owed on the claim, so
    the claim (still approved, or still awaiting its advance) takes a new payment
    request. CLM-P5: the caller holds the claim's row lock and the payment's is taken
    here; a payment already cancelled is answered as it is (a double click). The customer
    reads ``reason_code`` in words; ``reason`` is the officer's note (internal)."""
    locked = repository.lock_payments(session, payment_ids=[payment_id])
    payment = locked[0] if locked else None
    if payment is None or payment.claim_id != claim.id:
        raise PaymentNotFound()
    if payment.means != OFFLINE:
        raise NotCancellable()
    if payment.status == PaymentState.CANCELLED:
        return payment, False
    stated = reason.strip()
    if not stated:
        raise CancellationReasonRequired(field="reason")
    at = timeutil.now()
    lifecycle.transition(
        session,
        entity=payment,
        table=lifecycle.PAYMENT,
        to="cancelled",
        actor=actor,
        action="claim.payment_cancelled",
        audit_as=("claim", claim.id),
        at=at,
        reason=stated,
        details={
            "payment_id": payment.id,
            "kind": payment.kind,
            "amount": str(payment.amount),
            "means": payment.means,
            "reason_code": reason_code,
        },
    )
    payment.failure_reason = stated
    _cancellation_notice(session, claim, payment, reason_code)
    session.flush()
    return payment, True


def _cancellation_notice(
    session: Session, claim: Claim, payment: Payment, reason_code: str
) -> None:
    """CLM-P3: the customer whose payment notice said to come and collect the cash is told
    the collection is cancelled, why (the hand-over did not happen — the kind, not the
    staff's note) and what comes next; to whom the payment notice went. Queued in the
    cancelling transaction, sent after commit; once per payment (CLM-P5: the dedupe key,
    and a payment already cancelled is answered without a second notice)."""
    template = "claim.payment_cancelled"
    params = {
        "number": claim.number,
        "amount": payment.amount,
        "reason": lambda language: cash_cancel_reason(reason_code, language),
    }
    notify.send_to_customer(
        session,
        claim=claim,
        template=template,
        body=lambda language: notify.render(template, params, language),
        key=f"payment_cancelled:{payment.id}",
    )


def _settled(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    payment: Payment,
    at: dt.datetime,
    proof: dict[str, object],
) -> None:
    """The payment is paid, by whichever means (``proof``: its voucher, audited)."""
    lifecycle.transition(
        session,
        entity=payment,
        table=lifecycle.PAYMENT,
        to="paid",
        actor=actor,
        action="claim.payment_paid",
        audit_as=("claim", claim.id),
        at=at,
        details={
            "payment_id": payment.id,
            "kind": payment.kind,
            "amount": str(payment.amount),
            "means": payment.means,
            **proof,
        },
    )
    # FIN-1: the payment draws on each coverage's reserve.
    current = {r.coverage_code: r.amount for r in reserves.reserves_of(session, claim.id)}
    for code, part in payment.allocations.items():
        if code in current:
            reserves.revise(
                session,
                actor=actor,
                claim=claim,
                coverage_code=code,
                amount=max(Decimal("0.00"), current[code] - Decimal(part)),
                stage="payment",
                reason=f"赔款支付 / paid (payment #{payment.id})",
            )
    if payment.kind == "indemnity" and claim.state == workflow.APPROVED:
        workflow.transition_by_service(
            session,
            claim=claim,
            action="pay",
            actor=actor,
            at=at,
            details={
                "payment_id": payment.id,
                "amount": str(payment.amount),
                "notice_id": payment.id,
            },
        )
    if payment.kind == "advance":
        for clock in clocks.clocks_for(session, subject_type="claim", subject_id=claim.id):
            if clock.name == "claim.advance_payment" and clock.stopped_at is None:
                clocks.stop_clock(
                    session, clock=clock, at=max(at, clock.paused_at or at), actor=actor
                )
    _start_callback(session, actor=actor, claim=claim, payment=payment, at=at)


def _start_callback(
    session: Session, *, actor: Principal, claim: Claim, payment: Payment, at: dt.datetime
) -> None:
    """CLM-X2: a callback within 3 working days of payment, on its own clock."""
    open_callback(session, actor=actor, claim=claim, kind="paid", source_id=payment.id, at=at)


@dataclass(frozen=True)
class BatchLine:
    """One line of a bank batch as the payment officer reads it (CLM-P3): the payment,
    its claim, the bank's answer on this batch, and any conflicting answers."""

    payment_id: int
    claim_id: int
    claim_number: str
    payee_name: str
    account_masked: str
    amount: Decimal
    payment_status: str
    result: str | None  # paid | failed | None (no answer yet)
    reference: str | None
    reason: str | None
    answered_at: dt.datetime | None
    conflicts: list[PaymentAnswerConflict]


def batches(session: Session, *, request: PageRequest) -> Slice[PaymentBatch]:
    """The bank batches, the latest first (a page)."""
    return repository.batches_page(session, request=request)


def batch_lines(session: Session, *, batch_id: int) -> list[BatchLine]:
    """The batch's lines with the bank's answers and conflicts, by payment."""
    get_batch(session, batch_id=batch_id)
    conflicts = answer_conflicts(session, batch_id=batch_id)
    return [
        BatchLine(
            payment_id=payment.id,
            claim_id=claim.id,
            claim_number=claim.number,
            payee_name=payment.payee_name,
            account_masked=mask_account(last4=payment.account_last4),
            amount=payment.amount,
            payment_status=payment.status,
            result=attempt.result,
            reference=attempt.reference,
            reason=attempt.reason,
            answered_at=attempt.answered_at,
            conflicts=[c for c in conflicts if c.payment_id == payment.id],
        )
        for attempt, payment, claim in repository.batch_lines(session, batch_id=batch_id)
    ]


def waiting_transfers(session: Session) -> int:
    """How many transfers the next export would consider (pending or failed)."""
    return len(repository.exportable(session, payment_ids=None))


def get_batch(session: Session, *, batch_id: int) -> PaymentBatch:
    batch = session.get(PaymentBatch, batch_id)
    if batch is None:
        raise BatchNotFound()
    return batch


def paid_total(session: Session, *, claim_id: int) -> Decimal:
    return sum(
        (p.amount for p in payments_of(session, claim_id=claim_id) if p.status == "paid"),
        Decimal("0.00"),
    )
