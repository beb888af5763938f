"""Organisation units: head office and branches (CLM-Z1 remote claims)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base, TimestampMixin


class OrgUnit(TimestampMixin, Base):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # The name English pages show; unset, they show ``name`` (formatting.name_in).
    name_en: Mapped[str | None] = mapped_column(String(100))
    # "head_office" or "branch"
    kind: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str | None] = mapped_column(String(6))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
