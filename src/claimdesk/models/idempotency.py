"""Idempotency keys of creating API requests (CLM-P5, GEN-6).

One row per (principal, key): the request it answered (method, path, body hash) and
the response it gave. It is written in the transaction of the work, so a crash leaves
neither the work nor the key; the unique constraint makes a concurrent duplicate wait
for the first and answer with its response.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("principal", "key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    principal: Mapped[str] = mapped_column(String(64))  # user:<id>
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(400))
    request_hash: Mapped[str] = mapped_column(String(64))
    # NULL until the response is known (within the same transaction).
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    response_media_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]
