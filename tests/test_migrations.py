"""The schema comes only from the migrations, and they say what the models say."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

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


def test_english_names_migration_keeps_the_products_and_adds_no_name(fresh_db_url):
    # SPEC PRD-3, GEN-6 (migration 0054): a product and a coverage stored before get an
    # English name column left empty (English pages then show the Chinese name); the
    # downgrade drops the columns and keeps the rows
    command.downgrade(alembic_config(fresh_db_url), "0053_outbox_person_index")
    engine = make_engine(fresh_db_url)
    with engine.begin() as connection:
        assert "name_en" not in {c["name"] for c in inspect(connection).get_columns("products")}
        connection.execute(
            text(
                "INSERT INTO products (code, name, line, for_adults, created_at) "
                "VALUES ('OLD-1', '旧产品', 'health', true, CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with engine.begin() as connection:
        for table in ("products", "coverages"):
            columns = {c["name"]: c for c in inspect(connection).get_columns(table)}
            assert columns["name_en"]["nullable"] is True, table
        row = connection.execute(
            text("SELECT name, name_en FROM products WHERE code = 'OLD-1'")
        ).one()
        assert tuple(row) == ("旧产品", None)
        connection.execute(text("UPDATE products SET name_en = 'Old product' WHERE code = 'OLD-1'"))
    engine.dispose()
    command.downgrade(alembic_config(fresh_db_url), "0053_outbox_person_index")
    engine = make_engine(fresh_db_url)
    with engine.connect() as connection:
        assert "name_en" not in {c["name"] for c in inspect(connection).get_columns("coverages")}
        assert (
            connection.execute(text("SELECT name FROM products WHERE code = 'OLD-1'")).scalar_one()
            == "旧产品"
        )
    engine.dispose()
    upgrade(fresh_db_url)


def test_english_texts_migration_keeps_the_rows_and_adds_no_english(fresh_db_url):
    # SPEC GEN-6, PRD-5 (migration 0056): units, sales channels and organisations, and a
    # product version stored before get empty English columns (English pages show the
    # Chinese); the downgrade drops the columns and keeps the rows
    command.downgrade(alembic_config(fresh_db_url), "0055_person_language")
    engine = make_engine(fresh_db_url)
    with engine.begin() as connection:
        assert "name_en" not in {c["name"] for c in inspect(connection).get_columns("org_units")}
        connection.execute(
            text(
                "INSERT INTO org_units (code, name, kind, created_at) "
                "VALUES ('OLD', '旧分公司', 'branch', CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with engine.begin() as connection:
        for table in ("org_units", "sales_channels", "sales_organisations"):
            columns = {c["name"]: c for c in inspect(connection).get_columns(table)}
            assert columns["name_en"]["nullable"] is True, table
        versions = {c["name"]: c for c in inspect(connection).get_columns("product_versions")}
        assert versions["terms_en"]["nullable"] is True
        row = connection.execute(text("SELECT name, name_en FROM org_units WHERE code = 'OLD'"))
        assert tuple(row.one()) == ("旧分公司", None)
        connection.execute(text("UPDATE org_units SET name_en = 'Old branch' WHERE code = 'OLD'"))
    engine.dispose()
    command.downgrade(alembic_config(fresh_db_url), "0055_person_language")
    engine = make_engine(fresh_db_url)
    with engine.connect() as connection:
        for table in ("org_units", "sales_channels", "sales_organisations"):
            assert "name_en" not in {c["name"] for c in inspect(connection).get_columns(table)}
        assert "terms_en" not in {
            c["name"] for c in inspect(connection).get_columns("product_versions")
        }
        name = connection.execute(text("SELECT name FROM org_units WHERE code = 'OLD'"))
        assert name.scalar_one() == "旧分公司"
    engine.dispose()
    upgrade(fresh_db_url)
