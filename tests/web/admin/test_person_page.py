"""A customer's notice language, shown and changed by staff (CLM-R3, GEN-5, GEN-6,
SEC-4, SEC-8): the people API gives it, the staff person page shows it, and staff who may
edit people change it through a CSRF-protected form and the same audited service as
``PUT /api/v1/people/{id}/language``."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from claimdesk.models.audit import AuditEntry
from claimdesk.models.person import Person
from tests.builders import login_headers, make_person, make_user
from tests.web.helpers import form_token, staff_login


@pytest.fixture
def person(db: Session) -> Person:
    found = make_person(db)
    for role in Role:
        if role != Role.CUSTOMER:
            make_user(db, username=role.value, roles=[role.value])
    make_user(db, username="cust", roles=["customer"], person_id=found.id)
    db.commit()
    return found


def _audited(db: Session, person_id: int) -> list[dict[str, object]]:
    db.commit()
    entries = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "person.language_set", AuditEntry.entity_id == str(person_id)
        )
    )
    return [json.loads(e.details) for e in entries]


def test_api_person_says_the_notice_language(db: Session, client: TestClient, person) -> None:  # type: ignore[no-untyped-def]
    # SPEC CLM-R3: zh-CN until chosen, then the choice
    agent = login_headers(client, "service_agent")
    shown = client.get(f"/api/v1/people/{person.id}", headers=agent)
    assert shown.status_code == 200 and shown.json()["preferred_language"] == "zh-CN"
    done = client.put(
        f"/api/v1/people/{person.id}/language", headers=agent, json={"language": "en"}
    )
    assert done.status_code == 200, done.text
    again = client.get(f"/api/v1/people/{person.id}", headers=agent)
    assert again.json()["preferred_language"] == "en"


def test_staff_change_it_on_the_page_audited(db: Session, client: TestClient, person) -> None:  # type: ignore[no-untyped-def]
    # SPEC CLM-R3 GEN-5 SEC-8: shown in words, changed by the form, audited once
    staff_login(client, "service_agent")
    url = f"/admin/people/{person.id}"
    shown = client.get(url, params={"lang": "zh-CN"})
    assert shown.status_code == 200
    assert "通知语言" in shown.text and 'id="person-language">中文<' in shown.text
    assert 'id="form-language"' in shown.text
    token = form_token(client, url)
    done = client.post(
        f"{url}/language",
        data={"language": "en", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == url
    db.expire_all()
    assert db.get(Person, person.id).preferred_language == "en"
    assert _audited(db, person.id) == [{"before": None, "after": "en"}]
    english = client.get(url, params={"lang": "en"})
    assert 'id="person-language">English<' in english.text


@pytest.mark.parametrize("lang,words", [("zh-CN", "语言：只能是"), ("en", "Language: must be")])
def test_a_bad_code_is_refused_beside_the_field(
    db: Session, client: TestClient, person, lang, words
) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-6: the field and the rule in the page's language; nothing written
    staff_login(client, "service_agent")
    url = f"/admin/people/{person.id}"
    client.get(url, params={"lang": lang})
    refused = client.post(
        f"{url}/language",
        data={"language": "fr", "csrf_token": form_token(client, url)},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert 'id="language-error"' in refused.text and words in refused.text
    db.expire_all()
    assert db.get(Person, person.id).preferred_language is None
    assert _audited(db, person.id) == []


def test_a_form_without_its_token_is_refused(db: Session, client: TestClient, person) -> None:  # type: ignore[no-untyped-def]
    # SPEC SEC-8: cross-site request forgery
    staff_login(client, "service_agent")
    refused = client.post(f"/admin/people/{person.id}/language", data={"language": "en"})
    assert refused.status_code == 403
    db.expire_all()
    assert db.get(Person, person.id).preferred_language is None


def test_an_unknown_person_is_not_found(db: Session, client: TestClient, person) -> None:  # type: ignore[no-untyped-def]
    # SPEC SEC-4 GEN-6
    staff_login(client, "service_agent")
    assert client.get(f"/admin/people/{person.id + 999}").status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r != Role.CUSTOMER], ids=lambda r: r.value)
def test_who_sees_and_who_changes(db: Session, client: TestClient, person, role: Role) -> None:  # type: ignore[no-untyped-def]
    # SPEC SEC-4: reading needs people:read; the form and the change need people:write
    granted = ROLE_PERMISSIONS[role]
    staff_login(client, role.value)
    url = f"/admin/people/{person.id}"
    shown = client.get(url)
    if Permission.PEOPLE_READ not in granted:
        assert shown.status_code == 403
        return
    assert shown.status_code == 200
    may_write = Permission.PEOPLE_WRITE in granted
    assert ('id="form-language"' in shown.text) is may_write
    token = form_token(client, url)
    done = client.post(
        f"{url}/language", data={"language": "en", "csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == (303 if may_write else 403)
    db.expire_all()
    assert db.get(Person, person.id).preferred_language == ("en" if may_write else None)


def test_a_customer_has_no_staff_page(db: Session, client: TestClient, person) -> None:  # type: ignore[no-untyped-def]
    # SPEC SEC-4: customers change their own language on the portal, not here
    headers = login_headers(client, "cust")
    assert client.get(f"/admin/people/{person.id}", headers=headers).status_code == 403
