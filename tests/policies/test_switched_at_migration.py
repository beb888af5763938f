"""Migration 0045 records when a change of policyholder switched (SPEC POL-2, GEN-5):
done changes that had switched by the old reading (the relationship the switch replaced
kept in ``before``) get the instant of their switch's audit entry, or their completion
without one; a change still waiting for its date, and a change of the relationship
alone, stay NULL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.audit.service import record, write_pending
from claimdesk.db import make_engine
from claimdesk.migrate import alembic_config, upgrade
from claimdesk.models.policy import Policy, PolicyChange
from tests.builders import demo_version, issue_policy, make_person, resident_id
from tests.policies.helpers import SYSTEM, at


def _change(
    session: Session, policy: Policy, *, payload: dict[str, Any], before: dict[str, Any]
) -> int:
    change = PolicyChange(
        policy_id=policy.id,
        kind="change",
        status="done",
        description="变更",
        payload=payload,
        before=before,
        effective_date=dt.date(2026, 10, 20),
        customer_consent=True,
        customer_consent_method="written",
        requested_at=at("2026-10-08 10:00"),
        completed_at=at("2026-10-09 15:00"),
    )
    session.add(change)
    session.flush()
    return change.id


def _holder(old_id: int, new_id: int) -> dict[str, Any]:
    return {
        "policyholder": {"person_id": new_id, "from_person_id": old_id},
        "insured_relationship": "self",
    }


def test_switched_changes_get_their_switch_instant(fresh_db_url: str) -> None:
    # SPEC POL-2 GEN-5
    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        parent = make_person(session, name="钱父", id_number=resident_id(seq="701"))
        child = make_person(
            session, name="钱子", id_number=resident_id(birth="20000101", seq="702")
        )
        version = demo_version(session, "MED-MILLION")
        policies = [
            issue_policy(
                session,
                version_id=version.id,
                policyholder_id=parent.id,
                insured_id=child.id,
                insured_relationship="child",
            )
            for _ in range(4)
        ]
        replaced = {"policyholder_id": parent.id, "insured_relationship": "child"}
        by_job = _change(
            session, policies[0], payload=_holder(parent.id, child.id), before=replaced
        )
        record(
            session,
            actor=SYSTEM,
            action="policy.policyholder_switch",
            entity_type="policy",
            entity_id=policies[0].id,
            at=at("2026-10-20 00:01"),
            details={"change_id": by_job, "effective_date": "2026-10-20"},
        )
        untraced = _change(
            session, policies[1], payload=_holder(parent.id, child.id), before=replaced
        )
        waiting = _change(
            session,
            policies[2],
            payload=_holder(parent.id, child.id),
            before={"policyholder_id": parent.id},
        )
        relationship = _change(
            session,
            policies[3],
            payload={"insured_relationship": "child"},
            before={"insured_relationship": None},
        )
        write_pending(session)
        session.commit()
    engine.dispose()

    command.downgrade(alembic_config(fresh_db_url), "0044_check_hit_finding_key_only")
    upgrade(fresh_db_url)

    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        found = dict(session.execute(select(PolicyChange.id, PolicyChange.switched_at)).all())
    engine.dispose()
    assert found[by_job] == at("2026-10-20 00:01")  # the switch's own instant
    assert found[untraced] == at("2026-10-09 15:00")  # no entry: its completion
    assert found[waiting] is None and found[relationship] is None
