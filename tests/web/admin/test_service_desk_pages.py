"""Service desk pages: who may open them, the complaint actions through the same
services as the API, and refused input shown in place with nothing changed."""

from __future__ import annotations

import pytest

from claimdesk.models.clock import Clock
from claimdesk.models.service import Complaint
from tests.builders import login_headers, make_org_unit, make_person, make_user, seed_calendar


@pytest.fixture
def desk(db):  # type: ignore[no-untyped-def]
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    person = make_person(db)
    make_user(db, username="agent", roles=["service_agent"], org_unit=hq)
    make_user(db, username="surv", roles=["surveyor"], org_unit=hq)
    make_user(db, username="cust", roles=["customer"], person_id=person.id)
    db.commit()
    return {"person": person}


def _file(client, headers, person_id, **extra):  # type: ignore[no-untyped-def]
    form = {
        "person_id": str(person_id),
        "contact": "13800001111",
        "channel": "phone",
        "complaint_type": "service",
        "cause": "attitude",
        "description": "态度差",
    }
    form.update(extra)
    return client.post("/desk/complaints", data=form, headers=headers, follow_redirects=False)


def test_desk_pages_roles(db, client, desk):  # SPEC SEC-4, SVC-3
    agent = login_headers(client, "agent")
    for path in (
        "/desk/complaints",
        "/desk/complaints/new",
        "/desk/consultations",
        "/desk/surveys",
    ):
        assert client.get(path, headers=agent).status_code == 200, path
        for other in ("surv", "cust"):
            assert client.get(path, headers=login_headers(client, other)).status_code == 403


def test_complaint_lifecycle_through_pages(db, client, desk):  # SPEC SVC-3, GEN-4, GEN-5
    agent = login_headers(client, "agent")
    filed = _file(client, agent, desk["person"].id)
    assert filed.status_code == 303
    complaint_id = int(filed.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/desk/complaints/{complaint_id}?lang=en", headers=agent)
    assert page.status_code == 200
    assert "Complaint acknowledgement (24 h)" in page.text and 'id="form-acknowledge"' in page.text
    clocks = db.query(Clock).filter_by(subject_type="complaint", subject_id=str(complaint_id)).all()
    assert {c.name for c in clocks} == {"complaint.acknowledgement", "complaint.decision"}

    ack = client.post(
        f"/desk/complaints/{complaint_id}/acknowledge",
        data={"progress_note": "调查中"},
        headers=agent,
        follow_redirects=False,
    )
    assert ack.status_code == 303
    decided = client.post(
        f"/desk/complaints/{complaint_id}/decide",
        data={"outcome": "partially_upheld", "decision": "已致歉"},
        headers=agent,
        follow_redirects=False,
    )
    assert decided.status_code == 303
    db.expire_all()
    stored = db.get(Complaint, complaint_id)
    assert stored is not None and stored.status == "decided"
    assert stored.decision_outcome == "partially_upheld"
    after = client.get(f"/desk/complaints/{complaint_id}?lang=zh-CN", headers=agent)
    assert 'id="form-decide"' not in after.text and "部分成立" in after.text


def test_bad_complaint_form_shown_in_place(db, client, desk):  # SPEC GEN-6
    agent = login_headers(client, "agent")
    bad = _file(client, agent, desk["person"].id, cause="weather")
    assert bad.status_code == 422
    assert 'id="cause-error"' in bad.text and "weather" in bad.text
    assert "态度差" in bad.text  # what was typed is kept
    no_contact = _file(client, agent, desk["person"].id, contact="")
    assert no_contact.status_code == 422 and 'id="contact-error"' in no_contact.text
    not_a_number = _file(client, agent, "x1")
    assert not_a_number.status_code == 422 and 'id="person_id-error"' in not_a_number.text
    assert db.query(Complaint).count() == 0


def test_refused_action_changes_nothing(db, client, desk):  # SPEC GEN-6, SVC-3
    agent = login_headers(client, "agent")
    filed = _file(client, agent, desk["person"].id)
    complaint_id = int(filed.headers["location"].rsplit("/", 1)[1])
    empty = client.post(
        f"/desk/complaints/{complaint_id}/decide",
        data={"outcome": "upheld", "decision": " "},
        headers=agent,
    )
    assert empty.status_code == 422 and 'id="decision-error"' in empty.text
    no_reason = client.post(
        f"/desk/complaints/{complaint_id}/extend", data={"extension_reason": ""}, headers=agent
    )
    assert no_reason.status_code == 422 and 'id="extension_reason-error"' in no_reason.text
    db.expire_all()
    stored = db.get(Complaint, complaint_id)
    assert stored is not None and stored.status == "received" and stored.extended_at is None


def test_complaint_form_needs_csrf_with_a_cookie_session(db, client, desk):  # SPEC SEC-8
    form = client.get("/login")
    token = form.cookies.get("claimdesk_csrf") or client.cookies.get("claimdesk_csrf")
    login = client.post(
        "/login",
        data={"username": "agent", "password": "Correct-Horse-9", "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert login.status_code == 303
    refused = client.post(
        "/desk/complaints", data={"person_id": str(desk["person"].id)}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert db.query(Complaint).count() == 0


def test_complaint_list_is_paged_not_cut(db, client, desk):  # type: ignore[no-untyped-def]
    # SPEC SVC-3 (every complaint recorded and findable), issue 12 (lists are paged)
    import re

    agent = login_headers(client, "agent")
    filed = [_file(client, agent, desk["person"].id) for _ in range(3)]
    ids = {f.headers["location"].rsplit("/", 1)[1] for f in filed}
    first = client.get("/desk/complaints?limit=2", headers=agent).text
    following = re.search(r'href="([^"]+)" rel="next"', first)
    assert following and 'id="pager-range"' in first
    second = client.get(following.group(1).replace("&amp;", "&"), headers=agent).text
    shown = set(re.findall(r'href="/desk/complaints/(\d+)"', first + second))
    assert shown == ids and 'rel="next"' not in second


def test_a_consultation_is_answered_and_closed_from_its_row(db, client, desk):  # type: ignore[no-untyped-def]
    # SPEC SVC-4 (answered within 2 hours: the answer stops the clock), GEN-6, GEN-5
    from claimdesk.auth.principal import Principal
    from claimdesk.models.service import ServiceRecord
    from claimdesk.service import service

    record = service.open_service_record(
        db,
        actor=Principal.system("test"),
        service_type="consultation",
        channel="phone",
        person_id=desk["person"].id,
        subject="保单贷款",
    )
    db.commit()
    agent = login_headers(client, "agent")
    listed = client.get("/desk/consultations", headers=agent)
    assert f'id="form-answer-{record.id}"' in listed.text
    empty = client.post(
        f"/desk/consultations/{record.id}/answer", data={"outcome": "  "}, headers=agent
    )
    assert empty.status_code == 422
    assert f'id="outcome-{record.id}-error"' in empty.text and "不能为空" in empty.text
    db.expire_all()
    assert db.get(ServiceRecord, record.id).status == "open"  # type: ignore[union-attr]
    answered = client.post(
        f"/desk/consultations/{record.id}/answer",
        data={"outcome": "已告知可贷额度"},
        headers=agent,
        follow_redirects=False,
    )
    assert answered.status_code == 303
    db.expire_all()
    stored = db.get(ServiceRecord, record.id)
    assert stored is not None and stored.status == "answered" and stored.answered_at
    (clock,) = db.query(Clock).filter_by(subject_type="service_record", subject_id=str(record.id))
    assert clock.stopped_at is not None
    closed = client.post(
        f"/desk/consultations/{record.id}/close",
        data={"outcome": ""},
        headers=agent,
        follow_redirects=False,
    )
    assert closed.status_code == 303
    db.expire_all()
    assert db.get(ServiceRecord, record.id).status == "closed"  # type: ignore[union-attr]
    again = client.post(
        f"/desk/consultations/{record.id}/close", data={"outcome": ""}, headers=agent
    )
    assert again.status_code == 409 and 'id="consultations-error"' in again.text


def test_a_decided_complaint_is_answered_and_archived_on_its_page(db, client, desk):  # type: ignore[no-untyped-def]
    # SPEC SVC-3 (recorded and archived), GEN-6
    agent = login_headers(client, "agent")
    filed = _file(client, agent, desk["person"].id)
    address = filed.headers["location"]
    decided = client.post(
        f"{address}/decide",
        data={"outcome": "upheld", "decision": "致歉并改进"},
        headers=agent,
        follow_redirects=False,
    )
    assert decided.status_code == 303
    page = client.get(address, headers=agent).text
    assert 'id="form-response"' in page and 'id="form-archive"' in page
    answered = client.post(
        f"{address}/response",
        data={"response": "accepted", "route": ""},
        headers=agent,
        follow_redirects=False,
    )
    assert answered.status_code == 303
    archived = client.post(f"{address}/archive", headers=agent, follow_redirects=False)
    assert archived.status_code == 303
    complaint_id = int(address.rsplit("/", 1)[1])
    db.expire_all()
    stored = db.get(Complaint, complaint_id)
    assert stored.status == "archived" and stored.customer_response == "accepted"
    again = client.post(f"{address}/archive", headers=agent)
    assert again.status_code == 409 and 'role="alert"' in again.text


def test_the_desk_textareas_stop_at_the_schemas_limit(db, client, desk):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: a text over the limit was refused with the whole form lost (a bare
    # error page); the browser now stops the typing at the limit the API's schema sets
    # for that text — 4,000 characters of progress, 2,000 of an extension's reason
    from claimdesk.service.schemas import AcknowledgeIn, ComplaintIn, DecideIn, ExtendIn, NoteIn

    def limit(model, name):  # type: ignore[no-untyped-def]
        return model.model_json_schema()["properties"][name].get("maxLength") or next(
            part["maxLength"]
            for part in model.model_json_schema()["properties"][name]["anyOf"]
            if "maxLength" in part
        )

    agent = login_headers(client, "agent")
    new = client.get("/desk/complaints/new", headers=agent).text
    description = limit(ComplaintIn, "description")
    assert f'name="description" rows="3" required maxlength="{description}"' in new
    address = _file(client, agent, desk["person"].id).headers["location"]
    page = client.get(address, headers=agent).text
    for name, model, field, required in (
        ("progress_note", AcknowledgeIn, "progress_note", " required"),
        ("note", NoteIn, "note", " required"),
        ("decision", DecideIn, "decision", " required"),
        ("extension_reason", ExtendIn, "reason", ""),
    ):
        expected = f'name="{name}" rows="3"{required} maxlength="{limit(model, field)}"'
        assert expected in page, name
    assert limit(AcknowledgeIn, "progress_note") == 4000 and limit(ExtendIn, "reason") == 2000


def test_the_complaint_page_explains_its_deadlines_in_the_readers_language(  # type: ignore[no-untyped-def]
    db, client, desk
):
    # SPEC GEN-4 (every deadline says which rule made it), GEN-6 (the user's language),
    # SVC-3: the clock rows keep their Chinese basis; an English page says it in English
    import re

    agent = login_headers(client, "agent")
    address = _file(client, agent, desk["person"].id, cause="delay").headers["location"]
    english = client.get(f"{address}?lang=en", headers=agent).text
    said = re.findall(r'class="muted small deadline-basis">([^<]*)<', english)
    assert len(said) == 2, english
    assert all(not re.search(r"[\u4e00-\u9fff]", text) for text in said), said
    assert any("Health Insurance Service Standards 6.3" in text for text in said)
    assert "Slow handling" in english  # the cause, in the words the portal offers it
    chinese = client.get(f"{address}?lang=zh-CN", headers=agent).text
    said = re.findall(r'class="muted small deadline-basis">([^<]*)<', chinese)
    assert any("《健康保险服务标准及实施指南》 6.3" in text for text in said), said
    assert "处理拖延" in chinese
    listed = client.get("/desk/complaints?lang=en", headers=agent).text
    assert "Slow handling" in listed
