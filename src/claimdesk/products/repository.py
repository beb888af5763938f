"""Queries of the products domain, with the eager loads the read models need."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from claimdesk.errors import NotFound
from claimdesk.models.product import Coverage, Product, ProductVersion


def version_key_columns(*, version_id: Any) -> tuple[ScalarSelect[Any], ScalarSelect[Any]]:
    """A version's status and creation time as scalar subqueries (``version_id`` a value
    or a bind parameter): the key of the cached terms (service.version_terms), for a
    caller reading several cache keys in one statement."""
    return (
        select(ProductVersion.status).where(ProductVersion.id == version_id).scalar_subquery(),
        select(ProductVersion.created_at).where(ProductVersion.id == version_id).scalar_subquery(),
    )


def version_with_coverages(session: Session, *, version_id: int) -> ProductVersion:
    """The product version with its coverages and product, in one query."""
    query = (
        select(ProductVersion)
        .where(ProductVersion.id == version_id)
        .options(joinedload(ProductVersion.coverages), joinedload(ProductVersion.product))
    )
    return session.scalars(query).unique().one()


# No principal filter on products: the catalogue holds no personal data and every row is
# the same for each reader; the routes' permissions (PRODUCTS_READ / PRODUCTS_MANAGE) are
# the rule, and a policy keeps its version whoever reads it (PRD-2).
def get_product(session: Session, *, product_id: int) -> Product:
    product = session.scalars(
        select(Product)
        .where(Product.id == product_id)
        .options(selectinload(Product.versions).selectinload(ProductVersion.coverages))
        # Versions added earlier in this session are not in an already-loaded collection.
        .execution_options(populate_existing=True)
    ).one_or_none()
    if product is None:
        raise NotFound(what="product", field="product_id")
    return product


def find_product_by_code(session: Session, *, code: str) -> Product | None:
    return session.scalars(
        select(Product)
        .where(Product.code == code)
        .options(selectinload(Product.versions).selectinload(ProductVersion.coverages))
        .execution_options(populate_existing=True)
    ).one_or_none()


def list_products(session: Session) -> list[Product]:
    return list(
        session.scalars(
            select(Product).order_by(Product.code).options(selectinload(Product.versions))
        )
    )


def get_version(session: Session, *, version_id: int, for_update: bool = False) -> ProductVersion:
    query = (
        select(ProductVersion)
        .where(ProductVersion.id == version_id)
        .options(selectinload(ProductVersion.coverages), joinedload(ProductVersion.product))
        .execution_options(populate_existing=True)
    )
    if for_update:
        # Publishing and editing the same draft at once must not interleave.
        query = query.with_for_update(of=ProductVersion)
    version = session.scalars(query).unique().one_or_none()
    if version is None:
        raise NotFound(what="product version", field="version_id")
    return version


def get_coverage(session: Session, *, coverage_id: int) -> Coverage | None:
    """A coverage with its version loaded (to check the product it belongs to)."""
    return session.scalars(
        select(Coverage).where(Coverage.id == coverage_id).options(joinedload(Coverage.version))
    ).one_or_none()


def next_version_number(session: Session, *, product_id: int) -> int:
    current = session.scalar(
        select(func.max(ProductVersion.version)).where(ProductVersion.product_id == product_id)
    )
    return (current or 0) + 1


def latest_version(session: Session, *, product_id: int) -> ProductVersion | None:
    return session.scalars(
        select(ProductVersion)
        .where(ProductVersion.product_id == product_id)
        .order_by(ProductVersion.version.desc())
        .limit(1)
        .options(selectinload(ProductVersion.coverages), joinedload(ProductVersion.product))
    ).first()


def published_versions(session: Session, *, product_id: int) -> list[ProductVersion]:
    return list(
        session.scalars(
            select(ProductVersion).where(
                ProductVersion.product_id == product_id, ProductVersion.status == "published"
            )
        )
    )


def published_version_choices(session: Session) -> list[tuple[int, str, str, str | None, int]]:
    """(version id, product code, product name, its English name, version number) of
    every published version, by product code: what a new policy may be issued on."""
    rows = session.execute(
        select(
            ProductVersion.id, Product.code, Product.name, Product.name_en, ProductVersion.version
        )
        .join(Product, Product.id == ProductVersion.product_id)
        .where(ProductVersion.status == "published")
        .order_by(Product.code)
    ).all()
    return [(vid, code, name, name_en, number) for vid, code, name, name_en, number in rows]


def versions_with_coverages(
    session: Session, *, version_ids: set[int]
) -> dict[int, ProductVersion]:
    # Every version with its product and coverages in one go (issue 6: no query per
    # policy); the relationship keeps the coverages in position order.
    found = session.scalars(
        select(ProductVersion)
        .where(ProductVersion.id.in_(version_ids))
        .options(joinedload(ProductVersion.product), selectinload(ProductVersion.coverages))
    ).unique()
    return {version.id: version for version in found}


def versions_with_product(session: Session, *, version_ids: set[int]) -> dict[int, ProductVersion]:
    """Versions with their product (not their coverages) by id, in one query: what a
    list of policies shows of each (issue 6)."""
    found = session.scalars(
        select(ProductVersion)
        .where(ProductVersion.id.in_(version_ids))
        .options(joinedload(ProductVersion.product))
    )
    return {version.id: version for version in found}
