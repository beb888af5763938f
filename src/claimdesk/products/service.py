"""Product services: create, version, edit drafts, check compliance, publish, export and
import (PRD-1..PRD-6). Services flush; the edge commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimdesk import lifecycle
from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.errors import NotFound
from claimdesk.models.base import utcnow
from claimdesk.models.product import Coverage, Product, ProductVersion
from claimdesk.products import coverage_types, repository
from claimdesk.products.diseases import CORE_SEVERE, MILD_MAX_PERCENT, SEVERE
from claimdesk.products.errors import (
    DuplicateCoverageCode,
    EnglishWithoutChinese,
    ImportConflict,
    ProductCodeTaken,
    ProductHasNoVersion,
    ProductNotCompliant,
    UnknownMaterial,
    UnknownTerm,
    VersionNotDraft,
    VersionNotEditable,
)
from claimdesk.products.schemas import (
    ComplianceReport,
    CoverageIn,
    CoverageOut,
    Limits,
    Problem,
    ProductExport,
    ProductIn,
    ProductOut,
    ProductSummary,
    VersionExport,
    VersionIn,
    VersionOut,
)
from claimdesk.timeutil import local_date

_STATUS_ZH = {"draft": "草稿", "published": "发布", "retired": "停售"}


# --- writing ------------------------------------------------------------------------------


def create_product(session: Session, *, actor: Principal, data: ProductIn) -> Product:
    if repository.find_product_by_code(session, code=data.code) is not None:
        raise ProductCodeTaken(field="code", value=data.code)
    product = Product(
        code=data.code,
        name=data.name,
        name_en=data.name_en,
        line=data.line,
        for_adults=data.for_adults,
    )
    product.versions = []
    session.add(product)
    session.flush()
    record(
        session,
        actor=actor,
        action="product.create",
        entity_type="product",
        entity_id=product.id,
        details={"code": product.code, "line": product.line},
    )
    if data.version is not None:
        add_version(session, actor=actor, product_id=product.id, data=data.version)
    return product


def add_version(
    session: Session, *, actor: Principal, product_id: int, data: VersionIn | None = None
) -> ProductVersion:
    """A new draft (PRD-2). Without content it starts as a copy of the latest version,
    which is how a published product is changed."""
    product = repository.get_product(session, product_id=product_id)
    if data is None:
        latest = repository.latest_version(session, product_id=product_id)
        data = version_content(version=latest) if latest is not None else VersionIn()
    number = repository.next_version_number(session, product_id=product_id)
    return _new_draft(session, actor=actor, product=product, number=number, data=data)


def update_draft(
    session: Session, *, actor: Principal, version_id: int, data: VersionIn
) -> ProductVersion:
    version = repository.get_version(session, version_id=version_id, for_update=True)
    if version.status != "draft":
        # A sold version never changes (PRD-2): policies keep pointing at it.
        raise VersionNotEditable(
            field="version_id",
            version=version.version,
            status=version.status,
            status_zh=_STATUS_ZH[version.status],
        )
    _apply_content(session, version, data)
    session.flush()
    record(
        session,
        actor=actor,
        action="product.version_edit",
        entity_type="product_version",
        entity_id=version.id,
        details={"version": version.version},
    )
    return version


def _apply_content(session: Session, version: ProductVersion, data: VersionIn) -> None:
    coverages = _build_coverages(data.coverages)
    version.effective_date = data.effective_date
    version.insured_liabilities = _blank_to_none(data.insured_liabilities)
    version.exclusions = _blank_to_none(data.exclusions)
    version.insured_liabilities_en = _english_of(
        data.insured_liabilities_en,
        chinese=version.insured_liabilities,
        field="insured_liabilities_en",
    )
    version.exclusions_en = _english_of(
        data.exclusions_en, chinese=version.exclusions, field="exclusions_en"
    )
    version.sum_insured = data.sum_insured
    version.period_months = data.period_months
    version.premium_rate = data.premium_rate
    version.terms = dict(data.terms)
    for term in data.terms_en:
        if term not in data.terms:
            raise UnknownTerm(field="terms_en", term=term)
    version.terms_en = {k: v.model_dump() for k, v in data.terms_en.items()} or None
    version.allowed_regions = list(data.limits.regions)
    version.allowed_channels = list(data.limits.channels)
    version.allowed_customer_groups = list(data.limits.customer_groups)
    version.refund_rule = data.refund_rule
    # Old rows go first: the new ones may reuse their codes (unique per version).
    version.coverages.clear()
    session.flush()
    version.coverages.extend(coverages)


def _build_coverages(items: list[CoverageIn]) -> list[Coverage]:
    seen: set[str] = set()
    built = []
    for index, item in enumerate(items):
        field = f"coverages[{index}]"
        if item.code in seen:
            raise DuplicateCoverageCode(field=f"{field}.code", value=item.code)
        seen.add(item.code)
        parameters = coverage_types.validate_parameters(item.type, item.parameters, field=field)
        for key, codes in (
            ("materials_add", item.materials_add),
            ("materials_drop", item.materials_drop),
        ):
            for code in codes:
                if code not in coverage_types.MATERIALS:
                    raise UnknownMaterial(field=f"{field}.{key}", value=code)
        built.append(
            Coverage(
                position=index,
                code=item.code,
                name=item.name,
                name_en=item.name_en,
                type=item.type,
                parameters=parameters,
                materials_added=list(item.materials_add),
                materials_dropped=list(item.materials_drop),
            )
        )
    return built


# --- English names (GEN-6) -----------------------------------------------------------------
# A product's or coverage's English name is how English pages name it, a display name and
# not contract content: the policy's terms are the Chinese version sold (PRD-2), which
# the English name neither states nor changes. So it is edited in place on any version,
# published and retired ones too, and makes no new version — the claims and policies of
# that version show the new name at once, which is the point of correcting a translation.
# Every change is audited with its before and after (GEN-5).


def set_product_name_en(
    session: Session, *, actor: Principal, product_id: int, name_en: str | None
) -> Product:
    """The product's English name (None: none, its Chinese name shows)."""
    product = repository.get_product(session, product_id=product_id)
    before = product.name_en
    product.name_en = name_en
    session.flush()
    record(
        session,
        actor=actor,
        action="product.name_en_edit",
        entity_type="product",
        entity_id=product.id,
        details={"code": product.code, "before": before, "after": name_en},
    )
    return product


def set_coverage_name_en(
    session: Session, *, actor: Principal, product_id: int, coverage_id: int, name_en: str | None
) -> Coverage:
    """A coverage's English name, on whichever version of ``product_id`` it is."""
    coverage = repository.get_coverage(session, coverage_id=coverage_id)
    if coverage is None or coverage.version.product_id != product_id:
        raise NotFound(what="coverage", field="coverage_id")
    before = coverage.name_en
    coverage.name_en = name_en
    session.flush()
    record(
        session,
        actor=actor,
        action="product.coverage_name_en_edit",
        entity_type="coverage",
        entity_id=coverage.id,
        details={
            "version_id": coverage.version_id,
            "code": coverage.code,
            "before": before,
            "after": name_en,
        },
    )
    return coverage


def _blank_to_none(text: str | None) -> str | None:
    return text if text and text.strip() else None


# --- compliance (PRD-1) -------------------------------------------------------------------


def _problem(code: str, field: str, zh: str, en: str) -> dict[str, str]:
    return {"code": code, "field": field, "message_zh": zh, "message_en": en}


def compliance_problems(*, version: ProductVersion) -> list[dict[str, str]]:
    """Every reason the version may not be sold, each naming its field."""
    problems: list[dict[str, str]] = []
    required = (
        ("insured_liabilities", version.insured_liabilities, "保险责任", "insured liabilities"),
        ("exclusions", version.exclusions, "责任免除", "exclusions"),
        ("sum_insured", version.sum_insured, "保险金额", "sum insured"),
        ("period_months", version.period_months, "保险期间", "insurance period"),
        ("premium_rate", version.premium_rate, "保险费率", "premium rate"),
    )
    for field, value, zh, en in required:
        if value is None:
            problems.append(_problem(f"missing_{field}", field, f"缺少{zh}", f"{en} is missing"))
    if not version.coverages:
        problems.append(
            _problem(
                "missing_coverages",
                "coverages",
                "至少需要一项保障",
                "at least one coverage is required",
            )
        )
    adult = version.product.for_adults
    has_ci = False
    for index, coverage in enumerate(version.coverages):
        field = f"coverages[{index}].parameters"
        if coverage.type == "critical_illness":
            has_ci = True
            problems += _critical_illness_problems(coverage, field, adult=adult)
        if coverage.type in ("medical", "accident_medical"):
            problems += _indemnity_problems(coverage, field)
    if version.product.line == "critical_illness" and not has_ci:
        problems.append(
            _problem(
                "ci_coverage_missing",
                "coverages",
                "重大疾病产品须含重疾保障",
                "a critical-illness product needs a critical_illness coverage",
            )
        )
    return problems


def _critical_illness_problems(
    coverage: Coverage, field: str, *, adult: bool
) -> list[dict[str, str]]:
    params = coverage_types.parse("critical_illness", coverage.parameters)
    assert isinstance(params, coverage_types.CriticalIllnessParams)
    problems = []
    missing = [code for code in CORE_SEVERE if code not in params.severe]
    if adult and missing:
        names = "、".join(SEVERE[c] for c in missing)
        problems.append(
            _problem(
                "ci_core_diseases_missing",
                f"{field}.severe",
                f"成人重疾产品须包含 6 种核心重疾，缺少：{names}",
                f"an adult critical-illness product must cover the 6 core diseases; "
                f"missing {', '.join(missing)}",
            )
        )
    if params.mild is not None and params.mild.percent > Decimal(MILD_MAX_PERCENT):
        problems.append(
            _problem(
                "ci_mild_over_limit",
                f"{field}.mild.percent",
                f"轻症给付比例 {params.mild.percent} 超过重疾保额的 20%",
                f"mild benefit {params.mild.percent} exceeds 20% of the severe sum insured",
            )
        )
    return problems


def _indemnity_problems(coverage: Coverage, field: str) -> list[dict[str, str]]:
    params = coverage_types.parse(coverage.type, coverage.parameters)
    assert isinstance(params, coverage_types.MedicalParams)
    problems = []
    for name in ("payout_ratio", "payout_ratio_without_social_insurance"):
        ratio = getattr(params, name)
        if ratio is not None and ratio > 1:
            problems.append(
                _problem(
                    "indemnity_above_expense",
                    f"{field}.{name}",
                    f"费用补偿型医疗保险赔付不得超过实际费用（{name} = {ratio} > 1）",
                    f"an indemnity medical coverage may not pay more than the expense borne "
                    f"({name} = {ratio} > 1)",
                )
            )
    return problems


def check(session: Session, *, version_id: int, language: str = "zh-CN") -> ComplianceReport:
    version = repository.get_version(session, version_id=version_id)
    problems = compliance_problems(version=version)
    zh = language.startswith("zh")
    return ComplianceReport(
        version_id=version.id,
        compliant=not problems,
        problems=[
            Problem(
                code=p["code"], field=p["field"], message=p["message_zh"] if zh else p["message_en"]
            )
            for p in problems
        ],
    )


def publish_version(
    session: Session, *, actor: Principal, version_id: int, at: dt.datetime | None = None
) -> ProductVersion:
    version = repository.get_version(session, version_id=version_id, for_update=True)
    if not lifecycle.PRODUCT_VERSION.allows(version.status, "published"):
        raise VersionNotDraft(field="version_id", version=version.version, status=version.status)
    problems = compliance_problems(version=version)
    if problems:
        raise ProductNotCompliant(problems=problems)
    now = at or utcnow()
    # The version sold until now stops being sold; its policies keep it (PRD-2).
    for previous in repository.published_versions(session, product_id=version.product_id):
        _retire(session, actor, previous, {"replaced_by": version.version})
    version.published_at = now
    version.published_by_id = actor.user_id
    if version.effective_date is None:
        version.effective_date = local_date(now)
    lifecycle.transition(
        session,
        entity=version,
        table=lifecycle.PRODUCT_VERSION,
        to="published",
        actor=actor,
        action="product.version_publish",
        details={"product": version.product.code, "version": version.version},
    )
    return version


def _retire(
    session: Session, actor: Principal, version: ProductVersion, why: dict[str, object]
) -> None:
    """PRD-2: a retired version is no longer sold; its policies keep it."""
    lifecycle.transition(
        session,
        entity=version,
        table=lifecycle.PRODUCT_VERSION,
        to="retired",
        actor=actor,
        action="product.version_retire",
        details={"version": version.version, **why},
    )


# --- export / import ----------------------------------------------------------------------


def _english_of(text: str | None, *, chinese: str | None, field: str) -> str | None:
    """An English explanation needs the Chinese text it explains: English of nothing
    would show on English pages what the contract does not say."""
    english = _blank_to_none(text)
    if english is not None and chinese is None:
        raise EnglishWithoutChinese(field=field)
    return english


def _version_content(version: ProductVersion) -> dict[str, Any]:
    """What a version says, the same in its export (VersionIn) and its answer (VersionOut)."""
    return dict(
        effective_date=version.effective_date,
        insured_liabilities=version.insured_liabilities,
        exclusions=version.exclusions,
        insured_liabilities_en=version.insured_liabilities_en,
        exclusions_en=version.exclusions_en,
        sum_insured=version.sum_insured,
        period_months=version.period_months,
        premium_rate=version.premium_rate,
        terms=dict(version.terms),
        terms_en=dict(version.terms_en or {}),
        limits=Limits(
            regions=list(version.allowed_regions),
            channels=list(version.allowed_channels),
            customer_groups=list(version.allowed_customer_groups),
        ),
        refund_rule=version.refund_rule,
    )


def _coverage_content(coverage: Coverage) -> dict[str, Any]:
    """What a coverage says, the same in CoverageIn and CoverageOut."""
    return dict(
        code=coverage.code,
        name=coverage.name,
        name_en=coverage.name_en,
        type=coverage.type,
        parameters=dict(coverage.parameters),
        materials_add=list(coverage.materials_added),
        materials_drop=list(coverage.materials_dropped),
    )


def version_content(*, version: ProductVersion) -> VersionIn:
    return VersionIn(
        **_version_content(version),
        coverages=[CoverageIn(**_coverage_content(c)) for c in version.coverages],
    )


def export_product(session: Session, *, actor: Principal, product_id: int) -> ProductExport:
    product = repository.get_product(session, product_id=product_id)
    if not product.versions:
        raise ProductHasNoVersion(field="product_id", code=product.code)
    record(
        session, actor=actor, action="product.export", entity_type="product", entity_id=product.id
    )
    return ProductExport(
        code=product.code,
        name=product.name,
        name_en=product.name_en,
        line=product.line,
        for_adults=product.for_adults,
        versions=[
            VersionExport(
                version=v.version,
                status=v.status,
                published_at=v.published_at,
                **version_content(version=v).model_dump(),
            )
            for v in product.versions
        ],
    )


def _same_content(version: ProductVersion, data: VersionIn) -> bool:
    theirs = VersionIn.model_validate(data.model_dump(mode="json")).model_dump(mode="json")
    ours = version_content(version=version).model_dump(mode="json")
    return bool(ours == theirs)


def import_product(session: Session, *, actor: Principal, data: ProductExport) -> Product:
    """Load a product file (kept in version control by the insurer). Versions already
    here with the same content are left alone; a published version never changes."""
    product = repository.find_product_by_code(session, code=data.code)
    if product is None:
        product = create_product(
            session,
            actor=actor,
            data=ProductIn(
                code=data.code,
                name=data.name,
                name_en=data.name_en,
                line=data.line,
                for_adults=data.for_adults,
            ),
        )
    elif product.line != data.line or product.for_adults != data.for_adults:
        raise ImportConflict(field="line", code=data.code, version="-")
    existing = {v.version: v for v in product.versions}
    for item in sorted(data.versions, key=lambda v: v.version):
        content = VersionIn.model_validate(
            item.model_dump(exclude={"version", "status", "published_at"})
        )
        current = existing.get(item.version)
        if current is not None:
            if _same_content(current, content):
                continue
            if current.status != "draft":
                raise ImportConflict(
                    field=f"versions[{item.version}]", code=data.code, version=item.version
                )
            update_draft(session, actor=actor, version_id=current.id, data=content)
            continue
        version = _new_draft(
            session, actor=actor, product=product, number=item.version, data=content, imported=True
        )
        if item.status in ("published", "retired"):
            publish_version(session, actor=actor, version_id=version.id)
        if item.status == "retired":
            _retire(session, actor, version, {"imported": True})
    session.flush()
    record(
        session,
        actor=actor,
        action="product.import",
        entity_type="product",
        entity_id=product.id,
        details={"code": product.code, "versions": [v.version for v in data.versions]},
    )
    session.expire(product, ["versions"])
    return repository.get_product(session, product_id=product.id)


def _new_draft(
    session: Session,
    *,
    actor: Principal,
    product: Product,
    number: int,
    data: VersionIn,
    imported: bool = False,
) -> ProductVersion:
    """Draft version ``number`` of the product with ``data``: made by hand (add_version)
    or loaded from a product file (import_product, recorded with its source)."""
    version = ProductVersion(product_id=product.id, version=number, status="draft")
    version.coverages = []
    session.add(version)
    _apply_content(session, version, data)
    session.flush()
    source = {"source": "import"} if imported else {}
    record(
        session,
        actor=actor,
        action="product.version_create",
        entity_type="product_version",
        entity_id=version.id,
        details={"product": product.code, "version": number, **source},
    )
    return version


# --- read models --------------------------------------------------------------------------


def coverage_out(*, coverage: Coverage, language: str = "zh-CN") -> CoverageOut:
    zh = language.startswith("zh")
    materials = coverage_types.effective_materials(
        coverage.type, coverage.materials_added, coverage.materials_dropped
    )
    label = coverage_types.TYPE_LABELS.get(coverage.type, (coverage.type, coverage.type))
    return CoverageOut(
        id=coverage.id,
        **_coverage_content(coverage),
        type_label=label[0] if zh else label[1],
        materials=[
            {"code": m, "label": coverage_types.MATERIALS[m][0 if zh else 1]} for m in materials
        ],
    )


def version_out(*, version: ProductVersion, language: str = "zh-CN") -> VersionOut:
    return VersionOut(
        id=version.id,
        product_id=version.product_id,
        version=version.version,
        status=version.status,
        **_version_content(version),
        published_at=version.published_at,
        published_by_id=version.published_by_id,
        coverages=[coverage_out(coverage=c, language=language) for c in version.coverages],
    )


def product_out(*, product: Product, language: str = "zh-CN") -> ProductOut:
    return ProductOut(
        id=product.id,
        code=product.code,
        name=product.name,
        name_en=product.name_en,
        line=product.line,
        for_adults=product.for_adults,
        versions=[version_out(version=v, language=language) for v in product.versions],
    )


def product_summary(*, product: Product) -> ProductSummary:
    published = [v.version for v in product.versions if v.status == "published"]
    return ProductSummary(
        id=product.id,
        code=product.code,
        name=product.name,
        name_en=product.name_en,
        line=product.line,
        for_adults=product.for_adults,
        latest_version=max((v.version for v in product.versions), default=None),
        published_version=published[0] if published else None,
    )


# -- what a claim needs of its product version, cached ------------------------------------


@dataclass(frozen=True)
class CoverageTerms:
    code: str
    type: str
    materials_added: tuple[str, ...]
    materials_dropped: tuple[str, ...]


@dataclass(frozen=True)
class VersionTerms:
    """What a claim reads of the product version it is made under: the product's line and
    the coverages (in their order) with their material lists."""

    version_id: int
    line: str
    coverages: tuple[CoverageTerms, ...]


# A sold version never changes (PRD-2: update_draft refuses it), so each process keeps
# the terms of the versions it has read, keyed on the database and the version's status
# and creation time (repository.version_key_columns), read by the caller with its own
# statement: a draft is never kept, and a database rebuilt under the same URL has other
# creation times. The dict is swapped entry by entry; a race loads twice, harmlessly.
_TERMS: dict[tuple[str, int], tuple[tuple[object, ...], VersionTerms]] = {}


def version_terms(session: Session, *, version_id: int, key: tuple[object, ...]) -> VersionTerms:
    """The version's terms; ``key``: its (status, created_at) as just read."""
    where = (str(session.get_bind().engine.url), version_id)
    cached = _TERMS.get(where)
    if cached is not None and cached[0] == key:
        return cached[1]
    version = repository.version_with_coverages(session, version_id=version_id)
    terms = VersionTerms(
        version_id=version.id,
        line=version.product.line,
        coverages=tuple(
            CoverageTerms(
                code=c.code,
                type=c.type,
                materials_added=tuple(c.materials_added),
                materials_dropped=tuple(c.materials_dropped),
            )
            for c in version.coverages
        ),
    )
    if version.status != "draft":
        _TERMS[where] = (key, terms)
    return terms


# -- what the product pages read (they call the domain, not its repository) --------------


def list_products(session: Session) -> list[Product]:
    """The catalogue, by code, each with its versions."""
    return repository.list_products(session)


def get_product(session: Session, *, product_id: int) -> Product:
    """The product with its versions; ``NotFound`` naming product_id."""
    return repository.get_product(session, product_id=product_id)


def published_version_choices(session: Session) -> list[tuple[int, str, str, str | None, int]]:
    """(version id, product code, product name, its English name, version number) of
    every published version, by product code: what a new policy may be issued on."""
    return repository.published_version_choices(session)


def get_version(session: Session, *, version_id: int) -> ProductVersion:
    """A version with its coverages; ``NotFound`` naming version_id."""
    return repository.get_version(session, version_id=version_id)


def versions_with_coverages(
    session: Session, *, version_ids: set[int]
) -> dict[int, ProductVersion]:
    """Many versions with their product and coverages, by id, in one go."""
    return repository.versions_with_coverages(session, version_ids=version_ids)
