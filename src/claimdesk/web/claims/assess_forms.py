"""The loss assessment form of the claim page (定损, CLM-L1..L4): one fieldset per
coverage type of the claim, shown for the coverage being assessed; the external loss
adjuster's report (CLM-L2) and its acceptance by both sides.

Every form builds the same AssessmentIn body as the API and calls the same service, so
the rules (a Class B (乙) line needs its self-pay ratio, a death claim its certificate,
repair or total loss but not both) are the service's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.auth.principal import Principal
from claimdesk.claims import schemas as cs
from claimdesk.claims.read import claim_materials
from claimdesk.claims.settlement import assessment
from claimdesk.claims.settlement.assessment import MEDICAL, current_assessments
from claimdesk.claims.settlement.reserves import claim_coverages, coverage_names
from claimdesk.errors import ValidationFailed
from claimdesk.i18n import _, current_language
from claimdesk.models.claim import Claim
from claimdesk.models.product import Coverage
from claimdesk.products.coverage_types import TYPE_LABELS
from claimdesk.products.diseases import MILD, SEVERE
from claimdesk.rules.adjudication.accident import GRADE_PERCENT
from claimdesk.web.claims.page_forms import (
    UPLOAD_ACCEPT,
    FormField,
    Values,
    aliased,
    percent,
    store_file,
    text,
    upload_in,
    validated,
)
from claimdesk.web.kit import coverage as kit_coverage
from claimdesk.web.kit import listed
from claimdesk.web.labels import CATALOG_WORDS, KIND_LABELS

INJURY_ROWS = 5
# The API name of each column of an expense row, and the form's suffix for it.
LINE_COLUMNS = {
    "description": "description",
    "amount": "amount",
    "catalog": "catalog",
    "self_pay_ratio": "self_pay",
    "kind": "kind",
    "removal_reason": "removal_reason",
}


class AdjusterNameRequired(ValidationFailed):
    code = "adjuster_name_required"
    message_zh = "{field}：上传公估报告时须填写公估机构名称"
    message_en = "{field}: name the external loss adjuster whose report is uploaded"


class ReplacementValueRequired(ValidationFailed):
    code = "replacement_value_required"
    message_zh = "{field}：按{basis_zh}计算全损时须填写重置价值"
    message_en = "{field}: a total loss valued at {basis_en} needs the replacement value"


def coverage_label(coverage: Coverage) -> str:
    """The coverage's name and its type in the page's language (both languages at once
    put English into every Chinese form)."""
    zh, en = TYPE_LABELS.get(coverage.type, (coverage.type, coverage.type))
    language = current_language.get()
    return f"{formatting.name_in(coverage, language)} · {zh if language == 'zh-CN' else en}"


def coverage_words(db: Session, claim: Claim) -> Callable[[object], str]:
    """The claim's coverage codes as its product names them in the page's language, for a
    form's choices (the claim page does the same through kit.coverage)."""
    names = coverage_names(db, claim, current_language.get())
    return lambda code: kit_coverage(code, names)


def _codes_of(coverages: dict[str, Coverage], *types: str) -> tuple[str, ...]:
    return tuple(code for code, c in coverages.items() if c.type in types)


# -- the fields ----------------------------------------------------------------------------


def assess_fields(db: Session, claim: Claim) -> list[FormField]:
    coverages = claim_coverages(db, claim)
    ordered = [code for code in claim.coverage_codes if code in coverages]
    fields = [
        FormField(
            "coverage_code",
            "Coverage",
            "select",
            required=True,
            options=[(code, coverage_label(coverages[code])) for code in ordered],
            value=ordered[0] if ordered else "",
            controls=True,
        )
    ]
    builders = (
        (MEDICAL, _medical_fields),
        (("critical_illness",), _ci_fields),
        (("accident_disability",), _disability_fields),
        (("accident_death",), _death_fields),
        (("property",), _property_fields),
        (("liability",), _liability_fields),
    )
    for types, build in builders:
        codes = _codes_of(coverages, *types)
        if codes:
            fields += build(db, claim, {c: coverages[c] for c in codes})
    return fields + _adjuster_fields()


def _medical_fields(db: Session, claim: Claim, coverages: dict[str, Coverage]) -> list[FormField]:
    when = {"coverage_code": tuple(coverages)}
    return [
        _expense_lines(coverages, when=when),
        FormField(
            "settled_with_social_insurance",
            "Settled through social medical insurance",
            "checkbox",
            when=when,
        ),
        FormField(
            "social_insurance_paid",
            "Paid by social insurance (CNY)",
            "number",
            value="0",
            step="0.01",
            minimum="0",
            when=when,
        ),
        FormField(
            "other_compensation",
            "Other compensation already received (CNY)",
            "number",
            value="0",
            step="0.01",
            minimum="0",
            when=when,
        ),
    ]


def _expense_lines(coverages: dict[str, Coverage], *, when: dict[str, Any]) -> FormField:
    """Any number of expense lines (issue 12): one row per line, a running total; an
    item category is offered for each kind the coverages exclude."""
    excluded = sorted(
        {k for c in coverages.values() for k in c.parameters.get("excluded_kinds", [])}
    )
    kinds = [("", "Ordinary item"), *[(k, KIND_LABELS.get(k, k)) for k in excluded]]
    return FormField(
        "line",
        "Expense lines",
        "rows",
        when=when,
        total_of="amount",
        total_skip="removed",
        columns=[
            FormField("description", "Expense line %(n)s: description"),
            FormField(
                "amount",
                "Expense line %(n)s: amount (CNY)",
                "number",
                step="0.01",
                minimum="0",
            ),
            FormField(
                "catalog",
                "Expense line %(n)s: catalogue class",
                "select",
                options=[("", "—"), *CATALOG_WORDS.items()],
            ),
            FormField(
                "self_pay",
                "Expense line %(n)s: self-pay share of a Class B (乙) item (%%)",
                "number",
                step="0.01",
                minimum="0",
                maximum="100",
            ),
            FormField("kind", "Expense line %(n)s: item category", "select", options=kinds),
            FormField(
                "removed",
                "Expense line %(n)s: remove it (outside the scope, cosmetic, excessive)",
                "checkbox",
            ),
            FormField("removal_reason", "Expense line %(n)s: reason for removing it"),
        ],
    )


def _ci_fields(db: Session, claim: Claim, coverages: dict[str, Coverage]) -> list[FormField]:
    covered = {code for c in coverages.values() for code in c.parameters.get("severe", [])}
    covered |= {
        code
        for c in coverages.values()
        for code in (c.parameters.get("mild") or {}).get("diseases", [])
    }
    options = [("", "—")]
    for table in (SEVERE, MILD):
        for code, name in table.items():
            mark = "" if code in covered else " ✗"
            options.append((code, f"{code} {name}{mark}"))
    return [
        FormField(
            "disease",
            "Diagnosed disease (2020 definitions)",
            "select",
            required=True,
            options=options,
            when={"coverage_code": tuple(coverages)},
            help="✗ marks a disease this product does not cover.",
        )
    ]


def _disability_fields(
    db: Session, claim: Claim, coverages: dict[str, Coverage]
) -> list[FormField]:
    when = {"coverage_code": tuple(coverages)}
    grades = [("", "—")] + [
        (
            str(grade),
            _(
                "Grade %(grade)s: %(percent)s%% of the sum insured",
                grade=grade,
                percent=int(p * 100),
            ),
        )
        for grade, p in sorted(GRADE_PERCENT.items())
    ]
    fields: list[FormField] = []
    for i in range(1, INJURY_ROWS + 1):
        fields += [
            FormField(
                f"injury{i}_description",
                _("Injury %(n)s: description", n=i),
                required=i == 1,
                when=when,
            ),
            FormField(
                f"injury{i}_grade",
                _("Injury %(n)s: disability grade (JR/T 0083-2013)", n=i),
                "select",
                required=i == 1,
                options=grades,
                when=when,
            ),
        ]
    fields[-1].help = (
        "Each injury is graded; the most severe grade counts, and two or more injuries "
        "at that grade raise it by one."
    )
    return fields


def _death_fields(db: Session, claim: Claim, coverages: dict[str, Coverage]) -> list[FormField]:
    received = any(
        m.received for m in claim_materials(db, claim.id) if m.code == "death_certificate"
    )
    status = _("received") if received else _("missing: receive it before the assessment")
    return [
        FormField(
            "death_certificate",
            "Death certificate",
            "info",
            value=status,
            when={"coverage_code": tuple(coverages)},
            help="The benefit is the sum insured less disability already paid.",
        )
    ]


def _valuation_text(coverage: Coverage) -> str:
    p = coverage.parameters
    basis = p.get("valuation")
    if basis == "depreciated":
        rate = float(p.get("depreciation_rate") or 0) * 100
        return _("depreciated value (%(rate)s%% a year of use)", rate=f"{rate:g}")
    if basis == "agreed":
        return _("agreed value (CNY %(value)s)", value=p.get("agreed_value"))
    return _("replacement value")


def _property_fields(db: Session, claim: Claim, coverages: dict[str, Coverage]) -> list[FormField]:
    codes = tuple(coverages)
    when = {"coverage_code": codes}
    repair = {"coverage_code": codes, "property_mode": ("repair",)}
    total = {"coverage_code": codes, "property_mode": ("total_loss",)}
    first = next(iter(coverages.values()))
    proportional = any(c.parameters.get("proportional") for c in coverages.values())
    return [
        FormField(
            "property_mode",
            "Repairable or a total loss",
            "select",
            required=True,
            options=[("repair", "Repairable"), ("total_loss", "Total loss")],
            value="repair",
            controls=True,
            when=when,
        ),
        *_repair_fields(when=repair),
        *_total_loss_fields(first, when=total),
        FormField(
            "insured_value",
            "Insured value at the time of loss (CNY)",
            when=when,
            help="Under-insurance is paid in proportion (sum insured ÷ insured value)."
            if proportional
            else None,
            kind="number",
            step="0.01",
            minimum="0",
        ),
        FormField(
            "property_ratio",
            "The insured's share of liability (%)",
            "number",
            value="100",
            step="0.01",
            minimum="0",
            maximum="100",
            when=when,
            binds="liability_ratio",
        ),
    ]


def _repair_fields(*, when: dict[str, Any]) -> list[FormField]:
    """The repair cost (materials, labour, less salvage), paid up to the actual value."""
    return [
        FormField(
            "repair_materials",
            "Materials (CNY)",
            "number",
            required=True,
            step="0.01",
            minimum="0",
            when=when,
            binds="repair.materials",
        ),
        FormField(
            "repair_labour",
            "Labour (CNY)",
            "number",
            required=True,
            step="0.01",
            minimum="0",
            when=when,
            binds="repair.labour",
        ),
        FormField(
            "repair_salvage",
            "Salvage value deducted (CNY)",
            "number",
            value="0",
            step="0.01",
            minimum="0",
            when=when,
            binds="repair.salvage",
        ),
        FormField(
            "actual_value",
            "Actual value at the time of loss (CNY)",
            when=when,
            help="The repair cost is paid up to the actual value.",
            kind="number",
            step="0.01",
            minimum="0",
        ),
    ]


def _total_loss_fields(first: Coverage, *, when: dict[str, Any]) -> list[FormField]:
    """A total loss: the contract's valuation basis (of the first coverage) and what it
    needs, the replacement value and the years in use."""
    return [
        FormField(
            "valuation_basis",
            "Valuation basis of the contract",
            "info",
            value=_valuation_text(first),
            when=when,
        ),
        FormField(
            "total_replacement_value",
            "Replacement value (CNY)",
            when=when,
            binds="total_loss.replacement_value",
            kind="number",
            step="0.01",
            minimum="0",
        ),
        FormField(
            "total_years_in_use",
            "Whole years in use",
            "number",
            value="0",
            step="1",
            minimum="0",
            when=when,
            binds="total_loss.years_in_use",
        ),
    ]


def _liability_fields(db: Session, claim: Claim, coverages: dict[str, Coverage]) -> list[FormField]:
    when = {"coverage_code": tuple(coverages)}
    return [
        FormField(
            "damages",
            "Damages owed to the third party (CNY)",
            "number",
            required=True,
            step="0.01",
            minimum="0",
            when=when,
        ),
        FormField(
            "liability_share",
            "The insured's share of liability (%)",
            "number",
            required=True,
            value="100",
            step="0.01",
            minimum="0",
            maximum="100",
            when=when,
            binds="liability_ratio",
        ),
    ]


def _adjuster_fields() -> list[FormField]:
    return [
        FormField(
            "external_adjuster",
            "External loss adjuster (large or complex cases)",
            help="Both the insurer and the customer must accept the adjuster's report.",
        ),
        FormField(
            "external_report",
            "Loss adjuster's report (PDF or image)",
            "file",
            accept=UPLOAD_ACCEPT,
            binds="external_report_file_id",
        ),
    ]


# -- the body ------------------------------------------------------------------------------


def _medical_body(form: Values) -> tuple[dict[str, Any], dict[str, str]]:
    lines: list[dict[str, Any]] = []
    # Every row received, whatever its number (rows are added and removed while typing).
    numbers = sorted({int(m.group(1)) for key in form if (m := re.match(r"^line(\d+)_", str(key)))})
    aliases = {"lines": f"line{numbers[0] if numbers else 1}_description"}
    for i in numbers:
        if not (text(form, f"line{i}_description") or text(form, f"line{i}_amount")):
            continue
        index = len(lines)
        for api_name, suffix in LINE_COLUMNS.items():
            aliases[f"lines.{index}.{api_name}"] = f"line{i}_{suffix}"
        removed = bool(form.get(f"line{i}_removed"))
        lines.append(
            {
                "description": text(form, f"line{i}_description"),
                "amount": text(form, f"line{i}_amount"),
                "catalog": text(form, f"line{i}_catalog"),
                "self_pay_ratio": percent(form, f"line{i}_self_pay"),
                "kind": text(form, f"line{i}_kind") or "",
                "removed": removed,
                "removal_reason": text(form, f"line{i}_removal_reason"),
            }
        )
    body = {
        "lines": lines,
        "settled_with_social_insurance": bool(form.get("settled_with_social_insurance")),
        "social_insurance_paid": text(form, "social_insurance_paid") or "0",
        "other_compensation": text(form, "other_compensation") or "0",
    }
    return body, aliases


def _disability_body(form: Values) -> tuple[dict[str, Any], dict[str, str]]:
    injuries: list[dict[str, Any]] = []
    aliases = {"injuries": "injury1_grade"}
    for i in range(1, INJURY_ROWS + 1):
        if not (text(form, f"injury{i}_description") or text(form, f"injury{i}_grade")):
            continue
        index = len(injuries)
        aliases[f"injuries.{index}.description"] = f"injury{i}_description"
        aliases[f"injuries.{index}.grade"] = f"injury{i}_grade"
        injuries.append(
            {
                "description": text(form, f"injury{i}_description"),
                "grade": text(form, f"injury{i}_grade"),
            }
        )
    return {"injuries": injuries}, aliases


def _property_body(coverage: Coverage, form: Values) -> tuple[dict[str, Any], dict[str, str]]:
    aliases = {
        "repair": "property_mode",
        "total_loss": "property_mode",
        "liability_ratio": "property_ratio",
        "actual_value": "actual_value",
        "insured_value": "insured_value",
    }
    body: dict[str, Any] = {
        "insured_value": text(form, "insured_value"),
        "liability_ratio": percent(form, "property_ratio", default="100"),
    }
    if form.get("property_mode") == "total_loss":
        valuation = coverage.parameters.get("valuation")
        replacement = text(form, "total_replacement_value")
        if valuation != "agreed" and replacement is None:
            basis = {"depreciated": ("折旧后价值", "depreciated value")}.get(
                str(valuation), ("重置价值", "replacement value")
            )
            raise ReplacementValueRequired(
                field="total_replacement_value", basis_zh=basis[0], basis_en=basis[1]
            )
        body["total_loss"] = {
            "replacement_value": replacement,
            "years_in_use": text(form, "total_years_in_use") or "0",
        }
    else:
        body["repair"] = {
            "materials": text(form, "repair_materials") or "0",
            "labour": text(form, "repair_labour") or "0",
            "salvage": text(form, "repair_salvage") or "0",
        }
        body["actual_value"] = text(form, "actual_value")
        aliases.update({f"repair.{k}": f"repair_{k}" for k in ("materials", "labour", "salvage")})
    return body, aliases


def _facts(coverage: Coverage | None, form: Values) -> tuple[dict[str, Any], dict[str, str]]:
    kind = coverage.type if coverage is not None else ""
    if kind in MEDICAL:
        return _medical_body(form)
    if kind == "critical_illness":
        return {"disease": text(form, "disease")}, {}
    if kind == "accident_disability":
        return _disability_body(form)
    if kind == "property":
        assert coverage is not None
        return _property_body(coverage, form)
    if kind == "liability":
        body = {
            "damages": text(form, "damages"),
            "liability_ratio": percent(form, "liability_share", default="100"),
        }
        return body, {"liability_ratio": "liability_share"}
    return {}, {}  # accident death: the certificate is the fact (checked by the service)


def assess(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    code = text(form, "coverage_code") or ""
    coverage = claim_coverages(db, claim).get(code)
    facts, aliases = _facts(coverage, form)
    adjuster = text(form, "external_adjuster")
    aliases["external_report_file_id"] = "external_report"
    with aliased(aliases):
        if upload_in(form, "external_report") is not None and not adjuster:
            raise AdjusterNameRequired(field="external_adjuster")
        file_id = store_file(db, p, claim, form, "external_report", purpose="adjuster_report")
        body = validated(
            cs.AssessmentIn,
            {
                "coverage_code": code,
                **facts,
                "external_adjuster": adjuster,
                "external_report_file_id": file_id,
            },
        )
        assessment.record_assessment(db, actor=p, claim=claim, data=body)


# -- the adjuster's report, accepted by both sides (CLM-L2) ---------------------------------


def _pending_external(db: Session, claim: Claim) -> list[Any]:
    return [
        a
        for a in current_assessments(db, claim.id).values()
        if a.external_adjuster and not (a.insurer_accepted_at and a.customer_accepted_at)
    ]


def adjuster_report_pending(db: Session, claim: Claim) -> bool:
    return bool(_pending_external(db, claim))


def adjuster_accept_fields(db: Session, claim: Claim) -> list[FormField]:
    options = []
    for a in _pending_external(db, claim):
        waiting = [
            side
            for side, at in (
                ("insurer", a.insurer_accepted_at),
                ("customer", a.customer_accepted_at),
            )
            if at is None
        ]
        options.append(
            (str(a.id), f"{a.coverage_code} · {a.external_adjuster} · {listed(waiting)}")
        )
    return [
        FormField("assessment_id", "Adjuster's report", "select", required=True, options=options),
        FormField(
            "side",
            "Accepted by",
            "select",
            required=True,
            options=[("insurer", "The insurer"), ("customer", "The customer (signed acceptance)")],
        ),
        FormField(
            "accepted_by",
            "Name of the customer who signed (customer side)",
            help="Keep the signed acceptance on file (upload it as a material).",
        ),
    ]


def accept_adjuster_report(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    raw = text(form, "assessment_id") or "0"
    body = validated(
        cs.AdjusterAcceptIn,
        {"side": text(form, "side"), "accepted_by": text(form, "accepted_by")},
    )
    assessment.accept_adjuster_report(
        db, actor=p, claim=claim, assessment_id=int(raw) if raw.isdigit() else 0, data=body
    )
