"""Keyed hash of a claim's contact phone (issue 13, CLM-F3, SEC-1): claims.contact_phone_hash
— HMAC-SHA256 of the phone under the keyring's index key, the scheme of people.phone_hash
— so the shared-contact check finds the other claims given the same phone without
decrypting any (a ring gives its organiser's phone as the contact of every claim); and an
index of bills by provider and day, which the checks read; and new versions of two checks'
configurations (issue 13): early_claim counts its window from the end of the waiting
period and weighs the amount (its old ``days`` parameter is gone — the new version keeps
the administrator's enabled flag and action), and provider_cluster's minimum of unrelated
insureds goes from 15 to 8 where it is still the seeded 15 (the baseline ratio is what
keeps a large hospital's ordinary week out; an administrator's own value is kept).

Existing rows are filled here: the phone is decrypted with the application's keyring
(CLAIMDESK_KEYS or the key file, as 0018 and 0029 do) and hashed. A row whose phone does
not decrypt with that keyring (its key is not in it) keeps no hash and is counted in the
log; ``claimdesk keys reindex`` fills it once the key is there. The model keeps the hash
current on every later write of the phone.

Revision ID: 0032_contact_phone_hash
Revises: 0031_settlement_notices
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032_contact_phone_hash"
down_revision: str | Sequence[str] | None = "0031_settlement_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

_BATCH = 1000
# Frozen copies of the encryption context and the hash purpose (crypto.indexes).
_CONTEXT = "claims.contact_phone"
_PURPOSE = "phone"


def _backfill() -> None:
    from cryptography.exceptions import InvalidTag

    from claimdesk.crypto.keyring import get_keyring
    from claimdesk.errors import KeyUnavailable

    keyring = get_keyring()
    bind = op.get_bind()
    t = sa.table(
        "claims",
        sa.column("id", sa.Integer()),
        sa.column("contact_phone", sa.Text()),
        sa.column("contact_phone_hash", sa.String()),
    )
    last, missed = 0, 0
    while True:
        rows = bind.execute(
            sa.select(t.c.id, t.c.contact_phone)
            .where(t.c.id > last, t.c.contact_phone.is_not(None))
            .order_by(t.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        for row_id, token in rows:
            try:
                phone = keyring.decrypt(token, _CONTEXT)
            except (KeyUnavailable, InvalidTag, ValueError):
                missed += 1
                continue
            value = keyring.blind_index(phone, _PURPOSE)
            bind.execute(sa.update(t).where(t.c.id == row_id).values(contact_phone_hash=value))
        last = rows[-1][0]
    if missed:
        log.warning(
            "%d claims' contact phones did not decrypt with this keyring: no hash yet "
            "(run `claimdesk keys reindex` with the key present)",
            missed,
        )


def _new_config_versions() -> None:
    import datetime as dt

    bind = op.get_bind()
    t = sa.table(
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
    now = dt.datetime.now(dt.UTC)
    for code in ("early_claim", "provider_cluster"):
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
            import json

            parameters = json.loads(parameters)
        if code == "early_claim":
            new = {"days_after_waiting": 60, "amount_ratio": "1.5", "min_samples": 10}
            reason = "issue 13: window from the end of the waiting period, with the amount"
        elif parameters.get("min_insureds") == 15:
            new = {**parameters, "min_insureds": 8}
            reason = "issue 13: 8 unrelated insureds, beyond 3 times the provider's usual"
        else:
            continue
        bind.execute(
            sa.insert(t).values(
                code=code,
                version=version + 1,
                enabled=enabled,
                action=action,
                parameters=new,
                created_at=now,
                created_by_id=None,
                reason=reason,
            )
        )


def upgrade() -> None:
    # Plain ADD COLUMN, no batch rebuild (see 0018: a rebuild of claims would drop the
    # table under enforced foreign keys on SQLite).
    op.add_column("claims", sa.Column("contact_phone_hash", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_claims_contact_phone_hash"), "claims", ["contact_phone_hash"])
    _backfill()
    # The checks read a provider's bills of one day or window (lines reused across
    # insureds, clusters at a provider).
    op.create_index(
        "ix_claim_bills_issuer_name_issue_date", "claim_bills", ["issuer_name", "issue_date"]
    )
    _new_config_versions()


def downgrade() -> None:
    # The versions written above go (the old code refuses early_claim's new parameters);
    # an administrator's later versions of the two checks would have to be undone by hand.
    t = sa.table(
        "check_config_versions",
        sa.column("created_by_id", sa.Integer()),
        sa.column("reason", sa.Text()),
    )
    op.get_bind().execute(
        sa.delete(t).where(t.c.created_by_id.is_(None), t.c.reason.like("issue 13: %"))
    )
    op.drop_index("ix_claim_bills_issuer_name_issue_date", table_name="claim_bills")
    op.drop_index(op.f("ix_claims_contact_phone_hash"), table_name="claims")
    op.drop_column("claims", "contact_phone_hash")
