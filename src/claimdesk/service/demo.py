"""Demo service data (idempotent): contacts of several types, complaints (one extended,
some decided), satisfaction surveys, plus the sales demo — enough for every report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.calendar.cache import load_calendar
from claimdesk.calendar.service import seed_from_package
from claimdesk.crypto.indexes import PURPOSE_ID_NUMBER
from claimdesk.crypto.keyring import blind_index
from claimdesk.models.person import Consent, Person
from claimdesk.models.service import ServiceRecord
from claimdesk.rules.deadlines import LOCAL_TZ
from claimdesk.sales.demo import load_demo_sales
from claimdesk.service import service

MARKER = "【演示】"
# What each demo contact was about, as the service agent wrote it down.
SUBJECTS = {
    "consultation": "咨询百万医疗险的保障范围",
    "policy_change": "变更保单联系地址",
    "health_consultation": "咨询体检报告中的指标",
    "claims_help": "询问理赔需要哪些材料",
}


def _at(month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=LOCAL_TZ)


def _person(session: Session, number: str, name: str, email: str | None, care: bool) -> Person:
    found = session.scalars(
        select(Person).where(Person.id_number_hash == blind_index(number, PURPOSE_ID_NUMBER))
    ).first()
    if found is not None:
        return found
    person = Person(
        name=name,
        id_type="passport",
        id_number=number,
        id_number_hash=blind_index(number, PURPOSE_ID_NUMBER),
        id_number_last4=number[-4:],
        email=email,
    )
    session.add(person)
    session.flush()
    purposes = ["policy_service"] + (["customer_care"] if care else [])
    for purpose in purposes:
        session.add(
            Consent(
                person_id=person.id,
                purpose=purpose,
                scope="identity,contact",
                method="written",
                granted_at=_at(1, 5, 10),
            )
        )
    session.flush()
    return person


def load_demo_service(session: Session, actor: Principal) -> bool:
    """Returns False when the demo records exist already."""
    load_demo_sales(session, actor=actor)
    exists = select(ServiceRecord.id).where(ServiceRecord.subject.startswith(MARKER))
    if session.scalars(exists).first() is not None:
        return False
    if 2026 not in load_calendar(session).covered_years:
        seed_from_package(session, years=[2026], actor=actor)
    zhang = _person(session, "DEMO10000001", "张明", "zhang@example.com", care=True)
    chen = _person(session, "DEMO10000002", "陈红", None, care=False)
    contacts = [
        ("consultation", "phone", zhang, _at(10, 9, 9), dt.timedelta(minutes=40)),
        ("consultation", "web_app", chen, _at(10, 12, 14), dt.timedelta(hours=3)),
        ("policy_change", "branch", zhang, _at(10, 20, 10), dt.timedelta(hours=1)),
        ("health_consultation", "phone", chen, _at(11, 3, 16), dt.timedelta(minutes=20)),
        ("claims_help", "email", zhang, _at(11, 10, 11), dt.timedelta(hours=2)),
    ]
    for index, (kind, channel, person, received, delay) in enumerate(contacts):
        record = service.open_service_record(
            session,
            actor=actor,
            service_type=kind,
            channel=channel,
            person_id=person.id,
            subject=f"{MARKER}{SUBJECTS[kind]}",
            received_at=received,
        )
        service.close_service_record(
            session, actor=actor, record_id=record.id, outcome="已处理", at=received + delay
        )
        service.record_survey(
            session,
            actor=actor,
            subject_type="service_record",
            subject_id=record.id,
            source=("survey", "phone_interview", "third_party")[index % 3],
            surveyed_at=received + dt.timedelta(days=1),
            scores={
                "score_speed": 5 - index % 3,
                "score_attitude": 4,
                "score_result": 4,
                "score_process": 3 + index % 2,
                "score_value_added": 5 if kind == "health_consultation" else None,
            },
        )
    first = service.file_complaint(
        session,
        actor=actor,
        person_id=zhang.id,
        contact="zhang@example.com",
        channel="phone",
        complaint_type="claims",
        cause="delay",
        description=f"{MARKER}理赔进度慢",
        received_at=_at(9, 28, 10),
    )
    service.acknowledge_complaint(
        session,
        actor=actor,
        complaint_id=first.id,
        progress_note="已转理赔部门核查",
        at=_at(9, 28, 11),
    )
    service.extend_complaint(
        session, actor=actor, complaint_id=first.id, reason="需调取医院病历", at=_at(10, 9, 9)
    )
    service.decide_complaint(
        session,
        actor=actor,
        complaint_id=first.id,
        outcome="upheld",
        decision="加快处理并致歉",
        at=_at(10, 27, 15),
    )
    service.respond_to_decision(session, actor=actor, complaint_id=first.id, response="accepted")
    service.archive_complaint(session, actor=actor, complaint_id=first.id)
    second = service.file_complaint(
        session,
        actor=actor,
        person_id=chen.id,
        contact="13900139000",
        channel="web_app",
        complaint_type="service",
        cause="attitude",
        description=f"{MARKER}客服态度",
        received_at=_at(11, 4, 9),
    )
    service.acknowledge_complaint(
        session, actor=actor, complaint_id=second.id, progress_note="已联系客户", at=_at(11, 4, 10)
    )
    service.file_complaint(
        session,
        actor=actor,
        person_id=chen.id,
        contact="13900139000",
        channel="sms",
        complaint_type="sales",
        cause="misleading_sales",
        description=f"{MARKER}销售误导",
        received_at=_at(11, 16, 9),
    )
    return True
