"""The portal's language switch records the customer's notice language (SPEC GEN-6,
CLM-R3): a signed-in customer who switches to English (the layout's button, a POST with
the session's CSRF token) is written to in English from then on — the next claim notice
is English — and switching back to 中文 records zh-CN. A GET with ?lang= only changes what
is shown (a safe method writes nothing, SEC-8); a language the portal does not know
changes nothing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.claims import notify
from claimdesk.models.audit import AuditEntry
from claimdesk.models.job import OutboxMessage
from claimdesk.models.person import Person
from tests.builders import demo_version, issue_policy, make_claim, make_person, make_user
from tests.web.helpers import customer_login

PHONE = "13812345611"


def _language(db: Session, person_id: int) -> str | None:
    db.expire_all()
    return db.scalar(select(Person.preferred_language).where(Person.id == person_id))


def _switch(client: TestClient, page: str) -> str:
    """Press the layout's switch on ``page``: post its form as the browser does."""
    shown = client.get(page).text
    form = re.search(r'<form method="post" action="/portal/language".*?</form>', shown, re.S)
    assert form, shown[:2000]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)))
    moved = client.post("/portal/language", data=fields, follow_redirects=False)
    assert moved.status_code == 303, moved.text[:400]
    return str(moved.headers["location"])


def _audited(db: Session) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0)


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
    # The switch on the messages page: back to the same page, now in English.
    assert _switch(client, "/portal/messages?page=1") == "/portal/messages?page=1"
    assert _language(db, me.id) == "en"
    assert '<html lang="en">' in client.get("/portal/messages").text
    claim = make_claim(db, number="BA20260901000201", policy=policy, state="reported")
    notify.tell_customer(db, claim=claim, template="claim.reported", params={})
    db.commit()
    told = db.scalars(select(OutboxMessage).where(OutboxMessage.template == "claim.reported")).one()
    assert (told.language, told.channel) == ("en", "app")
    assert told.body.startswith("Claim BA20260901000201: your report has been accepted")
    assert "your report has been accepted" in client.get("/portal/messages").text
    token = re.search(r'name="csrf_token" value="([^"]*)"', client.get("/portal").text)
    assert token
    client.post(  # not a language the portal speaks
        "/portal/language", data={"lang": "fr", "csrf_token": token.group(1)}
    )
    assert _language(db, me.id) == "en"
    _switch(client, "/portal")
    assert _language(db, me.id) == "zh-CN"


def test_a_get_with_lang_shows_the_language_and_writes_nothing(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-6 SEC-8: a safe method changes nothing in the database — the link, a
    # bookmark or a prefetch of ?lang=en switches what is shown (the cookie), not the record
    me = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=me.id)
    db.commit()
    customer_login(client, db, "cust", PHONE)
    before = _audited(db)
    page = client.get("/portal/messages?lang=en")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert client.cookies.get("lang") == "en"
    assert '<html lang="en">' in client.get("/portal").text  # remembered for the next page
    assert _language(db, me.id) is None
    assert _audited(db) == before


def test_the_switch_needs_the_session_s_token(client: TestClient, db: Session) -> None:
    # SPEC SEC-8 GEN-6: a forged post (no CSRF token) records nothing
    me = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=me.id)
    db.commit()
    customer_login(client, db, "cust", PHONE)
    forged = client.post("/portal/language", data={"lang": "en"}, follow_redirects=False)
    assert forged.status_code == 403
    assert _language(db, me.id) is None


def test_the_switch_only_sends_back_to_the_portal(client: TestClient, db: Session) -> None:
    # SPEC SEC-9: the page to go back to is this site's portal, never another site
    me = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=me.id)
    db.commit()
    customer_login(client, db, "cust", PHONE)
    token = re.search(r'name="csrf_token" value="([^"]*)"', client.get("/portal").text)
    assert token
    moved = client.post(
        "/portal/language",
        data={"lang": "en", "next": "https://evil.example/portal", "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/portal"


def test_switching_before_signing_in_records_nothing(client: TestClient, db: Session) -> None:
    # SPEC GEN-6: the login page has nobody to record it for; the cookie remembers it
    me = make_person(db, phone=PHONE)
    db.commit()
    page = client.get("/portal/login?lang=en")
    assert page.status_code == 200 and client.cookies.get("lang") == "en"
    assert _language(db, me.id) is None
