"""People service and API: consent, uniqueness, hashed look-ups, masked views, audited
reveals, row-level access. # SPEC SEC-1 SEC-4 SEC-5 SEC-6 POL-1 CLM-P1"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from claimdesk.auth.principal import Principal
from claimdesk.errors import ConsentMissing, InvalidIdNumber, PermissionDenied
from claimdesk.models.audit import AuditEntry
from claimdesk.models.person import Person
from claimdesk.people import service
from claimdesk.people.errors import (
    BankAccountAlreadyExists,
    BirthDateMismatch,
    ConsentAlreadyWithdrawn,
    ConsentScopeInsufficient,
    PersonAlreadyExists,
    RevealReasonRequired,
)
from claimdesk.people.schemas import ConsentIn
from tests.builders import VALID_RESIDENT_ID, login_headers, make_person, make_user

SYSTEM = Principal.system("test")
HANDLER = Principal.build(user_id=None, username="h", roles=frozenset({"claims_handler"}))
ADJUSTER = Principal.build(user_id=None, username="a", roles=frozenset({"adjuster"}))
CONSENT = {
    "purpose": "claims_handling",
    "scope": ["identity", "contact", "bank"],
    "method": "online_click",
    "text": "同意",
}
CARD = "6222021001234567896"


def _entries(db, action: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_create_derives_birth_and_gender_and_stores_hash(db) -> None:  # SPEC SEC-1 POL-1
    person = make_person(db, id_number="110105 19850312 451 5")
    assert person.id_number == VALID_RESIDENT_ID
    assert person.birth_date == dt.date(1985, 3, 12)
    assert person.gender == "M"
    assert person.id_number_last4 == "4515"
    assert len(person.id_number_hash) == 64 and VALID_RESIDENT_ID not in person.id_number_hash


def test_consent_is_required(db) -> None:  # SPEC SEC-6
    with pytest.raises(ConsentMissing) as caught:
        service.create_person(
            db, actor=SYSTEM, name="无同意", id_number=VALID_RESIDENT_ID, consent=None
        )
    assert caught.value.field == "consent"
    assert db.scalar(select(Person).where(Person.name == "无同意")) is None


def test_consent_scope_must_cover_collected_data(db) -> None:  # SPEC SEC-6
    with pytest.raises(ConsentScopeInsufficient) as caught:
        service.create_person(
            db,
            actor=SYSTEM,
            name="张三",
            id_number=VALID_RESIDENT_ID,
            medical_notes="糖尿病",
            consent=ConsentIn(purpose="claims_handling", scope=["identity"], method="written"),
        )
    assert "contact" not in caught.value.message("en")
    assert "medical" in caught.value.message("en")
    # GEN-6: a Chinese reader reads the category's name, not its code
    zh = caught.value.message("zh-CN")
    assert "医疗信息" in zh and "medical" not in zh, zh


def test_duplicate_id_number_refused(db) -> None:  # SPEC SEC-1
    first = make_person(db)
    with pytest.raises(PersonAlreadyExists) as caught:
        make_person(db, name="另一个人", id_number=VALID_RESIDENT_ID.lower(), phone=None)
    assert caught.value.field == "id_number"
    assert str(first.id) in caught.value.message("en")


def test_birth_date_must_agree_with_resident_id(db) -> None:  # SPEC POL-1
    with pytest.raises(BirthDateMismatch):
        service.create_person(
            db,
            actor=SYSTEM,
            name="张三",
            id_number=VALID_RESIDENT_ID,
            birth_date=dt.date(1985, 3, 13),
            consent=ConsentIn(purpose="claims_handling", scope=["identity"], method="written"),
        )


def test_lookup_by_id_number_and_phone_through_hash_is_audited(db) -> None:  # SPEC SEC-1 SEC-5
    person = make_person(db)
    make_person(db, name="李静", id_number="310104199207183022", phone="13987654321")
    found = service.find_by_id_number(db, actor=HANDLER, id_number=" 110105198503124515 ")
    assert [p.id for p in found] == [person.id]
    assert [p.id for p in service.find_by_phone(db, actor=HANDLER, phone="+86 138 1234 5678")] == [
        person.id
    ]
    assert service.find_by_id_number(db, actor=HANDLER, id_number="440305197809256177") == []
    db.commit()
    lookups = _entries(db, "person.lookup")
    assert len(lookups) == 3
    assert all(
        VALID_RESIDENT_ID not in e.details and "13812345678" not in e.details for e in lookups
    )


def test_reveal_needs_permission_and_reason_and_is_audited(db) -> None:  # SPEC SEC-5
    person = make_person(db, medical_notes="高血压")
    masked = service.get_person(db, actor=ADJUSTER, person_id=person.id)
    assert masked.revealed is False
    with pytest.raises(PermissionDenied):
        service.get_person(db, actor=ADJUSTER, person_id=person.id, reveal=True, reason="理算")
    with pytest.raises(RevealReasonRequired):
        service.get_person(db, actor=HANDLER, person_id=person.id, reveal=True)
    shown = service.get_person(
        db, actor=HANDLER, person_id=person.id, reveal=True, reason="核对理赔申请人身份"
    )
    assert shown.revealed and shown.person.medical_notes == "高血压"
    db.commit()
    [entry] = _entries(db, "person.pii_read")
    assert entry.reason == "核对理赔申请人身份"
    assert entry.entity_id == str(person.id)
    assert "medical_notes" in entry.details and "高血压" not in entry.details


def test_bank_account_luhn_duplicate_and_consent(db) -> None:  # SPEC CLM-P1 SEC-6
    person = make_person(db)
    account = service.add_bank_account(
        db,
        actor=HANDLER,
        person_id=person.id,
        holder_name="王建国",
        bank_name="中国工商银行",
        account_number="6222 0210 0123 4567 896",
    )
    assert account.account_number == CARD and account.account_last4 == "7896"
    with pytest.raises(BankAccountAlreadyExists):
        service.add_bank_account(
            db,
            actor=HANDLER,
            person_id=person.id,
            holder_name="王建国",
            bank_name="工行",
            account_number=CARD,
        )
    with pytest.raises(InvalidIdNumber.__base__):  # ValidationFailed family: InvalidBankCard
        service.add_bank_account(
            db,
            actor=HANDLER,
            person_id=person.id,
            holder_name="王建国",
            bank_name="工行",
            account_number="6222021001234567890",
        )
    no_bank = make_person(
        db, name="李静", id_number="310104199207183022", phone=None, consent_scope=("identity",)
    )
    with pytest.raises(ConsentScopeInsufficient):
        service.add_bank_account(
            db,
            actor=HANDLER,
            person_id=no_bank.id,
            holder_name="李静",
            bank_name="工行",
            account_number=CARD,
        )


def test_consents_record_withdraw_and_has_consent(db) -> None:  # SPEC SEC-6 SVC-6
    person = make_person(db)
    assert not service.has_consent(db, person_id=person.id, purpose="customer_care")
    care = service.record_consent(
        db,
        actor=HANDLER,
        person_id=person.id,
        consent=ConsentIn(purpose="customer_care", scope=["contact"], method="sms_code"),
    )
    assert service.has_consent(db, person_id=person.id, purpose="customer_care")
    service.withdraw_consent(
        db, actor=HANDLER, person_id=person.id, consent_id=care.id, reason="客户来电要求"
    )
    assert not service.has_consent(db, person_id=person.id, purpose="customer_care")
    assert service.has_consent(db, person_id=person.id, purpose="claims_handling")
    with pytest.raises(ConsentAlreadyWithdrawn):
        service.withdraw_consent(db, actor=HANDLER, person_id=person.id, consent_id=care.id)
    assert len(service.list_consents(db, actor=HANDLER, person_id=person.id)) == 2


# --- API ------------------------------------------------------------------------------


def _staff(db, client, username: str, role: str) -> dict[str, str]:
    make_user(db, username=username, roles=[role])
    db.commit()
    return login_headers(client, username)


def test_api_create_masks_and_names_bad_field(db, client) -> None:  # SPEC SEC-1 GEN-6 POL-1
    headers = _staff(db, client, "agent1", "service_agent")
    bad = client.post(
        "/api/v1/people",
        headers=headers | {"Accept-Language": "zh-CN"},
        json={
            "name": "王建国",
            "id_number": "110105198503124510",
            "phone": "13812345678",
            "consent": CONSENT,
        },
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "id_number"
    assert "校验码" in bad.json()["error"]["message"]
    bad_en = client.post(
        "/api/v1/people?lang=en",
        headers=headers,
        json={"name": "王建国", "id_number": "110105198503124510", "consent": CONSENT},
    )
    assert "check digit" in bad_en.json()["error"]["message"]
    no_consent = client.post(
        "/api/v1/people", headers=headers, json={"name": "王建国", "id_number": VALID_RESIDENT_ID}
    )
    assert no_consent.status_code == 422
    assert no_consent.json()["error"]["code"] == "consent_missing"
    created = client.post(
        "/api/v1/people",
        headers=headers,
        json={
            "name": "王建国",
            "id_number": VALID_RESIDENT_ID,
            "phone": "13812345678",
            "consent": CONSENT,
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id_number"] == "**************4515"
    assert body["phone"] == "138****5678"
    assert body["gender"] == "M" and body["birth_date"] == "1985-03-12"
    assert body["consents"][0]["scope"] == ["bank", "contact", "identity"]
    again = client.post(
        "/api/v1/people",
        headers=headers,
        json={"name": "王建国", "id_number": VALID_RESIDENT_ID, "consent": CONSENT},
    )
    assert again.status_code == 409 and again.json()["error"]["field"] == "id_number"


def test_api_lookup_bank_account_and_reveal(db, client) -> None:  # SPEC SEC-1 SEC-5 CLM-P1
    person = make_person(db)
    db.commit()
    headers = _staff(db, client, "handler9", "claims_handler")
    found = client.post(
        "/api/v1/people/lookup", headers=headers, json={"id_number": VALID_RESIDENT_ID}
    )
    assert found.status_code == 200
    assert [m["id"] for m in found.json()["matches"]] == [person.id]
    neither = client.post("/api/v1/people/lookup", headers=headers, json={})
    assert neither.status_code == 422 and neither.json()["error"]["field"] == "id_number"
    added = client.post(
        f"/api/v1/people/{person.id}/bank-accounts",
        headers=headers,
        json={"holder_name": "王建国", "bank_name": "中国工商银行", "account_number": CARD},
    )
    assert added.status_code == 201
    assert added.json()["account_number"] == "**** **** **** 7896"
    bad_card = client.post(
        f"/api/v1/people/{person.id}/bank-accounts",
        headers=headers,
        json={
            "holder_name": "王建国",
            "bank_name": "工行",
            "account_number": "6222021001234567890",
        },
    )
    assert bad_card.status_code == 422
    assert bad_card.json()["error"]["field"] == "account_number"
    no_reason = client.get(f"/api/v1/people/{person.id}?reveal=true", headers=headers)
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "reason"
    shown = client.get(
        f"/api/v1/people/{person.id}",
        params={"reveal": "true", "reason": "核对收款账户"},
        headers=headers,
    )
    assert shown.status_code == 200
    assert shown.json()["id_number"] == VALID_RESIDENT_ID
    assert shown.json()["bank_accounts"][0]["account_number"] == CARD
    [entry] = _entries(db, "person.pii_read")
    assert entry.reason == "核对收款账户" and entry.actor == "handler9"


def test_api_reveal_forbidden_without_pii_permission(db, client) -> None:  # SPEC SEC-4 SEC-5
    person = make_person(db)
    db.commit()
    headers = _staff(db, client, "adjuster1", "adjuster")
    masked = client.get(f"/api/v1/people/{person.id}", headers=headers)
    assert masked.status_code == 200 and masked.json()["id_number"].endswith("4515")
    denied = client.get(
        f"/api/v1/people/{person.id}", params={"reveal": "true", "reason": "好奇"}, headers=headers
    )
    assert denied.status_code == 403
    assert _entries(db, "person.pii_read") == []
    surveyor = _staff(db, client, "surveyor1", "surveyor")
    assert client.get(f"/api/v1/people/{person.id}", headers=surveyor).status_code == 403


def test_customer_sees_only_own_profile(db, client) -> None:  # SPEC SEC-4
    mine = make_person(db)
    other = make_person(db, name="李静", id_number="310104199207183022", phone="13987654321")
    make_user(db, username="wangjg", roles=["customer"], person_id=mine.id)
    db.commit()
    headers = login_headers(client, "wangjg")
    profile = client.get("/api/v1/me/profile", headers=headers)
    assert profile.status_code == 200
    assert profile.json()["id"] == mine.id and profile.json()["name"] == "王建国"
    assert profile.json()["phone"] == "138****5678"
    assert client.get(f"/api/v1/people/{other.id}", headers=headers).status_code == 403
    assert (
        client.post(
            "/api/v1/people/lookup", headers=headers, json={"phone": "13987654321"}
        ).status_code
        == 403
    )
    # Row-level in the service too: the customer's principal never reaches another record.
    customer = Principal.build(
        user_id=None, username="wangjg", roles=frozenset({"customer"}), person_id=mine.id
    )
    with pytest.raises(Exception) as caught:
        service.list_consents(db, actor=customer, person_id=other.id)
    assert getattr(caught.value, "status_code", None) == 404


def test_customer_withdraws_own_consent(db, client) -> None:  # SPEC SEC-6
    mine = make_person(db)
    care = service.record_consent(
        db,
        actor=SYSTEM,
        person_id=mine.id,
        consent=ConsentIn(purpose="customer_care", scope=["contact"], method="online_click"),
    )
    other = make_person(db, name="李静", id_number="310104199207183022", phone=None)
    [other_consent] = service.list_consents(db, actor=SYSTEM, person_id=other.id)
    make_user(db, username="wangjg2", roles=["customer"], person_id=mine.id)
    db.commit()
    headers = login_headers(client, "wangjg2")
    done = client.post(f"/api/v1/me/consents/{care.id}/withdraw", headers=headers, json={})
    assert done.status_code == 200 and done.json()["active"] is False
    theirs = client.post(
        f"/api/v1/me/consents/{other_consent.id}/withdraw", headers=headers, json={}
    )
    assert theirs.status_code == 404
