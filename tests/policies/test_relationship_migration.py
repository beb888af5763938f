"""Migration 0041 adds the policy's 投保人与被保险人关系 (SPEC POL-1, CLM-F3): a policy of
one person as holder and insured becomes "self"; one of two people issued before it stays
not recorded (NULL), which the shared_contact check reads as before (holder and insured
linked)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.db import make_engine
from claimdesk.migrate import alembic_config, upgrade
from claimdesk.models.policy import Policy
from tests.builders import demo_version, issue_policy, make_person, resident_id


def test_migration_fills_self_and_leaves_the_rest_unrecorded(fresh_db_url: str) -> None:
    # SPEC POL-1
    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        child = make_person(session, name="钱子", id_number=resident_id(seq="781"))
        parent = make_person(
            session, name="钱父", id_number=resident_id(birth="19550101", seq="783")
        )
        version = demo_version(session, "MED-MILLION")
        own = issue_policy(session, version_id=version.id, policyholder_id=child.id).id
        bought = issue_policy(
            session,
            version_id=version.id,
            policyholder_id=child.id,
            insured_id=parent.id,
            insured_relationship="parent",
        ).id
        session.commit()
    engine.dispose()

    command.downgrade(alembic_config(fresh_db_url), "0040_provider_cluster_book")
    upgrade(fresh_db_url)

    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        found = dict(session.execute(select(Policy.id, Policy.insured_relationship)).all())
    engine.dispose()
    assert found[own] == "self" and found[bought] is None
