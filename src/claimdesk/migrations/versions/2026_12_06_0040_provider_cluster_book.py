"""provider_cluster judged against the rest of the book (issue 13, CLM-F3).

- A new version of provider_cluster's parameters with ``relative_to_book`` = 1: a
  provider's surge (its window count over its usual) must exceed ``baseline_ratio``
  times the other providers' surge in the same days. The benchmark's 21-day flu wave
  lifted every large hospital to 15–19 insureds a week against ~4 and held or referred
  64 honest claims (docs/benchmarks.md, "Honest look-alikes of the fraud"); a wave lifts
  every provider, a ring one. The version keeps the administrator's enabled flag,
  action and other parameters; a value an administrator already set stays.
- ix_claim_bills_issue_date_claim_id: the book's claims per day over a provider's
  window and its baseline, one aggregate read from the index alone.

Revision ID: 0040_provider_cluster_book
Revises: 0039_check_lookalikes
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040_provider_cluster_book"
down_revision: str | Sequence[str] | None = "0039_check_lookalikes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CODE = "provider_cluster"
_NAME = "relative_to_book"
_REASON = "issue 13: a provider's surge is judged against the book's (a wave lifts every provider)"
_INDEX = "ix_claim_bills_issue_date_claim_id"


def _table() -> sa.TableClause:
    return sa.table(
        "check_config_versions",
        sa.column("code", sa.String()),
        sa.column("version", sa.Integer()),
        sa.column("enabled", sa.Boolean()),
        sa.column("action", sa.String()),
        sa.column("parameters", sa.JSON()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("created_by_id", sa.Integer()),
        sa.column("reason", sa.Text()),
    )


def upgrade() -> None:
    op.create_index(_INDEX, "claim_bills", ["issue_date", "claim_id"], unique=False)
    bind, t = op.get_bind(), _table()
    row = bind.execute(
        sa.select(t.c.version, t.c.enabled, t.c.action, t.c.parameters)
        .where(t.c.code == _CODE)
        .order_by(t.c.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return
    version, enabled, action, parameters = row
    if isinstance(parameters, str):
        parameters = json.loads(parameters)
    if _NAME in parameters:
        return  # an administrator's own value stays
    bind.execute(
        sa.insert(t).values(
            code=_CODE,
            version=version + 1,
            enabled=enabled,
            action=action,
            parameters={**parameters, _NAME: 1},
            created_at=dt.datetime.now(dt.UTC),
            created_by_id=None,
            reason=_REASON,
        )
    )


def downgrade() -> None:
    # The version written above goes; an administrator's later versions stay.
    t = _table()
    op.get_bind().execute(
        sa.delete(t).where(t.c.code == _CODE, t.c.created_by_id.is_(None), t.c.reason == _REASON)
    )
    op.drop_index(_INDEX, table_name="claim_bills")
