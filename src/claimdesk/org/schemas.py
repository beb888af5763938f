"""Pydantic models for the organisation unit API."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, Field, StringConstraints

from claimdesk.english_names import EditedEnglishName, EnglishName

OrgKind = Literal["head_office", "branch"]

# A unit's new Chinese name: trimmed, then 1..100 characters (all blanks: refused).
EditedName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class OrgUnitCreate(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    # The name English pages show (GEN-6); blank or unset: none, they show ``name``.
    name_en: EnglishName = None
    kind: OrgKind
    region_code: str | None = Field(default=None, max_length=6)
    parent_id: int | None = None


class OrgUnitUpdate(BaseModel):
    # "name" is the unit's name (名称), not a person's (姓名): field_labels.CONTEXT_LABELS.
    field_context: ClassVar[str] = "named_record"

    name: EditedName | None = None
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
