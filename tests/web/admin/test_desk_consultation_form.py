"""A consultation taken by phone, at the branch or by e-mail is recorded on the desk's
form (/desk/consultations/new) through the service the API uses: its channel is kept
(SVC-2), its 2-hour answer clock runs from when it came in (SVC-4), and it waits on the
desk's list and on the workbench until answered. Bad input is refused in place, field
named, nothing written (GEN-6)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from claimdesk.models.audit import AuditEntry
from claimdesk.models.clock import Clock
from claimdesk.models.service import ServiceRecord
from tests.builders import login_headers, make_org_unit, make_person, make_user, seed_calendar

CALLER_PHONE = "13700002222"


@pytest.fixture
def desk(db):  # type: ignore[no-untyped-def]
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    person = make_person(db, phone=CALLER_PHONE)
    agent = make_user(db, username="agent", roles=["service_agent"], org_unit=hq)
    make_user(db, username="surv", roles=["surveyor"], org_unit=hq)
    make_user(db, username="cust", roles=["customer"], person_id=person.id)
    db.commit()
    return {"person": person, "agent": agent}


def _record(client, headers, **extra):  # type: ignore[no-untyped-def]
    form = {
        "channel": "phone",
        "service_type": "consultation",
        "customer": "",
        "subject": "门诊报销范围",
        "question": "门诊手术费能报吗？",
        "received_at": "2026-09-28T10:00",
    }
    form.update(extra)
    return client.post("/desk/consultations", data=form, headers=headers, follow_redirects=False)


def _count(db) -> int:  # type: ignore[no-untyped-def]
    return int(db.scalar(select(func.count()).select_from(ServiceRecord)) or 0)


def test_only_the_desk_opens_the_form(db, client, desk):  # SPEC SEC-4, SVC-2
    assert (
        client.get("/desk/consultations/new", headers=login_headers(client, "agent")).status_code
        == 200
    )
    for other in ("surv", "cust"):
        headers = login_headers(client, other)
        assert client.get("/desk/consultations/new", headers=headers).status_code == 403
        assert _record(client, headers, customer=str(desk["person"].id)).status_code == 403
    assert _count(db) == 0


def test_a_phone_consultation_starts_its_clock_and_waits_on_the_desk(db, client, desk):
    # SPEC SVC-2 (the channel is recorded), SVC-4 (answered within 2 hours of coming in)
    agent = login_headers(client, "agent")
    sent = _record(client, agent, customer=str(desk["person"].id))
    assert sent.status_code == 303, sent.text
    (found,) = db.scalars(select(ServiceRecord)).all()
    assert sent.headers["location"] == f"/desk/consultations?opened={found.id}#record-{found.id}"
    assert (found.channel, found.service_type, found.status) == ("phone", "consultation", "open")
    assert found.person_id == desk["person"].id and found.agent_user_id == desk["agent"].id
    assert found.request == "门诊手术费能报吗？"
    (clock,) = db.scalars(
        select(Clock).where(
            Clock.subject_type == "service_record", Clock.subject_id == str(found.id)
        )
    ).all()
    beijing = dt.timezone(dt.timedelta(hours=8))
    # Came in at 10:00 Beijing time, recorded later: due 12:00 (GEN-4 hours rule).
    assert (clock.rule_type, clock.rule_n) == ("hours", 2)
    due = clock.due_at if clock.due_at.tzinfo else clock.due_at.replace(tzinfo=dt.UTC)
    assert due.astimezone(beijing) == dt.datetime(2026, 9, 28, 12, 0, tzinfo=beijing)
    # The same audit entry as the API's (one service).
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "service_record")
    ).all()
    assert "service_record.opened" in actions
    # On the desk's list with its answer form, and on the workbench, linked.
    listed = client.get(sent.headers["location"], headers=agent).text
    assert 'id="record-opened"' in listed and f'id="form-answer-{found.id}"' in listed
    bench = client.get("/workbench?lang=en", headers=agent).text
    desk_part = bench.split('id="service-desk"')[1]
    assert f'href="/desk/consultations#record-{found.id}"' in desk_part
    assert "Product consultation" in desk_part
    # Its state in the words of a service record's list (SVC-4).
    row = desk_part.split(f'href="/desk/consultations#record-{found.id}"')[1].split("</li>")[0]
    assert "· Open <span" in row, row
    # Answered: off the workbench (the clock stopped).
    answered = client.post(
        f"/desk/consultations/{found.id}/answer",
        data={"outcome": "可以，按住院标准报销"},
        headers=agent,
        follow_redirects=False,
    )
    assert answered.status_code == 303
    bench = client.get("/workbench", headers=agent).text
    assert f"/desk/consultations#record-{found.id}" not in bench


def test_the_caller_is_found_by_the_number_they_call_from(db, client, desk):
    # SPEC SVC-2, SEC-1 (found by the phone's keyed hash), GEN-5 (the look-up audited)
    agent = login_headers(client, "agent")
    sent = _record(client, agent, customer="137 0000 2222", channel="branch")
    assert sent.status_code == 303, sent.text
    (found,) = db.scalars(select(ServiceRecord)).all()
    assert found.person_id == desk["person"].id and found.channel == "branch"
    lookups = db.scalars(select(AuditEntry).where(AuditEntry.action == "person.lookup")).all()
    assert any(json.loads(e.details).get("by") == "phone" for e in lookups)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"channel": "web_app"}, "channel"),  # the portal's channel, not the desk's
        ({"service_type": "gossip"}, "service_type"),
        ({"customer": ""}, "customer"),
        ({"customer": "13900009999"}, "customer"),  # nobody has this number
        ({"customer": "12345"}, "customer"),  # no such customer number
        ({"customer": "139-0000"}, "customer"),  # neither a number nor a mobile
        ({"subject": "  "}, "subject"),
        ({"received_at": "2999-01-01T10:00"}, "received_at"),  # later than now
        ({"received_at": "yesterday"}, "received_at"),
        ({"policy_id": "x"}, "policy_id"),
    ],
)
def test_bad_input_is_refused_in_place_and_nothing_written(db, client, desk, extra, field):
    # SPEC GEN-6, SVC-2
    agent = login_headers(client, "agent")
    form = {"customer": str(desk["person"].id), **extra}
    refused = _record(client, agent, **form)
    assert refused.status_code in (404, 422), refused.text
    assert f'id="{field}-error"' in refused.text, refused.text
    assert "门诊手术费能报吗？" in refused.text  # what was typed is kept
    assert _count(db) == 0
    assert db.scalar(select(func.count()).select_from(Clock)) == 0


def test_refusals_speak_the_pages_language(db, client, desk):  # SPEC GEN-6
    agent = login_headers(client, "agent")
    zh = _record(client, agent, customer=str(desk["person"].id), channel="sms")
    # The desk's channels only, said in words (GEN-6): 电话, 机构, 电子邮件.
    message = zh.text.split('id="channel-error"')[1].split("</p>")[0]
    assert "渠道" in message and all(w in message for w in ("电话", "机构", "电子邮件"))
    en = client.post(
        "/desk/consultations?lang=en",
        data={"channel": "phone", "service_type": "consultation", "customer": "", "subject": "x"},
        headers=agent,
    )
    assert en.status_code == 422 and "Customer: the customer is required" in en.text
