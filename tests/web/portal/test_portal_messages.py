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


def test_messages_read_in_the_language_the_customer_reads_now(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-6 CLM-R3: written in both languages, shown in the page's, old ones too
    from sqlalchemy import select

    from claimdesk.models.job import OutboxMessage
    from claimdesk.models.person import Person

    me = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=me.id)
    mine = issue_policy(db, version_id=demo_version(db, "MED-MILLION").id, policyholder_id=me.id)
    before = make_claim(db, number="BA20260901000201", policy=mine, state="reported")
    notify.tell_customer(db, claim=before, template="claim.reported", params={})
    db.get_one(Person, me.id).preferred_language = "en"  # switched to English since
    after = make_claim(db, number="BA20260901000202", policy=mine, state="reported")
    notify.tell_customer(db, claim=after, template="claim.reported", params={})
    db.commit()
    stored = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "claim.reported")
    ).all()
    assert [m.language for m in stored] == ["zh-CN", "en"]  # sent as on record then
    assert all(m.body_zh and m.body_en for m in stored)  # both kept (the source)
    customer_login(client, db, "cust", PHONE)
    english = client.get("/portal/messages?lang=en").text
    listed = english[english.index('id="messages"') :]
    assert "Claim BA20260901000201: your report has been accepted" in listed
    assert "Claim BA20260901000202: your report has been accepted" in listed
    assert "您的报案已受理" not in listed
    chinese = client.get("/portal/messages?lang=zh-CN").text
    listed = chinese[chinese.index('id="messages"') :]
    assert "报案号 BA20260901000201：您的报案已受理" in listed
    assert "报案号 BA20260901000202：您的报案已受理" in listed
    assert "your report has been accepted" not in listed
