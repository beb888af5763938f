"""Pydantic models for the organisation unit API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

OrgKind = Literal["head_office", "branch"]


class OrgUnitCreate(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    kind: OrgKind
    region_code: str | None = Field(default=None, max_length=6)
    parent_id: int | None = None


class OrgUnitUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    region_code: str | None = Field(default=None, max_length=6)
    reason: str = Field(min_length=1, max_length=500)


class OrgUnitOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    region_code: str | None
    parent_id: int | None
