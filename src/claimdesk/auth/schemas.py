"""Pydantic models for the auth API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: dt.datetime


class Me(BaseModel):
    user_id: int | None
    username: str
    roles: list[str]
    permissions: list[str]
    org_unit_id: int | None
    person_id: int | None
    language: str
