"""The portal's language switch records the customer's notice language (SPEC GEN-6,
CLM-R3): a signed-in customer who switches to English (the layout's ?lang=en link) is
written to in English from then on — the next claim notice is English — and switching
back to 中文 records zh-CN. A language the portal does not know changes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.claims import notify
from claimdesk.models.job import OutboxMessage
from claimdesk.models.person import Person
from tests.builders import demo_version, issue_policy, make_claim, make_person, make_user
from tests.web.helpers import customer_login

PHONE = "13812345611"


def _language(db: Session, person_id: int) -> str | None:
    db.expire_all()
    return db.scalar(select(Person.preferred_language).where(Person.id == person_id))


def test_the_switch_records_the_customer_s_language_and_the_notices_follow(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-6 CLM-R3
    me = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=me.id)
    policy = issue_policy(db, version_id=demo_version(db, "MED-MILLION").id, policyholder_id=me.id)
    db.commit()
    customer_login(client, db, "cust", PHONE)
    assert client.get("/portal/messages").status_code == 200
    assert _language(db, me.id) is None  # browsing without switching chooses nothing
    page = client.get("/portal/messages?lang=en")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert _language(db, me.id) == "en"
    claim = make_claim(db, number="BA20260901000201", policy=policy, state="reported")
    notify.tell_customer(db, claim=claim, template="claim.reported", params={})
    db.commit()
    told = db.scalars(select(OutboxMessage).where(OutboxMessage.template == "claim.reported")).one()
    assert (told.language, told.channel) == ("en", "app")
    assert told.body.startswith("Claim BA20260901000201: your report has been accepted")
    assert "your report has been accepted" in client.get("/portal/messages").text
    client.get("/portal/messages?lang=fr")  # not a language the portal speaks
    assert _language(db, me.id) == "en"
    assert client.get("/portal?lang=zh-CN").status_code == 200
    assert _language(db, me.id) == "zh-CN"


def test_switching_before_signing_in_records_nothing(client: TestClient, db: Session) -> None:
    # SPEC GEN-6: the login page has nobody to record it for; the cookie remembers it
    me = make_person(db, phone=PHONE)
    db.commit()
    page = client.get("/portal/login?lang=en")
    assert page.status_code == 200 and client.cookies.get("lang") == "en"
    assert _language(db, me.id) is None
