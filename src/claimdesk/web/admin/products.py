"""Product pages (PRD-1..PRD-6): the catalogue, a product's versions, a version with its
compliance check, and the administrator's forms (create, new draft, edit draft,
publish). Every action calls products.service like the API; a refusal — publishing
included, with every missing element — is shown in place and writes nothing."""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, require
from claimdesk.errors import NotFound, ValidationFailed
from claimdesk.products import service
from claimdesk.products.schemas import EnglishNameEdit, ProductIn, VersionIn
from claimdesk.web.kit import (
    FormPage,
    Refusal,
    checked,
    common,
    form_action,
    form_context,
    language_of,
    page,
    split_lines,
)

router = APIRouter(prefix="/admin/products")

Reader = Annotated[Principal, Depends(require(Permission.PRODUCTS_READ))]
Manager = Annotated[Principal, Depends(require(Permission.PRODUCTS_MANAGE))]
Short = Annotated[str, Form(max_length=200)]
Text = Annotated[str, Form(max_length=40000)]

# The draft's limits as the edit form takes them: one text each (VersionIn.limits).
LIST_FIELDS = {f"limits.{name}": name for name in ("regions", "channels", "customer_groups")}

LINES = ("health", "critical_illness", "accident", "property", "liability")


class InvalidJsonField(ValidationFailed):
    code = "invalid_json"
    message_zh = "{field}：不是有效的 JSON 列表"
    message_en = "{field}: not a valid JSON list"


class PublishNotConfirmed(ValidationFailed):
    code = "publish_not_confirmed"
    message_zh = "请勾选确认后再发布：发布后此版本即开始销售，在售的旧版本随即停售，不能撤回"
    message_en = (
        "Tick the confirmation to publish: the version goes on sale and the version on sale "
        "now stops being sold; this cannot be undone"
    )


class InvalidTermLine(ValidationFailed):
    code = "invalid_term_line"
    message_zh = "{field}：每行应为“术语：通俗解释”"
    message_en = "{field}: each line must read 'term: plain explanation'"


class InvalidEnglishTermLine(ValidationFailed):
    code = "invalid_english_term_line"
    message_zh = "{field}：每行应为“中文术语 | English term: explanation”"
    message_en = "{field}: each line must read 'Chinese term | English term: explanation'"


def _list(
    request: Request,
    db: Session,
    actor: Principal,
    *,
    refusal: Refusal | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    products = [service.product_summary(product=p) for p in service.list_products(db)]
    return page(
        request,
        "admin/products.html",
        **form_context(refusal, values=values),
        products=products,
        lines=LINES,
        may_manage=actor.has(Permission.PRODUCTS_MANAGE),
        **common(request),
    )


@router.get("")
def products(request: Request, db: DB, actor: Reader) -> Response:
    return _list(request, db, actor)


@router.post("")
def create_product(
    request: Request,
    db: DB,
    actor: Manager,
    code: Short = "",
    name: Short = "",
    name_en: Short = "",
    line: Short = "",
    for_adults: Short = "",
) -> Response:
    values = {
        "code": code,
        "name": name,
        "name_en": name_en,
        "line": line,
        "for_adults": for_adults,
    }
    return form_action(
        request,
        db,
        lambda: service.create_product(
            db,
            actor=actor,
            data=checked(
                ProductIn,
                {
                    "code": code.strip(),
                    "name": name.strip(),
                    "name_en": name_en,
                    "line": line,
                    "for_adults": bool(for_adults),
                },
            ),
        ),
        refused=lambda refusal: _list(request, db, actor, refusal=refusal, values=values),
        redirect=lambda product: f"/admin/products/{product.id}",
    )


@router.get("/{product_id}")
def product_page(product_id: int, request: Request, db: DB, actor: Reader) -> Response:
    return _product(request, db, actor, product_id)


def _product(
    request: Request,
    db: Session,
    actor: Principal,
    product_id: int,
    refusal: Refusal | None = None,
    *,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    product = service.product_out(
        product=service.get_product(db, product_id=product_id), language=language_of(request)
    )
    return page(
        request,
        "admin/product.html",
        **form_context(refusal, action=action, values=values),
        product=product,
        may_manage=actor.has(Permission.PRODUCTS_MANAGE),
        **common(request),
    )


@router.post("/{product_id}/versions")
def new_version(product_id: int, request: Request, db: DB, actor: Manager) -> Response:
    return form_action(
        request,
        db,
        lambda: service.add_version(db, actor=actor, product_id=product_id),
        refused=lambda refusal: _product(request, db, actor, product_id, refusal),
        redirect=lambda version: f"/admin/products/{product_id}/versions/{version.id}",
    )


@router.post("/{product_id}/name-en")
def set_name_en(
    product_id: int, request: Request, db: DB, actor: Manager, name_en: Short = ""
) -> Response:
    """The product's English name, changed in place (no new version: a display name is
    no contract content, products.service "English names"); the API's schema refuses a
    blank or over-long one beside the field (GEN-6)."""
    values = {"name_en": name_en}
    return form_action(
        request,
        db,
        lambda: service.set_product_name_en(
            db,
            actor=actor,
            product_id=product_id,
            name_en=checked(EnglishNameEdit, values).name_en,
        ),
        refused=lambda refusal: _product(
            request, db, actor, product_id, refusal, action="name_en", values=values
        ),
        redirect=f"/admin/products/{product_id}",
    )


def _version_of(db: Session, product_id: int, version_id: int) -> None:
    if service.get_version(db, version_id=version_id).product_id != product_id:
        raise NotFound(what="product version", field="version_id")


def _form_values(version: Any, language: str) -> dict[str, Any]:
    """The edit form's fields from a version's content (VersionIn), in the page's
    punctuation: 免赔额：… and 110000、310000 on a Chinese page, "term: explanation" and
    "a, b" on an English one (GEN-6); _terms and split_lines read either back."""
    content = version if isinstance(version, VersionIn) else VersionIn()
    zh = language.lower().startswith("zh")
    colon, comma = ("：", "、") if zh else (": ", ", ")
    return {
        "effective_date": content.effective_date.isoformat() if content.effective_date else "",
        "insured_liabilities": content.insured_liabilities or "",
        "exclusions": content.exclusions or "",
        "insured_liabilities_en": content.insured_liabilities_en or "",
        "exclusions_en": content.exclusions_en or "",
        "sum_insured": str(content.sum_insured or ""),
        "period_months": str(content.period_months or ""),
        "premium_rate": str(content.premium_rate or ""),
        "refund_rule": content.refund_rule,
        "terms": "\n".join(f"{k}{colon}{v}" for k, v in content.terms.items()),
        "terms_en": "\n".join(f"{k} | {v.term}: {v.text}" for k, v in content.terms_en.items()),
        "regions": comma.join(content.limits.regions),
        "channels": comma.join(content.limits.channels),
        "customer_groups": comma.join(content.limits.customer_groups),
        "coverages": json.dumps(
            [c.model_dump() for c in content.coverages], ensure_ascii=False, indent=1
        ),
    }


def _version(
    request: Request,
    db: Session,
    actor: Principal,
    product_id: int,
    version_id: int,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    _version_of(db, product_id, version_id)
    language = language_of(request)
    stored = service.get_version(db, version_id=version_id)
    version = service.version_out(version=stored, language=language)
    report = service.check(db, version_id=version_id, language=language)
    product = service.get_product(db, product_id=product_id)
    return page(
        request,
        "admin/product_version.html",
        **form_context(
            refusal,
            action=action,
            # The draft's edit form shows what was typed only when it was the one refused.
            values=values
            if values and action == "edit"
            else _form_values(service.version_content(version=stored), language),
        ),
        # What a refused coverage English-name form had typed (its coverage_id and name_en).
        typed=values if action == "coverage_name_en" else {},
        product=product,
        version=version,
        report=report,
        may_manage=actor.has(Permission.PRODUCTS_MANAGE),
        refund_rules=("pro_rata_days", "none"),
        **common(request),
    )


@router.get("/{product_id}/versions/{version_id}")
def version_page(
    product_id: int, version_id: int, request: Request, db: DB, actor: Reader
) -> Response:
    return _version(request, db, actor, product_id, version_id)


def _version_page(
    request: Request, db: Session, actor: Principal, product_id: int, version_id: int
) -> FormPage:
    """The version's page, which its edit and publish forms post back to."""
    show = partial(_version, request, db, actor, product_id, version_id)
    return FormPage(request, db, show, f"/admin/products/{product_id}/versions/{version_id}")


def _terms(text: str) -> dict[str, str]:
    terms: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        term, sep, plain = line.replace("：", ":").partition(":")
        if not sep or not term.strip() or not plain.strip():
            raise InvalidTermLine(field="terms")
        terms[term.strip()] = plain.strip()
    return terms


def _terms_en(text: str) -> dict[str, dict[str, str]]:
    """The English of the terms, one per line: ``免赔额 | Deductible: what you pay first``
    (the Chinese term it explains, then the English term and its explanation)."""
    terms: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        chinese, bar, rest = line.replace("｜", "|").partition("|")
        term, sep, plain = rest.replace("：", ":").partition(":")
        if not bar or not sep or not chinese.strip() or not term.strip() or not plain.strip():
            raise InvalidEnglishTermLine(field="terms_en")
        terms[chinese.strip()] = {"term": term.strip(), "text": plain.strip()}
    return terms


def _coverages(text: str) -> list[Any]:
    if not text.strip():
        return []
    try:
        found = json.loads(text)
    except ValueError:
        raise InvalidJsonField(field="coverages") from None
    if not isinstance(found, list):
        raise InvalidJsonField(field="coverages")
    return found


@router.post("/{product_id}/versions/{version_id}/edit")
def edit_draft(
    product_id: int,
    version_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    effective_date: Short = "",
    insured_liabilities: Text = "",
    exclusions: Text = "",
    insured_liabilities_en: Text = "",
    exclusions_en: Text = "",
    sum_insured: Short = "",
    period_months: Short = "",
    premium_rate: Short = "",
    refund_rule: Short = "pro_rata_days",
    terms: Text = "",
    terms_en: Text = "",
    regions: Text = "",
    channels: Text = "",
    customer_groups: Text = "",
    coverages: Text = "",
) -> Response:
    values = {
        "effective_date": effective_date,
        "insured_liabilities": insured_liabilities,
        "exclusions": exclusions,
        "insured_liabilities_en": insured_liabilities_en,
        "exclusions_en": exclusions_en,
        "sum_insured": sum_insured,
        "period_months": period_months,
        "premium_rate": premium_rate,
        "refund_rule": refund_rule,
        "terms": terms,
        "terms_en": terms_en,
        "regions": regions,
        "channels": channels,
        "customer_groups": customer_groups,
        "coverages": coverages,
    }

    def call() -> Any:
        _version_of(db, product_id, version_id)
        data = checked(VersionIn, _draft_in(values), named=LIST_FIELDS)
        return service.update_draft(db, actor=actor, version_id=version_id, data=data)

    return _version_page(request, db, actor, product_id, version_id).act("edit", values, call)


# The draft form's single-line and free texts, empty = not stated.
_DRAFT_TEXTS = (
    "effective_date",
    "insured_liabilities",
    "exclusions",
    "insured_liabilities_en",
    "exclusions_en",
    "sum_insured",
    "period_months",
    "premium_rate",
)


def _draft_in(values: dict[str, str]) -> dict[str, Any]:
    """The form's texts as the API's own in-schema takes them (GEN-6); a list typed as
    one text is named as the form names it, so its refusal stands beside it."""
    return {
        **{name: values[name].strip() or None for name in _DRAFT_TEXTS},
        "refund_rule": values["refund_rule"],
        "terms": _terms(values["terms"]),
        "terms_en": _terms_en(values["terms_en"]),
        "limits": {
            "regions": split_lines(values["regions"]),
            "channels": split_lines(values["channels"]),
            "customer_groups": split_lines(values["customer_groups"]),
        },
        "coverages": _coverages(values["coverages"]),
    }


@router.post("/{product_id}/versions/{version_id}/coverages/{coverage_id}/name-en")
def set_coverage_name_en(
    product_id: int,
    version_id: int,
    coverage_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    name_en: Short = "",
) -> Response:
    """A coverage's English name, on any version (no new version, as the product's)."""
    values = {"name_en": name_en, "coverage_id": str(coverage_id)}

    def call() -> Any:
        _version_of(db, product_id, version_id)
        return service.set_coverage_name_en(
            db,
            actor=actor,
            product_id=product_id,
            coverage_id=coverage_id,
            name_en=checked(EnglishNameEdit, {"name_en": name_en}).name_en,
        )

    return _version_page(request, db, actor, product_id, version_id).act(
        "coverage_name_en", values, call
    )


@router.post("/{product_id}/versions/{version_id}/publish")
def publish(
    product_id: int,
    version_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    confirm: Short = "",
) -> Response:
    def call() -> Any:
        _version_of(db, product_id, version_id)
        # One click put a version on sale and retired the one sold until then, for good:
        # a compliant version is published only once the administrator ticks the
        # confirmation (a non-compliant one is refused with its problems either way).
        if confirm != "yes" and service.check(db, version_id=version_id).compliant:
            raise PublishNotConfirmed(field="confirm")
        return service.publish_version(db, actor=actor, version_id=version_id)

    return _version_page(request, db, actor, product_id, version_id).act("publish", {}, call)
