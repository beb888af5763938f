"""The test builders give each person a phone of their own (tests.builders.own_phone).

Every person built without a phone used to get 13812345678, and one phone on the records
of insureds of different policies is what the shared_contact check holds a claim for
(CLM-F3): any test with two such insureds whose checks ran found a ring that was only
the builders' default. The default person (VALID_RESIDENT_ID) keeps 13812345678, which
the tests that log in by SMS name.
# SPEC CLM-F3"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.checks import service as checks_service
from claimdesk.models.check import CheckHit
from tests.builders import (
    DEFAULT_PHONE,
    VALID_RESIDENT_ID,
    demo_version,
    issue_policy,
    make_claim,
    make_person,
    own_phone,
    resident_id,
)


def test_each_person_gets_a_phone_of_their_own(db: Session) -> None:
    # SPEC CLM-F3: distinct by default, the same on every run, explicit values kept
    first = make_person(db)
    second = make_person(db, name="王五", id_number=resident_id(seq="333"))
    third = make_person(db, name="赵六", id_number=resident_id(seq="777"), phone="13700000000")
    none = make_person(db, name="钱七", id_number=resident_id(seq="888"), phone=None)
    assert first.phone == DEFAULT_PHONE == own_phone(VALID_RESIDENT_ID)
    assert second.phone == own_phone(resident_id(seq="333")) != DEFAULT_PHONE
    assert len(second.phone) == 11 and second.phone.startswith("137")
    assert (third.phone, none.phone) == ("13700000000", None)
    assert len({own_phone(resident_id(seq=f"{i:03d}")) for i in range(200)}) == 200


@pytest.mark.parametrize("phones", ["default", "shared"])
def test_insureds_built_by_default_are_no_ring(db: Session, phones: str) -> None:
    # SPEC CLM-F3: the later insureds' claims are not held for a phone only the builders
    # gave them; given one phone on purpose ("shared", what the default used to do), the
    # check holds them. Three insureds: two on one registered number are a household
    # (shared_contact.household_phone_others, migration 0039), three are not.
    version = demo_version(db)
    claims = []
    ids = (VALID_RESIDENT_ID, resident_id(seq="333"), resident_id(seq="555"))
    for i, id_number in enumerate(ids, start=1):
        phone = {"phone": DEFAULT_PHONE} if phones == "shared" else {}
        person = make_person(db, name=f"客户{i}", id_number=id_number, **phone)
        policy = issue_policy(db, version_id=version.id, policyholder_id=person.id)
        claims.append(make_claim(db, number=f"BA2026093000000{i}", policy=policy))
    for claim in claims:
        checks_service.run_checks(db, claim_id=claim.id, actor=checks_service.system_actor())
    codes = db.scalars(select(CheckHit.check_code)).all()
    assert ("shared_contact" in codes) == (phones == "shared")
