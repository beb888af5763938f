"""Automatic checks on claims (CLM-F3): their configuration versions and their hits.

A configuration change adds a version row, never updates one, so the rule that found
any hit can be told afterwards (GEN-5). A hit names the version it ran under.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.crypto.types import EncryptedJSON, EncryptedString
from claimdesk.models.base import Base


class CheckConfigVersion(Base):
    __tablename__ = "check_config_versions"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean)
    # hold: a fraud flag suspends the claim (CLM-F1); refer: a person looks at the reason.
    action: Mapped[str] = mapped_column(String(8))
    # Validated by rules.checks.params; Decimals kept as strings.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime]
    # None for the defaults the migration seeds.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)


class CheckHit(Base):
    __tablename__ = "check_hits"
    # A re-run on the same data finds the same hit: it is recorded (and acted on) once.
    # The finding's key (rules.checks.findings.finding_key) is unique per claim and
    # check: the same finding cannot be recorded twice. Every row has one (migration
    # 0044, after ``claimdesk checks dedupe-hits`` keyed the rows recorded before 0042).
    __table_args__ = (
        Index("uq_check_hits_finding_key", "claim_id", "check_code", "finding_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    check_code: Mapped[str] = mapped_column(String(40), index=True)
    config_version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(8))
    # Reasons and evidence may name treatments: encrypted at rest like other medical data
    # (SEC-1).
    reason_zh: Mapped[str] = mapped_column(EncryptedString("check_hits.reason_zh"))
    reason_en: Mapped[str] = mapped_column(EncryptedString("check_hits.reason_en"))
    evidence: Mapped[dict[str, Any]] = mapped_column(
        EncryptedJSON("check_hits.evidence"), default=dict
    )
    finding_key: Mapped[str] = mapped_column(String(32))
    data_version: Mapped[str] = mapped_column(String(64))
    found_at: Mapped[dt.datetime]
    fraud_flag_id: Mapped[int | None] = mapped_column(ForeignKey("claim_fraud_flags.id"))
    # Set later by the investigator: confirmed | false_hold (CLM-T4 counts false holds).
    outcome: Mapped[str | None] = mapped_column(String(12))
    outcome_at: Mapped[dt.datetime | None]
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
