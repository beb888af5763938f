"""Migration 0032 fills the contact phone's keyed hash of the claims that existed before
it, and writes the new versions of early_claim and provider_cluster (SPEC CLM-F3, SEC-1)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.crypto.indexes import PURPOSE_PHONE
from claimdesk.crypto.keyring import blind_index
from claimdesk.db import make_engine
from claimdesk.migrate import alembic_config, upgrade
from claimdesk.models.check import CheckConfigVersion
from claimdesk.models.claim import Claim
from tests.builders import demo_version, issue_policy, make_claim, make_person, resident_id


def test_migration_backfills_the_contact_phone_hash(fresh_db_url: str) -> None:
    # SPEC CLM-F3 SEC-1: the phone is decrypted with the application's keyring and hashed.
    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        person = make_person(session, name="王五", id_number=resident_id(seq="772"))
        version = demo_version(session, "MED-MILLION")
        policy = issue_policy(session, version_id=version.id, policyholder_id=person.id)
        ids = [
            make_claim(session, number=number, policy=policy, contact_phone=phone).id
            for number, phone in (("BA20260928000903", "13911112222"), ("BA20260928000904", None))
        ]
        session.commit()
    engine.dispose()

    command.downgrade(alembic_config(fresh_db_url), "0031_settlement_notices")
    upgrade(fresh_db_url)

    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        rows = {cid: h for cid, h in session.execute(select(Claim.id, Claim.contact_phone_hash))}
        configs = session.scalars(
            select(CheckConfigVersion)
            .where(CheckConfigVersion.code.in_(["early_claim", "provider_cluster"]))
            .order_by(CheckConfigVersion.code, CheckConfigVersion.version)
        ).all()
    engine.dispose()
    assert rows == {ids[0]: blind_index("13911112222", PURPOSE_PHONE), ids[1]: None}
    # Down removed the versions it wrote, up wrote them again: one each, after the seed.
    assert [(c.code, c.version) for c in configs] == [
        ("early_claim", 1),
        ("early_claim", 2),
        ("provider_cluster", 1),
        ("provider_cluster", 2),
        ("provider_cluster", 3),  # 0035's, written again after 0032's
        ("provider_cluster", 4),  # 0040's (relative_to_book)
    ]
    assert configs[1].parameters["days_after_waiting"] == 60
    assert configs[3].parameters["min_insureds"] == 8
    assert configs[4].parameters["min_insureds"] == 5
