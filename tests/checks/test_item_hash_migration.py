"""Migration 0036 fills the keyed hash of the item codes of the bill lines that existed
before it (SPEC CLM-F3, SEC-1): the amount check finds earlier lines of an item by it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from alembic import command
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claimdesk.crypto.indexes import PURPOSE_ITEM_CODE
from claimdesk.crypto.keyring import blind_index
from claimdesk.db import make_engine
from claimdesk.migrate import alembic_config, upgrade
from claimdesk.models.base import utcnow
from claimdesk.models.bill import Bill, BillLine
from claimdesk.rules.bills import receipt_key
from tests.builders import demo_version, issue_policy, make_claim, make_person, resident_id

CODES = ("002501010010000-250101001", "001102000010000-110200001")


def test_migration_backfills_the_item_code_hash(fresh_db_url: str) -> None:
    # SPEC CLM-F3 SEC-1: the code is decrypted with the application's keyring and hashed.
    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        person = make_person(session, name="王五", id_number=resident_id(seq="773"))
        version = demo_version(session, "MED-MILLION")
        policy = issue_policy(session, version_id=version.id, policyholder_id=person.id)
        claim = make_claim(session, number="BA20260928000905", policy=policy)
        bill = Bill(
            claim_id=claim.id,
            receipt_code="11010125",
            receipt_number="0000000905",
            receipt_key=receipt_key("11010125", "0000000905"),
            issuer_name="北京协和医院",
            issuer_credit_code="12100000400000000X",
            issue_date=dt.date(2026, 6, 1),
            total=Decimal("85.00"),
            source="staff",
            submitted_at=utcnow(),
            auth_method="password",
            original="{}",
        )
        bill.lines = [
            BillLine(
                position=n,
                item_code=code,
                name="项目",
                quantity=Decimal("1"),
                unit_price=Decimal("42.50"),
                amount=Decimal("42.50"),
                catalog="A",
            )
            for n, code in enumerate(CODES)
        ]
        session.add(bill)
        session.commit()
        # As a line stored before the column existed: no hash.
        session.execute(update(BillLine).values(item_code_hash=None))
        session.commit()
    engine.dispose()

    command.downgrade(alembic_config(fresh_db_url), "0035_provider_cluster_early")
    upgrade(fresh_db_url)

    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        hashes = list(session.scalars(select(BillLine.item_code_hash).order_by(BillLine.position)))
    engine.dispose()
    assert hashes == [blind_index(code, PURPOSE_ITEM_CODE) for code in CODES]
