"""Pydantic models of the products API, and of the export/import file format."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from claimdesk.english_names import EditedEnglishName, EnglishName

Line = Literal["health", "critical_illness", "accident", "property", "liability"]
VersionStatus = Literal["draft", "published", "retired"]
RefundRule = Literal["pro_rata_days", "none"]
EXPORT_FORMAT = "claimdesk.product/1"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnglishNameEdit(_In):
    """The English name of an existing product or coverage (PATCH .../name-en). A display
    name, not contract content: it changes on a published version too, and makes no new
    version (PRD-2; docs/architecture.md, "Names in the reader's language")."""

    # Required: an edit says what the name becomes (null: none, the Chinese name shows).
    name_en: EditedEnglishName


class CoverageIn(_In):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1, max_length=100)
    name_en: EnglishName = None
    # Checked against the PRD-3 types in the service, so the error names the types.
    type: str = Field(min_length=1, max_length=24)
    parameters: dict[str, Any]
    materials_add: list[str] = Field(default_factory=list, max_length=100)
    materials_drop: list[str] = Field(default_factory=list, max_length=100)


class TermEn(_In):
    """A term's English (PRD-5): the term as an English reader knows it, and the plain
    explanation beside it."""

    term: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=2000)


class Limits(_In):
    """PRD-6: an empty list means "no limit"."""

    regions: list[str] = Field(default_factory=list, max_length=200)
    channels: list[str] = Field(default_factory=list, max_length=50)
    customer_groups: list[str] = Field(default_factory=list, max_length=50)


class VersionIn(_In):
    """The content of a version. Everything may be missing in a draft: the compliance
    check (PRD-1) names what a publishable version still lacks."""

    effective_date: dt.date | None = None
    insured_liabilities: str | None = Field(default=None, max_length=20000)
    exclusions: str | None = Field(default=None, max_length=20000)
    # Their English for English pages (the contract stays Chinese); none: shown in Chinese.
    insured_liabilities_en: str | None = Field(default=None, max_length=20000)
    exclusions_en: str | None = Field(default=None, max_length=20000)
    sum_insured: Decimal | None = Field(default=None, gt=0, max_digits=18, decimal_places=2)
    period_months: int | None = Field(default=None, ge=1, le=1200)
    premium_rate: Decimal | None = Field(default=None, gt=0, max_digits=9, decimal_places=6)
    terms: dict[str, str] = Field(default_factory=dict)
    # The terms' English, keyed by the Chinese term (one of ``terms``); a term without
    # one is shown in Chinese on English pages (formatting.terms_in).
    terms_en: dict[str, TermEn] = Field(default_factory=dict, max_length=100)
    limits: Limits = Field(default_factory=Limits)
    refund_rule: RefundRule = "pro_rata_days"
    coverages: list[CoverageIn] = Field(default_factory=list, max_length=50)


class ProductIn(_In):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Z0-9][A-Z0-9_-]*$")
    name: str = Field(min_length=1, max_length=100)
    name_en: EnglishName = None
    line: Line
    for_adults: bool = True
    version: VersionIn | None = None


class CoverageOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str | None = None
    type: str
    type_label: str
    parameters: dict[str, Any]
    materials_add: list[str]
    materials_drop: list[str]
    # The effective list a claim needs (PRD-4), with labels.
    materials: list[dict[str, str]]


class VersionOut(BaseModel):
    id: int
    product_id: int
    version: int
    status: VersionStatus
    effective_date: dt.date | None
    insured_liabilities: str | None
    exclusions: str | None
    insured_liabilities_en: str | None = None
    exclusions_en: str | None = None
    sum_insured: Decimal | None
    period_months: int | None
    premium_rate: Decimal | None
    terms: dict[str, str]
    terms_en: dict[str, TermEn] = Field(default_factory=dict)
    limits: Limits
    refund_rule: str
    published_at: dt.datetime | None
    published_by_id: int | None
    coverages: list[CoverageOut]


class ProductOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str | None = None
    line: str
    for_adults: bool
    versions: list[VersionOut]


class ProductSummary(BaseModel):
    id: int
    code: str
    name: str
    name_en: str | None = None
    line: str
    for_adults: bool
    latest_version: int | None
    published_version: int | None


class Problem(BaseModel):
    code: str
    field: str
    message: str


class ComplianceReport(BaseModel):
    version_id: int
    compliant: bool
    problems: list[Problem]


class VersionExport(VersionIn):
    version: int = Field(ge=1)
    status: VersionStatus = "draft"
    published_at: dt.datetime | None = None


class ProductExport(_In):
    format: Literal["claimdesk.product/1"] = "claimdesk.product/1"
    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Z0-9][A-Z0-9_-]*$")
    name: str = Field(min_length=1, max_length=100)
    name_en: EnglishName = None
    line: Line
    for_adults: bool = True
    versions: list[VersionExport] = Field(min_length=1)
