"""Pydantic models for the organisation unit API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from claimdesk.english_names import EditedEnglishName, EnglishName

OrgKind = Literal["head_office", "branch"]


class OrgUnitCreate(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    # The name English pages show (GEN-6); blank or unset: none, they show ``name``.
    name_en: EnglishName = None
    kind: OrgKind
    region_code: str | None = Field(default=None, max_length=6)
    parent_id: int | None = None


class OrgUnitUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    # Left out: unchanged; null: removed (the Chinese name shows); blank: refused (GEN-6).
    name_en: EditedEnglishName = None
    region_code: str | None = Field(default=None, max_length=6)
    reason: str = Field(min_length=1, max_length=500)


class OrgUnitOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str | None = None
    kind: str
    region_code: str | None
    parent_id: int | None
