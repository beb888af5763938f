"""New versions of shared_contact's and claim_frequency's parameters (issue 13, CLM-F3):
the honest look-alikes the benchmark now generates (docs/benchmarks.md, "Honest
look-alikes") were held by both checks.

- shared_contact ``household_phone_others`` = 1: a phone on one of the sharers' records
  (someone's own number) and shared with at most one other unrelated person is a
  household's — a spouse on a policy of their own, an older parent with the child's
  mobile — and not a hit by use; a number on nobody's record stays a hit at the first
  other claimant.
- claim_frequency ``pattern_min_insureds`` = 3: a series of visits that all name one
  diagnosis, as many in the period as at least 3 other patients of that diagnosis had
  in the year before (dialysis, a physiotherapy course), is not a hit.

Each version keeps the administrator's enabled flag, action and other parameters; a
parameter an administrator already set stays. The old versions stay as history.

Revision ID: 0039_check_lookalikes
Revises: 0038_claim_investigator
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0039_check_lookalikes"
down_revision: str | Sequence[str] | None = "0038_claim_investigator"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW = {
    "shared_contact": (
        "household_phone_others",
        1,
        "issue 13: a household's own phone shared with one other person is no ring",
    ),
    "claim_frequency": (
        "pattern_min_insureds",
        3,
        "issue 13: a series of one diagnosis as frequent as 3 other patients' is usual",
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
