"""Shared helpers for audit tests: write entries with real commits, bypass the trigger."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.db import unit_of_work

ACTOR = Principal.build(user_id=None, username="tester", roles=["administrator"], ip="10.0.0.1")


def append(
    factory: sessionmaker, count: int, *, per_commit: int = 1, entity_type: str = "claim"
) -> None:
    written = 0
    while written < count:
        with unit_of_work(factory) as session:
            for _ in range(min(per_commit, count - written)):
                written += 1
                record(
                    session,
                    actor=ACTOR,
                    action="claim.updated",
                    entity_type=entity_type,
                    entity_id=str(written),
                    reason="test",
                    details={"n": written},
                )


def disable_append_only(engine: Engine) -> None:
    """What a superuser could do: switch the append-only trigger off."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change"))
        else:
            conn.execute(text("DROP TRIGGER audit_entries_no_update"))
            conn.execute(text("DROP TRIGGER audit_entries_no_delete"))


def seal_all(factory: sessionmaker) -> int:
    """Run the sealer until it has nothing left; returns the entries sealed."""
    from claimdesk.audit.sealer import seal

    total = 0
    while True:
        with unit_of_work(factory) as session:
            result = seal(session, max_batches=1, settle_wait=5.0)
        total += result.sealed
        if not result.checkpoints:
            return total


def disable_seal_append_only(engine: Engine) -> None:
    """The same for the seals and checkpoints (a forger rewriting the sealed chain)."""
    with engine.begin() as conn:
        for table in ("audit_seals", "audit_checkpoints"):
            if engine.dialect.name == "postgresql":
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_change"))
            else:
                conn.execute(text(f"DROP TRIGGER {table}_no_update"))
                conn.execute(text(f"DROP TRIGGER {table}_no_delete"))
