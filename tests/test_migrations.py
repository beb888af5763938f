"""The schema comes only from the migrations, and they say what the models say."""

from __future__ import annotations

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
