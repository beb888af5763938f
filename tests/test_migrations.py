"""The schema comes only from the migrations, and they say what the models say."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import claimdesk.models  # noqa: F401  (registers every table)
from claimdesk.db import make_engine
from claimdesk.migrate import alembic_config, upgrade
from claimdesk.models.base import Base


def test_migrations_match_the_models(fresh_db_url):
    engine = make_engine(fresh_db_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_base_and_up_again(fresh_db_url):
    command.downgrade(alembic_config(fresh_db_url), "base")
    engine = make_engine(fresh_db_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    assert {"audit_entries", "people", "users"} <= set(inspect(engine).get_table_names())
    engine.dispose()


@pytest.mark.sqlite_only
def test_sqlite_upgrade_with_a_broken_reference_is_rolled_back(fresh_db_url):
    # SQLite migrates with its foreign keys off (batch mode copies tables); the check
    # before commit refuses to leave a broken reference behind.
    command.downgrade(alembic_config(fresh_db_url), "0037_job_transient_retries")
    raw = sqlite3.connect(fresh_db_url.removeprefix("sqlite:///"))
    raw.execute("PRAGMA foreign_keys=OFF")
    raw.execute("INSERT INTO user_roles (user_id, role) VALUES (999999, 'claims_handler')")
    raw.commit()
    with pytest.raises(RuntimeError, match="broken references"):
        upgrade(fresh_db_url)
    version = raw.execute("SELECT version_num FROM alembic_version").fetchone()
    columns = {row[1] for row in raw.execute("PRAGMA table_info(claims)")}
    raw.close()
    assert version == ("0037_job_transient_retries",) and "investigator_id" not in columns
