"""provider_cluster reads the rest of the book from the stored bills (SPEC CLM-F3, issue
13): the book's claims per day around a claim's receipts, one aggregate; a wave over the
other providers excuses a provider's surge, a ring in a steady book is still caught."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.checks import receipts, repository, service
from claimdesk.models.base import utcnow
from claimdesk.models.claim import Claim
from tests.builders import demo_version, issue_policy, make_claim, make_person, resident_id
from tests.checks.helpers import only_checks
from tests.claims.helpers import FrozenClock, World, build_world, local

bill_model = pytest.importorskip("claimdesk.models.bill")
bill_rules = pytest.importorskip("claimdesk.rules.bills")

CLINIC, OTHER = "幸福社区门诊部", "北京协和医院"
DAY = dt.date(2026, 6, 1)  # the checked claim's treatment: its window is 05-29 … 06-04


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-06-10T10:00:00"))
    receipts.register_receipt_source(None)  # the bills domain's own source
    return build_world(db, client)


def _bill(db: Session, claim: Claim, issuer: str, on: dt.date) -> None:
    number = f"{on.toordinal() % 10**6:06d}{1 if issuer == CLINIC else 2}"
    db.add(
        bill_model.Bill(
            claim_id=claim.id,
            receipt_code="11010125",
            receipt_number=number,
            receipt_key=bill_rules.receipt_key("11010125", number),
            issuer_name=issuer,
            issuer_credit_code="12100000400000000X",
            issue_date=on,
            total=Decimal("300.00"),
            source="staff",
            submitted_at=utcnow(),
            auth_method="password",
            original="{}",
            lines=[
                bill_model.BillLine(
                    position=1,
                    item_code="110200001",
                    name="门诊诊查费",
                    quantity=Decimal("1"),
                    unit_price=Decimal("300.00"),
                    amount=Decimal("300.00"),
                    catalog="A",
                )
            ],
        )
    )


def _claim(db: Session, policy: Any, n: int) -> Claim:
    return make_claim(
        db,
        number=f"CLM-T-{n:04d}",
        policy=policy,
        loss_date="2026-06-01",
        received_at="2026-06-09T10:00:00+08:00",
    )


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=d) for d in range((last - first).days + 1)]


def _book(db: Session, world: World, *, wave: bool) -> Claim:
    """Three unrelated parties (three policies) at the clinic, once each in April and on
    the claim's days in June; the rest of the book one claim a day at another hospital
    from March to June, and with ``wave`` four more claims a day in the claim's week.
    Returns the checked claim (the customer's, at the clinic on 06-01)."""
    version = demo_version(db, "MED-MILLION")
    mine_policy = world.policies["MED-MILLION"]
    strangers = [
        issue_policy(
            db,
            version_id=version.id,
            policyholder_id=make_person(
                db,
                name=f"路人{i}",
                id_number=resident_id(birth="19750101", seq=f"7{i:02d}"),
                phone=f"1375555070{i}",
            ).id,
        )
        for i in range(2)
    ]
    n = iter(range(1, 100))
    for policy, on in zip(
        [mine_policy, *strangers], [dt.date(2026, 4, 20), dt.date(2026, 4, 25), DAY], strict=True
    ):
        _bill(db, _claim(db, policy, next(n)), CLINIC, on if on < DAY else dt.date(2026, 5, 1))
    for policy, on in zip(strangers, [DAY, DAY + dt.timedelta(days=1)], strict=True):
        _bill(db, _claim(db, policy, next(n)), CLINIC, on)
    # The book's steady traffic: one claim with a bill every day (the book is counted in
    # claims a day: any claim, any provider).
    steady = _claim(db, mine_policy, next(n))
    for on in _days(dt.date(2026, 3, 3), dt.date(2026, 6, 4)):
        _bill(db, steady, OTHER, on)
    if wave:
        for _ in range(4):
            sick = _claim(db, mine_policy, next(n))
            for on in _days(DAY - dt.timedelta(days=3), DAY + dt.timedelta(days=3)):
                _bill(db, sick, OTHER, on)
    mine = _claim(db, mine_policy, next(n))
    _bill(db, mine, CLINIC, DAY)
    db.commit()
    return mine


def _params(**more: Any) -> dict[str, Any]:
    return {"action": "refer", "parameters": {"window_days": 3, "min_insureds": 3, **more}}


def test_the_book_is_read_as_claims_a_day_around_the_receipts(world: World, db: Session):
    # SPEC CLM-F3: distinct claims a day (two bills of one claim on a day count once),
    # never the checked claim, only within 90 days of its receipt days.
    mine = _book(db, world, wave=False)
    twice = _claim(db, world.policies["MED-MILLION"], 99)
    _bill(db, twice, OTHER, DAY)
    _bill(db, twice, CLINIC, DAY)
    _bill(db, mine, CLINIC, DAY + dt.timedelta(days=2))  # the claim's own second bill
    _bill(db, twice, OTHER, DAY + dt.timedelta(days=93))  # 91 days after its last
    db.commit()
    book = repository.gather(db, claim=mine).book_days
    assert min(book) == dt.date(2026, 3, 3) and max(book) == DAY + dt.timedelta(days=3)
    # 06-01: the steady claim, a stranger at the clinic, and ``twice`` (once).
    assert book[DAY] == 3 and book[DAY + dt.timedelta(days=1)] == 2
    assert book[dt.date(2026, 4, 20)] == 2 and book[dt.date(2026, 3, 3)] == 1
    assert DAY + dt.timedelta(days=93) not in book


def test_a_ring_at_the_clinic_in_a_steady_book_is_referred(world: World, db: Session):
    # SPEC CLM-F3: 3 parties in the window against a usual of 0.23, the rest of the book
    # at its usual (lift 1.00).
    mine = _book(db, world, wave=False)
    only_checks(db, provider_cluster=_params())
    result = service.run_checks(db, claim_id=mine.id, actor=service.system_actor())
    db.commit()
    assert [h.check_code for h in result.new_hits] == ["provider_cluster"]
    evidence = result.new_hits[0].evidence
    assert evidence["insureds"] == 3 and evidence["book_lift"] == "1.00"
    assert "1.0 times its usual" in result.new_hits[0].reason_en


def test_a_wave_over_the_whole_book_excuses_the_clinic(world: World, db: Session):
    # SPEC CLM-F3: the same three at the clinic while the rest of the book runs at 5
    # times its usual (35 claim-days in the week against 7): within 3 × 5 × 0.23.
    mine = _book(db, world, wave=True)
    only_checks(db, provider_cluster=_params())
    result = service.run_checks(db, claim_id=mine.id, actor=service.system_actor())
    db.commit()
    assert result.new_hits == []
    # Without relative_to_book (the check before issue 13's fix) it was referred.
    only_checks(db, provider_cluster=_params(relative_to_book=0))
    result = service.run_checks(db, claim_id=mine.id, actor=service.system_actor())
    db.commit()
    assert [h.evidence["book_lift"] for h in result.new_hits] == [None]
