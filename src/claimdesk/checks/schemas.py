"""API shapes of the checks domain (CLM-F3)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class CheckConfigIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool
    action: Literal["hold", "refer"]
    parameters: dict[str, Any] = Field(default_factory=dict)
    # Why the administrator changes it: kept in the version and the audit trail (GEN-5).
    reason: str = Field(min_length=2, max_length=500)


class ParamOut(BaseModel):
    name: str
    kind: str
    default: Any
    minimum: str
    maximum: str
    label_zh: str
    label_en: str


class CheckConfigOut(BaseModel):
    code: str
    title_zh: str
    title_en: str
    version: int
    enabled: bool
    action: str
    parameters: dict[str, Any]
    parameter_specs: list[ParamOut]
    changed_at: dt.datetime
    changed_by_id: int | None
    reason: str


class CheckHitOut(BaseModel):
    id: int
    claim_id: int
    check_code: str
    config_version: int
    action: str
    reason_zh: str
    reason_en: str
    evidence: dict[str, Any]
    found_at: dt.datetime
    fraud_flag_id: int | None
    outcome: str | None


class NetworkNode(BaseModel):
    id: str
    kind: str  # claim | person | phone | bank_account | provider | receipt
    label: str
    data: dict[str, Any] = Field(default_factory=dict)


class NetworkEdge(BaseModel):
    source: str
    target: str
    kind: str


class NetworkSummary(BaseModel):
    connected_claims: int
    people: int
    shared_phones: int
    shared_accounts: int
    shared_providers: int
    shared_receipts: int


class NetworkOut(BaseModel):
    claim_id: int
    hops: int
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    summary: NetworkSummary
