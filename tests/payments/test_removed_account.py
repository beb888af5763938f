"""A payout account its holder removed is paid no more (SPEC CLM-P1 CLM-P5): the
customer cannot remove their only account while a claim of theirs is approved and
waiting to be paid, and once the account is out of use (here: removed after a second
account came), a payment asked to it is refused naming the field; the second is paid."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.models.person import BankAccount
from claimdesk.people import service as people
from claimdesk.people.errors import BankAccountOnlyOneForApprovedClaim
from tests.builders import add_bank_account
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import API, Settlement, build_settlement, ok
from tests.payments.test_payment_means import approved


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def _insured(db: Session, s: Settlement) -> Principal:
    return Principal.build(
        user_id=None, username="insured", roles=frozenset({"customer"}), person_id=s.insured_id
    )


def test_a_removed_account_is_not_paid(s: Settlement, db: Session, monkeypatch) -> None:
    # SPEC CLM-P1 CLM-P5
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = approved(s, clock)
    w, c = s.w, s.w.client
    with pytest.raises(BankAccountOnlyOneForApprovedClaim):
        people.remove_own_bank_account(db, actor=_insured(db, s), account_id=s.account_id)
    holder = db.get_one(BankAccount, s.account_id).holder_name
    new = add_bank_account(
        db, person_id=s.insured_id, holder_name=holder, account_number="6222020200007654326"
    )
    people.remove_own_bank_account(db, actor=_insured(db, s), account_id=s.account_id)
    db.commit()
    refused = c.post(
        f"{API}/{cid}/payments?lang=en",
        json={"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
        headers={**w.h["cashier"], "Idempotency-Key": f"pay-{cid}-removed"},
    )
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("bank_account_removed", "bank_account_id")
    assert "removed this account" in error["message"]
    paid = ok(
        c.post(
            f"{API}/{cid}/payments",
            json={"payee_person_id": s.insured_id, "bank_account_id": new.id},
            headers={**w.h["cashier"], "Idempotency-Key": f"pay-{cid}-new"},
        ),
        201,
    )
    assert paid["status"] == "pending"
