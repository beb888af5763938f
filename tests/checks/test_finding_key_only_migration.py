"""Migration 0044 makes check_hits.finding_key NOT NULL and the only key, dropping
evidence_key and its unique constraint; it refuses, changing nothing, while a hit has no
finding key (SPEC CLM-F3, CLM-T4: a finding is recorded and counted once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import column, inspect, select, table
from sqlalchemy.orm import Session

from claimdesk.checks import dedupe
from claimdesk.db import make_engine
from claimdesk.migrate import MigrationRefused, alembic_config, upgrade
from claimdesk.models.check import CheckHit
from claimdesk.rules.checks.findings import finding_key
from tests.builders import demo_version, issue_policy, make_claim, make_person, resident_id
from tests.checks.helpers import BEFORE_KEY_ONLY, back_before_key_only, old_key

FOUND = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.UTC)
UNIQUE = "uq_check_hits_claim_id"  # (claim_id, check_code, evidence_key)


def _evidence(receipt: int) -> dict[str, Any]:
    return {"receipt_id": receipt, "basis": "diagnosis", "median": "800.00"}


def _seed(url: str, *, old: bool) -> dict[int, str]:
    """amount_outlier findings on receipts 51 and 52 of one claim, in that order, keyed
    as the checks run keys them (``old``: as the code before da34af0 did, by their whole
    evidence). {id: key}."""
    engine = make_engine(url)
    with Session(engine) as db:
        person = make_person(db, id_number=resident_id(seq="744"))
        policy = issue_policy(db, version_id=demo_version(db).id, policyholder_id=person.id)
        claim = make_claim(db, number="C-KEYONLY-1", policy=policy, state="accepted")
        rows = []
        for receipt in (51, 52):
            evidence = _evidence(receipt)
            rows.append(
                CheckHit(
                    claim_id=claim.id,
                    check_code="amount_outlier",
                    config_version=1,
                    action="refer",
                    reason_zh="金额远高于同类诊断",
                    reason_en="amount far above the diagnosis's usual",
                    evidence=evidence,
                    finding_key=(old_key if old else finding_key)("amount_outlier", evidence),
                    data_version="v1",
                    found_at=FOUND,
                )
            )
        db.add_all(rows)
        db.commit()
        keys = {row.id: row.finding_key for row in rows}
    engine.dispose()
    return keys


def _state(url: str) -> dict[str, Any]:
    """The revision, check_hits' key columns (nullable?), its unique constraints and
    each row's keys."""
    engine = make_engine(url)
    with engine.connect() as connection:
        found = inspect(connection)
        columns = {c["name"]: c["nullable"] for c in found.get_columns("check_hits")}
        hits = table("check_hits", column("id"), column("finding_key"))
        if "evidence_key" in columns:
            hits.append_column(column("evidence_key"))
        revision = select(column("version_num")).select_from(table("alembic_version"))
        state = {
            "revision": connection.execute(revision).scalar_one(),
            "finding_key": columns["finding_key"],
            "evidence_key": columns.get("evidence_key"),
            "unique": {u["name"] for u in found.get_unique_constraints("check_hits")},
            "rows": {row[0]: tuple(row[1:]) for row in connection.execute(select(hits))},
        }
    engine.dispose()
    return state


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_refuses_while_a_hit_has_no_finding_key_and_changes_nothing(fresh_db_url: str) -> None:
    # SPEC CLM-F3 CLM-T4: a row recorded before 0042, not yet keyed by dedupe-hits.
    keys = _seed(fresh_db_url, old=True)
    unkeyed, keyed = sorted(keys)
    back_before_key_only(fresh_db_url, unkeyed=[unkeyed])
    before = _state(fresh_db_url)
    assert before["rows"][unkeyed] == (None, keys[unkeyed])
    assert before["evidence_key"] is False and UNIQUE in before["unique"]

    with pytest.raises(MigrationRefused, match=r"^1 check hits have no finding key") as refused:
        upgrade(fresh_db_url)
    assert "run `claimdesk checks dedupe-hits`" in str(refused.value)
    assert before["revision"] == BEFORE_KEY_ONLY and _state(fresh_db_url) == before

    # Keyed by the command's repair, the upgrade passes.
    engine = make_engine(fresh_db_url)
    with Session(engine) as db:
        claim_id = db.get_one(CheckHit, keyed).claim_id
        dedupe.repair_claim(db, claim_id=claim_id, actor=dedupe.system_actor())
        db.commit()
    engine.dispose()
    upgrade(fresh_db_url)
    after = _state(fresh_db_url)
    assert after["revision"] == _head() and after["evidence_key"] is None
    assert after["rows"] == {
        unkeyed: (finding_key("amount_outlier", _evidence(51)),),
        keyed: (finding_key("amount_outlier", _evidence(52)),),
    }


def test_keyed_hits_upgrade_and_go_back_and_up_again(fresh_db_url: str) -> None:
    # SPEC CLM-F3: every hit keyed (the checks run since da34af0, or dedupe-hits).
    keys = _seed(fresh_db_url, old=False)
    head = _state(fresh_db_url)
    assert head["revision"] == _head()
    assert head["finding_key"] is False and head["evidence_key"] is None
    assert UNIQUE not in head["unique"]
    assert head["rows"] == {hit_id: (key,) for hit_id, key in keys.items()}

    command.downgrade(alembic_config(fresh_db_url), BEFORE_KEY_ONLY)
    back = _state(fresh_db_url)
    assert back["finding_key"] is True and back["evidence_key"] is False
    assert UNIQUE in back["unique"]
    # evidence_key filled from finding_key.
    assert back["rows"] == {hit_id: (key, key) for hit_id, key in keys.items()}

    upgrade(fresh_db_url)
    assert _state(fresh_db_url) == head
