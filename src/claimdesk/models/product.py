"""Products, their versions and coverages (PRD-1..PRD-6).

A product is a name and a line; everything sold lives on a version. A published
version is frozen: policies point at it (PRD-2) and a change makes a new draft.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claimdesk.models.base import Base, Ratio, TimestampMixin
from claimdesk.models.states import ProductVersionState, StateType


class Product(TimestampMixin, Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # The name English pages show; unset, they show ``name`` (formatting.name_in).
    name_en: Mapped[str | None] = mapped_column(String(100))
    # health | critical_illness | accident | property | liability
    line: Mapped[str] = mapped_column(String(20))
    # Adult products carry the regulatory critical-illness checks (PRD-1).
    for_adults: Mapped[bool] = mapped_column(Boolean, default=True)

    versions: Mapped[list[ProductVersion]] = relationship(
        lazy="raise", back_populates="product", order_by="ProductVersion.version"
    )


class ProductVersion(TimestampMixin, Base):
    __tablename__ = "product_versions"
    __table_args__ = (UniqueConstraint("product_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # draft | published | retired
    status: Mapped[ProductVersionState] = mapped_column(
        StateType(ProductVersionState, 12), default=ProductVersionState.DRAFT
    )
    effective_date: Mapped[dt.date | None] = mapped_column(Date)
    insured_liabilities: Mapped[str | None] = mapped_column(Text)  # 保险责任
    exclusions: Mapped[str | None] = mapped_column(Text)  # 责任免除
    # Their English, for English pages: an explanation beside the contract, which stays
    # Chinese (the PDF and the Chinese text are what binds). Null: shown in Chinese.
    insured_liabilities_en: Mapped[str | None] = mapped_column(Text)
    exclusions_en: Mapped[str | None] = mapped_column(Text)
    sum_insured: Mapped[Decimal | None]  # 保险金额 (headline amount)
    period_months: Mapped[int | None] = mapped_column(Integer)  # 保险期间
    premium_rate: Mapped[Decimal | None] = mapped_column(Ratio)
    # {term: plain-language explanation} shown beside the term (PRD-5)
    terms: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Their English: {Chinese term: {"term": English term, "text": explanation}}, shown on
    # English pages and in English messages; a term without one shows its Chinese
    # (formatting.terms_in). Null on versions stored before migration 0056: none.
    terms_en: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSON)
    # Adaptability limits (PRD-6); an empty list means "no limit".
    allowed_regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    allowed_channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    allowed_customer_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    # How unearned premium is refunded on termination (POL-3): pro_rata_days | none
    refund_rule: Mapped[str] = mapped_column(String(20), default="pro_rata_days")
    published_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    product: Mapped[Product] = relationship(lazy="raise", back_populates="versions")
    coverages: Mapped[list[Coverage]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Coverage.position",
        back_populates="version",
    )


class Coverage(Base):
    __tablename__ = "coverages"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("product_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    # The name English pages show; unset, they show ``name`` (formatting.name_in).
    name_en: Mapped[str | None] = mapped_column(String(100))
    # A PRD-3 type: medical | critical_illness | accident_disability | accident_death |
    # accident_medical | property | liability
    type: Mapped[str] = mapped_column(String(24))
    # Validated by products.coverage_types before it is stored.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # PRD-4: the product's additions to / removals from the type's default materials.
    materials_added: Mapped[list[str]] = mapped_column(JSON, default=list)
    materials_dropped: Mapped[list[str]] = mapped_column(JSON, default=list)

    version: Mapped[ProductVersion] = relationship(lazy="raise", back_populates="coverages")
