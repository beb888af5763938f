"""Changes, terminations with refunds, renewals, disputes with their deadlines across
National Day 2026, incontestability, and the renewal reminder (POL-2..POL-6)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.audit.service import write_pending
from claimdesk.models.audit import AuditEntry
from claimdesk.models.job import OutboxMessage
from claimdesk.models.policy import PolicyChange
from claimdesk.policies import service
from claimdesk.policies.errors import (
    AlreadyRenewed,
    ChangeContentMissing,
    CustomerConsentMissing,
    InsuredRelationshipNotSelf,
    InsuredRelationshipSelfForOther,
    SameReviewerAndApprover,
    WrongStep,
)
from claimdesk.policies.schemas import ChangeIn
from claimdesk.products import service as products
from claimdesk.products.schemas import VersionIn
from tests.builders import demo_version, issue_policy, login_headers, make_user
from tests.policies.helpers import SYSTEM, at, person, seed_calendar, staff
from tests.waits import Rendezvous, run_in_threads

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def setup(db):
    seed_calendar(db)
    version = demo_version(db)
    holder = person(db, "赵投保", "201")
    b1 = person(db, "赵甲", "202")
    b2 = person(db, "赵乙", "203")
    policy = issue_policy(
        db,
        version_id=version.id,
        policyholder_id=holder.id,
        beneficiaries=[{"person_id": b1.id, "relationship": "配偶", "share": "100.00"}],
    )
    agent = staff(db, "svc1", "service_agent")
    supervisor = staff(db, "svc2", "service_agent")
    return {
        "policy": policy,
        "b1": b1,
        "b2": b2,
        "agent": agent,
        "supervisor": supervisor,
        "version": version,
    }


def _change(**kwargs):
    base = {
        "kind": "change",
        "description": "变更受益人",
        "effective_date": "2026-10-10",
        "customer_consent": True,
        "customer_consent_method": "written",
    }
    return ChangeIn.model_validate({**base, **kwargs})


def test_change_runs_request_review_approval_done_within_2_working_days(db, setup):
    # SPEC POL-2 GEN-4
    policy, agent, supervisor = setup["policy"], setup["agent"], setup["supervisor"]
    new = [
        {"person_id": setup["b1"].id, "relationship": "配偶", "share": "50.00"},
        {"person_id": setup["b2"].id, "relationship": "子女", "share": "50.00"},
    ]
    change = service.request_change(
        db,
        actor=agent,
        policy_id=policy.id,
        data=_change(beneficiaries=new),
        at=at("2026-09-30 10:00"),
    )
    view = service.change_out(db, change=change)
    clock = view.deadlines[0]
    assert clock.name == "policy_change.completion"
    assert clock.rule_label == "2 个工作日"
    # National Day: Oct 1–7 off, so the 2nd working day after Sep 30 is Fri Oct 9.
    assert clock.due_at == dt.datetime(2026, 10, 9, 23, 59, 59, tzinfo=SH)
    service.review_change(
        db, actor=agent, change_id=change.id, lawful=True, note="合法", at=at("2026-10-08 09:00")
    )
    with pytest.raises(SameReviewerAndApprover):
        service.approve_change(db, actor=agent, change_id=change.id)
    service.approve_change(db, actor=supervisor, change_id=change.id, at=at("2026-10-08 11:00"))
    with pytest.raises(WrongStep):
        service.review_change(db, actor=agent, change_id=change.id, lawful=True, note="again")
    service.complete_change(db, actor=agent, change_id=change.id, at=at("2026-10-09 15:00"))
    out = service.policy_out(db, policy=policy, as_of=dt.date(2026, 10, 9))
    assert [(b.name, b.share) for b in out.beneficiaries] == [
        ("赵甲", Decimal("50.00")),
        ("赵乙", Decimal("50.00")),
    ]
    done = out.changes[0]
    assert done.status == "done"
    assert done.before == {
        "beneficiaries": [{"person_id": setup["b1"].id, "relationship": "配偶", "share": "100.00"}]
    }
    assert done.deadlines[0].stopped and done.deadlines[0].met is True


def test_change_needs_consent_a_date_in_the_period_and_valid_shares(db, setup):
    # SPEC POL-2 GEN-6
    from claimdesk.policies.errors import BeneficiarySharesInvalid, ChangeDateOutsidePeriod

    agent, policy = setup["agent"], setup["policy"]
    share = [{"person_id": setup["b2"].id, "relationship": "子女", "share": "100.00"}]
    with pytest.raises(CustomerConsentMissing) as missing:
        service.request_change(
            db,
            actor=agent,
            policy_id=policy.id,
            data=_change(customer_consent=False, beneficiaries=share),
        )
    assert missing.value.field == "customer_consent"
    with pytest.raises(ChangeDateOutsidePeriod):
        service.request_change(
            db,
            actor=agent,
            policy_id=policy.id,
            data=_change(effective_date="2027-02-01", beneficiaries=share),
        )
    with pytest.raises(BeneficiarySharesInvalid):
        service.request_change(
            db,
            actor=agent,
            policy_id=policy.id,
            data=_change(beneficiaries=[{**share[0], "share": "99.00"}]),
        )


def test_rejected_review_stops_the_clock(db, setup):
    # SPEC POL-2
    change = service.request_change(
        db,
        actor=setup["agent"],
        policy_id=setup["policy"].id,
        data=_change(
            beneficiaries=[{"person_id": setup["b2"].id, "relationship": "子女", "share": "100.00"}]
        ),
        at=at("2026-09-30 10:00"),
    )
    service.review_change(
        db,
        actor=setup["agent"],
        change_id=change.id,
        lawful=False,
        note="受益人变更违反法律规定",
        at=at("2026-09-30 16:00"),
    )
    out = service.change_out(db, change=change)
    assert out.status == "rejected" and out.deadlines[0].stopped


@pytest.mark.parametrize(
    ("premium", "effective", "refund"),
    [
        ("365.00", dt.date(2026, 10, 1), Decimal("92.00")),  # 92 of 365 days unused
        ("1000.00", dt.date(2026, 10, 1), Decimal("252.05")),  # 1000 × 92/365 = 252.054…
        ("1000.00", dt.date(2026, 1, 1), Decimal("1000.00")),  # ends before any cover
        ("1000.00", dt.date(2026, 12, 31), Decimal("2.74")),  # last day only: 1000/365
    ],
)
def test_pro_rata_refund_is_exact(premium, effective, refund):
    # SPEC POL-3 GEN-1
    assert (
        service.pro_rata_refund(
            premium=Decimal(premium),
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
            effective=effective,
        )
        == refund
    )


def test_termination_refunds_unearned_premium_and_ends_cover(db, setup):
    # SPEC POL-3 CLM-R2
    policy, agent = setup["policy"], setup["agent"]
    change = service.request_change(
        db,
        actor=agent,
        policy_id=policy.id,
        at=at("2026-09-30 10:00"),
        data=_change(
            kind="termination",
            initiator="policyholder",
            description="投保人申请退保",
            effective_date="2026-10-01",
        ),
    )
    service.review_change(
        db, actor=agent, change_id=change.id, lawful=True, note="ok", at=at("2026-09-30 11:00")
    )
    service.approve_change(
        db, actor=setup["supervisor"], change_id=change.id, at=at("2026-09-30 12:00")
    )
    done = service.complete_change(db, actor=agent, change_id=change.id, at=at("2026-09-30 13:00"))
    assert done.refund_amount == Decimal("92.00")
    out = service.policy_out(db, policy=policy, as_of=dt.date(2026, 10, 2))
    assert out.status == "terminated" and out.terminated_on == dt.date(2026, 10, 1)
    assert out.refund_amount == Decimal("92.00")
    from claimdesk.policies import repository

    assert (
        repository.in_force_on(
            db, actor=SYSTEM, insured_ids=[policy.insured_id], day=dt.date(2026, 9, 30)
        )
        != []
    )
    assert (
        repository.in_force_on(
            db, actor=SYSTEM, insured_ids=[policy.insured_id], day=dt.date(2026, 10, 1)
        )
        == []
    )


@pytest.mark.parametrize(
    ("kind", "extra", "field"),
    [
        (
            "termination",
            {"initiator": "policyholder", "insured_relationship": "spouse"},
            "insured_relationship",
        ),
        (
            "termination",
            {
                "initiator": "policyholder",
                "beneficiaries": [{"person_id": 1, "relationship": "配偶", "share": "100.00"}],
            },
            "beneficiaries",
        ),
        ("change", {"insured_relationship": "self", "initiator": "insurer"}, "initiator"),
    ],
)
def test_a_field_of_the_other_kind_is_refused_not_dropped(db, setup, kind, extra, field):
    # SPEC POL-2 POL-3 GEN-6: a termination carrying new beneficiaries must not read as
    # done when only the termination would have been applied
    from claimdesk.policies.errors import FieldNotForKind

    before = db.scalar(select(func.count()).select_from(PolicyChange))
    with pytest.raises(FieldNotForKind) as refused:
        service.request_change(
            db,
            actor=setup["agent"],
            policy_id=setup["policy"].id,
            at=at("2026-09-30 10:00"),
            data=_change(kind=kind, description="申请", **extra),
        )
    assert refused.value.field == field and refused.value.status_code == 422
    assert "解除" in refused.value.message("zh-CN") or "批改" in refused.value.message("zh-CN")
    assert db.scalar(select(func.count()).select_from(PolicyChange)) == before


def test_renewal_makes_one_linked_new_term(db, setup):
    # SPEC POL-4
    policy = setup["policy"]
    renewal = service.renew_policy(
        db, actor=setup["agent"], policy_id=policy.id, at=at("2026-12-20 10:00")
    )
    assert renewal.previous_policy_id == policy.id
    assert renewal.period_start == dt.date(2027, 1, 1)
    assert renewal.period_end == dt.date(2027, 12, 31)
    assert renewal.premium == policy.premium
    assert [b.person_id for b in renewal.beneficiaries] == [setup["b1"].id]
    with pytest.raises(AlreadyRenewed):
        service.renew_policy(db, actor=setup["agent"], policy_id=policy.id)
    out = service.policy_out(db, policy=renewal, as_of=dt.date(2027, 1, 2))
    assert out.in_force_since == dt.date(2026, 1, 1)
    assert service.policy_out(db, policy=policy).renewed_by_policy_id == renewal.id


def _disputed(
    db: Session, setup: dict[str, Any], *, description: str, opened: str, applicant: str = "赵投保"
) -> tuple[Any, Any]:
    """A contract dispute (POL-5) on the setup's policy, opened by its agent at ``opened``,
    and its next step as taken by that agent: ``step(action=..., text=..., at=...)``."""
    dispute = service.open_dispute(
        db,
        actor=setup["agent"],
        policy_id=setup["policy"].id,
        applicant=applicant,
        description=description,
        at=at(opened),
    )
    return dispute, partial(service.dispute_step, db, actor=setup["agent"], dispute_id=dispute.id)


def test_dispute_agreement_path_with_its_deadlines(db, setup):
    # SPEC POL-5 GEN-4
    dispute, step = _disputed(db, setup, description="对免赔额有异议", opened="2026-09-18 09:00")
    answer = service.dispute_out(db, dispute=dispute).deadlines[0]
    # 15 days after Sep 18 is Sat Oct 3, a holiday: moved to Thu Oct 8 (art. 203).
    assert answer.name == "policy_dispute.answer" and answer.rule_label.startswith("15 日")
    assert answer.due_at == dt.datetime(2026, 10, 8, 23, 59, 59, tzinfo=SH)
    step(action="answer", text="已书面答复", at=at("2026-09-22 10:00"))
    with pytest.raises(WrongStep):
        step(action="perform", text="x")
    step(action="agree", text="协商一致", at=at("2026-09-30 10:00"))
    clocks = {c.name: c for c in service.dispute_out(db, dispute=dispute).deadlines}
    # 5 days after Sep 30 is Mon Oct 5, a holiday: moved to Thu Oct 8.
    assert clocks["policy_dispute.formalities"].due_at == dt.datetime(
        2026, 10, 8, 23, 59, 59, tzinfo=SH
    )
    assert clocks["policy_dispute.answer"].met is True
    step(action="complete_formalities", text="已办理", at=at("2026-10-08 10:00"))
    out = service.dispute_out(db, dispute=dispute)
    assert out.status == "closed" and all(c.stopped for c in out.deadlines)


def test_dispute_arbitration_path_with_its_deadlines(db, setup):
    # SPEC POL-5 GEN-4
    dispute, step = _disputed(db, setup, description="拒赔争议", opened="2026-09-30 10:00")
    assert service.dispute_out(db, dispute=dispute).deadlines[0].due_at == dt.datetime(
        2026, 10, 15, 23, 59, 59, tzinfo=SH
    )
    step(action="escalate", text="申请仲裁", route="arbitration", at=at("2026-10-09 10:00"))
    assert service.dispute_out(db, dispute=dispute).status == "arbitration"
    step(action="decide", text="裁决生效", at=at("2026-10-12 10:00"))
    clocks = {c.name: c for c in service.dispute_out(db, dispute=dispute).deadlines}
    # 5 days after Mon Oct 12 is Sat Oct 17: moved to Mon Oct 19.
    assert clocks["policy_dispute.performance"].due_at == dt.datetime(
        2026, 10, 19, 23, 59, 59, tzinfo=SH
    )
    step(action="perform", text="已履行", at=at("2026-10-16 10:00"))
    assert service.dispute_out(db, dispute=dispute).status == "closed"


def test_dispute_escalation_needs_a_route(db, setup):
    # SPEC POL-5 GEN-6
    from claimdesk.policies.errors import DisputeRouteMissing

    _, step = _disputed(db, setup, description="y", opened="2026-09-30 10:00", applicant="x")
    with pytest.raises(DisputeRouteMissing):
        step(action="escalate", text="z", at=at("2026-10-01 10:00"))


def _old_product(db):
    """A product on sale since 2020, so that policies can start in the past."""
    version = demo_version(db, "ACC-PLUS")
    draft = products.add_version(db, actor=SYSTEM, product_id=version.product_id)
    content = products.version_content(version=draft).model_dump()
    content["effective_date"] = dt.date(2020, 1, 1)
    products.update_draft(
        db, actor=SYSTEM, version_id=draft.id, data=VersionIn.model_validate(content)
    )
    return products.publish_version(db, actor=SYSTEM, version_id=draft.id)


def test_incontestable_after_two_years_in_force_counting_renewals(db):
    # SPEC POL-6
    version = _old_product(db)
    holder = person(db, "钱投保", "301")
    first = issue_policy(
        db,
        version_id=version.id,
        policyholder_id=holder.id,
        period_start="2024-06-01",
        issued_at="2024-05-20T10:00:00+08:00",
    )
    view = service.policy_out(db, policy=first, as_of=dt.date(2025, 5, 31))
    assert view.incontestable is False and view.incontestable_from == dt.date(2026, 6, 1)
    second = service.renew_policy(db, actor=SYSTEM, policy_id=first.id, at=at("2025-05-20 10:00"))
    assert service.policy_out(db, policy=second, as_of=dt.date(2026, 5, 31)).incontestable is False
    later = service.policy_out(db, policy=second, as_of=dt.date(2026, 6, 1))
    assert later.incontestable is True and later.in_force_since == dt.date(2024, 6, 1)


def test_renewal_reminder_goes_out_once_per_term(db, setup):
    # SPEC POL-4
    from claimdesk.policies.tasks import send_renewal_reminders

    policy = setup["policy"]  # ends 2026-12-31
    assert send_renewal_reminders(db, now=at("2026-12-01 09:00")) == 0  # 30 days early
    assert send_renewal_reminders(db, now=at("2026-12-16 09:00")) == 1
    assert send_renewal_reminders(db, now=at("2026-12-17 09:00")) == 0
    db.flush()
    messages = db.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == f"renewal-reminder:{policy.id}")
    ).all()
    assert len(messages) == 1
    assert policy.number in messages[0].body and "2026-12-31" in messages[0].body
    assert messages[0].channel == "sms"
    # GEN-6: kept in both languages, the portal shows the one the customer reads now
    assert (messages[0].language, messages[0].subject) == ("zh-CN", "续保提醒")
    assert messages[0].body_zh == messages[0].body
    assert messages[0].body_en and "Please renew it in time" in messages[0].body_en
    assert messages[0].subject_en == "Renewal reminder"


@pytest.mark.postgres_only
def test_renewal_reminder_exactly_once_with_two_workers(fresh_db_url):
    # SPEC POL-4 (two workers at the same moment, PostgreSQL)
    from claimdesk.db import make_engine
    from claimdesk.policies.tasks import send_renewal_reminders

    engine = make_engine(fresh_db_url)
    try:
        with Session(engine) as session:
            version = demo_version(session)
            holder = person(session, "孙投保", "401")
            policy_id = issue_policy(session, version_id=version.id, policyholder_id=holder.id).id
            session.commit()
        barrier = Rendezvous(2)
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                with Session(engine) as session:
                    barrier.wait()
                    send_renewal_reminders(session, now=at("2026-12-20 09:00"))
                    session.commit()
            except BaseException as exc:  # reported below
                errors.append(exc)

        run_in_threads([worker, worker])
        assert errors == []
        with Session(engine) as session:
            count = len(
                session.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.dedupe_key == f"renewal-reminder:{policy_id}"
                    )
                ).all()
            )
        assert count == 1
    finally:
        engine.dispose()


def test_a_renewal_carries_the_insureds_relationship(db, setup):
    # SPEC POL-4 POL-1: the new term records what the old one did (a child bought for a
    # parent stays the holder of the parent's renewal); a term issued before the
    # relation was recorded renews without one, not refused.
    child = person(db, "赵子", "204")
    policy = issue_policy(
        db,
        version_id=setup["version"].id,
        policyholder_id=child.id,
        insured_id=setup["b2"].id,
        insured_relationship="parent",
    )
    renewal = service.renew_policy(
        db, actor=setup["agent"], policy_id=policy.id, at=at("2026-12-20 10:00")
    )
    assert renewal.insured_relationship == "parent"
    legacy = issue_policy(
        db,
        version_id=setup["version"].id,
        policyholder_id=child.id,
        insured_id=setup["b1"].id,
        insured_relationship="parent",
    )
    legacy.insured_relationship = None  # as issued before migration 0041
    db.flush()
    again = service.renew_policy(
        db, actor=setup["agent"], policy_id=legacy.id, at=at("2026-12-20 10:00")
    )
    assert again.insured_relationship is None and again.previous_policy_id == legacy.id


def _two_people(db, setup, relationship="child"):  # -> Policy
    """A policy whose policyholder and insured are two people (the insured: b2)."""
    holder = person(db, "钱投保", "205")
    return issue_policy(
        db,
        version_id=setup["version"].id,
        policyholder_id=holder.id,
        insured_id=setup["b2"].id,
        insured_relationship=relationship,
    )


def _details(db, action: str, entity_type: str, entity_id: int) -> dict[str, Any]:
    """The details of the one audit entry of ``action`` on the entity."""
    write_pending(db)  # what a commit writes
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == action,
            AuditEntry.entity_type == entity_type,
            AuditEntry.entity_id == str(entity_id),
        )
    ).one()
    return json.loads(entry.details)


def _through(db, setup, change_id: int) -> None:
    """Review, approval (the other agent), done: the change's table (POL-2)."""
    agent, supervisor = setup["agent"], setup["supervisor"]
    service.review_change(
        db, actor=agent, change_id=change_id, lawful=True, note="合法", at=at("2026-10-08 09:00")
    )
    service.approve_change(db, actor=supervisor, change_id=change_id, at=at("2026-10-08 11:00"))
    service.complete_change(db, actor=agent, change_id=change_id, at=at("2026-10-09 15:00"))


def test_a_change_records_a_missing_relationship_once_done_and_audits_it(db, setup):
    # SPEC POL-2 POL-1 GEN-5: a policy of two people issued before the relation was
    # recorded (migration 0041) gets it by a change, only when the change is done; the
    # request and the done entries say from what to what.
    policy = _two_people(db, setup)
    policy.insured_relationship = None
    db.flush()
    change = service.request_change(
        db,
        actor=setup["agent"],
        policy_id=policy.id,
        data=_change(description="补录投保人与被保险人关系", insured_relationship="parent"),
        at=at("2026-09-30 10:00"),
    )
    assert change.payload == {"insured_relationship": "parent"}
    requested = _details(db, "policy.change_request", "policy_change", change.id)
    assert requested["changes"] == ["insured_relationship"]
    assert requested["insured_relationship"] == {"before": None, "after": "parent"}
    service.review_change(db, actor=setup["agent"], change_id=change.id, lawful=True, note="合法")
    service.approve_change(db, actor=setup["supervisor"], change_id=change.id)
    assert policy.insured_relationship is None  # approved is not done
    service.complete_change(db, actor=setup["agent"], change_id=change.id)
    out = service.policy_out(db, policy=policy)
    assert out.insured_relationship == "parent"
    assert out.changes[0].status == "done" and out.changes[0].before == {
        "insured_relationship": None
    }
    assert [b.person_id for b in out.beneficiaries] == []  # beneficiaries left alone
    done = _details(db, "policy.change_done", "policy", policy.id)
    assert done["change_id"] == change.id
    assert done["changes"] == ["insured_relationship"]
    assert done["insured_relationship"] == {"before": None, "after": "parent"}


def test_a_change_corrects_the_relationship_and_a_rejected_one_changes_nothing(db, setup):
    # SPEC POL-2 POL-1: recorded as the holder's child, corrected to spouse together with
    # new beneficiaries; a later change rejected at review leaves it as it is.
    policy = _two_people(db, setup, "child")
    change = service.request_change(
        db,
        actor=setup["agent"],
        policy_id=policy.id,
        data=_change(
            insured_relationship="spouse",
            beneficiaries=[{"person_id": setup["b1"].id, "relationship": "配偶", "share": "100"}],
        ),
        at=at("2026-09-30 10:00"),
    )
    _through(db, setup, change.id)
    assert policy.insured_relationship == "spouse"
    assert [b.person_id for b in policy.beneficiaries] == [setup["b1"].id]
    done = service.change_out(db, change=change)
    assert done.before == {"beneficiaries": [], "insured_relationship": "child"}
    audited = _details(db, "policy.change_done", "policy", policy.id)
    assert audited["changes"] == ["beneficiaries", "insured_relationship"]
    assert audited["insured_relationship"] == {"before": "child", "after": "spouse"}
    wrong = service.request_change(
        db,
        actor=setup["agent"],
        policy_id=policy.id,
        data=_change(insured_relationship="other"),
        at=at("2026-10-10 10:00"),
    )
    service.review_change(
        db, actor=setup["agent"], change_id=wrong.id, lawful=False, note="客户未签字"
    )
    with pytest.raises(WrongStep):
        service.complete_change(db, actor=setup["agent"], change_id=wrong.id)
    assert policy.insured_relationship == "spouse"


@pytest.mark.parametrize(
    ("two_people", "given", "error"),
    [
        (True, "self", InsuredRelationshipSelfForOther),
        (False, "spouse", InsuredRelationshipNotSelf),
        (False, None, ChangeContentMissing),  # no beneficiaries and no relationship either
    ],
)
def test_a_wrong_relationship_in_a_change_is_refused_as_at_issue(
    db, setup, two_people, given, error
):
    # SPEC POL-2 POL-1 GEN-6: the rule of issue, naming the field; nothing is written
    policy = _two_people(db, setup) if two_people else setup["policy"]
    before = db.scalar(select(func.count()).select_from(PolicyChange))
    with pytest.raises(error) as refused:
        service.request_change(
            db,
            actor=setup["agent"],
            policy_id=policy.id,
            data=_change(insured_relationship=given),
            at=at("2026-09-30 10:00"),
        )
    field = "beneficiaries" if error is ChangeContentMissing else "insured_relationship"
    assert refused.value.field == field
    assert db.scalar(select(func.count()).select_from(PolicyChange)) == before
    assert policy.insured_relationship == ("child" if two_people else "self")
    with pytest.raises(ValidationError, match="insured_relationship"):
        _change(insured_relationship="cousin")


def test_the_api_sets_the_relationship_by_a_change_refusing_in_both_languages(db, client, setup):
    # SPEC POL-2 POL-1 GEN-6 GEN-5: request → review → approval → done over HTTP; "self"
    # for two people refused in zh-CN and English, naming the field, nothing written
    policy = _two_people(db, setup)
    for name in ("desk1", "desk2"):
        make_user(db, username=name, roles=["service_agent"])
    db.commit()
    one, two = login_headers(client, "desk1"), login_headers(client, "desk2")
    body = {
        "kind": "change",
        "description": "更正投保人与被保险人关系",
        "effective_date": "2026-10-10",
        "customer_consent": True,
        "customer_consent_method": "written",
        "insured_relationship": "self",
    }
    url = f"/api/v1/policies/{policy.id}/changes"
    refused = client.post(url, json=body, headers=one)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "insured_relationship"
    assert error["code"] == "insured_relationship_self_for_other" and "本人" in error["message"]
    english = client.post(f"{url}?lang=en", json=body, headers=one).json()["error"]
    assert english["field"] == "insured_relationship" and "cannot be self" in english["message"]
    assert db.scalar(select(func.count()).select_from(PolicyChange)) == 0
    asked = client.post(url, json={**body, "insured_relationship": "spouse"}, headers=one)
    assert asked.status_code == 201, asked.text
    change_id = asked.json()["id"]
    assert asked.json()["payload"] == {"insured_relationship": "spouse"}
    steps = (
        ("review", {"lawful": True, "note": "合法"}, one),
        ("approve", None, two),
        ("complete", None, one),
    )
    for step, step_body, headers in steps:
        done = client.post(
            f"/api/v1/policies/changes/{change_id}/{step}", json=step_body, headers=headers
        )
        assert done.status_code == 200, (step, done.text)
    assert done.json()["status"] == "done"
    assert done.json()["before"] == {"insured_relationship": "child"}
    read = client.get(f"/api/v1/policies/{policy.id}", headers=one)
    assert read.json()["insured_relationship"] == "spouse"
