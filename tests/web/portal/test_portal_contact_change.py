"""The customer changes their contact details on the portal (变更联系方式): a policy
service request through the one change process (POL-2) — a service record and a policy
change with its 2-working-day clock, in the desk's list and on the workbench — reviewed,
approved and completed by staff on the policy's page, then applied to the person."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.clock import Clock
from claimdesk.models.person import Person
from claimdesk.models.policy import PolicyChange
from claimdesk.models.service import ServiceRecord
from claimdesk.timeutil import local_zone
from tests.builders import (
    demo_version,
    issue_policy,
    login_headers,
    make_person,
    make_user,
    resident_id,
    seed_calendar,
)
from tests.web.helpers import change_through_pages, customer_login, form_token

PHONE = "13812345678"
NEW_PHONE = "13987654321"


def _world(db: Session):  # type: ignore[no-untyped-def]
    """``cust`` holds a policy in force from today (whatever today is: GEN-3), on which
    ``kid`` is the insured; two service agents (four eyes)."""
    today = dt.datetime.now(local_zone()).date()
    seed_calendar(db, years=(2025, 2026))
    version = demo_version(db, "MED-MILLION")
    mine = make_person(db, phone=PHONE)
    kid = make_person(db, name="王小明", id_number=resident_id(seq="457"), phone="13900001112")
    make_user(db, username="cust", roles=["customer"], person_id=mine.id)
    make_user(db, username="kid", roles=["customer"], person_id=kid.id)
    make_user(db, username="agent", roles=["service_agent"])
    make_user(db, username="agent2", roles=["service_agent"])
    policy = issue_policy(
        db,
        version_id=version.id,
        policyholder_id=mine.id,
        insured_id=kid.id,
        insured_relationship="child",
        period_start=today.isoformat(),
        issued_at=f"{today.isoformat()}T00:01:00+08:00",
    )
    db.commit()
    return mine, policy


def _send(client: TestClient, policy_id: int, **extra: str):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": form_token(client, "/portal/service"),
        "policy_id": str(policy_id),
        "phone": NEW_PHONE,
        "email": "",
        "address": "北京市海淀区中关村大街 27 号",
        "consent": "yes",
    }
    data.update(extra)
    return client.post("/portal/service/contact", data=data, follow_redirects=False)


def _count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_the_policyholder_asks_staff_complete_it_in_two_working_days(
    client: TestClient, db: Session
) -> None:
    # SPEC POL-2 (consent, effective date, history, 2 working days), SVC-1, SVC-2
    mine, policy = _world(db)
    customer_login(client, db, "cust", PHONE)
    assert 'id="contact-form"' in client.get("/portal/service").text
    sent = _send(client, policy.id)
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == "/portal/service?done=contact"
    (record,) = db.scalars(select(ServiceRecord)).all()
    assert (record.service_type, record.channel, record.person_id) == (
        "policy_change",
        "web_app",
        mine.id,
    )
    change = db.get(PolicyChange, record.policy_change_id)
    assert change is not None and change.status == "requested"
    assert change.customer_consent and change.customer_consent_method == "online_click"
    assert change.effective_date == dt.datetime.now(local_zone()).date()
    assert change.payload == {"contact": ["address", "phone"]}
    clock = db.scalars(
        select(Clock).where(
            Clock.subject_type == "policy_change", Clock.subject_id == str(change.id)
        )
    ).one()
    assert (clock.rule_type, clock.rule_n) == ("working_days", 2)
    # The customer sees where it stands.
    shown = client.get(sent.headers["location"]).text
    assert 'id="service-done"' in shown
    assert f'id="record-{record.id}-change"' in shown and "已申请" in shown

    # Staff (another browser: the customer's session cookie left behind): in the desk's
    # list, linked to the change, and on the workbench.
    client.cookies.clear()
    agent, agent2 = login_headers(client, "agent"), login_headers(client, "agent2")
    listed = client.get("/desk/consultations", headers=agent).text
    link = f"/admin/policies/{policy.id}#change-{change.id}"
    assert f'href="{link}"' in listed
    assert f'href="{link}"' in client.get("/workbench", headers=agent).text
    # The policy page shows what changes, masked (SEC-1).
    page = client.get(f"/admin/policies/{policy.id}", headers=agent).text
    contact = re.search(rf'id="change-{change.id}-contact">([^<]*)<', page)
    assert contact and "139****4321" in contact.group(1) and NEW_PHONE not in page
    change_through_pages(client, change.id, agent=agent, approver=agent2)
    db.expire_all()
    person = db.get(Person, mine.id)
    assert person is not None and person.phone == NEW_PHONE
    assert person.address == "北京市海淀区中关村大街 27 号"
    assert db.get(PolicyChange, change.id).status == "done"  # type: ignore[union-attr]
    # Done: off the workbench.
    assert f'href="{link}"' not in client.get("/workbench", headers=agent).text


def test_refusals_keep_what_was_typed_and_write_nothing(client: TestClient, db: Session) -> None:
    # SPEC GEN-6, POL-2 (the policyholder's consent is required)
    _mine, policy = _world(db)
    customer_login(client, db, "cust", PHONE)
    for extra, words in (
        ({"consent": ""}, "请勾选“本人为投保人，申请此项变更。”"),  # the box, not the staff rule
        ({"phone": "12345"}, "手机号码"),
        ({"phone": "", "address": ""}, "联系方式"),
        ({"email": "nobody"}, "电子邮箱"),
    ):
        refused = _send(client, policy.id, **extra)
        assert refused.status_code == 422, (extra, refused.text)
        message = re.search(r'id="contact-error">([^<]*)<', refused.text)
        assert message and words in message.group(1), (extra, message)
        if extra.get("address") != "":
            assert 'value="北京市海淀区中关村大街 27 号"' in refused.text
    assert _count(db, ServiceRecord) == 0 and _count(db, PolicyChange) == 0


def test_the_insured_who_does_not_hold_the_policy_has_no_form(
    client: TestClient, db: Session
) -> None:
    # SPEC SEC-4: contact details are the policyholder's to change
    _mine, policy = _world(db)
    customer_login(client, db, "kid", "13900001112")
    assert 'id="contact-form"' not in client.get("/portal/service").text
    refused = _send(client, policy.id)
    assert refused.status_code == 403
    assert _count(db, ServiceRecord) == 0 and _count(db, PolicyChange) == 0


def test_staff_ask_on_the_policy_page_for_a_caller(client: TestClient, db: Session) -> None:
    # SPEC POL-2 (the desk's side of the same change), GEN-6 (the field named in place)
    _mine, policy = _world(db)
    agent = login_headers(client, "agent")
    today = dt.datetime.now(local_zone()).date().isoformat()
    form = {
        "kind": "change",
        "description": "客户来电变更邮箱",
        "effective_date": today,
        "customer_consent": "1",
        "customer_consent_method": "phone_recorded",
        "contact.email": "wang@",
    }
    address = f"/admin/policies/{policy.id}/changes"
    refused = client.post(address, data=form, headers=agent)
    assert refused.status_code == 422
    assert 'id="contact.email-error"' in refused.text and 'value="wang@"' in refused.text
    assert _count(db, PolicyChange) == 0
    done = client.post(
        address,
        data={**form, "contact.email": "wang@example.com"},
        headers=agent,
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    (change,) = db.scalars(select(PolicyChange)).all()
    assert change.payload == {"contact": ["email"]}
    assert change.contact is not None and change.contact["new"] == {"email": "wang@example.com"}


def test_the_request_is_listed_in_the_pages_language(client: TestClient, db: Session) -> None:
    # SPEC GEN-6: an English page names the change in English, a Chinese one in Chinese;
    # the record keeps the Chinese subject the staff read
    _mine, policy = _world(db)
    customer_login(client, db, "cust", PHONE)
    assert _send(client, policy.id).status_code == 303
    (record,) = db.scalars(select(ServiceRecord)).all()
    assert record.subject == "变更手机号码、联系地址"
    for lang, words in (
        ("zh-CN", "变更联系地址、手机号码"),
        ("en", "Change of contact address, mobile number"),
    ):
        page = client.get("/portal/service", params={"lang": lang}).text
        found = re.search(rf'id="record-{record.id}-subject">([^<]*)<', page)
        assert found is not None and found.group(1) == words, page


def test_a_bad_mobile_number_is_said_once_with_its_rule(client: TestClient, db: Session) -> None:
    # SPEC GEN-6: the field and the rule, the number not named twice ("手机号码：手机号码无效")
    _mine, policy = _world(db)
    customer_login(client, db, "cust", PHONE)
    for lang, rule, word, times in (
        ("zh-CN", "：应为 11 位手机号码，以 13-19 开头", "无效", 0),
        ("en", ": 11 digits starting with 13 to 19 are needed", "mobile number", 1),
    ):
        client.get("/portal/service", params={"lang": lang})
        refused = _send(client, policy.id, phone="12345")
        assert refused.status_code == 422, refused.text
        found = re.search(r'id="contact-error">([^<]*)<', refused.text)
        assert found is not None
        message = found.group(1)
        assert message.endswith(rule), message
        assert message.lower().count(word) == times, message
    assert _count(db, ServiceRecord) == 0
