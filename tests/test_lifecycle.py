"""Entities with a life (GEN-5): one transition function over explicit tables.

For every table: a legal move sets the state and writes an audit entry with from/to; an
illegal one is refused with 409 in zh-CN and English and changes nothing. The claim's
and the security incident's tables of actions agree with their tables of states, and
the complaint and service-record routes refuse an illegal move with 409.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk import lifecycle
from claimdesk.audit.service import write_pending
from claimdesk.auth.principal import Principal
from claimdesk.claims import workflow as claim_workflow
from claimdesk.models.audit import AuditEntry
from claimdesk.models.service import Complaint, ServiceRecord
from claimdesk.rules.transitions import IllegalTransition, Table
from claimdesk.security import workflow as incident_workflow
from tests.builders import login_headers, make_org_unit, make_user
from tests.service.helpers import make_person, seed_calendar

API = "/api/v1"
SYSTEM = Principal.system()
TABLES = {t.entity: t for t in lifecycle.TABLES}


@dataclass
class _Thing:
    """Stands for a row: the function only reads and writes the table's field."""

    id: int
    status: str = ""
    state: str = ""


def _legal(table: Table[Any]) -> tuple[StrEnum, StrEnum]:
    source = next(s for s in table.states if table.moves.get(s))
    return source, sorted(table.moves[source])[0]


def _illegal(table: Table[Any]) -> tuple[StrEnum, StrEnum]:
    # A terminal state has no way out; failing that, a state that is not a target of its own.
    for source in table.states:
        for target in table.states:
            if target not in table.moves.get(source, frozenset()):
                return source, target
    raise AssertionError(f"{table.entity}: every move allowed")


def _entries(db: Session, entity_type: str, entity_id: int) -> list[AuditEntry]:
    write_pending(db)  # what a commit writes
    return list(
        db.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id)
            )
        )
    )


@pytest.mark.parametrize("entity", sorted(TABLES))
def test_a_legal_move_sets_the_state_and_is_audited(db: Session, entity: str) -> None:
    # SPEC GEN-5 POL-2 SVC-3 CLM-P5 SEC-7: every transition writes an audit entry.
    table = TABLES[entity]
    source, target = _legal(table)
    thing = _Thing(id=900_001)
    setattr(thing, table.field, source)
    moved = lifecycle.transition(db, entity=thing, table=table, to=target, actor=SYSTEM)
    assert moved is target and getattr(thing, table.field) is target
    (entry,) = _entries(db, entity, thing.id)
    assert entry.action == f"{entity}.{target.value}"
    assert json.loads(entry.details) == {"from": source.value, "to": target.value}


@pytest.mark.parametrize("entity", sorted(TABLES))
def test_an_illegal_move_is_a_409_and_changes_nothing(db: Session, entity: str) -> None:
    # SPEC GEN-5 POL-2 SVC-3 CLM-P5 SEC-7: a move outside the table is refused (409, zh/en).
    table = TABLES[entity]
    source, target = _illegal(table)
    thing = _Thing(id=900_002)
    setattr(thing, table.field, source)
    with pytest.raises(IllegalTransition) as refused:
        lifecycle.transition(db, entity=thing, table=table, to=target, actor=SYSTEM)
    assert refused.value.status_code == 409
    assert entity in refused.value.message("en") and source.value in refused.value.message("en")
    assert table.entity_zh in refused.value.message("zh-CN")
    assert getattr(thing, table.field) == source
    assert _entries(db, entity, thing.id) == []


def test_an_entry_filed_under_the_claim_does_not_read_as_a_claim_move(db: Session) -> None:
    # SPEC CLM-P5 GEN-5: a payment's move is in the claim's history, but "from"/"to" stay
    # the claim's own moves (the timeline lists those as the claim's transitions).
    payment = _Thing(id=900_003, status="exported")
    lifecycle.transition(
        db,
        entity=payment,
        table=lifecycle.PAYMENT,
        to="paid",
        actor=SYSTEM,
        action="claim.payment_paid",
        audit_as=("claim", 900_004),
        details={"payment_id": payment.id},
    )
    (entry,) = _entries(db, "claim", 900_004)
    assert entry.action == "claim.payment_paid"
    assert json.loads(entry.details) == {
        "payment_from": "exported",
        "payment_to": "paid",
        "payment_id": 900_003,
    }
    assert _entries(db, "payment", payment.id) == []


@pytest.mark.parametrize("entity", sorted(TABLES))
def test_a_state_outside_the_enum_is_refused(entity: str) -> None:
    # SPEC GEN-5: only the enum's states exist; a typo is not a move.
    table = TABLES[entity]
    source, _ = _legal(table)
    assert not table.allows(source, "no_such_state")
    assert not table.allows("no_such_state", source)


def test_every_claim_action_is_a_move_of_the_claim_table() -> None:
    # SPEC GEN-5 CLM-P5: the table of actions never leads where the table of states forbids
    # (RESUME / MATERIALS_RETURN go back to a state the claim was in).
    returning = set(claim_workflow.OPEN_STATES)
    for move in claim_workflow.MOVES:
        for source in move.sources:
            if move.target == claim_workflow.RESUME:
                targets = returning - {claim_workflow.AWAITING_MATERIALS}
                targets = {t for t in targets if t != claim_workflow.SUSPENDED}
            elif move.target == claim_workflow.MATERIALS_RETURN:
                targets = {
                    claim_workflow.ACCEPTED,
                    claim_workflow.SURVEYED,
                    claim_workflow.ASSESSED,
                }
            else:
                targets = {move.target}
            for target in targets:
                assert lifecycle.CLAIM.allows(source, target), (move.action, source, target)


def test_every_incident_action_is_a_move_of_the_incident_table() -> None:
    # SPEC SEC-7 GEN-5.
    for move in incident_workflow.MOVES:
        for source in move.sources:
            assert lifecycle.SECURITY_INCIDENT.allows(source, move.target), move.action


def _reachable(table: Table[Any]) -> set[StrEnum]:
    first = next(iter(table.states))
    seen, todo = {first}, [first]
    while todo:
        for target in table.moves.get(todo.pop(), frozenset()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_every_state_is_reachable_and_the_docs_list_the_tables() -> None:
    # SPEC GEN-5: from the state an entity is created in (the enum's first member) every
    # state can be reached; the list in docs/architecture.md is the code's.
    with open("docs/architecture.md", encoding="utf-8") as handle:
        docs = handle.read()
    for table in lifecycle.TABLES:
        assert _reachable(table) == set(table.states), table.entity
        assert f"`{table.entity}`: {table.describe()}" in docs, table.entity


def _desk(db: Session, client: TestClient) -> dict[str, str]:
    seed_calendar(db)
    branch = make_org_unit(db, code="LC01", name="生命周期分公司", kind="branch")
    user = make_user(db, username="lifecycle_desk", roles=("service_agent",), org_unit=branch)
    user.language = "zh-CN"
    db.commit()
    return login_headers(client, user.username)


def _complaint(client: TestClient, desk: dict[str, str], person_id: int) -> int:
    created = client.post(
        f"{API}/complaints",
        json={
            "person_id": person_id,
            "contact": "13800138000",
            "channel": "phone",
            "complaint_type": "service",
            "cause": "delay",
            "description": "理赔进度太慢",
            "received_at": "2026-09-28T10:00:00+08:00",
        },
        headers=desk,
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


@pytest.mark.parametrize(
    ("step", "body"),
    [("archive", {}), ("response", {"response": "accepted"})],
)
def test_complaint_route_refuses_an_illegal_move(
    db: Session, client: TestClient, step: str, body: dict[str, str]
) -> None:
    # SPEC SVC-3 GEN-5: a received complaint cannot be archived or answered by the customer.
    desk = _desk(db, client)
    person = make_person(db)
    db.commit()
    complaint_id = _complaint(client, desk, person.id)
    refused = client.post(f"{API}/complaints/{complaint_id}/{step}", json=body, headers=desk)
    assert refused.status_code == 409, refused.text
    assert "received" in refused.json()["error"]["message"] or "受理" in refused.text
    db.expire_all()
    assert db.get(Complaint, complaint_id).status == "received"  # type: ignore[union-attr]


def test_closed_service_record_cannot_be_answered(db: Session, client: TestClient) -> None:
    # SPEC SVC-1 GEN-5: closed is the end of a service record's table (409, unchanged).
    desk = _desk(db, client)
    person = make_person(db)
    db.commit()
    opened = client.post(
        f"{API}/service/records",
        json={
            "service_type": "consultation",
            "channel": "phone",
            "person_id": person.id,
            "subject": "理赔进度",
            "received_at": "2026-09-28T10:00:00+08:00",
        },
        headers=desk,
    )
    assert opened.status_code == 201, opened.text
    record_id = opened.json()["id"]
    closed = client.post(
        f"{API}/service/records/{record_id}/close", json={"outcome": "已答复"}, headers=desk
    )
    assert closed.status_code == 200, closed.text
    again = client.post(
        f"{API}/service/records/{record_id}/answer", json={"outcome": "再答复"}, headers=desk
    )
    assert again.status_code == 409, again.text
    db.expire_all()
    assert db.get(ServiceRecord, record_id).status == "closed"  # type: ignore[union-attr]
