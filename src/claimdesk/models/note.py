"""Notes on a claim (issue 12): free text written by staff, never shown to the customer,
each visible to the roles its visibility names (SEC-4: need to know). The text may hold
medical or personal details, so it is encrypted like them (SEC-1)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.crypto.types import EncryptedString
from claimdesk.models.base import Base, utcnow


class ClaimNote(Base):
    __tablename__ = "claim_notes"
    __table_args__ = (Index("ix_claim_notes_claim_id_id", "claim_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    # "staff": every staff member who may read the claim; "fraud": fraud investigators.
    visibility: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(EncryptedString("claim_notes.body"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
