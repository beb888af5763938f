"""Run the Alembic migrations programmatically (CLI, tests, ``make run``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from claimdesk.db import normalise_url

PACKAGE_DIR = Path(__file__).resolve().parent


class MigrationRefused(RuntimeError):
    """A migration found data it cannot carry forward and changed nothing; its message
    says what the operator runs first. ``claimdesk db upgrade`` prints it without a
    traceback."""


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    cfg = Config(str(PACKAGE_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    if url:
        cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)
