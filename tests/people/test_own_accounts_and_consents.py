"""A customer's own payout accounts and consents through the people service and /me
(SPEC CLM-T2 SEC-1 SEC-4 SEC-6): accounts in their own name only, added through the one
path staff use (card rule, keyed hash, audit), shown masked; consents listed and
withdrawn, their own and nobody else's."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from claimdesk.auth.principal import Principal
from claimdesk.errors import InvalidBankCard
from claimdesk.models.audit import AuditEntry
from claimdesk.models.person import BankAccount
from claimdesk.people import service
from claimdesk.people.errors import (
    ConsentAlreadyGiven,
    ConsentNotFound,
    HolderNotOwnName,
    NoOwnProfile,
)
from tests.builders import add_bank_account, login_headers, make_person, make_user, resident_id

CARD = "6222021001234567896"
OTHER_CARD = "6222020200001234562"


def _customer(person_id: int | None) -> Principal:
    return Principal.build(
        user_id=None, username="c", roles=frozenset({"customer"}), person_id=person_id
    )


def _accounts(db) -> list[BankAccount]:
    return list(db.scalars(select(BankAccount)))


def test_a_customer_adds_an_account_in_their_own_name_audited(db) -> None:
    # SPEC CLM-T2 SEC-1: the holder is the insured, the number kept encrypted with its hash
    me = make_person(db)
    account = service.add_own_bank_account(
        db, actor=_customer(me.id), holder_name="王 建国", bank_name="招商银行", account_number=CARD
    )
    assert account.person_id == me.id and account.account_last4 == "7896"
    assert account.account_hash and CARD not in account.account_hash
    db.commit()  # the audit entries are written with the transaction
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "bank_account.added"))
    assert entry.entity_id == str(account.id) and CARD not in (entry.details or "")
    assert json.loads(entry.details or "{}")["holder_is_person"] is True
    assert [a.id for a in service.own_bank_accounts(db, actor=_customer(me.id))] == [account.id]


def test_an_account_in_another_name_is_refused_and_nothing_written(db) -> None:
    # SPEC CLM-T2: another person's account is the service desk's to register
    me = make_person(db)
    with pytest.raises(HolderNotOwnName) as caught:
        service.add_own_bank_account(
            db,
            actor=_customer(me.id),
            holder_name="李静",
            bank_name="招商银行",
            account_number=CARD,
        )
    assert caught.value.field == "holder_name"
    assert "户名" in caught.value.message("zh-CN") and "柜面" in caught.value.message("zh-CN")
    assert "Account holder" in caught.value.message("en")
    assert "service desk" in caught.value.message("en")
    assert _accounts(db) == []


def test_the_card_rule_of_the_staff_path_applies(db) -> None:
    # SPEC SEC-1 CLM-T2: digits only, 12 to 19, Luhn, as add_bank_account checks for staff
    me = make_person(db)
    for bad in ("6222-abc", "12345678901", "6222021001234567890"):
        with pytest.raises(InvalidBankCard) as caught:
            service.add_own_bank_account(
                db,
                actor=_customer(me.id),
                holder_name="王建国",
                bank_name="银行",
                account_number=bad,
            )
        assert caught.value.field == "account_number"
    assert _accounts(db) == []


def test_accounts_and_consents_are_the_principals_own_only(db) -> None:
    # SPEC SEC-4: the principal's person id, never another's
    me = make_person(db)
    other = make_person(db, name="李静", id_number=resident_id(seq="616"), phone="13987654321")
    add_bank_account(db, person_id=other.id, holder_name="李静", account_number=OTHER_CARD)
    [their_consent] = service.list_consents(db, actor=Principal.system("t"), person_id=other.id)
    assert service.own_bank_accounts(db, actor=_customer(me.id)) == []
    assert {c.person_id for c in service.own_consents(db, actor=_customer(me.id))} == {me.id}
    with pytest.raises(ConsentNotFound):
        service.withdraw_own_consent(db, actor=_customer(me.id), consent_id=their_consent.id)
    assert their_consent.withdrawn_at is None
    with pytest.raises(NoOwnProfile):
        service.own_bank_accounts(db, actor=_customer(None))


def test_me_api_lists_masked_adds_own_and_lists_and_withdraws_consents(db, client) -> None:
    # SPEC SEC-1 SEC-4 SEC-6 CLM-T2: the API twin of the portal pages, same service
    me = make_person(db)
    other = make_person(db, name="李静", id_number=resident_id(seq="617"), phone="13987654321")
    add_bank_account(db, person_id=other.id, holder_name="李静", account_number=OTHER_CARD)
    [their_consent] = service.list_consents(db, actor=Principal.system("t"), person_id=other.id)
    make_user(db, username="wangme", roles=["customer"], person_id=me.id)
    db.commit()
    headers = login_headers(client, "wangme")

    assert client.get("/api/v1/me/bank-accounts", headers=headers).json() == []
    refused = client.post(
        "/api/v1/me/bank-accounts",
        headers=headers,
        json={"holder_name": "李静", "bank_name": "招商银行", "account_number": CARD},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "holder_not_own_name"
    added = client.post(
        "/api/v1/me/bank-accounts",
        headers=headers,
        json={"holder_name": "王建国", "bank_name": "招商银行", "account_number": CARD},
    )
    assert added.status_code == 201, added.text
    listed = client.get("/api/v1/me/bank-accounts", headers=headers)
    assert [a["account_last4"] for a in listed.json()] == ["7896"]
    assert CARD not in listed.text and OTHER_CARD not in listed.text
    assert listed.json()[0]["account_number"] == "**** **** **** 7896"

    consents = client.get("/api/v1/me/consents", headers=headers).json()
    assert [c["purpose"] for c in consents] == ["claims_handling"]
    assert their_consent.id not in {c["id"] for c in consents}
    theirs = client.post(
        f"/api/v1/me/consents/{their_consent.id}/withdraw", headers=headers, json={}
    )
    assert theirs.status_code == 404
    mine = client.post(
        f"/api/v1/me/consents/{consents[0]['id']}/withdraw",
        headers=headers,
        json={"reason": "不再需要"},
    )
    assert mine.status_code == 200 and mine.json()["active"] is False
    # Without the bank consent, no account can be added any more (SEC-6).
    again = client.post(
        "/api/v1/me/bank-accounts",
        headers=headers,
        json={"holder_name": "王建国", "bank_name": "工商银行", "account_number": OTHER_CARD},
    )
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "consent_scope_insufficient"


def _withdraw_all(db, person_id: int) -> None:
    for consent in service.own_consents(db, actor=_customer(person_id)):
        if consent.withdrawn_at is None:
            service.withdraw_own_consent(db, actor=_customer(person_id), consent_id=consent.id)


def test_a_customer_gives_a_consent_again_recorded_per_sec6_and_audited(db) -> None:
    # SPEC SEC-6: purpose, data and method recorded, with the words agreed to; audited
    me = make_person(db)
    _withdraw_all(db, me.id)
    assert not service.consent_covers(db, person_id=me.id, category="bank")
    given = service.give_own_consent(
        db, actor=_customer(me.id), purpose="claims_handling", scope=["bank", "identity"]
    )
    assert given.person_id == me.id and given.withdrawn_at is None
    assert given.purpose == "claims_handling" and given.scope == "bank,identity"
    assert given.method == "online_click"
    assert given.text and "银行账户" in given.text and "bank accounts" in given.text
    assert service.consent_covers(db, person_id=me.id, category="bank")
    db.commit()
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "consent.granted", AuditEntry.entity_id == str(given.id)
        )
    ).one()
    details = json.loads(entry.details or "{}")
    assert details == {
        "person_id": me.id,
        "purpose": "claims_handling",
        "scope": "bank,identity",
        "method": "online_click",
    }


def test_a_consent_that_adds_nothing_is_refused_409(db) -> None:
    # SPEC SEC-6: an active consent for the purpose already covers the data
    me = make_person(db)  # claims_handling: identity, contact, medical, bank
    with pytest.raises(ConsentAlreadyGiven) as caught:
        service.give_own_consent(
            db, actor=_customer(me.id), purpose="claims_handling", scope=["bank"]
        )
    assert caught.value.status_code == 409
    assert "无需再次授权" in caught.value.message("zh-CN")
    assert "already agreed" in caught.value.message("en")
    # Another purpose is a new agreement.
    care = service.give_own_consent(
        db, actor=_customer(me.id), purpose="customer_care", scope=["contact"]
    )
    assert care.purpose == "customer_care"
    with pytest.raises(NoOwnProfile):
        service.give_own_consent(db, actor=_customer(None), purpose="marketing", scope=["contact"])


def test_me_api_gives_a_consent_own_only(db, client) -> None:
    # SPEC SEC-6 SEC-4: POST /me/consents, the method the channel's, never the caller's
    me = make_person(db)
    _withdraw_all(db, me.id)
    make_user(db, username="wanggive", roles=["customer"], person_id=me.id)
    db.commit()
    headers = login_headers(client, "wanggive")
    chosen = client.post(
        "/api/v1/me/consents",
        headers=headers,
        json={"purpose": "claims_handling", "scope": ["bank"], "method": "written"},
    )
    assert chosen.status_code == 422  # the method is not the caller's to say
    given = client.post(
        "/api/v1/me/consents",
        headers=headers,
        json={"purpose": "claims_handling", "scope": ["identity", "bank"]},
    )
    assert given.status_code == 201, given.text
    body = given.json()
    assert body["active"] is True and body["method"] == "online_click"
    assert body["scope"] == ["bank", "identity"]
    again = client.post(
        "/api/v1/me/consents",
        headers=headers,
        json={"purpose": "claims_handling", "scope": ["bank"]},
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "consent_already_given"
    empty = client.post(
        "/api/v1/me/consents", headers=headers, json={"purpose": "claims_handling", "scope": []}
    )
    assert empty.status_code == 422
    # The bank consent back: an account can be added again (SEC-6).
    added = client.post(
        "/api/v1/me/bank-accounts",
        headers=headers,
        json={"holder_name": "王建国", "bank_name": "招商银行", "account_number": CARD},
    )
    assert added.status_code == 201, added.text
