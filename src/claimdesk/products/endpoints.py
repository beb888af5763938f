"""Products API (PRD-1..PRD-6): thin routes over products.service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, require
from claimdesk.errors import NotFound
from claimdesk.i18n import request_language
from claimdesk.products import service
from claimdesk.products.schemas import (
    ComplianceReport,
    CoverageOut,
    EnglishNameEdit,
    ProductExport,
    ProductIn,
    ProductOut,
    ProductSummary,
    VersionIn,
    VersionOut,
)

# The route permissions (require() tags each dependency with its permission).
NeedsProductsManage = Annotated[Principal, Depends(require(Permission.PRODUCTS_MANAGE))]
NeedsProductsRead = Annotated[Principal, Depends(require(Permission.PRODUCTS_READ))]

router = APIRouter(prefix="/products", tags=["products"])


def _lang(request: Request) -> str:
    return getattr(request.state, "language", None) or request_language(request)


@router.get("", response_model=list[ProductSummary])
def list_products(db: DB, _: NeedsProductsRead) -> list[ProductSummary]:
    return [service.product_summary(product=p) for p in service.list_products(db)]


@router.post("", response_model=ProductOut, status_code=201)
def create_product(
    body: ProductIn, request: Request, db: DB, actor: NeedsProductsManage
) -> ProductOut:
    product = service.create_product(db, actor=actor, data=body)
    return service.product_out(
        product=service.get_product(db, product_id=product.id), language=_lang(request)
    )


@router.post("/import", response_model=ProductOut)
def import_product(
    body: ProductExport, request: Request, db: DB, actor: NeedsProductsManage
) -> ProductOut:
    return service.product_out(
        product=service.import_product(db, actor=actor, data=body), language=_lang(request)
    )


@router.get("/{product_id}", response_model=ProductOut)
def get_product(product_id: int, request: Request, db: DB, _: NeedsProductsRead) -> ProductOut:
    return service.product_out(
        product=service.get_product(db, product_id=product_id), language=_lang(request)
    )


@router.get("/{product_id}/export", response_model=ProductExport)
def export_product(product_id: int, db: DB, actor: NeedsProductsManage) -> ProductExport:
    return service.export_product(db, actor=actor, product_id=product_id)


@router.post("/{product_id}/versions", response_model=VersionOut, status_code=201)
def add_version(
    product_id: int,
    request: Request,
    db: DB,
    actor: NeedsProductsManage,
    body: VersionIn | None = None,
) -> VersionOut:
    version = service.add_version(db, actor=actor, product_id=product_id, data=body)
    return service.version_out(
        version=service.get_version(db, version_id=version.id), language=_lang(request)
    )


def _version_of(db: DB, product_id: int, version_id: int) -> None:
    version = service.get_version(db, version_id=version_id)
    if version.product_id != product_id:
        raise NotFound(what="product version", field="version_id")


@router.get("/{product_id}/versions/{version_id}", response_model=VersionOut)
def get_version(
    product_id: int, version_id: int, request: Request, db: DB, _: NeedsProductsRead
) -> VersionOut:
    _version_of(db, product_id, version_id)
    return service.version_out(
        version=service.get_version(db, version_id=version_id), language=_lang(request)
    )


@router.put("/{product_id}/versions/{version_id}", response_model=VersionOut)
def edit_draft(
    product_id: int,
    version_id: int,
    body: VersionIn,
    request: Request,
    db: DB,
    actor: NeedsProductsManage,
) -> VersionOut:
    _version_of(db, product_id, version_id)
    version = service.update_draft(db, actor=actor, version_id=version_id, data=body)
    return service.version_out(
        version=service.get_version(db, version_id=version.id), language=_lang(request)
    )


@router.get("/{product_id}/versions/{version_id}/check", response_model=ComplianceReport)
def check_version(
    product_id: int, version_id: int, request: Request, db: DB, _: NeedsProductsRead
) -> ComplianceReport:
    _version_of(db, product_id, version_id)
    return service.check(db, version_id=version_id, language=_lang(request))


@router.post("/{product_id}/versions/{version_id}/publish", response_model=VersionOut)
def publish_version(
    product_id: int, version_id: int, request: Request, db: DB, actor: NeedsProductsManage
) -> VersionOut:
    _version_of(db, product_id, version_id)
    version = service.publish_version(db, actor=actor, version_id=version_id)
    return service.version_out(
        version=service.get_version(db, version_id=version.id), language=_lang(request)
    )


# A display name changes in place, on published versions too, with no new version
# (PRD-2: it is no contract content; products.service, "English names").
@router.patch("/{product_id}/name-en", response_model=ProductOut)
def set_product_name_en(
    product_id: int, body: EnglishNameEdit, request: Request, db: DB, actor: NeedsProductsManage
) -> ProductOut:
    service.set_product_name_en(db, actor=actor, product_id=product_id, name_en=body.name_en)
    return service.product_out(
        product=service.get_product(db, product_id=product_id), language=_lang(request)
    )


@router.patch("/{product_id}/coverages/{coverage_id}/name-en", response_model=CoverageOut)
def set_coverage_name_en(
    product_id: int,
    coverage_id: int,
    body: EnglishNameEdit,
    request: Request,
    db: DB,
    actor: NeedsProductsManage,
) -> CoverageOut:
    coverage = service.set_coverage_name_en(
        db, actor=actor, product_id=product_id, coverage_id=coverage_id, name_en=body.name_en
    )
    return service.coverage_out(coverage=coverage, language=_lang(request))
