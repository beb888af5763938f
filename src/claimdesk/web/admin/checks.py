"""Automatic checks page (CLM-F3): every check with its settings in words — on or off,
whether a hit holds the claim (CLM-F1) or sends it to a person, its thresholds — and the
versions before; administrators change one check at a time, with a reason, through the
checks service (a new version, audited there). Refusals are said beside their field."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.auth import service as users
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.checks import service as checks_service
from claimdesk.checks.errors import UnknownCheck
from claimdesk.checks.schemas import CheckConfigIn
from claimdesk.deps import DB, require
from claimdesk.models.check import CheckConfigVersion
from claimdesk.rules.checks.params import ParamError, ParamSpec, validate
from claimdesk.rules.checks.rules import RULES
from claimdesk.web.field_words import in_words, without_spec_ids
from claimdesk.web.kit import Refusal, SubmittedForm, common, form_action, language_of, page

router = APIRouter(prefix="/admin/checks")
Reader = Annotated[Principal, Depends(require(Permission.CHECKS_READ))]
Manager = Annotated[Principal, Depends(require(Permission.CHECKS_MANAGE))]

# What a hit does, in words (msgids).
ACTIONS: tuple[tuple[str, str], ...] = (
    ("hold", "Hold the claim for an investigator"),
    ("refer", "Send it to a person with the reason"),
)
# "parameters.days：…（规则 early_claim）": the check's own detail already names the field.
PARAM_PREFIX = re.compile(r"^parameters\.\S+?[：:]\s*")
CHECK_SUFFIX = re.compile(r"\s*[（(](?:规则|check)\s+[a-z_]+[)）]\s*$")


def _shown(spec: ParamSpec, value: Any, zh: bool) -> str:
    """A list as the language lists it (5000、10000 / 5000, 10000); _parameter reads
    either back."""
    if isinstance(value, tuple | list):
        return ("、" if zh else ", ").join(str(v) for v in value)
    return str(value)


def _typed(rule_params: tuple[ParamSpec, ...], stored: dict[str, Any]) -> dict[str, Any]:
    try:
        return dict(validate(rule_params, stored))
    except ParamError:
        # A stored value no longer valid (a rule's bounds changed): shown as stored.
        return dict(stored)


def _reason(row: CheckConfigVersion) -> str:
    """Why the version was made; the seeded first version has no person's reason."""
    return "" if row.created_by_id is None else without_spec_ids(row.reason)


def _view(
    row: CheckConfigVersion,
    language: str,
    names: dict[int, str],
    history: list[CheckConfigVersion],
) -> dict[str, Any]:
    rule = RULES[row.code]
    zh = language == "zh-CN"
    values = _typed(rule.params, row.parameters)
    return {
        "code": row.code,
        "title": rule.title_zh if zh else rule.title_en,
        "row": row,
        "by": names.get(row.created_by_id or 0, ""),
        "reason": _reason(row),
        "params": [
            {
                "name": spec.name,
                "label": spec.label_zh if zh else spec.label_en,
                "value": _shown(spec, values.get(spec.name, spec.default), zh),
                "kind": spec.kind,
                "bounds": f"{spec.minimum} – {spec.maximum}",
            }
            for spec in rule.params
        ],
        "history": [
            {
                "row": old,
                "by": names.get(old.created_by_id or 0, ""),
                "reason": _reason(old),
                "params": "; ".join(
                    f"{spec.label_zh if zh else spec.label_en} "
                    f"{_shown(spec, _typed(rule.params, old.parameters).get(spec.name, spec.default), zh)}"
                    for spec in rule.params
                ),
            }
            for old in reversed(history)
            if old.version != row.version
        ],
    }


def _page(
    request: Request,
    db: Session,
    actor: Principal,
    *,
    refused_code: str | None = None,
    refusal: Refusal | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    rows = checks_service.configs(db)
    histories = {row.code: checks_service.config_history(db, code=row.code) for row in rows}
    ids = {r.created_by_id for rows_ in histories.values() for r in rows_ if r.created_by_id}
    names = users.display_names(db, user_ids=ids)
    language = language_of(request)
    checks = [_view(row, language, names, histories[row.code]) for row in rows]
    error = None
    if refusal is not None and refused_code is not None:
        shown = next((c for c in checks if c["code"] == refused_code), None)
        labels = {p["name"]: p["label"] for p in shown["params"]} if shown else {}
        raw = dict(refusal.error)
        message = CHECK_SUFFIX.sub("", PARAM_PREFIX.sub("", str(raw.get("message") or "")))
        raw["message"] = message
        if raw.get("field") in labels:
            # The rule's own detail names the parameter already, in the user's language.
            error = {**raw, "label": labels[str(raw["field"])]}
        else:
            error = in_words(request, raw, FIELD_LABELS.get)
    return page(
        request,
        "admin/checks.html",
        status_code=refusal.status_code if refusal else 200,
        checks=checks,
        actions=ACTIONS,
        may_manage=actor.has(Permission.CHECKS_MANAGE),
        # The thresholds page is the claims reports readers' (web.admin.thresholds).
        may_read_limits=actor.has(Permission.CLAIMS_REPORTS),
        refused_code=refused_code,
        error=error,
        values=values or {},
        saved=request.query_params.get("saved"),
        **common(request),
    )


FIELD_LABELS = {
    "enabled": "Check is on",
    "action": "What a hit does",
    "reason": "Reason for the change",
}


@router.get("")
def checks_page(request: Request, db: DB, actor: Reader) -> Response:
    return _page(request, db, actor)


def _parameter(spec: ParamSpec, text: str) -> Any:
    """A form's text as the JSON the checks service validates (strings, never float)."""
    text = text.strip().replace("，", ",").replace("、", ",")
    if spec.kind == "decimal_list":
        return [item.strip() for item in text.split(",") if item.strip()]
    return text


@router.post("/{code}")
def change_check(
    code: str, request: Request, form: SubmittedForm, db: DB, actor: Manager
) -> Response:
    rule = RULES.get(code)
    if rule is None:
        raise UnknownCheck(check=code)
    values: dict[str, Any] = {
        "enabled": form.get("enabled") == "on",
        "action": str(form.get("action") or "")[:10],
        "reason": str(form.get("reason") or "")[:500],
        **{spec.name: str(form.get(spec.name) or "")[:200] for spec in rule.params},
    }

    def call() -> CheckConfigVersion:
        body = CheckConfigIn.model_validate(
            {
                "enabled": values["enabled"],
                "action": values["action"],
                "reason": values["reason"].strip(),
                "parameters": {
                    spec.name: _parameter(spec, values[spec.name])
                    for spec in rule.params
                    if values[spec.name].strip()
                },
            }
        )
        return checks_service.update_config(db, actor=actor, code=code, data=body)

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _page(
            request, db, actor, refused_code=code, refusal=refusal, values=values
        ),
        redirect=f"/admin/checks?saved={code}#check-{code}",
    )
