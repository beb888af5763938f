"""A new version of duplicate_receipt's parameters (issue 13, CLM-F3): a receipt copied
whole onto another claim under a new number — every line of one bill equal to every line
of the other (same provider, day, items, quantities, amounts: the same total) — is a hit
from 2 lines (``whole_receipt_min_lines`` = 2), under ``min_shared_lines`` (3), which
stays for a partial copy. The benchmark's one reused-lines claim paid was such a bill:
a consultation and a test, ¥165.45, copied onto a friend's claim (docs/benchmarks.md).

The version keeps the administrator's enabled flag, action and other parameters; a
value an administrator already set stays. The old versions stay as history.

Revision ID: 0043_whole_receipt_copy
Revises: 0042_check_hit_finding_key
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0043_whole_receipt_copy"
down_revision: str | Sequence[str] | None = "0042_check_hit_finding_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW = {
    "duplicate_receipt": (
        "whole_receipt_min_lines",
        2,
        "issue 13: a short receipt copied whole under a new number is the same bill",
    ),
}


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
    for code, (name, value, reason) in _NEW.items():
        row = bind.execute(
            sa.select(t.c.version, t.c.enabled, t.c.action, t.c.parameters)
            .where(t.c.code == code)
            .order_by(t.c.version.desc())
            .limit(1)
        ).first()
        if row is None:
            continue
        version, enabled, action, parameters = row
        if isinstance(parameters, str):
            parameters = json.loads(parameters)
        if name in parameters:
            continue  # an administrator's own value stays
        bind.execute(
            sa.insert(t).values(
                code=code,
                version=version + 1,
                enabled=enabled,
                action=action,
                parameters={**parameters, name: value},
                created_at=dt.datetime.now(dt.UTC),
                created_by_id=None,
                reason=reason,
            )
        )


def downgrade() -> None:
    # The versions written above go; an administrator's later versions stay.
    t = _table()
    for code, (_name, _value, reason) in _NEW.items():
        op.get_bind().execute(
            sa.delete(t).where(t.c.code == code, t.c.created_by_id.is_(None), t.c.reason == reason)
        )
