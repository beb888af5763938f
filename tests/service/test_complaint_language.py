"""What a complainant is told, where and in which language (SPEC SVC-3, CLM-Z3, GEN-2,
GEN-6): the extension and the decision go by SMS to the contact when it is a mobile
number, else to the person's portal messages (notify.address, the rule of every customer
message) — never to an address guessed from the contact — in the language on their record,
zh-CN when they chose none."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims import notify
from claimdesk.models.job import OutboxMessage
from claimdesk.models.person import Person
from claimdesk.models.service import Complaint
from claimdesk.paging import PageRequest
from claimdesk.service import service
from tests.builders import make_org_unit, make_user
from tests.service.helpers import local, make_person, principal_of, seed_calendar


@pytest.fixture
def agent(db: Session) -> Principal:
    seed_calendar(db)
    branch = make_org_unit(db, code="BJ01", name="北京分公司", kind="branch")
    user = make_user(db, username="desk1", roles=("service_agent",), org_unit=branch)
    return principal_of(user, ("service_agent",))


def _file(db: Session, agent: Principal, person: Person, contact: str) -> Complaint:
    return service.file_complaint(
        db,
        actor=agent,
        person_id=person.id,
        contact=contact,
        channel="phone",
        complaint_type="service",
        cause="delay",
        description="理赔进度太慢",
        received_at=local(2026, 9, 28, 10, 0),
    )


def _told(db: Session, complaint: Complaint, template: str) -> OutboxMessage:
    return db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.related_type == "complaint",
            OutboxMessage.related_id == str(complaint.id),
            OutboxMessage.template == template,
        )
    ).one()


def _extend_and_decide(db: Session, agent: Principal, complaint: Complaint) -> None:
    service.extend_complaint(
        db,
        actor=agent,
        complaint_id=complaint.id,
        reason="需调取医院病历",
        at=local(2026, 10, 9, 9, 0),
    )
    service.decide_complaint(
        db,
        actor=agent,
        complaint_id=complaint.id,
        outcome="upheld",
        decision="补偿等待期间利息",
        at=local(2026, 10, 27, 15, 0),
    )


def test_an_english_complainant_reads_the_extension_and_the_decision_in_english(
    db: Session, agent: Principal
) -> None:
    # SPEC SVC-3 GEN-2: by SMS to the mobile number given, in English, the new deadline
    # as an English reader writes it; the staff's words are sent as they wrote them
    person = make_person(db)
    person.preferred_language = "en"
    complaint = _file(db, agent, person, "138 0013 8000")
    _extend_and_decide(db, agent, complaint)
    extended = _told(db, complaint, "complaint_extended")
    assert (extended.channel, extended.recipient, extended.language) == (
        "sms",
        "13800138000",
        "en",
    )
    assert extended.body == (
        f"Your complaint (no. {complaint.number}): the time to decide it is extended to "
        "28 Oct 2026 23:59. Reason: 需调取医院病历"
    )
    decided = _told(db, complaint, "complaint_decided")
    assert decided.language == "en" and decided.body == (
        f"Your complaint (no. {complaint.number}) has been decided: 补偿等待期间利息"
    )
    assert decided.dedupe_key == f"complaint:{complaint.id}:decided"


def test_a_complainant_without_a_phone_reads_the_answer_in_the_portal(
    db: Session, agent: Principal
) -> None:
    # SPEC SVC-3 CLM-Z3: a postal address is no SMS number: the answer goes to the
    # person's portal messages (it went out as an "app" message to the address)
    person = make_person(db)
    complaint = _file(db, agent, person, "北京市朝阳区建国路 1 号")
    _extend_and_decide(db, agent, complaint)
    decided = _told(db, complaint, "complaint_decided")
    assert (decided.channel, decided.recipient, decided.person_id) == (
        "app",
        f"person:{person.id}",
        person.id,
    )
    assert decided.language == "zh-CN"
    assert decided.body == f"您的投诉（编号 {complaint.number}）已有处理决定：补偿等待期间利息"
    extended = _told(db, complaint, "complaint_extended")
    assert "2026年10月28日 23:59" in extended.body and "原因：需调取医院病历" in extended.body
    customer = Principal.build(
        user_id=None, username="c", roles=frozenset({"customer"}), person_id=person.id
    )
    listed = notify.messages_for(db, actor=customer, request=PageRequest(offset=0, limit=20))
    assert decided.id in [m.id for m in listed.rows]


def test_an_address_is_a_phone_or_the_portal_never_nowhere() -> None:
    # SPEC CLM-R3 SVC-3: one rule for every customer message
    assert notify.address("13912345678", 7) == ("13912345678", "sms")
    assert notify.address(None, 7) == ("person:7", "app")
    assert notify.address("", 7) == ("person:7", "app")
    assert notify.address(None, 7, email="a@b.cn") == ("a@b.cn", "email")
    assert notify.address("13912345678", 7, email="a@b.cn") == ("13912345678", "sms")


def test_a_complaint_made_by_email_is_answered_by_email_and_shown_in_the_portal(
    db: Session, agent: Principal
) -> None:
    # SPEC SVC-3 CLM-Z3: the complainant gave an e-mail address: the answer goes there
    # (the outbox's e-mail channel), and the portal's Messages page lists it too
    person = make_person(db)
    complaint = _file(db, agent, person, " wang.li@example.cn ")
    _extend_and_decide(db, agent, complaint)
    decided = _told(db, complaint, "complaint_decided")
    assert (decided.channel, decided.recipient, decided.person_id) == (
        "email",
        "wang.li@example.cn",
        person.id,
    )
    customer = Principal.build(
        user_id=None, username="c", roles=frozenset({"customer"}), person_id=person.id
    )
    listed = notify.messages_for(db, actor=customer, request=PageRequest(offset=0, limit=20))
    assert decided.id in [m.id for m in listed.rows]
