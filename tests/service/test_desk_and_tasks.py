"""Consultations (SVC-4), breach escalation, satisfaction (SVC-5), customer care (SVC-6)."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.auth.principal import Principal
from claimdesk.clocks.service import clock_met, clocks_for, mark_breaches
from claimdesk.db import make_engine
from claimdesk.models.job import OutboxMessage
from claimdesk.models.person import Consent
from claimdesk.models.service import SatisfactionSurvey, ServiceRecord
from claimdesk.models.user import User
from claimdesk.service import service, tasks
from claimdesk.service.errors import (
    NotYourRecord,
    ScoreOutOfRange,
    SurveySubjectNotEligible,
    UnknownCode,
)
from tests.builders import make_org_unit, make_user
from tests.service.helpers import local, make_person, principal_of, seed_calendar
from tests.waits import Rendezvous, run_in_threads

SCORES = {
    "score_speed": 5,
    "score_attitude": 4,
    "score_result": 3,
    "score_process": 4,
    "score_value_added": None,
}


@pytest.fixture
def desk(db: Session) -> tuple[Principal, Principal]:
    seed_calendar(db)
    branch = make_org_unit(db, code="SH01", name="上海分公司", kind="branch")
    agent = make_user(db, username="desk2", roles=("service_agent",), org_unit=branch)
    boss = make_user(db, username="desk_boss", roles=("service_agent",), org_unit=branch)
    service.set_desk_supervisor(
        db, actor=Principal.system(), org_unit_id=branch.id, user_id=boss.id
    )
    return principal_of(agent, ("service_agent",)), principal_of(boss, ("service_agent",))


def _consultation(db: Session, agent: Principal, at: dt.datetime) -> ServiceRecord:
    person = make_person(db)
    return service.open_service_record(
        db,
        actor=agent,
        service_type="consultation",
        channel="phone",
        person_id=person.id,
        subject="重疾险等待期咨询",
        received_at=at,
    )


def _escalations(db: Session, record: ServiceRecord) -> list[OutboxMessage]:
    """The messages telling the supervisor that ``record``'s time limit was missed."""
    return list(
        db.scalars(
            select(OutboxMessage).where(
                OutboxMessage.template == "service_deadline_breached",
                OutboxMessage.related_id == str(record.id),
            )
        ).all()
    )


def test_consultation_answered_within_two_hours(
    db: Session, desk: tuple[Principal, Principal]
) -> None:
    # SPEC SVC-4 GEN-4: received 1 Oct 2026 (a holiday) 23:00 → due 2 Oct 01:00.
    agent, _ = desk
    record = _consultation(db, agent, local(2026, 10, 1, 23, 0))
    (clock,) = clocks_for(db, subject_type="service_record", subject_id=record.id)
    assert clock.name == service.CONSULTATION_CLOCK
    assert clock.due_at == local(2026, 10, 2, 1, 0)
    service.answer_service_record(
        db, actor=agent, record_id=record.id, outcome="已解答", at=local(2026, 10, 2, 0, 45)
    )
    assert clock_met(clock=clock) is True and record.status == "answered"


def test_breached_consultation_escalates_to_supervisor_exactly_once(
    db: Session, desk: tuple[Principal, Principal]
) -> None:
    # SPEC SVC-4 GEN-4: unanswered after 2 hours → breach → supervisor told once.
    agent, boss = desk
    record = _consultation(db, agent, local(2026, 10, 5, 9, 0))
    (clock,) = clocks_for(db, subject_type="service_record", subject_id=record.id)
    assert tasks.escalate_service_breaches(db, now=local(2026, 10, 5, 10, 0)) == 0
    mark_breaches(db, now=local(2026, 10, 5, 11, 30))
    assert clock.breached_at == local(2026, 10, 5, 11, 0)
    assert tasks.escalate_service_breaches(db, now=local(2026, 10, 5, 11, 30)) == 1
    assert tasks.escalate_service_breaches(db, now=local(2026, 10, 5, 11, 40)) == 0
    messages = _escalations(db, record)
    assert [m.recipient for m in messages] == [boss.username]
    assert clock.escalated_at == local(2026, 10, 5, 11, 30)
    # GEN-6: the record and the deadline in words, the time as people write it.
    assert messages[0].subject == "服务时限超时"
    assert messages[0].body == (
        f"服务记录 #{record.id} 的时限“答复咨询”已于 2026年10月5日 11:00 超时，请跟进。"
    )


def test_an_english_supervisor_reads_the_escalation_in_english(
    db: Session, desk: tuple[Principal, Principal]
) -> None:
    # SPEC SVC-4 GEN-4 GEN-6: the message follows its reader's language, as the claim
    # escalations do (it was Chinese, with the clock's code, for everyone).
    agent, boss = desk
    supervisor = db.get(User, boss.user_id)
    assert supervisor is not None
    supervisor.language = "en"
    record = _consultation(db, agent, local(2026, 10, 5, 9, 0))
    mark_breaches(db, now=local(2026, 10, 5, 11, 30))
    assert tasks.escalate_service_breaches(db, now=local(2026, 10, 5, 11, 30)) == 1
    [message] = _escalations(db, record)
    assert (message.language, message.subject) == ("en", "Service time limit missed")
    assert message.body == (
        f'Service record #{record.id}: the time limit "Answering the consultation" was missed '
        "at 5 Oct 2026 11:00; please follow up."
    )


@pytest.mark.parametrize(
    ("field", "value"), [("service_type", "fortune_telling"), ("channel", "pigeon")]
)
def test_unknown_type_or_channel_is_refused(
    db: Session, desk: tuple[Principal, Principal], field: str, value: str
) -> None:
    # SPEC SVC-1 SVC-2 GEN-6
    agent, _ = desk
    person = make_person(db)
    values = {"service_type": "consultation", "channel": "phone", field: value}
    before = db.scalar(select(func.count()).select_from(ServiceRecord))
    with pytest.raises(UnknownCode) as error:
        service.open_service_record(db, actor=agent, person_id=person.id, subject="x", **values)
    assert error.value.field == field and value in error.value.message("en")
    assert db.scalar(select(func.count()).select_from(ServiceRecord)) == before


def test_survey_after_closed_record_and_customer_rates_only_own(
    db: Session, desk: tuple[Principal, Principal]
) -> None:
    # SPEC SVC-5 SEC-4
    agent, _ = desk
    record = _consultation(db, agent, local(2026, 11, 2, 9, 0))
    rate = partial(service.record_survey, db, subject_type="service_record", subject_id=record.id)
    with pytest.raises(SurveySubjectNotEligible):
        rate(actor=agent, source="phone_interview", scores=SCORES)
    service.close_service_record(
        db, actor=agent, record_id=record.id, outcome="已解答", at=local(2026, 11, 2, 9, 30)
    )
    with pytest.raises(ScoreOutOfRange) as bad:
        rate(actor=agent, source="phone_interview", scores={**SCORES, "score_result": 6})
    assert bad.value.field == "score_result"
    survey = rate(actor=agent, source="phone_interview", scores=SCORES)
    assert (survey.service_type, survey.score_speed) == ("consultation", 5)
    owner_user = make_user(
        db, username="cust_owner", roles=("customer",), person_id=record.person_id
    )
    owner = principal_of(owner_user, ("customer",), person_id=record.person_id)
    stranger_person = make_person(db, name="李四")
    stranger_user = make_user(
        db, username="cust_other", roles=("customer",), person_id=stranger_person.id
    )
    stranger = principal_of(stranger_user, ("customer",), person_id=stranger_person.id)
    with pytest.raises(UnknownCode):  # customers rate online only
        rate(actor=owner, source="third_party", scores=SCORES)
    with pytest.raises(Exception) as hidden:
        rate(actor=stranger, source="online_rating", scores=SCORES)
    assert getattr(hidden.value, "status_code", None) in (403, 404)
    rate(actor=owner, source="online_rating", scores=SCORES)
    count = db.scalar(
        select(func.count())
        .select_from(SatisfactionSurvey)
        .where(SatisfactionSurvey.subject_id == record.id)
    )
    assert count == 2


def test_customer_cannot_file_for_someone_else(
    db: Session, desk: tuple[Principal, Principal]
) -> None:
    # SPEC SVC-3 SEC-4
    me = make_person(db)
    other = make_person(db, name="王五")
    user = make_user(db, username="cust_me", roles=("customer",), person_id=me.id)
    customer = principal_of(user, ("customer",), person_id=me.id)
    file = partial(
        service.file_complaint,
        db,
        actor=customer,
        contact="13800138000",
        channel="web_app",
        complaint_type="service",
        cause="attitude",
        description="态度差",
    )
    with pytest.raises(NotYourRecord):
        file(person_id=other.id)
    mine = file(person_id=None)
    assert mine.person_id == me.id


def test_care_goes_only_to_consenting_customers_once_per_period(db: Session) -> None:
    # SPEC SVC-6 SEC-6: no consent → no message; consent → one message per period.
    yes = make_person(db, email="yes@example.com", care_consent=True)
    no = make_person(db, email="no@example.com")
    withdrawn = make_person(db, email="gone@example.com", care_consent=True)
    db.scalars(
        select(Consent).where(Consent.person_id == withdrawn.id)
    ).one().withdrawn_at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    db.flush()
    tasks.run_care_campaign(db, period="2026-11")
    tasks.run_care_campaign(db, period="2026-11")
    sent = db.scalars(select(OutboxMessage).where(OutboxMessage.template == "customer_care")).all()
    assert [m.person_id for m in sent] == [yes.id]
    assert no.id not in {m.person_id for m in sent}
    tasks.run_care_campaign(db, period="2026-12")
    assert (
        db.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.person_id == yes.id)
        )
        == 2
    )


@pytest.mark.postgres_only
def test_care_exactly_once_with_two_workers(fresh_db_url: str) -> None:
    # SPEC SVC-6: two workers run the same campaign at once; each consenting customer
    # gets exactly one message, the others none.
    engine = make_engine(fresh_db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        consenting = [
            make_person(session, email=f"c{i}@example.com", care_consent=True).id for i in range(20)
        ]
        silent = [make_person(session, email=f"s{i}@example.com").id for i in range(5)]
        session.commit()
    barrier = Rendezvous(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with factory() as session:
                barrier.wait()
                tasks.run_care_campaign(session, period="2026-11")
                session.commit()
        except BaseException as error:
            errors.append(error)

    run_in_threads([worker, worker])
    assert errors == []
    with factory() as session:
        rows = session.execute(
            select(OutboxMessage.person_id, func.count())
            .where(OutboxMessage.template == "customer_care")
            .group_by(OutboxMessage.person_id)
        ).all()
    engine.dispose()
    assert dict(rows) == {person_id: 1 for person_id in consenting}
    assert not set(silent) & {person_id for person_id, _ in rows}


def test_care_is_written_in_the_customers_language_and_kept_in_both(db: Session) -> None:
    # SPEC SVC-6, GEN-6: the care message reads in the language on the customer's record
    # (it was Chinese to everyone), and both texts are kept for the portal
    chinese = make_person(db, email="zh@example.com", care_consent=True)
    english = make_person(db, email="en@example.com", care_consent=True)
    english.preferred_language = "en"
    db.flush()
    tasks.run_care_campaign(db, period="2026-11")
    sent = {
        m.person_id: m
        for m in db.scalars(select(OutboxMessage).where(OutboxMessage.template == "customer_care"))
    }
    assert sent[chinese.id].body.startswith("【健康关爱】")
    assert sent[chinese.id].subject == "健康与保险资讯"
    assert sent[english.id].body.startswith("[Health care] Keep warm")
    assert sent[english.id].subject == "Health and insurance news"
    assert sent[english.id].body_zh.startswith("【健康关爱】")
    assert sent[chinese.id].body_en.startswith("[Health care]")
