"""Who answers a complaint about a claim (CLM-Z3, SVC-3, SEC-4): only someone who can
work it on the service desk. The claim's handler answers when their roles give them the
desk; otherwise the complaint waits for the claim's branch desk, and a person named who
cannot work complaints is refused naming the field."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from claimdesk.auth.principal import Principal
from claimdesk.models.claim import Claim
from claimdesk.service import service
from claimdesk.service.errors import HandlerCannotActOnComplaints
from tests.builders import (
    demo_version,
    issue_policy,
    make_claim,
    make_org_unit,
    make_person,
    make_user,
)
from tests.service.helpers import SYSTEM, local, principal_of, seed_calendar

STAFF = [r for r in Role if r != Role.CUSTOMER]


def _desk(role: Role) -> bool:
    return Permission.SERVICE_DESK in ROLE_PERMISSIONS[role]


def _scene(db: Session, role: Role) -> tuple[Claim, Principal, Principal, int]:
    """A Beijing claim whose handler holds ``role``, its customer, a Beijing desk agent."""
    seed_calendar(db)
    bj = make_org_unit(db, code="BJ", name="北京分公司", kind="branch")
    person = make_person(db)
    policy = issue_policy(db, version_id=demo_version(db).id, policyholder_id=person.id)
    worker = make_user(db, username="worker", roles=(role.value,), org_unit=bj)
    claim = make_claim(db, number="CLM-Z3-1", policy=policy)
    claim.handler_id = worker.id
    claim.org_unit_id = bj.id
    customer = make_user(db, username="cust", roles=("customer",), person_id=person.id)
    agent = make_user(db, username="desk", roles=("service_agent",), org_unit=bj)
    db.flush()
    return (
        claim,
        principal_of(customer, ("customer",), person_id=person.id),
        principal_of(agent, ("service_agent",)),
        worker.id,
    )


def _file(db: Session, actor: Principal, claim: Claim, **extra: object) -> int:
    return service.file_complaint(
        db,
        actor=actor,
        person_id=claim.insured_person_id,
        contact="13800138000",
        channel="web_app" if actor.is_customer else "phone",
        complaint_type="claims",
        cause="claim_amount",
        description="赔款太少",
        claim_id=claim.id,
        received_at=local(2026, 10, 2, 10),
        **extra,  # type: ignore[arg-type]
    ).id


@pytest.mark.parametrize("role", STAFF, ids=lambda r: r.value)
def test_claim_complaint_goes_to_the_claims_handler_only_when_they_can_act(
    db: Session, role: Role
) -> None:
    # SPEC CLM-Z3 SVC-3 SEC-4: the named person can work the complaint on the desk.
    claim, customer, agent, worker_id = _scene(db, role)
    complaint = service.get_complaint(db, actor=SYSTEM, complaint_id=_file(db, customer, claim))
    if _desk(role):
        assert complaint.handler_user_id == worker_id
    else:
        # Nobody who cannot act is named: the claim's branch desk takes it up.
        assert complaint.handler_user_id is None
        assert complaint.org_unit_id == claim.org_unit_id
    listed = {c.id for c in service.complaints_of(db, actor=agent)}
    assert complaint.id in listed
    service.acknowledge_complaint(
        db,
        actor=agent,
        complaint_id=complaint.id,
        progress_note="已电话联系客户",
        at=local(2026, 10, 2, 11),
    )
    expected = worker_id if _desk(role) else agent.user_id
    assert complaint.handler_user_id == expected


@pytest.mark.parametrize("role", STAFF, ids=lambda r: r.value)
def test_a_named_handler_must_be_able_to_work_complaints(db: Session, role: Role) -> None:
    # SPEC CLM-Z3 SVC-3 GEN-6: a handler without the desk is refused, naming the field.
    claim, _customer, agent, worker_id = _scene(db, role)
    if _desk(role):
        complaint_id = _file(db, agent, claim, handler_user_id=worker_id)
        found = service.get_complaint(db, actor=SYSTEM, complaint_id=complaint_id)
        assert found.handler_user_id == worker_id
        return
    with pytest.raises(HandlerCannotActOnComplaints) as error:
        _file(db, agent, claim, handler_user_id=worker_id)
    assert error.value.field == "handler_user_id"
    assert error.value.message("zh-CN").startswith("处理人：")
    assert error.value.message("en").startswith("Handler: ")


def test_an_inactive_desk_agent_is_not_named(db: Session) -> None:
    # SPEC CLM-Z3 SEC-4: a deactivated account cannot answer.
    claim, customer, _agent, worker_id = _scene(db, Role.SERVICE_AGENT)
    claim.handler_id = make_user(db, username="gone", roles=("service_agent",), is_active=False).id
    db.flush()
    complaint = service.get_complaint(db, actor=SYSTEM, complaint_id=_file(db, customer, claim))
    assert complaint.handler_user_id is None and worker_id != claim.handler_id
