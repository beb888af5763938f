"""Acceptance (受理, CLM-A1..A5): checklist, uploads, original checks, the one-time
missing-materials notice, acceptance with the initial case reserves (FIN-1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from cryptography.exceptions import InvalidTag
from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import notify, timeutil, workflow
from claimdesk.claims.config import rules
from claimdesk.claims.errors import (
    ChecklistIncomplete,
    ClaimClosedForMaterials,
    CoveragesAlreadyFixed,
    JustificationRequired,
    MaterialsAlreadyRequested,
    NothingMissing,
    StoredFileUnavailable,
    UnknownCoverage,
    UnknownMaterial,
    UploadEmpty,
    UploadTooLarge,
    UploadTypeNotAllowed,
)
from claimdesk.claims.fraud import service as fraud
from claimdesk.claims.intake import repository
from claimdesk.claims.intake.report import checklist_codes, product_of
from claimdesk.claims.repository import materials_of
from claimdesk.claims.settlement import reserves
from claimdesk.claims.special.repository import deferred_codes
from claimdesk.errors import NotFound
from claimdesk.models.claim import Claim, Material, MaterialFile, MissingMaterialsNotice
from claimdesk.models.policy import Policy
from claimdesk.products.coverage_types import MATERIALS
from claimdesk.rules.deadlines import local_date
from claimdesk.storage import BlobNotFound, get_storage, load_file, save_file


def missing_codes(session: Session, claim: Claim) -> list[str]:
    # CLM-Z2 green channel: items a mass event lets come later are deferred, not missing.
    deferred = deferred_codes(session, claim=claim)
    return [
        m.code
        for m in materials_of(session, claim_id=claim.id)
        if not m.received and m.code not in deferred
    ]


def require_checklist_complete(session: Session, claim: Claim) -> None:
    missing = missing_codes(session, claim)
    if missing:
        raise ChecklistIncomplete(missing=tuple(missing))


def _material(session: Session, claim: Claim, code: str, field: str) -> Material:
    found = repository.material(session, claim_id=claim.id, code=code)
    if found is None:
        raise UnknownMaterial(field=field, code=code)
    return found


# -- the coverages claimed ---------------------------------------------------------------


def set_coverages(
    session: Session, *, actor: Principal, claim: Claim, codes: list[str], reason: str | None
) -> Claim:
    """Settle which of the policy's coverages the claim is for, before acceptance.

    A customer unsure what to claim reports on every coverage of the product (the
    portal's "not sure"); the handler confirms the ones the facts touch, so that the
    checklist (CLM-A1), the reserves and the assessment cover only those. Items of a
    dropped coverage that nothing else needs leave the checklist unless something of
    them was already received; a new coverage's items join it. Only while the claim is
    reported: once a missing-materials notice went out, its list is the one-time list
    (CLM-A4)."""
    if claim.state != workflow.REPORTED:
        raise CoveragesAlreadyFixed(field="coverage_codes")
    policy = session.get(Policy, claim.policy_id)
    assert policy is not None
    known = {c.code: c for c in product_of(session, policy).coverages}
    chosen: list[str] = []
    for index, code in enumerate(codes):
        if code not in known:
            raise UnknownCoverage(field=f"coverage_codes.{index}", code=code)
        if code not in chosen:
            chosen.append(code)
    before = list(claim.coverage_codes)
    needed = checklist_codes([known[c] for c in chosen])
    current = {m.code: m for m in materials_of(session, claim_id=claim.id)}
    with_files = repository.material_codes_with_files(session, claim_id=claim.id)
    dropped = [
        code
        for code, m in current.items()
        if code not in needed
        and m.origin == "checklist"
        and not m.received
        and code not in with_files
    ]
    for code in dropped:
        session.delete(current[code])
    added = [code for code in needed if code not in current]
    for code in added:
        session.add(Material(claim_id=claim.id, code=code, origin="checklist"))
    claim.coverage_codes = chosen
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.coverages_set",
        entity_type="claim",
        entity_id=claim.id,
        reason=reason,
        details={"before": before, "after": chosen, "added": added, "dropped": dropped},
    )
    return claim


# -- receiving materials -----------------------------------------------------------------


def receive_paper(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    code: str,
    count: int,
    original_checked: bool,
) -> Material:
    """Paper materials handed in at the counter: counted for the receipt (CLM-A3), and
    a copy may be checked against its original by the receiving staff member (CLM-A2)."""
    material = _material(session, claim, code, "code")
    at = timeutil.now()
    material.received = True
    material.received_at = material.received_at or at
    material.paper_count += count
    material.received_by_id = actor.user_id
    if original_checked:
        material.original_checked_by_id = actor.user_id
        material.original_checked_at = at
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.material_received",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={"code": code, "count": count, "original_checked": original_checked},
    )
    return material


def mark_original_checked(
    session: Session, *, actor: Principal, claim: Claim, code: str
) -> Material:
    material = _material(session, claim, code, "code")
    material.original_checked_by_id = actor.user_id
    material.original_checked_at = timeutil.now()
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.material_original_checked",
        entity_type="claim",
        entity_id=claim.id,
        details={"code": code},
    )
    return material


def review_material(
    session: Session, *, actor: Principal, claim: Claim, code: str, result: str, note: str | None
) -> Material:
    """CLM-A5: checked against the contract; 'suspected_forgery' is also a fraud signal."""
    material = _material(session, claim, code, "code")
    material.review_result = result
    material.review_note = note
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.material_reviewed",
        entity_type="claim",
        entity_id=claim.id,
        reason=note,
        details={"code": code, "result": result},
    )
    if result == "suspected_forgery":
        # A suspected forgery is a fraud signal (CLM-F1): the claim is held until an
        # investigator clears or confirms it; no payment can leave meanwhile.
        # Stored "中文 / English" (reserves.system_reason), each half naming the material
        # in its language and carrying the handler's note as typed: a page shows the
        # reader's half, never the two.
        zh, en = MATERIALS.get(code, (code, code))
        typed = f" — {note}" if note else ""
        fraud.flag(
            session,
            actor=actor,
            claim=claim,
            description=reserves.system_reason(
                f"疑似伪造材料：{zh}{typed}", f"suspected forged material: {en}{typed}"
            ),
            rule_code="CLM-A5.suspected_forgery",
        )
    return material


_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "application/pdf"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
)
_HEIC_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis")


def sniff(content: bytes) -> str | None:
    """The type by the content's magic bytes, not by the name the client sent."""
    for magic, offset, kind in _SIGNATURES:
        if content[offset : offset + len(magic)] == magic:
            return kind
    if content[4:8] == b"ftyp" and content[8:12] in _HEIC_BRANDS:
        return "image/heic"
    return None


# What the staff file on a claim once it is decided or has ended: an investigator's
# evidence and certificates (CLM-F1: a series re-check or a flag after payment, leading
# to a recovery), an external adjuster's report, a payee's authorisation for a top-up
# after a quality-sample correction (CLM-T3, CLM-P1). None of them is a claim material.
STAFF_FILES_AFTER_DECISION = frozenset(
    {"evidence", "certificate", "adjuster_report", "authorisation"}
)
# CLM-Z2 green channel: small losses paid first, the deferred items completed later.
LATE_MATERIAL_STATES = (workflow.PAID, workflow.DECIDED, workflow.CLOSED)


def late_material_codes(session: Session, claim: Claim) -> set[str]:
    """The deferred checklist items still to come on a paid or decided claim (CLM-Z2):
    the only claim materials such a claim takes."""
    if claim.state not in LATE_MATERIAL_STATES:
        return set()
    received = {m.code for m in materials_of(session, claim_id=claim.id) if m.received}
    return deferred_codes(session, claim=claim) - received


def takes_upload(
    session: Session, *, claim: Claim, customer: bool, purpose: str, material_code: str | None
) -> bool:
    """Whether the claim takes this file in its state. Open or held claims take every
    file (a hold stops the money, not the evidence, CLM-F1). A claim decided or ended
    (workflow.FINAL_STATES) takes the staff's evidence, and a deferred item of the green
    channel; nothing else — a material sent to a rejected, withdrawn or closed claim
    would sit unread beside a decision it cannot change (reopening it is how it would)."""
    if claim.state not in workflow.FINAL_STATES:
        return True
    if not customer and purpose in STAFF_FILES_AFTER_DECISION:
        return True
    return purpose == "material" and material_code in late_material_codes(session, claim)


def takes_any_upload(session: Session, *, claim: Claim, customer: bool) -> bool:
    """Whether an upload form has anything to offer on the claim (pages show the form
    exactly when the service would take a file through it)."""
    if claim.state not in workflow.FINAL_STATES:
        return True
    return not customer or bool(late_material_codes(session, claim))


def _require_taken(
    session: Session, *, actor: Principal, claim: Claim, purpose: str, code: str | None
) -> None:
    refused = fraud.upload_refusal(actor=actor, claim=claim, purpose=purpose)
    if refused is not None:
        raise refused
    customer = actor.is_customer
    if not takes_upload(
        session, claim=claim, customer=customer, purpose=purpose, material_code=code
    ):
        raise ClaimClosedForMaterials(field="file", state=claim.state)


def store_upload(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    filename: str,
    content: bytes,
    material_code: str | None,
    purpose: str = "material",
) -> MaterialFile:
    cfg = rules()
    _require_taken(session, actor=actor, claim=claim, purpose=purpose, code=material_code)
    if not content:
        raise UploadEmpty(field="file")
    if len(content) > cfg.upload_max_bytes:
        raise UploadTooLarge(field="file", limit_mb=cfg.upload_max_bytes // (1024 * 1024))
    kind = sniff(content)
    if kind is None or kind not in cfg.allowed_types:
        raise UploadTypeNotAllowed(field="file")
    material = _material(session, claim, material_code, "material_code") if material_code else None
    # An investigator's evidence on an unassigned held claim takes it up (CLM-F2).
    fraud.take_by_evidence(session, actor=actor, claim=claim)
    digest = hashlib.sha256(content).hexdigest()
    # Sealed with its own data key into the file store (SEC-1); a random name, so the
    # store reveals neither the content's hash nor its type.
    key = f"{claim.number}/{secrets.token_hex(16)}"
    # Removed from the store again if this transaction rolls back (a later refusal of
    # the request, a conflict): no file without its row (storage.transactional).
    data_key = save_file(get_storage(), key=key, content=content, session=session)
    at = timeutil.now()
    stored = MaterialFile(
        claim_id=claim.id,
        material_code=material_code,
        purpose=purpose,
        filename=filename[:200] or "upload",
        content_type=kind,
        size=len(content),
        sha256=digest,
        storage_path=key,
        data_key=data_key,
        uploaded_by_id=actor.user_id,
        uploaded_at=at,
        auth_method=actor.auth_method,
    )
    session.add(stored)
    if material is not None and not material.received:
        material.received = True
        material.received_at = at
        material.received_by_id = actor.user_id
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.file_uploaded",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={
            "file_id": stored.id,
            "sha256": digest,
            "size": len(content),
            "type": kind,
            "material": material_code,
            "auth_method": actor.auth_method,
        },
    )
    return stored


def read_upload(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    file_id: int,
    disposition: Literal["inline", "attachment"] = "attachment",
) -> tuple[MaterialFile, bytes]:
    """An uploaded file of the claim, opened from the file store; every read is on the
    trail (GEN-5, SEC-5), like reading the claim: ``claim.file_viewed`` when it is shown
    in the browser, ``claim.file_downloaded`` when it is saved. The caller has loaded the
    claim through the row filter; the file must be one of this claim's (object check)."""
    stored = session.get(MaterialFile, file_id)
    if stored is None or stored.claim_id != claim.id:
        raise NotFound(what="file", field="file_id")
    try:
        if stored.data_key is None:
            raise BlobNotFound(stored.storage_path)
        content = load_file(get_storage(), key=stored.storage_path, data_key=stored.data_key)
    except (BlobNotFound, InvalidTag, ValueError) as error:
        raise StoredFileUnavailable(field="file_id", file_id=file_id) from error
    record(
        session,
        actor=actor,
        action="claim.file_viewed" if disposition == "inline" else "claim.file_downloaded",
        entity_type="claim",
        entity_id=claim.id,
        details={"file_id": stored.id, "sha256": stored.sha256},
    )
    return stored, content


# -- the one-time notice (CLM-A4, Insurance Law art. 22) ---------------------------------


def notices_of(session: Session, claim_id: int) -> list[MissingMaterialsNotice]:
    return repository.notices_of(session, claim_id=claim_id)


def _deadline(at: dt.datetime) -> dt.date:
    return local_date(at) + dt.timedelta(days=rules().materials_deadline_days)


def _labels(codes: list[str], language: str = "zh-CN") -> str:
    if language.lower().startswith("zh"):
        return "、".join(MATERIALS.get(c, (c, c))[0] for c in codes)
    return ", ".join(MATERIALS.get(c, (c, c))[1] for c in codes)


def _notice_params(items: list[str], deadline: dt.date) -> dict[str, object]:
    # notify.render writes the date as the customer does (2026年10月30日 / 30 Oct 2026),
    # GEN-2, and the items in the message's language.
    return {"deadline": deadline, "items": lambda language: _labels(items, language)}


@dataclass(frozen=True)
class NoticePreview:
    """The one-time notice as it would go out now (CLM-A4): every item it lists, the
    deadline it gives, and the SMS the customer would read, word for word."""

    items: list[str]
    deadline: dt.date
    message: str
    # None: the claim has no contact phone, so the notice goes to the insured's portal
    # messages (notify.customer_address).
    recipient_masked: str | None

    def labels(self, language: str) -> list[str]:
        pick = 0 if language.lower().startswith("zh") else 1
        return [MATERIALS.get(code, (code, code))[pick] for code in self.items]


@dataclass(frozen=True)
class _NoticeDue:
    sent: bool  # the one-time notice went out already
    missing: list[str]  # missing_codes: a green-channel deferral is not missing (CLM-Z2)

    @property
    def due(self) -> bool:
        return not self.sent and bool(self.missing)


def _notice_due(session: Session, claim: Claim) -> _NoticeDue:
    sent = bool(notices_of(session, claim.id))
    return _NoticeDue(sent=sent, missing=missing_codes(session, claim))


def missing_notice_due(session: Session, claim: Claim) -> bool:
    """Whether the one-time missing-materials notice may go out now (CLM-A4): none went
    out yet, and a checklist item is missing (a green-channel deferral is not, CLM-Z2).
    The staff page offers the notice's form by this and the service refuses by the
    same rule (_missing_for_notice), so the two cannot disagree."""
    return _notice_due(session, claim).due


def _missing_for_notice(
    session: Session, claim: Claim, requested: list[str] | None = None
) -> list[str]:
    """The items the one-time notice must list: EVERY missing checklist item; refused
    when it is not due (missing_notice_due: a notice went out already, or nothing is
    missing), saying which."""
    state = _notice_due(session, claim)
    missing = state.missing
    if state.sent:
        raise MaterialsAlreadyRequested(field="items", items=_labels(requested or missing))
    for index, code in enumerate(requested or []):
        if code not in missing:
            raise NothingMissing(field=f"items.{index}")
    if not state.due:
        raise NothingMissing(field="items")
    return missing


def preview_missing_notice(session: Session, *, claim: Claim) -> NoticePreview:
    """What send_missing_notice would send now — built by the same steps (the items, the
    deadline counted from now, the outbox's text) and writing nothing, so the handler
    sees the list and the deadline the customer will receive before sending."""
    items = _missing_for_notice(session, claim)
    deadline = _deadline(timeutil.now())
    message = notify.render(
        "claim.materials_missing",
        {"number": claim.number, **_notice_params(items, deadline)},
        notify.customer_language(session, claim),
    )
    phone = claim.contact_phone
    masked = phone[:3] + "****" + phone[-4:] if phone else None
    return NoticePreview(items=items, deadline=deadline, message=message, recipient_masked=masked)


def send_missing_notice(
    session: Session, *, actor: Principal, claim: Claim, requested: list[str] | None = None
) -> MissingMaterialsNotice:
    """The first and only ordinary notice: it lists EVERY missing checklist item (the
    handler cannot split it into several notices) and the deadline."""
    missing = _missing_for_notice(session, claim, requested)
    return _issue(
        session,
        actor=actor,
        claim=claim,
        items=missing,
        justification=None,
        action="request_materials",
    )


def request_later_materials(
    session: Session, *, actor: Principal, claim: Claim, items: list[str], justification: str | None
) -> MissingMaterialsNotice:
    """A further notice is allowed only for items that were not on the checklist when the
    first notice went out, because a later fact made them necessary — with that fact."""
    if not justification or not justification.strip():
        raise JustificationRequired(field="justification")
    first = notices_of(session, claim.id)
    existing = {m.code: m for m in materials_of(session, claim_id=claim.id)}
    askable_before = [c for c in items if c in existing and existing[c].origin == "checklist"]
    if askable_before:
        raise MaterialsAlreadyRequested(field="items", items=_labels(askable_before))
    for index, code in enumerate(items):
        if code not in MATERIALS:
            raise UnknownMaterial(field=f"items.{index}", code=code)
        if code in existing:
            raise MaterialsAlreadyRequested(field=f"items.{index}", items=_labels([code]))
    if not items:
        raise NothingMissing(field="items")
    for code in items:
        session.add(
            Material(claim_id=claim.id, code=code, origin="later", origin_reason=justification)
        )
    session.flush()
    action = "request_more_materials" if first else "request_materials"
    if claim.state == workflow.REPORTED:
        action = "request_materials"
    return _issue(
        session, actor=actor, claim=claim, items=items, justification=justification, action=action
    )


def _issue(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    items: list[str],
    justification: str | None,
    action: str,
) -> MissingMaterialsNotice:
    at = timeutil.now()
    sequence = repository.last_notice_sequence(session, claim_id=claim.id) + 1
    notice = MissingMaterialsNotice(
        claim_id=claim.id,
        sequence=sequence,
        items=items,
        deadline=_deadline(at),
        sent_at=at,
        sent_by_id=actor.user_id,
        justification=justification,
    )
    session.add(notice)
    session.flush()
    params = _notice_params(items, notice.deadline)
    details = {"notice_id": notice.id, "sequence": sequence, "items": items}
    if claim.state == workflow.AWAITING_MATERIALS:
        # Already waiting (clocks paused): the supplement is told, the state stays.
        notify.tell_customer(
            session,
            claim=claim,
            template="claim.materials_missing",
            params=params,
            key_suffix=str(notice.id),
        )
        record(
            session,
            actor=actor,
            action="claim.materials_supplement",
            entity_type="claim",
            entity_id=claim.id,
            reason=justification,
            at=at,
            details=details,
        )
    else:
        workflow.transition(
            session,
            claim=claim,
            action=action,
            actor=actor,
            reason=justification,
            at=at,
            notice_params=params,
            details=details,
        )
    return notice


# -- acceptance --------------------------------------------------------------------------


def accept(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    reserve_amounts: dict[str, Decimal] | None,
    reason: str | None,
) -> Claim:
    at = timeutil.now()
    if claim.state == workflow.AWAITING_MATERIALS:
        returning_to = claim.materials_return_state
        workflow.transition(
            session, claim=claim, action="materials_complete", actor=actor, at=at, reason=reason
        )
        claim.materials_complete_at = at
        if returning_to is not None:
            return claim  # a supplement after acceptance: reserves already set
    else:
        workflow.transition(
            session, claim=claim, action="accept", actor=actor, at=at, reason=reason
        )
        claim.materials_complete_at = at
    claim.accepted_at = at
    claim.handler_id = actor.user_id
    reserves.set_initial(
        session,
        actor=actor,
        claim=claim,
        amounts=reserve_amounts or {},
        reason=reason
        or reserves.system_reason("案件受理时设立未决赔款准备金", "case reserve set at acceptance"),
    )
    session.flush()
    return claim
