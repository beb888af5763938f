"""A complaint's readable number (SVC-3, migration 0060): TS + the local date it was
received + 6 digits, drawn as claim report numbers are (db.next_daily_value: a sequence of
the day on PostgreSQL, no lock held to commit), shown wherever the database id was shown —
the desk's list and page, the workbench, the portal, the complainant's messages and the
API (which keeps ``id`` as the key of its addresses)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.models.service import Complaint
from claimdesk.service import service
from claimdesk.service.errors import UnknownCode
from tests.builders import login_headers, make_org_unit, make_user
from tests.service.helpers import local, make_person, principal_of, seed_calendar

NUMBER = re.compile(r"^TS\d{8}\d{6}$")


@pytest.fixture
def agent(db: Session) -> Principal:
    seed_calendar(db)
    branch = make_org_unit(db, code="BJ01", name="北京分公司", kind="branch")
    user = make_user(db, username="desk1", roles=("service_agent",), org_unit=branch)
    return principal_of(user, ("service_agent",))


def _file(db: Session, agent: Principal, received, **overrides: object) -> Complaint:  # type: ignore[no-untyped-def]
    fields: dict[str, object] = dict(
        person_id=make_person(db).id,
        contact="13800138000",
        channel="phone",
        complaint_type="service",
        cause="delay",
        description="理赔进度太慢",
        received_at=received,
    )
    fields.update(overrides)
    return service.file_complaint(db, actor=agent, **fields)  # type: ignore[arg-type]


def _seq(number: str) -> int:
    return int(number[-6:])


def test_numbers_follow_the_local_day_received_and_increase(db: Session, agent: Principal) -> None:
    # SPEC SVC-3, GEN-2: 23:30 and 00:30 Beijing time are two local days (the same UTC day)
    late = _file(db, agent, local(2026, 9, 28, 23, 30))
    later = _file(db, agent, local(2026, 9, 28, 23, 45))
    next_day = _file(db, agent, local(2026, 9, 29, 0, 30))
    for complaint in (late, later, next_day):
        assert NUMBER.match(complaint.number), complaint.number
    assert late.number.startswith("TS20260928") and later.number.startswith("TS20260928")
    assert next_day.number.startswith("TS20260929")
    assert _seq(later.number) == _seq(late.number) + 1
    assert len({late.number, later.number, next_day.number}) == 3


def test_a_refused_complaint_draws_no_number(db: Session, agent: Principal) -> None:
    # SPEC SVC-3: every check runs before the number is drawn: no gap from a refusal
    first = _file(db, agent, local(2026, 9, 28, 10, 0))
    with pytest.raises(UnknownCode):
        _file(db, agent, local(2026, 9, 28, 10, 5), cause="no_such_cause")
    second = _file(db, agent, local(2026, 9, 28, 10, 10))
    assert _seq(second.number) == _seq(first.number) + 1


@pytest.mark.postgres_only
def test_a_new_days_sequence_starts_after_the_numbers_already_issued(
    db: Session, agent: Principal
) -> None:
    # SPEC SVC-3: sequences are not in a backup; a day's sequence created after a restore
    # starts above that day's highest number, so no number is issued twice
    restored = _file(db, agent, local(2026, 9, 20, 10, 0))
    restored.number = "TS20260921000041"
    db.flush()
    fresh = _file(db, agent, local(2026, 9, 21, 10, 0))
    assert fresh.number == "TS20260921000042"


def test_the_api_gives_the_number_and_keeps_the_id(db: Session, client) -> None:  # type: ignore[no-untyped-def]
    # SPEC SVC-3: the out schema adds the number; id stays the key of the addresses
    seed_calendar(db)
    hq = make_org_unit(db)
    person = make_person(db)
    make_user(db, username="agent", roles=["service_agent"], org_unit=hq)
    db.commit()
    headers = login_headers(client, "agent")
    body = {
        "person_id": person.id,
        "contact": "13800001111",
        "channel": "phone",
        "complaint_type": "service",
        "cause": "attitude",
        "description": "态度差",
    }
    filed = client.post("/api/v1/complaints", json=body, headers=headers)
    assert filed.status_code == 201, filed.text
    out = filed.json()
    assert NUMBER.match(out["number"]) and isinstance(out["id"], int)
    got = client.get(f"/api/v1/complaints/{out['id']}", headers=headers).json()
    assert got["number"] == out["number"]
    stored = db.scalars(select(Complaint).where(Complaint.id == out["id"])).one()
    assert stored.number == out["number"]


def test_pages_show_the_number_not_the_id(db: Session, client) -> None:  # type: ignore[no-untyped-def]
    # SPEC SVC-3: the desk's list and page, and the workbench's service queue
    seed_calendar(db)
    hq = make_org_unit(db)
    person = make_person(db)
    make_user(db, username="agent", roles=["service_agent"], org_unit=hq)
    db.commit()
    headers = login_headers(client, "agent")
    form = {
        "person_id": str(person.id),
        "contact": "13800001111",
        "channel": "phone",
        "complaint_type": "service",
        "cause": "attitude",
        "description": "态度差",
    }
    filed = client.post("/desk/complaints", data=form, headers=headers, follow_redirects=False)
    assert filed.status_code == 303, filed.text[:300]
    complaint_id = int(filed.headers["location"].rsplit("/", 1)[1])
    number = db.get(Complaint, complaint_id).number
    for language, word in (("zh-CN", "投诉"), ("en", "Complaint")):
        page = client.get(f"/desk/complaints/{complaint_id}?lang={language}", headers=headers)
        assert f'<span id="complaint-number">{number}</span>' in page.text
        assert f"{word} #{complaint_id}" not in page.text
    listed = client.get("/desk/complaints", headers=headers).text
    assert f">{number}</a>" in listed and f">#{complaint_id}</a>" not in listed
    workbench = client.get("/workbench", headers=headers)
    if workbench.status_code == 200:
        assert number in workbench.text
