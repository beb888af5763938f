"""The schema comes only from the migrations, and they say what the models say."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import claimdesk.models  # (registers every table)
from claimdesk.db import make_engine
from claimdesk.migrate import alembic_config, upgrade
from claimdesk.models.base import Base

VERSIONS = Path(claimdesk.models.__file__).parents[1] / "migrations" / "versions"


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


MINE = "id BETWEEN 9001 AND 9007"
BACKFILLED = {
    9001: "reassigned",
    9002: "completed",
    9003: None,
    9004: "cancelled",
    9005: "completed",
    9006: "cancelled",
    9007: "completed",
}


def _migration_0057() -> Any:
    path = next(VERSIONS.glob("*_0057_clock_closed_reason.py"))
    spec = importlib.util.spec_from_file_location("migration_0057", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _clock_row(clock_id: int, subject: str, name: str, start: str, stop: str | None) -> str:
    stopped = "NULL" if stop is None else f"'{stop}'"
    return (
        "INSERT INTO clocks (id, subject_type, subject_id, name, rule_type, rule_n,"
        " started_at, due_at, due_provisional, stopped_at, created_at)"
        f" VALUES ({clock_id}, 'claim', '{subject}', '{name}', 'hours', 1, '{start}',"
        f" '2026-09-30 09:00:00.000000', false, {stopped},"
        " CURRENT_TIMESTAMP)"
    )


def test_clock_closed_reason_backfill(fresh_db_url):
    # SPEC GEN-7, CLM-S1 (migration 0057): stopped clocks become "completed", but a
    # contact clock stopped at the instant the next one started is "reassigned" and a
    # claim's clock stopped by its withdrawal or closing — or by a fraud rejection,
    # unless it is the decision's own — is "cancelled"; a running clock keeps none. The
    # downgrade drops the column and keeps the clocks.
    command.downgrade(alembic_config(fresh_db_url), "0056_english_texts")
    t0, t1, t2 = "2026-09-30 02:00:00.000000", "2026-09-30 02:40:00.000000", None
    rows = [
        _clock_row(9001, "901", "claim.survey_contact", t0, t1),  # reassigned
        _clock_row(9002, "901", "claim.survey_contact", t1, "2026-09-30 03:00:00.000000"),
        _clock_row(9003, "901", "claim.survey_contact", t1, t2),
        _clock_row(9004, "902", "claim.review", t0, t1),  # withdrawn
        _clock_row(9005, "903", "claim.review", t0, t1),  # fraud rejection: decided
        _clock_row(9006, "903", "claim.survey_contact", t0, t1),  # ... cancelled
        _clock_row(9007, "904", "claim.review", t0, t1),  # decided, then closed later
        "INSERT INTO claim_transitions (claim_id, action, from_state, to_state, at, actor)"
        f" VALUES (902, 'withdraw', 'accepted', 'withdrawn', '{t1}', 'x'),"
        f" (903, 'confirm_fraud_reject', 'suspended', 'rejected', '{t1}', 'x'),"
        " (904, 'close', 'rejected', 'closed', '2026-10-01 02:00:00.000000', 'x')",
    ]
    if fresh_db_url.startswith("sqlite"):
        # The transitions name claims the test does not build (a claim needs a policy,
        # people, a product ...), which SQLite's upgrade refuses to leave behind: the
        # migration's own statements run here on a plain connection (foreign keys off),
        # then the rows go and the real upgrade runs.
        raw = sqlite3.connect(fresh_db_url.removeprefix("sqlite:///"))
        for statement in [*rows, "ALTER TABLE clocks ADD COLUMN closed_reason VARCHAR(16)"]:
            raw.execute(statement)
        for statement in _migration_0057().BACKFILL:
            raw.execute(statement)
        found = dict(raw.execute(f"SELECT id, closed_reason FROM clocks WHERE {MINE}"))
        for statement in (
            "DELETE FROM claim_transitions WHERE claim_id BETWEEN 901 AND 904",
            f"DELETE FROM clocks WHERE {MINE}",
            "ALTER TABLE clocks DROP COLUMN closed_reason",
        ):
            raw.execute(statement)
        raw.commit()
        raw.close()
        assert found == BACKFILLED
        upgrade(fresh_db_url)
        return
    engine = make_engine(fresh_db_url)
    with engine.begin() as connection:
        # PostgreSQL: the referenced claims are not built; their checks skipped here.
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for statement in rows:
            connection.execute(text(statement))
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with engine.begin() as connection:
        found = dict(
            connection.execute(text(f"SELECT id, closed_reason FROM clocks WHERE {MINE}")).all()
        )
        assert found == BACKFILLED
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text("DELETE FROM claim_transitions WHERE claim_id BETWEEN 901 AND 904"))
        connection.execute(text(f"DELETE FROM clocks WHERE {MINE}"))
    engine.dispose()
    command.downgrade(alembic_config(fresh_db_url), "0056_english_texts")
    engine = make_engine(fresh_db_url)
    with engine.connect() as connection:
        assert "closed_reason" not in {c["name"] for c in inspect(connection).get_columns("clocks")}
    engine.dispose()
    upgrade(fresh_db_url)


def test_version_english_liabilities_migration_adds_two_empty_columns(fresh_db_url):
    # SPEC GEN-6 (migration 0059): optional English explanations, nothing to backfill;
    # downgrade drops them and keeps the rest of the version.
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with engine.connect() as connection:
        versions = {c["name"]: c for c in inspect(connection).get_columns("product_versions")}
        for column in ("insured_liabilities_en", "exclusions_en"):
            assert versions[column]["nullable"] is True, column
    engine.dispose()
    command.downgrade(alembic_config(fresh_db_url), "0058_bank_account_removed")
    engine = make_engine(fresh_db_url)
    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("product_versions")}
        assert "exclusions_en" not in columns and "insured_liabilities_en" not in columns
        assert {"exclusions", "insured_liabilities", "terms_en"} <= columns
    engine.dispose()


def test_complaint_numbers_backfill(fresh_db_url):
    # SPEC SVC-3 (migration 0060): complaints stored before get TS + the local day received
    # + their place in that day's order of receipt (not of id); new numbers continue after
    # them on either database; the downgrade drops the numbers and keeps the complaints
    from sqlalchemy.orm import Session

    from claimdesk.models.service import Complaint
    from claimdesk.models.user import User
    from claimdesk.service import service
    from tests.builders import make_org_unit, make_user
    from tests.service.helpers import local, make_person, principal_of, seed_calendar

    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        seed_calendar(session)
        user = make_user(
            session, username="desk1", roles=("service_agent",), org_unit=make_org_unit(session)
        )
        agent = principal_of(user, ("service_agent",))
        person = make_person(session)

        def file(received):  # type: ignore[no-untyped-def]
            return service.file_complaint(
                session,
                actor=agent,
                person_id=person.id,
                contact="13800138000",
                channel="phone",
                complaint_type="service",
                cause="delay",
                description="理赔进度太慢",
                received_at=received,
            ).id

        # filed out of order: the later one first; 00:30 Beijing is still 28 Sep in UTC
        eleven = file(local(2026, 9, 28, 11, 0))
        ten = file(local(2026, 9, 28, 10, 0))
        after_midnight = file(local(2026, 9, 29, 0, 30))
        user_id, person_id = user.id, person.id
        session.commit()
    engine.dispose()
    command.downgrade(alembic_config(fresh_db_url), "0059_version_english_liabilities")
    engine = make_engine(fresh_db_url)
    with engine.connect() as connection:
        assert "number" not in {c["name"] for c in inspect(connection).get_columns("complaints")}
        assert connection.execute(text("SELECT count(*) FROM complaints")).scalar_one() == 3
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        numbers = {c.id: c.number for c in session.query(Complaint)}
        assert numbers == {
            ten: "TS20260928000001",
            eleven: "TS20260928000002",
            after_midnight: "TS20260929000001",
        }
        columns = {c["name"]: c for c in inspect(session.connection()).get_columns("complaints")}
        assert columns["number"]["nullable"] is False
        agent = principal_of(session.get(User, user_id), ("service_agent",))
        fresh = service.file_complaint(
            session,
            actor=agent,
            person_id=person_id,
            contact="13800138000",
            channel="phone",
            complaint_type="service",
            cause="delay",
            description="又一次",
            received_at=local(2026, 9, 28, 15, 0),
        )
        assert fresh.number == "TS20260928000003"
        session.rollback()
    engine.dispose()


LEFT = "id BETWEEN 9101 AND 9108"


def _contact_row(
    clock_id: int, claim: str, start: str, stop: str | None, reason: str | None
) -> str:
    stopped = "NULL" if stop is None else f"'{stop}'"
    closed = "NULL" if reason is None else f"'{reason}'"
    return (
        "INSERT INTO clocks (id, subject_type, subject_id, name, rule_type, rule_n,"
        " started_at, due_at, due_provisional, stopped_at, closed_reason, created_at)"
        f" VALUES ({clock_id}, 'claim', '{claim}', 'claim.survey_contact', 'hours', 1,"
        f" '{start}', '2026-09-30 03:00:00.000000', false, {stopped}, {closed},"
        " CURRENT_TIMESTAMP)"
    )


def test_contact_clocks_left_behind_by_a_reassignment_are_closed_reassigned(fresh_db_url):
    # SPEC CLM-S1, GEN-7 (migration 0062): before survey.assign closed the old contact
    # clock, a reassignment left it running (or stopped later by someone else's step);
    # it is now closed "reassigned" at the next clock's start. A clock stopped before
    # the next started, and one already closed at the same instant, keep theirs.
    command.downgrade(alembic_config(fresh_db_url), "0061_message_both_languages")
    t0, t1 = "2026-09-30 02:00:00.000000", "2026-09-30 02:40:00.000000"
    later, early = "2026-09-30 05:00:00.000000", "2026-09-30 02:10:00.000000"
    rows = [
        _contact_row(9101, "911", t0, None, None),  # left running → reassigned at t1
        _contact_row(9102, "911", t1, None, None),  # the new surveyor's: runs on
        _contact_row(9103, "912", t0, later, "cancelled"),  # withdrawn later → reassigned
        _contact_row(9104, "912", t1, later, "cancelled"),
        _contact_row(9105, "913", t0, early, "completed"),  # contact made, then reassigned
        _contact_row(9106, "913", t1, None, None),
        _contact_row(9107, "914", t0, t1, "reassigned"),  # 0057's exact instant
        _contact_row(9108, "914", t1, later, "completed"),
    ]
    engine = make_engine(fresh_db_url)
    with engine.begin() as connection:
        for statement in rows:
            connection.execute(text(statement))
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with engine.begin() as connection:
        found = {
            row[0]: (str(row[1])[:16] if row[1] is not None else None, row[2])
            for row in connection.execute(
                text(f"SELECT id, stopped_at, closed_reason FROM clocks WHERE {LEFT}")
            ).all()
        }
        connection.execute(text(f"DELETE FROM clocks WHERE {LEFT}"))
    engine.dispose()
    assert found == {
        9101: ("2026-09-30 02:40", "reassigned"),
        9102: (None, None),
        9103: ("2026-09-30 02:40", "reassigned"),
        9104: ("2026-09-30 05:00", "cancelled"),
        9105: ("2026-09-30 02:10", "completed"),
        9106: (None, None),
        9107: ("2026-09-30 02:40", "reassigned"),
        9108: ("2026-09-30 05:00", "completed"),
    }
