"""The checks read e-bills through the bills domain (CLM-T1) when it is installed: a bill
queues a run and the same receipt on two claims of two policies is held (SPEC CLM-F3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.checks import receipts, service
from claimdesk.models.base import utcnow
from claimdesk.models.claim import Claim
from claimdesk.models.job import Job
from tests.builders import demo_version, issue_policy, make_person, resident_id
from tests.checks.helpers import report
from tests.claims.helpers import FrozenClock, World, build_world, local

bill_model = pytest.importorskip("claimdesk.models.bill")
bill_rules = pytest.importorskip("claimdesk.rules.bills")


@pytest.fixture
def world(db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> World:
    FrozenClock(monkeypatch, local("2026-06-10T10:00:00"))
    receipts.register_receipt_source(None)  # the bills domain's own source
    return build_world(db, client)


def _bill(db: Session, claim_id: int, number: str, line: str = "前列腺彩超") -> None:
    bill = bill_model.Bill(
        claim_id=claim_id,
        receipt_code="11010125",
        receipt_number=number,
        receipt_key=bill_rules.receipt_key("11010125", number),
        issuer_name="北京协和医院",
        issuer_credit_code="12100000400000000X",
        issue_date=dt.date(2026, 6, 1),
        total=Decimal("300.00"),
        source="staff",
        submitted_at=utcnow(),
        auth_method="password",
        original="{}",
    )
    bill.lines = [
        bill_model.BillLine(
            position=1,
            item_code="220800001",
            name=line,
            quantity=Decimal("1"),
            unit_price=Decimal("300.00"),
            amount=Decimal("300.00"),
            catalog="A",
        )
    ]
    db.add(bill)
    db.commit()


def test_a_bill_queues_a_run_and_a_reused_receipt_is_held(world: World, db: Session):
    # SPEC CLM-F3 CLM-F1 CLM-T1
    stranger = make_person(
        db, name="赵六", id_number=resident_id(birth="19700101", seq="777"), phone="13700000001"
    )
    version = demo_version(db, "MED-MILLION")
    other = issue_policy(db, version_id=version.id, policyholder_id=stranger.id)
    db.commit()
    first = report(world, policy_number=world.policies["MED-MILLION"].number)  # type: ignore[attr-defined]
    second = report(world, policy_number=other.number, phone="13700000001")
    _bill(db, first["id"], "0000000077")
    before = set(db.scalars(select(Job.dedupe_key).where(Job.kind == "checks.run")))
    _bill(db, second["id"], "0000000077")
    # A run for the claim's new data; the one queued for its report alone is dropped.
    after = set(db.scalars(select(Job.dedupe_key).where(Job.kind == "checks.run")))
    added = after - before
    assert len(added) == 1 and added.pop().startswith(f"checks.run:{second['id']}:")
    assert len(after) == len(before)
    result = service.run_checks(db, claim_id=second["id"], actor=service.system_actor())
    db.commit()
    codes = sorted(h.check_code for h in result.new_hits)
    assert "duplicate_receipt" in codes
    assert db.get_one(Claim, second["id"]).state == "suspended"
    # The woman of build_world with a prostate item on her own bill: a sex mismatch.
    mine = service.run_checks(db, claim_id=first["id"], actor=service.system_actor())
    assert "sex_age_mismatch" in [h.check_code for h in mine.new_hits]
