"""A customer removes one of their payout accounts (SPEC CLM-P1 CLM-P5 CLM-T2 SEC-4):
the row stays — payments and the checks' history name it — but nothing is paid to it any
more; refused (409, Chinese and English) while a claim needs it: a payment to it not yet
made, or it is the only account while a claim of theirs is approved and waiting to be
paid. Audited; adding the number again restores the same row."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.automatic import repository as automatic
from claimdesk.models.audit import AuditEntry
from claimdesk.models.payment import Payment
from claimdesk.models.person import BankAccount, Person
from claimdesk.people import service
from claimdesk.people.errors import (
    BankAccountAlreadyRemoved,
    BankAccountHasUnpaidPayment,
    BankAccountInUse,
    BankAccountNotFound,
    BankAccountOnlyOneForApprovedClaim,
)
from tests.builders import (
    add_bank_account,
    demo_version,
    issue_policy,
    login_headers,
    make_claim,
    make_person,
    make_user,
    resident_id,
)

CARD = "6222021001234567896"
SECOND = "6222020200007654326"
OTHER_CARD = "6222020200001234562"


def _customer(person_id: int) -> Principal:
    return Principal.build(
        user_id=None, username="c", roles=frozenset({"customer"}), person_id=person_id
    )


def _claim(db: Session, person: Person, *, state: str, number: str) -> int:
    policy = issue_policy(db, version_id=demo_version(db).id, policyholder_id=person.id)
    return make_claim(db, number=number, policy=policy, state=state).id


def _payment(db: Session, *, claim_id: int, account: BankAccount, status: str) -> Payment:
    payment = Payment(
        claim_id=claim_id,
        kind="indemnity",
        sequence=1,
        idempotency_key=f"test-{claim_id}-{status}",
        amount=Decimal("420.00"),
        allocations={},
        means="bank_transfer",
        payee_person_id=account.person_id,
        payee_name="王建国",
        payee_basis="insured",
        bank_account_id=account.id,
        account_last4=account.account_last4,
        status=status,
        created_at=dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.UTC),
    )
    db.add(payment)
    db.flush()
    return payment


def test_a_removed_account_is_kept_paid_no_more_audited_and_restored(db: Session) -> None:
    # SPEC CLM-P1 CLM-T2: the row stays; lists, payment form and automatic path leave it out
    me = make_person(db)
    first = add_bank_account(db, person_id=me.id, holder_name="王建国", account_number=CARD)
    second = add_bank_account(db, person_id=me.id, holder_name="王建国", account_number=SECOND)
    removed = service.remove_own_bank_account(
        db, actor=_customer(me.id), account_id=first.id, reason="销户"
    )
    assert removed.id == first.id and removed.removed_at is not None
    assert db.get(BankAccount, first.id) is not None  # kept
    assert [a.id for a in service.own_bank_accounts(db, actor=_customer(me.id))] == [second.id]
    assert [a.id for a in service.bank_accounts_of(db, person_id=me.id)] == [second.id]
    assert [a.id for a in automatic.accounts_of(db, person_id=me.id)] == [second.id]
    staff = service.get_person(db, actor=Principal.system("t"), person_id=me.id)
    assert {a.id for a in staff.bank_accounts} == {first.id, second.id}  # history
    with pytest.raises(BankAccountAlreadyRemoved) as twice:
        service.remove_own_bank_account(db, actor=_customer(me.id), account_id=first.id)
    assert twice.value.status_code == 409
    db.commit()
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "bank_account.removed"))
    assert entry.entity_id == str(first.id) and entry.reason == "销户"
    assert json.loads(entry.details or "{}") == {"person_id": me.id, "accounts_left": 1}
    assert CARD not in (entry.details or "")
    # Added again: the same row in use again, audited as restored.
    again = service.add_own_bank_account(
        db, actor=_customer(me.id), holder_name="王建国", bank_name="招商银行", account_number=CARD
    )
    assert again.id == first.id and again.removed_at is None and again.bank_name == "招商银行"
    db.commit()
    assert db.scalars(
        select(AuditEntry).where(AuditEntry.action == "bank_account.restored")
    ).one().entity_id == str(first.id)


def test_another_persons_account_is_not_found(db: Session) -> None:
    # SPEC SEC-4: the principal's own accounts only
    me = make_person(db)
    other = make_person(db, name="李静", id_number=resident_id(seq="619"), phone="13987654321")
    theirs = add_bank_account(db, person_id=other.id, holder_name="李静", account_number=OTHER_CARD)
    with pytest.raises(BankAccountNotFound) as caught:
        service.remove_own_bank_account(db, actor=_customer(me.id), account_id=theirs.id)
    assert caught.value.status_code == 404
    assert db.get_one(BankAccount, theirs.id).removed_at is None


@pytest.mark.parametrize("status", ["pending", "exported", "failed"])
def test_an_account_with_a_payment_not_yet_made_is_refused(db: Session, status: str) -> None:
    # SPEC CLM-P1 CLM-P5: the money in flight (a failed transfer is sent again to it)
    me = make_person(db)
    account = add_bank_account(db, person_id=me.id, holder_name="王建国", account_number=CARD)
    add_bank_account(db, person_id=me.id, holder_name="王建国", account_number=SECOND)
    claim_id = _claim(db, me, state="approved", number="LP202610010001")
    _payment(db, claim_id=claim_id, account=account, status=status)
    with pytest.raises(BankAccountHasUnpaidPayment) as caught:
        service.remove_own_bank_account(db, actor=_customer(me.id), account_id=account.id)
    error = caught.value
    assert isinstance(error, BankAccountInUse) and error.status_code == 409
    assert "尾号 7896" in error.message("zh-CN") and "LP202610010001" in error.message("zh-CN")
    assert "尚未完成的付款" in error.message("zh-CN")
    assert "ending 7896" in error.message("en") and "not been made" in error.message("en")
    assert db.get_one(BankAccount, account.id).removed_at is None


@pytest.mark.parametrize("status", ["paid", "cancelled"])
def test_an_account_whose_payments_are_done_is_removed(db: Session, status: str) -> None:
    # SPEC CLM-P1: a payment made (or a cash one cancelled) needs the account no more
    me = make_person(db)
    account = add_bank_account(db, person_id=me.id, holder_name="王建国", account_number=CARD)
    claim_id = _claim(db, me, state="paid", number="LP202610010002")
    _payment(db, claim_id=claim_id, account=account, status=status)
    removed = service.remove_own_bank_account(db, actor=_customer(me.id), account_id=account.id)
    assert removed.removed_at is not None


def test_the_only_account_with_a_claim_awaiting_payment_is_refused(db: Session) -> None:
    # SPEC CLM-P1: an approved claim waits for its payment: add the new account first
    me = make_person(db)
    account = add_bank_account(db, person_id=me.id, holder_name="王建国", account_number=CARD)
    _claim(db, me, state="approved", number="LP202610010003")
    with pytest.raises(BankAccountOnlyOneForApprovedClaim) as caught:
        service.remove_own_bank_account(db, actor=_customer(me.id), account_id=account.id)
    assert caught.value.status_code == 409
    assert "唯一的收款账户" in caught.value.message("zh-CN")
    assert "LP202610010003" in caught.value.message("en")
    assert "add the new account first" in caught.value.message("en")
    # With a second account in use, the first may go.
    add_bank_account(db, person_id=me.id, holder_name="王建国", account_number=SECOND)
    assert service.remove_own_bank_account(
        db, actor=_customer(me.id), account_id=account.id
    ).removed_at


def test_the_only_account_goes_when_no_claim_waits_for_payment(db: Session) -> None:
    # SPEC CLM-P1: a claim still being worked does not hold the account (one is added later)
    me = make_person(db)
    account = add_bank_account(db, person_id=me.id, holder_name="王建国", account_number=CARD)
    _claim(db, me, state="in_review", number="LP202610010004")
    assert service.remove_own_bank_account(
        db, actor=_customer(me.id), account_id=account.id
    ).removed_at


def test_me_api_removes_and_refuses_in_both_languages(db: Session, client) -> None:
    # SPEC CLM-P1 SEC-4 GEN-6: POST /me/bank-accounts/{id}/remove
    me = make_person(db)
    account = add_bank_account(db, person_id=me.id, holder_name="王建国", account_number=CARD)
    claim_id = _claim(db, me, state="approved", number="LP202610010005")
    make_user(db, username="wangrm", roles=["customer"], person_id=me.id)
    db.commit()
    headers = login_headers(client, "wangrm")
    refused = client.post(
        f"/api/v1/me/bank-accounts/{account.id}/remove?lang=en",
        headers=headers,
        json={},
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "bank_account_needed_for_approved_claim"
    assert "only payout account" in refused.json()["error"]["message"]
    second = add_bank_account(db, person_id=me.id, holder_name="王建国", account_number=SECOND)
    _payment(db, claim_id=claim_id, account=second, status="pending")
    db.commit()
    unpaid = client.post(
        f"/api/v1/me/bank-accounts/{second.id}/remove?lang=zh-CN",
        headers=headers,
        json={},
    )
    assert unpaid.status_code == 409
    assert "尚未完成的付款" in unpaid.json()["error"]["message"]
    done = client.post(
        f"/api/v1/me/bank-accounts/{account.id}/remove", headers=headers, json={"reason": "换卡"}
    )
    assert done.status_code == 200, done.text
    assert done.json()["removed_at"] and done.json()["account_number"] == "**** **** **** 7896"
    listed = client.get("/api/v1/me/bank-accounts", headers=headers).json()
    assert [a["id"] for a in listed] == [second.id]
    missing = client.post("/api/v1/me/bank-accounts/999999/remove", headers=headers, json={})
    assert missing.status_code == 404
