"""The claim page's forms for the steps around the main line: the fraud hold decided by
an investigator (CLM-F1, Insurance Law art. 27), reopening (CLM-X2), case reserves
(FIN-1), staff uploads and the review of materials (CLM-A2, CLM-A5), a later material
request (CLM-A4), going back to the assessment, and recoveries (FIN-2).

Each handler calls the domain service the API route of the same step calls, so the rules
are the API's."""

from __future__ import annotations

from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims import schemas as cs
from claimdesk.claims import workflow
from claimdesk.claims.errors import FileRequired
from claimdesk.claims.fraud import service as fraud
from claimdesk.claims.fraud.service import flags_of
from claimdesk.claims.intake import acceptance
from claimdesk.claims.read import claim_materials
from claimdesk.claims.settlement import closing, recoveries, reserves
from claimdesk.i18n import _, current_language
from claimdesk.models.claim import Claim
from claimdesk.payments.schemas import RecoveryIn, SubmitIn
from claimdesk.products.coverage_types import MATERIALS
from claimdesk.web.claims.assess_forms import coverage_words
from claimdesk.web.claims.page_forms import (
    CS,
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


def _material_label(code: str) -> str:
    zh, en = MATERIALS.get(code, (code, code))
    return zh if current_language.get() == "zh-CN" else en


# -- fraud hold (CLM-F1) ---------------------------------------------------------------------

# The art. 27 outcomes of a confirmed case (msgids).
FRAUD_OUTCOMES = (
    ("fabricated_event", "Fabricated event: rescind the policy without refund, refuse the claim"),
    ("forged_evidence", "Forged evidence: the exaggerated part is not paid"),
    ("exaggerated_loss", "Exaggerated loss: the exaggerated part is not paid"),
)


def open_flags(db: Session, claim: Claim) -> list[tuple[str, str]]:
    return [
        (str(f.id), f"#{f.id} {f.description}"[:120])
        for f in flags_of(db, claim_id=claim.id)
        if f.status == "open"
    ]


def can_upload(db: Session, claim: Claim) -> bool:
    """Exactly the service's rule (acceptance.takes_any_upload): an open or held claim
    takes files — a hold stops the money, not the evidence (CLM-F1), whatever the state
    it was held from —; a decided or ended claim takes what the service lets staff file
    on it: evidence, and a deferred item of the green channel. Who may file is the
    service's row rule too (fraud.upload_refusal, checked with the page's user)."""
    return acceptance.takes_any_upload(db, claim=claim, customer=False)


def has_open_flag(db: Session, claim: Claim) -> bool:
    return bool(open_flags(db, claim))


def clear_fields(db: Session, claim: Claim) -> list[FormField]:
    return [
        FormField("flag_id", "Fraud flag", "select", required=True, options=open_flags(db, claim)),
        FormField(
            "note",
            "Findings of the investigation",
            "textarea",
            required=True,
            limit=f"{CS}:FraudResolveIn.note",
        ),
    ]


def confirm_fields(db: Session, claim: Claim) -> list[FormField]:
    return [
        FormField("flag_id", "Fraud flag", "select", required=True, options=open_flags(db, claim)),
        FormField(
            "outcome",
            "Consequence (Insurance Law art. 27)",
            "select",
            required=True,
            options=[("", "—"), *FRAUD_OUTCOMES],
        ),
        FormField(
            "note",
            "Findings of the investigation",
            "textarea",
            required=True,
            limit=f"{CS}:FraudResolveIn.note",
        ),
        FormField(
            "exaggerated_amount",
            "Exaggerated or forged part, not paid (CNY)",
            help="Needed for forged evidence or an exaggerated loss.",
            kind="number",
            step="0.01",
            minimum="0",
        ),
        FormField(
            "recovery_amount",
            "Money paid on the fraud to recover (CNY)",
            kind="number",
            step="0.01",
            minimum="0",
        ),
        FormField("police_referred", "Referred to the police", "checkbox"),
        FormField("police_reference", "Police case reference"),
    ]


def _flag_id(form: Values) -> int:
    raw = text(form, "flag_id")
    if raw is None or not raw.isdigit():
        raise ChoiceRequired(field="flag_id")
    return int(raw)


def clear_fraud(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    body = validated(cs.FraudResolveIn, {"outcome": "cleared", "note": text(form, "note")})
    fraud.resolve(db, actor=p, claim=claim, flag_id=_flag_id(form), data=body)


def confirm_fraud(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    outcome = text(form, "outcome")
    if outcome not in {code for code, _label in FRAUD_OUTCOMES}:
        raise ChoiceRequired(field="outcome")
    body = validated(
        cs.FraudResolveIn,
        {
            "outcome": outcome,
            "note": text(form, "note"),
            "exaggerated_amount": text(form, "exaggerated_amount"),
            "recovery_amount": text(form, "recovery_amount"),
            "police_referred": bool(form.get("police_referred")),
            "police_reference": text(form, "police_reference"),
        },
    )
    fraud.resolve(db, actor=p, claim=claim, flag_id=_flag_id(form), data=body)


# -- reopen (CLM-X2: a closed claim goes back to adjustment with a reason) --------------------


def reopen_fields(_db: Session, _claim: Claim) -> list[FormField]:
    return [
        FormField(
            "reason",
            "Why the claim is reopened",
            "textarea",
            required=True,
            limit=f"{PS}:SubmitIn.reason",
        )
    ]


def reopen(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    body = validated(SubmitIn, {"reason": text(form, "reason")})
    closing.reopen(db, actor=p, claim=claim, reason=body.reason)


# -- case reserve (FIN-1) ---------------------------------------------------------------------


def reserve_fields(db: Session, claim: Claim) -> list[FormField]:
    current = {r.coverage_code: r.amount for r in reserves.reserves_of(db, claim.id)}
    named = coverage_words(db, claim)
    options = [
        (
            code,
            f"{named(code)} · ¥{current[code]:,.2f}" if code in current else named(code),
        )
        for code in claim.coverage_codes
    ]
    return [
        FormField("coverage_code", "Coverage", "select", required=True, options=options),
        FormField(
            "amount",
            "New case reserve (CNY)",
            "number",
            required=True,
            step="0.01",
            minimum="0",
            help="Never more than the coverage can still pay.",
        ),
        FormField(
            "reason",
            "Reason for the revision",
            "textarea",
            required=True,
            limit=f"{CS}:ReserveRevise.reason",
        ),
    ]


def revise_reserve(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    body = validated(
        cs.ReserveRevise,
        {
            "coverage_code": text(form, "coverage_code"),
            "amount": text(form, "amount"),
            "reason": text(form, "reason"),
        },
    )
    reserves.revise(
        db,
        actor=p,
        claim=claim,
        coverage_code=body.coverage_code,
        amount=body.amount,
        stage="manual",
        reason=body.reason,
    )


# -- staff upload (CLM-A2) and the review of materials (CLM-A5) --------------------------------

PURPOSES = (
    ("material", "A claim material"),
    ("evidence", "Survey evidence (photo, signed statement)"),
    ("certificate", "Official certificate (fire report, police receipt)"),
    ("adjuster_report", "External loss adjuster's report"),
)


def _purposes(db: Session, claim: Claim) -> tuple[list[tuple[str, str]], list[str]]:
    """The purposes and material codes the service takes on the claim in its state."""
    codes = [m.code for m in claim_materials(db, claim.id)]
    if claim.state not in workflow.FINAL_STATES:
        return list(PURPOSES), codes
    late = acceptance.late_material_codes(db, claim)
    purposes = [
        (code, label)
        for code, label in PURPOSES
        if code in acceptance.STAFF_FILES_AFTER_DECISION or (code == "material" and late)
    ]
    return purposes, [code for code in codes if code in late]


def upload_fields_for(
    db: Session, claim: Claim, values: Values, actor: Principal | None
) -> list[FormField]:
    """The upload form as the user may fill it: an investigator is offered only the
    investigation's evidence (fraud.INVESTIGATION_FILES), as the service takes."""
    if actor is None or not fraud.uploads_as_investigator(actor=actor):
        return upload_fields(db, claim)
    evidence = [(code, label) for code, label in PURPOSES if code in fraud.INVESTIGATION_FILES]
    fields = _upload_form(evidence, None)
    if claim.investigator_id is None and not fraud.is_fraud_supervisor(actor=actor):
        # Said before the click: the file makes the claim theirs (fraud.take_by_evidence).
        fields[0].help = TAKES_THE_CLAIM
    return fields


TAKES_THE_CLAIM = (
    "Filing evidence takes this held claim up: it becomes yours to investigate and decide."
)


def upload_fields(db: Session, claim: Claim) -> list[FormField]:
    purposes, codes = _purposes(db, claim)
    return _upload_form(purposes, [(code, _material_label(code)) for code in codes])


def _upload_form(
    purposes: list[tuple[str, str]], materials: list[tuple[str, str]] | None
) -> list[FormField]:
    """What the file is, the material it proves (None: no claim material offered), the file."""
    fields = [FormField("purpose", "What the file is", "select", required=True, options=purposes)]
    if materials is not None:
        fields.append(
            FormField(
                "material_code",
                "Material it proves (for a claim material)",
                "select",
                options=[("", "—"), *materials],
            )
        )
    fields.append(
        FormField("file", "File (PDF or image)", "file", required=True, accept=UPLOAD_ACCEPT)
    )
    return fields


def upload(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    purpose = text(form, "purpose") or "material"
    if purpose not in {code for code, _label in PURPOSES}:
        raise ChoiceRequired(field="purpose")
    code = text(form, "material_code") if purpose == "material" else None
    with aliased({"material_code": "material_code"}):
        if upload_in(form, "file") is None and not form.get(TRIAL):
            raise FileRequired(field="file")
        store_file(db, p, claim, form, "file", purpose=purpose, material_code=code)


def _received(db: Session, claim: Claim, *, unchecked: bool = False) -> list[tuple[str, str]]:
    return [
        (m.code, _material_label(m.code))
        for m in claim_materials(db, claim.id)
        if m.received and not (unchecked and m.original_checked_by_id)
    ]


REVIEW_RESULTS = [
    ("", "Not reviewed now"),
    ("ok", "In order"),
    ("not_necessary", "Not reasonable or necessary"),
    ("suspected_forgery", "Suspected forgery (holds the claim for investigation)"),
]


def review_fields(db: Session, claim: Claim) -> list[FormField]:
    """CLM-A5: every received material at once — a result for each one reviewed now
    (issue 12: not one material per submit), with an optional note."""
    fields: list[FormField] = []
    for code, label in _received(db, claim):
        fields += [
            FormField(
                f"result__{code}",
                _("Result of the check against the contract: %(material)s", material=label),
                "select",
                options=list(REVIEW_RESULTS),
            ),
            FormField(
                f"note__{code}",
                _("Note on %(material)s", material=label),
                "textarea",
                limit=f"{CS}:MaterialReview.note",
            ),
        ]
    return fields


def review_material(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    reviewed = 0
    for code, _label in _received(db, claim):
        result = text(form, f"result__{code}")
        if not result:
            continue
        with aliased(
            {"result": f"result__{code}", "note": f"note__{code}", "code": f"result__{code}"}
        ):
            body = validated(
                cs.MaterialReview,
                {"code": code, "result": result, "note": text(form, f"note__{code}")},
            )
            acceptance.review_material(
                db, actor=p, claim=claim, code=body.code, result=body.result, note=body.note
            )
        reviewed += 1
    if not reviewed:
        first = next(iter(_received(db, claim)), ("", ""))[0]
        raise ChoiceRequired(field=f"result__{first}")


def original_fields(db: Session, claim: Claim) -> list[FormField]:
    return [
        FormField(
            "code",
            "Material checked against the original",
            "select",
            required=True,
            options=_received(db, claim, unchecked=True),
        )
    ]


def original_checked(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    body = validated(cs.MaterialReceive, {"code": text(form, "code")})
    acceptance.mark_original_checked(db, actor=p, claim=claim, code=body.code)


def later_fields(db: Session, claim: Claim) -> list[FormField]:
    on_claim = {m.code for m in claim_materials(db, claim.id)}
    return [
        *[
            FormField(f"item__{code}", _material_label(code), "checkbox")
            for code in MATERIALS
            if code not in on_claim
        ],
        FormField(
            "justification",
            "The later fact that makes these necessary",
            "textarea",
            required=True,
            limit=f"{CS}:LaterMaterialsRequest.justification",
            help="Only items the first notice could not have asked for (Insurance Law art. 22).",
        ),
    ]


def later_materials(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    items = [k.split("__", 1)[1] for k, v in form.items() if k.startswith("item__") and v]
    body = validated(
        cs.LaterMaterialsRequest,
        {"items": items, "justification": text(form, "justification")},
    )
    acceptance.request_later_materials(
        db, actor=p, claim=claim, items=body.items, justification=body.justification
    )


# -- recoveries (FIN-2) -----------------------------------------------------------------------


def recovery_fields(_db: Session, _claim: Claim) -> list[FormField]:
    return [
        FormField(
            "kind",
            "Recovery",
            "select",
            required=True,
            options=[("salvage", "Salvage"), ("subrogation", "Subrogation")],
        ),
        FormField(
            "amount", "Amount recovered (CNY)", "number", required=True, step="0.01", minimum="0"
        ),
        FormField("counterparty", "From whom", required=True),
        FormField("received_on", "Received on", "date", required=True),
        FormField("note", "Note", "textarea", limit=f"{PS}:RecoveryIn.note"),
    ]


def record_recovery(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    body = validated(
        RecoveryIn,
        {
            "kind": text(form, "kind"),
            "amount": text(form, "amount"),
            "counterparty": text(form, "counterparty"),
            "received_on": text(form, "received_on"),
            "note": text(form, "note"),
        },
    )
    recoveries.record_recovery(db, actor=p, claim=claim, **body.model_dump())
