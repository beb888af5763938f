"""A new version of provider_cluster's parameters (issue 13, CLM-F3): the minimum of
unrelated insureds goes from 8 to 5 where it is still 0032's 8 (an administrator's own
value is kept). The check's new ``min_history_days`` (90) spreads a provider's short
history over at least that many days, so a clinic first seen days ago is not excused by
its own first crowd; with it, the replay of issue 13's kept run caught 25 of 34 planted
cluster claims at 5 (17 at 8) with no clean claim hit — the eight large hospitals stay
out by the baseline ratio (about 16 unrelated insureds a week is their usual).

The version keeps the administrator's enabled flag and action; the old versions stay as
history. New parameters (``min_history_days``; shared_contact's ``min_registered_phone``
and ``min_registered_account``) take their code defaults when absent: no version needed.

Revision ID: 0035_provider_cluster_early
Revises: 0034_claim_frequency_rate
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0035_provider_cluster_early"
down_revision: str | Sequence[str] | None = "0034_claim_frequency_rate"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CODE = "provider_cluster"
_REASON = "issue 13: 5 unrelated insureds; a provider's short history spread over 90 days"
_OLD, _NEW = 8, 5


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
    if parameters.get("min_insureds", _OLD) != _OLD:
        return  # an administrator's own minimum stays
    bind.execute(
        sa.insert(t).values(
            code=_CODE,
            version=version + 1,
            enabled=enabled,
            action=action,
            parameters={**parameters, "min_insureds": _NEW},
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
