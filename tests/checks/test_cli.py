"""``claimdesk checks dedupe-hits`` on a database the code before da34af0 ran on, at the
revision before 0044 — where the operator runs it before upgrading (SPEC CLM-F3, CLM-T4,
GEN-5): a dry run says what it would merge and changes nothing; the run merges, keys and
audits, with real commits; a second run finds nothing to do; ``claimdesk db upgrade``
then passes 0044, after which the command still runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from claimdesk.cli import app
from claimdesk.models.audit import AuditEntry
from claimdesk.models.check import CheckHit
from claimdesk.models.claim import FraudFlag
from claimdesk.rules.checks.findings import finding_key
from tests.builders import demo_version, issue_policy, make_claim, make_person, resident_id
from tests.checks.helpers import back_before_key_only, old_key

FOUND = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.UTC)


def _old_hit(claim_id: int, evidence: dict[str, Any], days: int, **extra: Any) -> CheckHit:
    """A row as the code before da34af0 recorded it."""
    return CheckHit(
        claim_id=claim_id,
        check_code="amount_outlier",
        config_version=1,
        action=extra.pop("action", "refer"),
        reason_zh="金额远高于同类诊断",
        reason_en="amount far above the diagnosis's usual",
        evidence=evidence,
        # the old code's key: its evidence_key once back before 0044 (back_before_key_only)
        finding_key=old_key("amount_outlier", evidence),
        data_version=f"day {days}",
        found_at=FOUND + dt.timedelta(days=days),
        **extra,
    )


def _seed(engine: Engine) -> dict[str, int]:
    """One claim with an amount_outlier finding recorded three times (its median moved
    each day; the second hold cleared), and one receipt's finding recorded once."""
    with Session(engine) as db:
        person = make_person(db, id_number=resident_id(seq="731"))
        policy = issue_policy(db, version_id=demo_version(db).id, policyholder_id=person.id)
        claim = make_claim(db, number="C-DEDUPE-1", policy=policy, state="accepted")
        cleared = FraudFlag(
            claim_id=claim.id,
            source="rule",
            rule_code="check:amount_outlier",
            description="金额异常",
            flagged_at=FOUND,
            status="cleared",
            resolved_at=FOUND + dt.timedelta(days=1),
        )
        db.add(cleared)
        db.flush()
        base = {"receipt_id": 41, "basis": "diagnosis", "amount": "9000.00"}
        rows = [
            _old_hit(claim.id, {**base, "median": "800.00"}, 0),
            _old_hit(
                claim.id,
                {**base, "median": "820.00"},
                1,
                action="hold",
                fraud_flag_id=cleared.id,
                outcome="false_hold",
            ),
            _old_hit(claim.id, {**base, "median": "850.00"}, 2),
            _old_hit(claim.id, {**base, "receipt_id": 42, "median": "800.00"}, 0),
        ]
        db.add_all(rows)
        db.commit()
        return {"claim": claim.id, "first": rows[0].id, "flag": cleared.id}


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("check_hits")}


def test_dry_run_then_repair_then_nothing_left_then_upgrade(
    engine_of_cli: Engine, fresh_db_url: str
) -> None:
    # SPEC CLM-F3 CLM-T4 GEN-5
    seeded = _seed(engine_of_cli)
    with Session(engine_of_cli) as db:
        ids = list(db.scalars(select(CheckHit.id)))
    back_before_key_only(fresh_db_url, unkeyed=ids)
    assert "evidence_key" in _columns(engine_of_cli)
    runner = CliRunner()

    # Upgrading first is refused in one line, without a traceback, and changes nothing.
    refused = runner.invoke(app, ["db", "upgrade"])
    assert refused.exit_code == 2, refused.output
    assert "upgrade refused, nothing changed: 4 check hits have no finding key" in (refused.output)
    assert "Traceback" not in refused.output
    assert "evidence_key" in _columns(engine_of_cli)

    dry = runner.invoke(app, ["checks", "dedupe-hits", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "findings recorded more than once: 1 (2 rows would be removed, on 1 claims)" in (
        dry.output
    )
    with Session(engine_of_cli) as db:
        assert len(db.scalars(select(CheckHit)).all()) == 4

    done = runner.invoke(app, ["checks", "dedupe-hits", "--batch-size", "1"])
    assert done.exit_code == 0, done.output
    assert "claims looked at: 1" in done.output
    assert "(2 rows were removed, on 1 claims)" in done.output
    assert "hits keyed without a merge: 1" in done.output
    with Session(engine_of_cli) as db:
        rows = {h.evidence["receipt_id"]: h for h in db.scalars(select(CheckHit))}
        assert set(rows) == {41, 42}
        kept = rows[41]
        assert kept.id == seeded["first"]
        # The first found, carrying the cleared hold of the second; the latest median.
        assert (kept.action, kept.fraud_flag_id, kept.outcome) == (
            "hold",
            seeded["flag"],
            "false_hold",
        )
        assert kept.evidence["median"] == "850.00"
        assert kept.finding_key == finding_key("amount_outlier", kept.evidence)
        assert rows[42].finding_key == finding_key("amount_outlier", rows[42].evidence)
        (entry,) = db.scalars(
            select(AuditEntry).where(AuditEntry.action == "claim.check_hits_merged")
        ).all()
        assert entry.entity_id == str(seeded["claim"]) and entry.actor == "checks-dedupe"

    again = runner.invoke(app, ["checks", "dedupe-hits"])
    assert again.exit_code == 0, again.output
    assert "findings recorded more than once: 0" in again.output
    assert "hits keyed without a merge: 0" in again.output

    # Then the upgrade (docs/operations.md): 0044 passes, and the command still runs.
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "evidence_key" not in _columns(engine_of_cli)
    after = runner.invoke(app, ["checks", "dedupe-hits"])
    assert after.exit_code == 0, after.output
    assert "hits keyed without a merge: 0" in after.output
