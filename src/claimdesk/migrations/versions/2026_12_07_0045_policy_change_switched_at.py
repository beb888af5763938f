"""policy_changes.switched_at: when a change of policyholder (变更投保人, POL-2) made the
policy name its new holder — at completion when its effective date had come, else by the
``policies.policyholder_switch`` job on that date. NULL: not (yet) switched; a change
whose policy ended before its date never is.

Until now whether it had switched was read from the keys of ``before`` (the switch added
the relationship it replaced); the column says it as a fact. Existing done changes of
holder that switched by that reading are backfilled with the instant of their
``policy.policyholder_switch`` audit entry (GEN-5: every switch wrote one), or their
completion when no entry is found (a trail restored without it): the earliest instant
the switch can have run. The JSON is read in Python, the same on SQLite and PostgreSQL.

Downgrade drops the column; ``before`` still carries what the old reading needs.

Revision ID: 0045_policy_change_switched_at
Revises: 0044_check_hit_finding_key_only
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0045_policy_change_switched_at"
down_revision: str | Sequence[str] | None = "0044_check_hit_finding_key_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHANGES = sa.table(
    "policy_changes",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("payload", sa.JSON()),
    sa.column("before", sa.JSON()),
    sa.column("completed_at", sa.DateTime(timezone=True)),
    sa.column("switched_at", sa.DateTime(timezone=True)),
)
_AUDIT = sa.table(
    "audit_entries",
    sa.column("action", sa.String()),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("details", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("policy_changes") as batch:
        batch.add_column(sa.Column("switched_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    switched_on = _switch_instants(bind)
    rows = bind.execute(
        sa.select(_CHANGES.c.id, _CHANGES.c.payload, _CHANGES.c.before, _CHANGES.c.completed_at)
        .where(_CHANGES.c.status == "done")
        .order_by(_CHANGES.c.id)
    )
    for change_id, payload, before, completed_at in rows.all():
        if not _switched_by_old_reading(payload, before):
            continue
        bind.execute(
            sa.update(_CHANGES)
            .where(_CHANGES.c.id == change_id)
            .values(switched_at=switched_on.get(change_id, completed_at))
        )


def _switched_by_old_reading(payload: Any, before: Any) -> bool:
    """policies.holder.switched() before this column: a change of holder whose ``before``
    has the relationship the switch replaced."""
    payload, before = _loaded(payload), _loaded(before)
    return "policyholder" in payload and "insured_relationship" in before


def _switch_instants(bind: sa.Connection) -> dict[int, Any]:
    """change id → the instant its switch was audited (the first, should there be two)."""
    found: dict[int, Any] = {}
    entries = bind.execute(
        sa.select(_AUDIT.c.occurred_at, _AUDIT.c.details).where(
            _AUDIT.c.action == "policy.policyholder_switch"
        )
    )
    for occurred_at, details in entries:
        change_id = _loaded(details).get("change_id")
        if isinstance(change_id, int):
            found[change_id] = min(occurred_at, found.get(change_id, occurred_at))
    return found


def _loaded(value: Any) -> dict[str, Any]:
    """A JSON column's value as a dict (a driver may hand back the text)."""
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def downgrade() -> None:
    with op.batch_alter_table("policy_changes") as batch:
        batch.drop_column("switched_at")
