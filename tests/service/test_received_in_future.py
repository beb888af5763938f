"""A contact cannot have come in after it is recorded (SVC-2, SVC-4, GEN-6): a received
time later than now is refused — 422 naming the field and the rule in both languages,
nothing written — on the API and on the desk's page alike; a time at most
``RECEIVED_SKEW`` (5 minutes) ahead is a clock difference and is read as now."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.clock import Clock
from claimdesk.models.service import Complaint, ServiceRecord
from claimdesk.service import service as desk_service
from tests.builders import login_headers, make_org_unit, make_user
from tests.service.helpers import make_person, seed_calendar

API = "/api/v1"
NOW = dt.datetime(2026, 10, 12, 2, 0, tzinfo=dt.UTC)  # Mon 12 Oct 2026 10:00 Beijing


@pytest.fixture
def desk(db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    monkeypatch.setattr(desk_service, "utcnow", lambda: NOW)
    seed_calendar(db)
    branch = make_org_unit(db)
    make_user(db, username="desk_future", roles=("service_agent",), org_unit=branch)
    person = make_person(db)
    db.commit()
    return {"headers": login_headers(client, "desk_future"), "person": person}


def _instant(delta: dt.timedelta) -> str:
    return (NOW + delta).astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()


def _record(client: TestClient, desk: dict[str, object], received: str, lang: str = "") -> object:
    return client.post(
        f"{API}/service/records{lang}",
        json={
            "service_type": "consultation",
            "channel": "phone",
            "person_id": desk["person"].id,  # type: ignore[attr-defined]
            "subject": "门诊报销范围",
            "received_at": received,
        },
        headers=desk["headers"],  # type: ignore[arg-type]
    )


def _counts(db: Session) -> tuple[int, int]:
    return (
        int(db.scalar(select(func.count()).select_from(ServiceRecord)) or 0),
        int(db.scalar(select(func.count()).select_from(Clock)) or 0),
    )


def test_a_received_time_in_the_future_is_refused_in_both_languages(
    db: Session, client: TestClient, desk: dict[str, object]
) -> None:
    # SPEC SVC-4, GEN-6: 6 minutes ahead is beyond the 5 minutes' tolerance
    before = _counts(db)
    later = _instant(dt.timedelta(minutes=6))
    for lang, words in (
        ("", "不能晚于现在（允许 5 分钟的时钟误差）"),
        ("?lang=en", "cannot be later than now (5 minutes' clock difference allowed)"),
    ):
        refused = _record(client, desk, later, lang)
        assert refused.status_code == 422, refused.text  # type: ignore[attr-defined]
        error = refused.json()["error"]  # type: ignore[attr-defined]
        assert (error["code"], error["field"]) == ("received_in_future", "received_at")
        assert words in error["message"]
    assert _counts(db) == before


def test_a_few_minutes_ahead_is_a_clock_difference_read_as_now(
    db: Session, client: TestClient, desk: dict[str, object]
) -> None:
    # SPEC SVC-4: 4 minutes ahead — the clock starts now, never after the record
    opened = _record(client, desk, _instant(dt.timedelta(minutes=4)))
    assert opened.status_code == 201, opened.text  # type: ignore[attr-defined]
    record = db.get(ServiceRecord, opened.json()["id"])  # type: ignore[attr-defined]
    assert record is not None
    received = record.received_at
    if received.tzinfo is None:  # SQLite gives naive UTC back
        received = received.replace(tzinfo=dt.UTC)
    assert received == NOW
    # A time in the past is kept as given.
    past = _record(client, desk, _instant(-dt.timedelta(hours=3)))
    assert past.status_code == 201, past.text  # type: ignore[attr-defined]
    assert past.json()["received_at"].startswith("2026-10-11T23:00")  # type: ignore[attr-defined]


def test_a_complaint_received_in_the_future_is_refused_too(
    db: Session, client: TestClient, desk: dict[str, object]
) -> None:
    # SPEC SVC-3, GEN-6: its 15-day decision clock would start after it was recorded
    refused = client.post(
        f"{API}/complaints",
        json={
            "person_id": desk["person"].id,  # type: ignore[attr-defined]
            "contact": "13800138000",
            "channel": "phone",
            "complaint_type": "claims",
            "cause": "delay",
            "description": "慢",
            "received_at": _instant(dt.timedelta(days=1)),
        },
        headers=desk["headers"],  # type: ignore[arg-type]
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == "received_at"
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0


def test_the_desk_page_refuses_by_the_same_rule(
    db: Session, client: TestClient, desk: dict[str, object]
) -> None:
    # SPEC SVC-2, GEN-6: the page's "came in at" (Beijing time) 10:06 is refused beside
    # its field with the API's words; 10:04 is taken as now
    form = {
        "channel": "phone",
        "service_type": "consultation",
        "customer": str(desk["person"].id),  # type: ignore[attr-defined]
        "subject": "门诊报销范围",
        "question": "门诊手术费能报吗？",
    }
    headers = desk["headers"]
    refused = client.post(
        "/desk/consultations",
        data={**form, "received_at": "2026-10-12T10:06"},
        headers=headers,  # type: ignore[arg-type]
        follow_redirects=False,
    )
    assert refused.status_code == 422, refused.text
    message = refused.text.split('id="received_at-error"')[1].split("</p>")[0]
    assert "允许 5 分钟的时钟误差" in message
    assert _counts(db) == (0, 0)
    taken = client.post(
        "/desk/consultations",
        data={**form, "received_at": "2026-10-12T10:04"},
        headers=headers,  # type: ignore[arg-type]
        follow_redirects=False,
    )
    assert taken.status_code == 303, taken.text
    (record,) = db.scalars(select(ServiceRecord)).all()
    received = record.received_at
    if received.tzinfo is None:
        received = received.replace(tzinfo=dt.UTC)
    assert received == NOW
