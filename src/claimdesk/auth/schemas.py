"""Pydantic models for the auth API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105  (the scheme name, not a secret)
    expires_at: dt.datetime


class SecondFactorChallenge(BaseModel):
    """A customer's password was right; the SMS code sent to their phone follows (SEC-9).
    Send ``challenge`` back with the code to ``POST /auth/token/verify``."""

    second_factor_required: bool = True
    channel: str = "sms"
    challenge: str
    expires_at: dt.datetime


class TokenVerify(BaseModel):
    challenge: str = Field(min_length=1, max_length=1000)
    code: str = Field(min_length=1, max_length=12)


class Me(BaseModel):
    user_id: int | None
    username: str
    roles: list[str]
    permissions: list[str]
    org_unit_id: int | None
    person_id: int | None
    language: str


# --- user administration -------------------------------------------------------------
# Roles are plain strings here so that an unknown one gets the service's UnknownRole
# error (naming the role) rather than a generic enum message.


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    display_name: str | None = Field(default=None, max_length=100)
    password: str = Field(min_length=1, max_length=256)
    roles: list[str] = Field(min_length=1, max_length=14)
    org_unit_id: int | None = None
    person_id: int | None = None
    language: str = "zh-CN"


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    roles: list[str]
    org_unit_id: int | None
    person_id: int | None
    language: str
    is_active: bool
    created_at: dt.datetime


class RolesUpdate(BaseModel):
    roles: list[str] = Field(min_length=1, max_length=14)
    reason: str = Field(min_length=1, max_length=500)


class StatusChange(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class PasswordReset(BaseModel):
    new_password: str = Field(min_length=1, max_length=256)
    reason: str = Field(min_length=1, max_length=500)


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)
