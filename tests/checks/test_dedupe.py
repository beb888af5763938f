"""A finding recorded more than once before findings were keyed is merged into one row
(SPEC CLM-F3, CLM-F1, CLM-T4, GEN-5).

Before da34af0 a hit was keyed by its whole evidence, whose figures move with the book:
a re-run on a later day recorded the same finding again — a second row, and for a hold a
second flag that held a claim an investigator had cleared. ``checks.dedupe`` keeps the
first found, with the hold and decision it carries, takes the latest figures, deletes
the others, audits the merge and acts on nothing: no claim held, none released.

Here on the current schema (finding_key NOT NULL, migration 0044), the rows keyed by
another identity than today's ``findings.IDENTITY`` — their whole-evidence key, as an
upgrade that changes IDENTITY leaves them; tests/checks/test_cli.py runs the command on
the schema before 0044, on rows with no finding key."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.checks import dedupe, service
from claimdesk.claims.fraud.service import flag as fraud_flag
from claimdesk.dashboards import queries
from claimdesk.dashboards import service as dashboards
from claimdesk.models.audit import AuditEntry
from claimdesk.models.check import CheckHit
from claimdesk.models.claim import Claim, FraudFlag
from claimdesk.rules.checks.findings import finding_key
from tests.checks.helpers import ReceiptBook, old_key, only_checks, report, stranger_claim
from tests.claims.helpers import World

CLINIC = "某某诊所"
JUNE = queries.Filters(dt.date(2026, 6, 1), dt.date(2026, 6, 30))
DAY = dt.timedelta(days=1)


def as_before(row: CheckHit) -> None:
    """The row keyed by another identity than today's: its whole-evidence key."""
    row.finding_key = old_key(row.check_code, row.evidence)


def recorded_again(
    db: Session,
    row: CheckHit,
    *,
    evidence: dict[str, Any],
    later: dt.timedelta,
    action: str | None = None,
    held: bool = False,
) -> CheckHit:
    """What a re-run with moved figures did before da34af0: a second row of the same
    finding, and for a hold a second flag that suspends the claim again."""
    flag_id = None
    if held:
        claim = db.get_one(Claim, row.claim_id)
        flag_id = fraud_flag(
            db,
            actor=service.system_actor(),
            claim=claim,
            description=f"{row.reason_zh} / {row.reason_en}",
            rule_code=f"check:{row.check_code}",
        ).id
    again = CheckHit(
        claim_id=row.claim_id,
        check_code=row.check_code,
        config_version=row.config_version,
        action=action or row.action,
        reason_zh=row.reason_zh + "（数据已更新）",
        reason_en=row.reason_en + " (figures moved)",
        evidence=evidence,
        finding_key=old_key(row.check_code, evidence),
        data_version="a later day",
        found_at=row.found_at + later,
        fraud_flag_id=flag_id,
    )
    db.add(again)
    db.flush()
    return again


def _cluster(world: World, db: Session, book: ReceiptBook, action: str) -> tuple[int, CheckHit]:
    """A provider_cluster finding on a claim of the world's insured (found by the run)."""
    only_checks(
        db,
        provider_cluster={"action": action, "parameters": {"window_days": 3, "min_insureds": 3}},
    )
    others = [stranger_claim(world, db, "801"), stranger_claim(world, db, "802")]
    mine = int(report(world, policy_number=world.policies["MED-MILLION"].number)["id"])  # type: ignore[attr-defined]
    for n, cid in enumerate([*others, mine]):
        book.add(claim_id=cid, number=str(n), issuer=CLINIC, on=f"2026-06-0{n + 1}")
    result = service.run_checks(db, claim_id=mine, actor=service.system_actor())
    db.commit()
    (hit,) = result.new_hits
    return mine, hit


def _resolve(world: World, claim_id: int, flag_id: int, outcome: str = "cleared") -> str:
    response = world.client.post(
        f"/api/v1/claims/{claim_id}/fraud-flags/{flag_id}/resolve",
        json={"outcome": outcome, "note": "诊所周边体检活动，核实无误"},
        headers=world.h["investigator"],
    )
    assert response.status_code == 200, response.text
    return str(response.json()["state"])


def _cluster_measures(db: Session) -> tuple[Any, ...]:
    rows = dashboards.stp_checks(db, actor=Principal.system("test"), filters=JUNE).rows
    (found,) = [r for r in rows if r[0] == "provider_cluster"]
    return tuple(found[3:7])  # hits, holds, referrals, false holds


def _flags(db: Session, claim_id: int) -> dict[int, str]:
    rows = db.scalars(select(FraudFlag).where(FraudFlag.claim_id == claim_id))
    return {f.id: str(f.status) for f in rows}


def _hits(db: Session, claim_id: int) -> list[CheckHit]:
    db.expire_all()
    return list(db.scalars(select(CheckHit).where(CheckHit.claim_id == claim_id)))


def test_a_cleared_hold_held_again_is_merged_into_the_first(
    world: World, db: Session, book: ReceiptBook
):
    # SPEC CLM-F3 CLM-F1 CLM-T4 GEN-5
    mine, first = _cluster(world, db, book, "hold")
    first_flag = first.fraud_flag_id
    assert first_flag is not None
    _resolve(world, mine, first_flag)
    db.expire_all()
    as_before(first)
    # Two days on the old code ran again: the clinic's usual had moved, a second row and
    # a second hold of the claim the investigator had cleared.
    moved = {**first.evidence, "usual": "1.50"}
    second = recorded_again(db, first, evidence=moved, later=2 * DAY, held=True)
    db.commit()
    held = db.get_one(Claim, mine).state
    flags = _flags(db, mine)
    assert len(flags) == 2 and flags[first_flag] == "cleared"
    # CLM-T4 counts each row until the repair (the other two: the series re-check's).
    assert _cluster_measures(db) == (4, 4, 0, 1)

    repair = dedupe.repair_claim(db, claim_id=mine, actor=dedupe.system_actor())
    db.commit()

    (merge,) = repair.merges
    assert merge.kept_id == first.id and merge.removed_ids == (second.id,)
    assert merge.open_flag_ids == (second.fraud_flag_id,) and not merge.decisions_differ
    (row,) = _hits(db, mine)
    assert row.id == first.id
    assert (row.fraud_flag_id, row.outcome, row.action) == (first_flag, "false_hold", "hold")
    assert row.evidence == moved and row.reason_en.endswith("(figures moved)")
    assert row.data_version == "a later day"
    assert row.finding_key == finding_key("provider_cluster", moved)
    # Nothing acted on: the flags as they were, the claim where it was.
    assert _flags(db, mine) == flags
    assert db.get_one(Claim, mine).state == held
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.check_hits_merged", AuditEntry.entity_id == str(mine)
        )
    ).one()
    details = json.loads(entry.details)
    assert details["kept_hit_id"] == first.id and details["evidence_from"] == second.id
    assert [r["hit_id"] for r in details["removed"]] == [second.id]
    assert details["removed"][0]["flag_status"] == "open"
    assert details["open_flag_ids"] == [second.fraud_flag_id]
    assert "usual" not in entry.details  # no evidence in the trail
    assert _cluster_measures(db) == (3, 3, 0, 1)

    # Rerun: nothing to do. A later checks run finds the keyed row and acts on nothing.
    assert not dedupe.repair_claim(db, claim_id=mine, actor=dedupe.system_actor()).changed
    book.add(claim_id=stranger_claim(world, db, "803"), number="9", issuer=CLINIC, on="2026-05-10")
    again = service.run_checks(db, claim_id=mine, actor=service.system_actor())
    db.commit()
    assert again.new_hits == [] and not again.held
    assert [h.id for h in _hits(db, mine)] == [first.id]
    assert _flags(db, mine) == flags


def test_a_referral_takes_the_hold_its_duplicate_raised(
    world: World, db: Session, book: ReceiptBook
):
    # SPEC CLM-F3 CLM-F1 CLM-T4: the check referred first; after a configuration change
    # the old code held the claim on the same finding. The kept row carries that hold, so
    # the investigator's decision on it, still to come, is the finding's.
    mine, first = _cluster(world, db, book, "refer")
    as_before(first)
    second = recorded_again(
        db, first, evidence={**first.evidence, "usual": "2.00"}, later=DAY, action="hold", held=True
    )
    db.commit()
    assert second.fraud_flag_id is not None

    repair = dedupe.repair_claim(db, claim_id=mine, actor=dedupe.system_actor())
    db.commit()
    (merge,) = repair.merges
    assert merge.open_flag_ids == ()  # the flag is the kept row's now
    (row,) = _hits(db, mine)
    assert row.id == first.id
    assert (row.action, row.fraud_flag_id, row.outcome) == ("hold", second.fraud_flag_id, None)

    _resolve(world, mine, second.fraud_flag_id)
    (row,) = _hits(db, mine)
    assert row.outcome == "false_hold"
    assert _cluster_measures(db)[:4] == (3, 1, 2, 1)


def test_a_decided_duplicate_of_a_referral_keeps_its_clearance(
    world: World, db: Session, book: ReceiptBook
):
    # SPEC CLM-F1 CLM-T4: the duplicate's hold was cleared before the repair; the kept
    # row carries the clearance (a false hold), and the measures count it once.
    mine, first = _cluster(world, db, book, "refer")
    as_before(first)
    second = recorded_again(
        db, first, evidence={**first.evidence, "usual": "2.00"}, later=DAY, action="hold", held=True
    )
    db.commit()
    assert second.fraud_flag_id is not None
    _resolve(world, mine, second.fraud_flag_id)
    assert _cluster_measures(db) == (4, 1, 3, 1)

    dedupe.repair_claim(db, claim_id=mine, actor=dedupe.system_actor())
    db.commit()
    (row,) = _hits(db, mine)
    assert (row.id, row.action, row.outcome) == (first.id, "hold", "false_hold")
    assert row.outcome_by_id == world.users["investigator"]
    assert _cluster_measures(db) == (3, 1, 2, 1)


def test_other_findings_are_keyed_not_merged(world: World, db: Session, book: ReceiptBook):
    # SPEC CLM-F3: a grown cluster (another claim named) is another finding; both rows
    # stay and are keyed, a dry run changes nothing, and the key is unique.
    mine, first = _cluster(world, db, book, "refer")
    as_before(first)
    grown = {**first.evidence, "claim_ids": [*first.evidence["claim_ids"], 999999]}
    other = recorded_again(db, first, evidence=grown, later=DAY)
    db.commit()

    dry = dedupe.repair_claim(db, claim_id=mine, actor=dedupe.system_actor(), dry_run=True)
    assert dry.merges == [] and dry.keyed == 2
    stale = {first.id: old_key("provider_cluster", first.evidence), other.id: other.finding_key}
    assert {h.id: h.finding_key for h in _hits(db, mine)} == stale

    repair = dedupe.repair_claim(db, claim_id=mine, actor=dedupe.system_actor())
    db.commit()
    assert repair.merges == [] and repair.keyed == 2
    assert {h.id: h.finding_key for h in _hits(db, mine)} == {
        first.id: finding_key("provider_cluster", first.evidence),
        other.id: finding_key("provider_cluster", grown),
    }
    assert (
        db.scalars(select(AuditEntry).where(AuditEntry.action == "claim.check_hits_merged")).all()
        == []
    )

    # The same finding cannot be recorded twice any more.
    twin = CheckHit(
        claim_id=mine,
        check_code="provider_cluster",
        config_version=1,
        action="refer",
        reason_zh="理由",
        reason_en="reason",
        evidence=dict(first.evidence),
        finding_key=finding_key("provider_cluster", first.evidence),
        data_version="v",
        found_at=first.found_at + DAY,
    )
    db.add(twin)
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_a_run_records_a_finding_keyed_by_another_identity_again_and_the_repair_merges(
    world: World, db: Session, book: ReceiptBook
):
    # SPEC CLM-F3 CLM-T4: a run finds a recorded finding by its stored key only
    # (checks.repository.findings_of). Keyed by another identity — an upgrade that
    # changed IDENTITY, before the command ran (docs/operations.md) — it is recorded
    # again; the repair keeps the first, with the run's latest figures.
    mine, first = _cluster(world, db, book, "refer")
    as_before(first)
    db.commit()
    book.add(claim_id=stranger_claim(world, db, "804"), number="9", issuer=CLINIC, on="2026-05-10")
    (again,) = service.run_checks(db, claim_id=mine, actor=service.system_actor()).new_hits
    db.commit()
    key = finding_key("provider_cluster", first.evidence)
    assert again.finding_key == key and first.finding_key != key
    latest = again.evidence

    repair = dedupe.repair_claim(db, claim_id=mine, actor=dedupe.system_actor())
    db.commit()
    assert [m.removed_ids for m in repair.merges] == [(again.id,)]
    (row,) = _hits(db, mine)
    assert (row.id, row.finding_key, row.evidence) == (first.id, key, latest)
