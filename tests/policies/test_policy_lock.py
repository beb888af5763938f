"""The policy's row lock (``policies.repository.lock``) serialises two settlements of
one policy without stopping new claims on it, on PostgreSQL with real commits. It was
FOR UPDATE, which conflicts with the KEY SHARE lock a new claim's foreign key takes: a
report on a policy waited for any adjustment of another of its claims to commit."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.db import make_engine
from claimdesk.models.policy import Policy
from claimdesk.policies import repository as policies
from tests.builders import demo_version, issue_policy, make_claim, make_person, resident_id
from tests.waits import run_in_threads

pytestmark = pytest.mark.postgres_only


def _policy(factory: sessionmaker[Session]) -> int:
    with factory() as db:
        person = make_person(db, name="李四", id_number=resident_id(seq="456"))
        policy = issue_policy(db, version_id=demo_version(db).id, policyholder_id=person.id)
        db.commit()
        return policy.id


def test_a_new_claim_does_not_wait_for_a_settlement_of_its_policy(fresh_db_url: str) -> None:
    # SPEC CLM-R1 CLM-C2: a claim is taken while another claim of the policy is settled
    engine = make_engine(fresh_db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        policy_id = _policy(factory)
        outcome: list[object] = []
        with factory() as settling:
            policies.lock(settling, policy_id=policy_id)  # held until this block ends

            def report() -> None:
                with factory() as db:
                    db.execute(text("SET LOCAL lock_timeout = '3s'"))
                    try:
                        make_claim(db, number="BA20260930000001", policy=db.get(Policy, policy_id))
                        db.commit()
                        outcome.append("written")
                    except OperationalError as error:
                        outcome.append(error.orig)

            run_in_threads([report], seconds=30)
            assert outcome == ["written"], outcome
            # Two settlements of the policy still take turns.
            with factory() as other:
                other.execute(text("SET LOCAL lock_timeout = '200ms'"))
                with pytest.raises(OperationalError, match="lock timeout"):
                    policies.lock(other, policy_id=policy_id)
            settling.rollback()
    finally:
        engine.dispose()
