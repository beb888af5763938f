"""The portal's messages page (SPEC CLM-R3, CLM-A4, GEN-1): a customer reads every notice
the insurer sent them — a claim without a contact phone sends its notices only there —
newest first, their own and nobody else's (SEC-4)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.claims import notify
from tests.builders import (
    demo_version,
    issue_policy,
    make_claim,
    make_person,
    make_user,
    resident_id,
)
from tests.web.helpers import customer_login

PHONE = "13812345611"


def test_a_customer_reads_their_notices_and_nobody_elses(client: TestClient, db: Session) -> None:
    # SPEC CLM-R3 CLM-A4 SEC-4
    me = make_person(db, phone=PHONE)
    other = make_person(db, name="李四", phone="13812345622", id_number=resident_id(seq="615"))
    make_user(db, username="cust", roles=["customer"], person_id=me.id)
    version = demo_version(db, "MED-MILLION")
    mine = issue_policy(db, version_id=version.id, policyholder_id=me.id)
    theirs = issue_policy(db, version_id=version.id, policyholder_id=other.id)
    no_phone = make_claim(db, number="BA20260901000101", policy=mine, state="reported")
    with_phone = make_claim(
        db, number="BA20260901000102", policy=mine, state="reported", contact_phone=PHONE
    )
    elsewhere = make_claim(db, number="BA20260901000103", policy=theirs, state="reported")
    for claim in (no_phone, with_phone, elsewhere):
        notify.tell_customer(db, claim=claim, template="claim.reported", params={})
    db.commit()
    customer_login(client, db, "cust", PHONE)

    page = client.get("/portal/messages?lang=zh-CN")
    assert page.status_code == 200
    text = page.text
    assert "BA20260901000101" in text and "BA20260901000102" in text
    assert "BA20260901000103" not in text  # another insured's notice
    assert text.index("BA20260901000102") < text.index("BA20260901000101")  # newest first
    assert "站内消息" in text and "短信" in text
    assert "验证码" not in text  # the login code sent by SMS is not shown again
    assert 'href="/portal/messages"' in client.get("/portal").text  # in the portal's menu
    english = client.get("/portal/messages?lang=en").text
    assert "Messages" in english and "Text message" in english and "In the app" in english


def test_a_customer_with_no_message_is_told_so(client: TestClient, db: Session) -> None:
    # SPEC GEN-6: an empty list says so
    me = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=me.id)
    db.commit()
    customer_login(client, db, "cust", PHONE)
    page = client.get("/portal/messages?lang=zh-CN")
    assert page.status_code == 200 and 'id="no-messages"' in page.text and "暂无消息" in page.text
