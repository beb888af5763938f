"""Alembic environment: the schema comes only from these migrations (tests included)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import context
from sqlalchemy import DateTime

import claimdesk.models  # noqa: F401  (registers every table)
from claimdesk.crypto.types import EncryptedString
from claimdesk.db import make_engine
from claimdesk.models.base import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Custom column types are storage-level plain types; render them as such so the
    # migrations do not import application code.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return repr(DateTime(timezone=True)).replace("DateTime", "sa.DateTime")
    if type_ == "type" and isinstance(obj, EncryptedString):
        return "sa.Text()"
    return False


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            _run_without_sqlite_foreign_keys(conn)
        else:
            _run(conn)
    engine.dispose()


def _run_without_sqlite_foreign_keys(connection: Any) -> None:
    """SQLite changes a table by copying it and dropping the old one (batch mode); with
    foreign keys on, dropping a table other rows refer to (claims) fails as soon as the
    database holds data. So, as Alembic advises, the keys are off while migrating —
    the pragma only takes effect outside a transaction, hence on the driver connection
    before the migration's BEGIN — and every reference is checked before they are on
    again: a migration that broke one fails instead of leaving it broken."""
    raw = connection.connection.driver_connection

    def check_references() -> None:
        # Inside the migration's transaction: a failure rolls the migration back.
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left rows with broken references: {broken[:5]}")

    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        _run(connection, before_commit=check_references)
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _run(connection: Any, before_commit: Callable[[], None] | None = None) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        # SQLite's DDL is transactional too (Alembic assumes not): one transaction, so a
        # failed reference check rolls the whole upgrade back.
        transactional_ddl=True,
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if before_commit is not None:
            before_commit()


run_migrations()
