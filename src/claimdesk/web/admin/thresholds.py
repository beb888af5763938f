"""Thresholds page: the amounts SPEC calls configurable — review tiers (CLM-V1), the
major-case amount (CLM-R4), the small-payment limit (CLM-P4), the small-cash limit of
cash/offline payments (CLM-P3), the survey skip — in force
now, every version with the instant it took effect, and (for administrators) a form that
adds a version from a stated time, audited by the thresholds service. The other rule
values are configuration held in code (claims.config) and are shown read-only.

The page calls the thresholds service only, through the kit's ``attempt`` (a refused
version writes nothing and is shown beside its field)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.auth import service as users
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.claims.config import rules
from claimdesk.deps import DB, require
from claimdesk.errors import ValidationFailed
from claimdesk.thresholds import service as threshold_service
from claimdesk.thresholds.schemas import ThresholdsIn
from claimdesk.timeutil import local_zone
from claimdesk.web.automatic_view import AUTOMATIC_LINE_WORDS
from claimdesk.web.field_words import in_words, without_spec_ids
from claimdesk.web.kit import (
    Refusal,
    SubmittedForm,
    common,
    form_action,
    label_for,
    page,
    translator,
)

router = APIRouter()
# Who reads the claims reports reads the limits behind them (as before this page took edits).
Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_REPORTS))]
Manager = Annotated[Principal, Depends(require(Permission.THRESHOLDS_MANAGE))]

# The versioned amounts an administrator sets: (field, msgid of what it governs).
AMOUNTS: tuple[tuple[str, str], ...] = (
    ("review_tier1_max", "Up to this amount (CNY) one review tier"),
    ("review_tier2_max", "Up to this amount (CNY) two review tiers; above it three"),
    ("major_amount", "Estimated loss (CNY) from which a report is a major case"),
    ("small_payment_max", "Small claims (CNY) paid within 24 hours of approval"),
    ("skip_survey_max_amount", "Largest claim (CNY) that may skip the survey"),
)
# Lines an administrator may let skip the survey (claims' product lines).
SKIP_LINES: tuple[tuple[str, str], ...] = (
    ("health", "Health"),
    ("medical", "Medical"),
    ("critical_illness", "Critical illness"),
    ("accident", "Accident"),
    ("property", "Property"),
    ("liability", "Liability"),
)
# Values held in code (claims.config): (attribute, msgid of what it governs).
FIXED: tuple[tuple[str, str], ...] = (
    ("major_casualties", "Casualties from which a report is a major case"),
    ("upload_max_bytes", "Largest upload"),
    ("allowed_types", "File types accepted for uploads"),
    ("materials_deadline_days", "Days the customer has to supply missing materials"),
    ("certificate_causes", "Causes of loss that need an official certificate"),
    ("life_lines", "Lines with the 5-year limitation period"),
    ("archive_extra_years", "Years the archive is kept beyond the limitation period"),
)
# CLM-P3: up to this a cash/offline payment needs no stated special case (msgid).
CASH_LIMIT = "Largest cash or offline payment (CNY) without a stated special case"
# The automatic path (CLM-T2, CLM-T3): its limit, the coverage types it may pay, the
# share of its payments a tier-1 reviewer checks afterwards.
AUTOMATIC_LINES: tuple[tuple[str, str], ...] = tuple(
    (code, AUTOMATIC_LINE_WORDS.get(code, code))
    for code in threshold_service.AUTOMATIC_LINE_CHOICES
)
FIELD_LABELS: dict[str, str] = {
    **dict(AMOUNTS),
    "automatic_max_amount": "Largest claim (CNY) paid automatically",
    "automatic_lines": "Coverages paid automatically",
    "sample_share": "Share of automatic payments checked by a person afterwards, in percent",
    "small_cash_max": CASH_LIMIT,
    "skip_survey_lines": "Lines whose small claims may skip the survey",
    "effective_from": "Takes effect from (Beijing time; empty: now)",
    "reason": "Reason for the change",
}


# Codes among the fixed values that the shared labels do not know (msgids).
VALUE_WORDS = {"theft": "Theft", "fire": "Fire"}


def _shown(value: object) -> list[str]:
    """A value as items the template labels (codes become words where known)."""
    if isinstance(value, frozenset | set | tuple | list):
        return sorted(str(v) for v in value)
    return [str(value)]


def _fixed_items(name: str, value: object) -> list[str] | None:
    """The values a person reads other than as stored: the upload limit in MB (it showed
    20971520 bytes) and the file types by their names (it showed application/pdf)."""
    if name == "upload_max_bytes" and isinstance(value, int):
        megabytes = Decimal(value) / (1024 * 1024)
        return [f"{megabytes.normalize():f} MB"]
    if name == "allowed_types" and isinstance(value, frozenset | set | tuple | list):
        return sorted(str(v).rsplit("/", 1)[-1].upper() for v in value)
    return None


def parse_local(value: str, field: str) -> dt.datetime | None:
    """A datetime-local field (local time, no offset) → an aware instant; empty: None."""
    if not value.strip():
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            field=field,
            zh="{field}：时间格式应为 YYYY-MM-DD HH:MM",
            en="{field}: the time should look like YYYY-MM-DD HH:MM",
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=local_zone())


def parse_amount(value: str, field: str) -> Decimal:
    try:
        amount = Decimal(value.strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValidationFailed(
            field=field,
            zh="{field}：应为金额，例如 10000.00",
            en="{field}: should be an amount such as 10000.00",
        ) from None
    if not amount.is_finite():
        raise ValidationFailed(field=field)
    return amount


def parse_percent(value: str, field: str) -> Decimal:
    """The share a person types as a percent (5 = 5 %), refused in percent: the service's
    refusal speaks of a fraction ("between 0 and 1"), and an administrator who typed 150
    and followed it typed 0.5 — a sample of 0.5 % instead of the half they meant."""
    share = parse_amount(value, field)
    if not 0 <= share <= 100 or share.quantize(Decimal("0.01")) != share:
        raise ValidationFailed(
            field=field,
            zh="{field}：应为 0 到 100 之间的百分比，最多两位小数，例如 5 表示 5%",
            en="{field}: a percentage between 0 and 100 with at most two decimals (5 means 5 %)",
        )
    return share / 100


def percent(share: Decimal) -> str:
    """0.0500 → "5", 0.0125 → "1.25": the share as the percent a person types."""
    value = (share * 100).normalize()
    return f"{value:f}"


def _state(version: threshold_service.Thresholds, current_id: int | None, now: dt.datetime) -> str:
    if version.effective_from > now:
        return "scheduled"
    return "in_force" if version.version_id == current_id else "superseded"


def _form_of(current: threshold_service.Thresholds) -> dict[str, Any]:
    """The form filled from the version in force (a new version starts from it)."""
    return {
        **{name: str(getattr(current, name)) for name, _msgid in AMOUNTS},
        "skip_survey_lines": sorted(current.skip_survey_lines),
        "automatic_max_amount": str(current.automatic_max_amount),
        "automatic_lines": sorted(current.automatic_lines),
        "sample_share": percent(current.sample_share),
        "small_cash_max": str(current.small_cash_max),
        "effective_from": "",
        "reason": "",
    }


def _fixed_rules(request: Request) -> list[tuple[str, list[str]]]:
    """The rules SPEC fixes (not settings), each with its items in the reader's words."""
    fixed = rules()
    gettext, label = translator(request), label_for(request)

    def words(code: str) -> str:
        return gettext(VALUE_WORDS[code]) if code in VALUE_WORDS else label(code)

    return [
        (
            msgid,
            _fixed_items(name, getattr(fixed, name))
            or [words(item) for item in _shown(getattr(fixed, name))],
        )
        for name, msgid in FIXED
    ]


def _refusal_words(request: Request, refusal: Refusal | None) -> dict[str, Any] | None:
    if refusal is None:
        return None
    # "automatic_lines.0": the field is the list of choices.
    raw = dict(refusal.error)
    if str(raw.get("field") or "").startswith("automatic_lines."):
        raw["message"] = str(raw.get("message") or "").replace(str(raw["field"]), "automatic_lines")
        raw["field"] = "automatic_lines"
    return in_words(request, raw, FIELD_LABELS.get)


def _page(
    request: Request,
    db: Session,
    actor: Principal,
    *,
    refusal: Refusal | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    now = timeutil.now()
    current = threshold_service.in_force(db, at=now)
    history = sorted(
        threshold_service.versions(db),
        key=lambda v: (v.effective_from, v.version_id or 0),
        reverse=True,
    )
    names = users.display_names(db, user_ids={v.created_by_id for v in history if v.created_by_id})
    return page(
        request,
        "admin/thresholds.html",
        status_code=refusal.status_code if refusal else 200,
        current=current,
        current_reason=without_spec_ids(current.reason) if current.created_by_id else "",
        amounts=AMOUNTS,
        skip_lines=SKIP_LINES,
        automatic_lines=AUTOMATIC_LINES,
        percent=percent,
        fixed=_fixed_rules(request),
        history=[
            {
                "version": v,
                "state": _state(v, current.version_id, now),
                "by": names.get(v.created_by_id or 0, ""),
                # The seeded first version has no person's reason.
                "reason": without_spec_ids(v.reason) if v.created_by_id else "",
            }
            for v in history
        ],
        may_manage=actor.has(Permission.THRESHOLDS_MANAGE),
        values=values or _form_of(current),
        error=_refusal_words(request, refusal),
        saved=bool(request.query_params.get("saved")),
        **common(request),
    )


@router.get("/admin/thresholds")
def thresholds(request: Request, db: DB, actor: Reader) -> Response:
    return _page(request, db, actor)


@router.post("/admin/thresholds")
def add_version(request: Request, form: SubmittedForm, db: DB, actor: Manager) -> Response:
    values: dict[str, Any] = {
        **{name: str(form.get(name) or "")[:40] for name, _msgid in AMOUNTS},
        "skip_survey_lines": [str(v)[:40] for v in form.getlist("skip_survey_lines")][:20],
        "automatic_max_amount": str(form.get("automatic_max_amount") or "")[:40],
        "automatic_lines": [str(v)[:40] for v in form.getlist("automatic_lines")][:10],
        "sample_share": str(form.get("sample_share") or "")[:40],
        "small_cash_max": str(form.get("small_cash_max") or "")[:40],
        "effective_from": str(form.get("effective_from") or "")[:40],
        "reason": str(form.get("reason") or "")[:2000],
    }

    def call() -> threshold_service.Thresholds:
        amounts = {name: parse_amount(values[name], name) for name, _msgid in AMOUNTS}
        body = ThresholdsIn.model_validate(
            {
                **amounts,
                "skip_survey_lines": values["skip_survey_lines"],
                "automatic_max_amount": parse_amount(
                    values["automatic_max_amount"], "automatic_max_amount"
                ),
                "automatic_lines": values["automatic_lines"],
                "sample_share": parse_percent(values["sample_share"], "sample_share"),
                # Left empty (a client that does not send it): the limit in force stays.
                "small_cash_max": (
                    parse_amount(values["small_cash_max"], "small_cash_max")
                    if values["small_cash_max"].strip()
                    else None
                ),
                "effective_from": parse_local(values["effective_from"], "effective_from"),
                "reason": values["reason"].strip(),
            }
        )
        return threshold_service.create_version(
            db,
            actor=actor,
            values={name: getattr(body, name) for name in threshold_service.AMOUNT_FIELDS},
            skip_survey_lines=body.skip_survey_lines,
            effective_from=body.effective_from,
            reason=body.reason,
            automatic_max_amount=body.automatic_max_amount,
            automatic_lines=body.automatic_lines,
            sample_share=body.sample_share,
            small_cash_max=body.small_cash_max,
        )

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _page(request, db, actor, refusal=refusal, values=values),
        redirect=lambda saved: f"/admin/thresholds?saved={saved.version_id}",
    )
