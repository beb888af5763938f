"""The one breach job: missed claim deadlines are marked from the clocks and escalated to
the claims supervisor once, and the customer is told of the delay once (GEN-4, CLM-P4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.auth.principal import Principal
from claimdesk.claims import tasks
from claimdesk.claims.intake import report
from claimdesk.clocks import escalation
from claimdesk.clocks.service import clocks_for
from claimdesk.db import make_engine, unit_of_work
from claimdesk.jobs.queue import periodic_tasks
from claimdesk.jobs.worker import load_task_modules
from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim
from claimdesk.models.clock import Clock
from claimdesk.models.job import OutboxMessage
from claimdesk.models.user import User
from tests.builders import (
    demo_version,
    issue_policy,
    make_org_unit,
    make_person,
    make_user,
    resident_id,
    seed_calendar,
)
from tests.claims.helpers import FrozenClock, World, build_world, local
from tests.waits import Rendezvous, run_in_threads

API = "/api/v1/claims"


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


def _messages(db: Session, template: str, claim_id: int | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.template == template)
    if claim_id is not None:
        query = query.where(OutboxMessage.related_id == str(claim_id))
    return list(db.scalars(query.order_by(OutboxMessage.id)))


def _report(w: World, **extra: Any) -> dict[str, Any]:
    payload = {
        "channel": "hotline",
        "policy_number": w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "contact_phone": "13912345678",
        "loss_date": "2026-09-28",
        "loss_place": "北京市朝阳区",
        "loss_cause": "illness",
        "loss_overview": "住院治疗",
        "estimated_amount": "4000.00",
        **extra,
    }
    r = w.client.post(API, json=payload, headers=w.h["handler"])
    assert r.status_code == 201, r.text
    return r.json()


def test_breach_job_escalates_each_missed_claim_clock_once_and_tells_customer_once(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-4 CLM-P4 CLM-V4
    w = world
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    claim = _report(w, received_at="2026-09-30T09:30:00+08:00")
    cid = claim["id"]

    # Before the review deadline (10 Oct 23:59:59, across National Day) nothing happens.
    assert tasks.run_breach_job(db, now=local("2026-10-10T23:00:00")) == {
        "marked": 0,
        "escalated": 0,
    }
    result = tasks.run_breach_job(db, now=local("2026-10-11T09:00:00"))
    assert result == {"marked": 1, "escalated": 1}
    review = next(
        c for c in clocks_for(db, subject_type="claim", subject_id=cid) if c.name == "claim.review"
    )
    # Breach state comes from the clock: the moment it passed its due time.
    assert review.breached_at == review.due_at == local("2026-10-10T23:59:59")
    assert review.escalated_at == local("2026-10-11T09:00:00")
    escalations = _messages(db, "claim.deadline_breached", cid)
    assert [m.recipient for m in escalations] == [f"user:{w.users['supervisor']}"]
    # The deadline by what it is for and the due time as people write it, not its code.
    assert escalations[0].body == (
        f"案件 {claim['number']} 的时限“完成审核”已于 2026年10月10日 23:59 超时，请立即跟进。"
    )
    assert escalations[0].subject == "理赔时限超时"
    delay = _messages(db, "claim.delay_foreseen", cid)
    assert len(delay) == 1 and delay[0].channel == "sms" and "可能延长" in delay[0].body

    # A second run (or a second worker) finds nothing new.
    assert tasks.run_breach_job(db, now=local("2026-10-11T09:01:00")) == {
        "marked": 0,
        "escalated": 0,
    }
    # The 30-day determination clock breaches later: a new escalation, no second notice.
    assert tasks.run_breach_job(db, now=local("2026-10-31T09:00:00"))["escalated"] == 1
    assert len(_messages(db, "claim.deadline_breached", cid)) == 2
    assert len(_messages(db, "claim.delay_foreseen", cid)) == 1
    db.commit()  # audit entries are chained at commit
    escalated = db.scalars(select(AuditEntry).where(AuditEntry.action == "clock.escalated")).all()
    assert len(escalated) == 2


def test_each_supervisor_reads_the_breach_in_their_own_language(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-4, GEN-6: a supervisor who reads English gets the escalation — its subject
    # too — in English; the Chinese reader's stays Chinese.
    w = world
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    claim = _report(w, received_at="2026-09-30T09:30:00+08:00")
    supervisor = db.get(User, w.users["supervisor"])
    assert supervisor is not None
    english = make_user(db, username="boss_en", roles=["reviewer_1"], org_unit=None)
    english.org_unit_id = supervisor.org_unit_id
    english.language = "en"
    db.flush()
    tasks.run_breach_job(db, now=local("2026-10-11T09:00:00"))
    told = {m.recipient: m for m in _messages(db, "claim.deadline_breached", claim["id"])}
    zh, en = told[f"user:{supervisor.id}"], told[f"user:{english.id}"]
    assert "完成审核" in zh.body and zh.subject == "理赔时限超时"
    assert (en.language, en.subject) == ("en", "Claim time limit missed")
    assert en.body == (
        f'Claim {claim["number"]}: the time limit "Completing the review" was missed at '
        "10 Oct 2026 23:59; please follow up now."
    )


def test_claim_without_supervisor_is_escalated_once_one_is_on_record(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-4
    w = world
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = _report(w)["id"]
    branch = make_org_unit(db, code="SH", name="上海分公司", kind="branch")
    db.get(Claim, cid).org_unit_id = branch.id  # type: ignore[union-attr]
    for clock in clocks_for(db, subject_type="claim", subject_id=cid):
        clock.org_unit_id = branch.id
    db.flush()
    assert tasks.run_breach_job(db, now=local("2026-10-11T09:00:00")) == {
        "marked": 1,
        "escalated": 0,
    }
    assert _messages(db, "claim.deadline_breached", cid) == []
    # Nobody to tell yet: the customer is not told either, and the clock stays open.
    assert _messages(db, "claim.delay_foreseen", cid) == []
    boss = make_user(db, username="sh_boss", roles=["reviewer_1"], org_unit=branch)
    assert tasks.run_breach_job(db, now=local("2026-10-11T09:05:00"))["escalated"] == 1
    assert [m.recipient for m in _messages(db, "claim.deadline_breached", cid)] == [
        f"user:{boss.id}"
    ]


def test_one_periodic_breach_job_dispatches_to_every_domain() -> None:
    # SPEC GEN-4
    load_task_modules()
    kinds = [p.kind for p in periodic_tasks()]
    assert "clocks.mark_and_escalate" in kinds
    assert "service.escalate_breaches" not in kinds
    every = next(p.every for p in periodic_tasks() if p.kind == "clocks.mark_and_escalate")
    assert every == dt.timedelta(minutes=1)
    assert {"claim", "claim_dispute", "complaint", "service_record"} <= set(
        escalation.registered_subject_types()
    )


@pytest.mark.postgres_only
def test_two_workers_running_the_breach_job_escalate_each_clock_once(
    fresh_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-4 CLM-P4: two workers at once → one escalation and one message per clock.
    engine = make_engine(fresh_db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    with unit_of_work(factory) as session:
        seed_calendar(session, years=(2025, 2026))
        hq = make_org_unit(session)
        for name in ("boss1", "boss2"):
            make_user(session, username=name, roles=["reviewer_1"], org_unit=hq)
        person = make_person(session, name="李四", id_number=resident_id(seq="456"))
        version = demo_version(session, "MED-MILLION")
        policy = issue_policy(session, version_id=version.id, policyholder_id=person.id)
        policy.org_unit_id = hq.id
        session.flush()
        for index in range(12):
            report.report_claim(
                session,
                actor=Principal.system("test"),
                data=report.ReportIn(
                    channel="hotline",
                    policy_number=policy.number,
                    loss_date=dt.date(2026, 9, 28),
                    loss_place="北京",
                    loss_cause="illness",
                    loss_overview=f"住院 {index}",
                    claimant_name="李四",
                    contact_phone="13912345678",
                ),
            )
    barrier = Rendezvous(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            with unit_of_work(factory) as session:
                escalation.mark_and_escalate(session, now=local("2026-11-02T09:00:00"))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    run_in_threads([worker, worker])
    assert errors == []
    with factory() as session:
        breached = session.scalars(select(Clock).where(Clock.breached_at.is_not(None))).all()
        # Review and determination clocks of 12 claims.
        assert len(breached) == 24 and all(c.escalated_at is not None for c in breached)
        escalations = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.template == "claim.deadline_breached")
        )
        assert escalations == 24 * 2  # one per clock and supervisor
        delays = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.template == "claim.delay_foreseen")
        )
        assert delays == 12
        audits = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "clock.escalated")
        )
        assert audits == 24
    engine.dispose()


def test_every_claim_notice_has_zh_and_en_text() -> None:
    # SPEC CLM-R3 CLM-A4 CLM-P4 CLM-Z3: templated customer notices in both languages.
    from claimdesk.claims import notify

    params = {
        "number": "BA1",
        "deadline": "2026-10-30",
        "items": "x",
        "reason": "r",
        "clock": "c",
        "due": "d",
        "responder": "p",
        "answer": "a",
        "outcome": "o",
        "reasons": "r",
    }
    for template in (
        "claim.reported",
        "claim.materials_missing",
        "claim.accepted",
        "claim.rejected",
        "claim.paid",
        "claim.withdrawn",
        "claim.delay_foreseen",
        "claim.dispute_received",
        "claim.dispute_answered",
        "claim.dispute_resolved",
    ):
        zh = notify.render(template, params, "zh-CN")
        en = notify.render(template, params, "en")
        assert "BA1" in zh and "BA1" in en and zh != en
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in en)
