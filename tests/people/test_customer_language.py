"""The language a customer reads their notices in, on their record (SPEC GEN-6, CLM-R3):
"zh-CN" or "en", chosen by the customer (/me/language, the portal's switch) or set by an
agent for them; anything else is refused naming the field in both languages and
changes nothing. A person who chose none reads zh-CN."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from claimdesk.auth.principal import Principal
from claimdesk.errors import PermissionDenied
from claimdesk.models.audit import AuditEntry
from claimdesk.models.person import Person
from claimdesk.people import service
from claimdesk.people.errors import UnsupportedCustomerLanguage
from tests.builders import login_headers, make_person, make_user

SYSTEM = Principal.system("test")


def test_a_person_without_a_choice_reads_chinese_and_a_choice_is_audited_once(db) -> None:
    # SPEC CLM-R3 GEN-5: zh-CN by default; the change is in the audit trail, once
    person = make_person(db)
    assert person.preferred_language is None
    assert service.customer_language(db, person_id=person.id) == "zh-CN"
    service.set_preferred_language(db, actor=SYSTEM, person_id=person.id, language="EN ")
    service.set_preferred_language(db, actor=SYSTEM, person_id=person.id, language="en")
    assert service.customer_language(db, person_id=person.id) == "en"
    db.commit()  # the audit entries are written at commit
    entries = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "person.language_set")))
    assert [json.loads(e.details) for e in entries] == [{"before": None, "after": "en"}]


def test_an_unknown_language_is_refused_naming_the_field_in_both_languages(db) -> None:
    # SPEC GEN-6: the field and the rule, zh-CN and English; nothing written
    person = make_person(db)
    with pytest.raises(UnsupportedCustomerLanguage) as caught:
        service.set_preferred_language(db, actor=SYSTEM, person_id=person.id, language="fr")
    assert caught.value.field == "language"
    assert caught.value.message("zh-CN") == "语言：只能是 zh-CN（中文）或 en（English）"
    assert caught.value.message("en") == "Language: must be zh-CN (Chinese) or en (English)"
    assert db.get(Person, person.id).preferred_language is None


def test_a_customer_sets_only_their_own_language(db) -> None:
    # SPEC SEC-4: a customer's choice is for their own record
    mine, other = make_person(db), make_person(db, name="李静", id_number="310104199207183022")
    customer = Principal.build(
        user_id=None, username="c", roles=frozenset({"customer"}), person_id=mine.id
    )
    service.set_preferred_language(db, actor=customer, person_id=mine.id, language="en")
    with pytest.raises(PermissionDenied):
        service.set_preferred_language(db, actor=customer, person_id=other.id, language="en")
    assert db.get(Person, other.id).preferred_language is None


def test_api_the_customer_and_an_agent_set_it_and_a_bad_code_is_a_422(db, client) -> None:
    # SPEC GEN-6 SEC-4: PUT /me/language and PUT /people/{id}/language
    mine = make_person(db)
    make_user(db, username="wangjg", roles=["customer"], person_id=mine.id)
    make_user(db, username="agent1", roles=["service_agent"])
    db.commit()
    customer = login_headers(client, "wangjg")
    done = client.put("/api/v1/me/language", headers=customer, json={"language": "en"})
    assert done.status_code == 200 and done.json() == {"person_id": mine.id, "language": "en"}
    for accept, words in (("zh-CN", "语言：只能是 zh-CN"), ("en", "Language: must be zh-CN")):
        bad = client.put(
            "/api/v1/me/language",
            headers=customer,
            params={"lang": accept},
            json={"language": "xx"},
        )
        assert bad.status_code == 422, bad.text
        error = bad.json()["error"]
        assert error["code"] == "unsupported_language" and error["field"] == "language"
        assert words in error["message"], error
    agent = login_headers(client, "agent1")
    back = client.put(
        f"/api/v1/people/{mine.id}/language", headers=agent, json={"language": "zh-CN"}
    )
    assert back.status_code == 200 and back.json()["language"] == "zh-CN"
    db.expire_all()
    assert db.get(Person, mine.id).preferred_language == "zh-CN"
