"""The look-ups by id the row-filter sweep found open (SEC-4, CLM-F2; docs/architecture.md
"Access control"): a claim dispute is seen by whoever sees its claim, a bank account by
whoever sees its person — and a row outside the caller's rows is "not found" naming its
own id, never an error about its parent that would tell it exists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Role
from claimdesk.auth.principal import Principal
from claimdesk.claims.special import disputes
from claimdesk.errors import NotFound
from claimdesk.models.event import ClaimDispute
from claimdesk.people import repository as people_repository
from tests.builders import (
    add_bank_account,
    demo_version,
    issue_policy,
    make_claim,
    make_person,
    make_user,
    resident_id,
)

OWN, OTHER = "own", "other"
OTHER_CUSTOMER = "other_customer"
ROLES = [OTHER_CUSTOMER, *(r.value for r in Role)]
# Claims: surveyors and sales agents see some claims, customers their own; other staff all.
NARROW_CLAIMS = {Role.CUSTOMER.value, OTHER_CUSTOMER, Role.SURVEYOR.value, Role.SALES_AGENT.value}


def sees_claim_of(role: str) -> set[str]:
    if role == OTHER_CUSTOMER:
        return {OTHER}
    return {OWN} if role in NARROW_CLAIMS else {OWN, OTHER}


def sees_person(role: str) -> set[str]:
    """People: staff holding PEOPLE_READ or PEOPLE_WRITE see everyone; a customer their own
    record; other staff (surveyor, assessor, auditor, administrator) no one."""
    if role == OTHER_CUSTOMER:
        return {OTHER}
    if role == Role.CUSTOMER.value:
        return {OWN}
    blind = {Role.SURVEYOR, Role.ASSESSOR, Role.COMPLIANCE_AUDITOR, Role.ADMINISTRATOR}
    return set() if Role(role) in blind else {OWN, OTHER}


@pytest.fixture
def scene(db: Session) -> dict[str, object]:
    version = demo_version(db)
    people = {
        OWN: make_person(db, name="周本人", id_number=resident_id(seq="501")),
        OTHER: make_person(db, name="吴他人", id_number=resident_id(seq="502")),
    }
    policies = {
        w: issue_policy(db, version_id=version.id, policyholder_id=p.id) for w, p in people.items()
    }
    principals: dict[str, Principal] = {}
    person_of = {Role.CUSTOMER.value: people[OWN].id, OTHER_CUSTOMER: people[OTHER].id}
    for role in ROLES:
        roles = [Role.CUSTOMER.value if role == OTHER_CUSTOMER else role]
        user = make_user(db, username=role, roles=roles, person_id=person_of.get(role))
        principals[role] = Principal.build(
            user_id=user.id, username=role, roles=roles, person_id=person_of.get(role)
        )
    policies[OWN].agent_user_id = principals[Role.SALES_AGENT.value].user_id
    claims = {w: make_claim(db, number=f"RPT-SWEEP-{w}", policy=p) for w, p in policies.items()}
    claims[OWN].surveyor_id = principals[Role.SURVEYOR.value].user_id
    responder = principals[Role.REVIEWER_1.value].user_id
    found = {}
    for whose, claim in claims.items():
        dispute = ClaimDispute(
            claim_id=claim.id,
            description="对理算金额有异议",
            disputed_amount=Decimal("800.00"),
            size="small",
            responder_id=responder,
            received_at=dt.datetime(2026, 10, 12, 1, 0, tzinfo=dt.UTC),
            status="open",
        )
        db.add(dispute)
        db.flush()
        found[whose] = dispute.id
    accounts = {
        w: add_bank_account(db, person_id=p.id, holder_name=p.name).id for w, p in people.items()
    }
    db.flush()
    return {"principals": principals, "disputes": found, "accounts": accounts, "claims": claims}


@pytest.mark.parametrize("role", ROLES)
def test_a_claim_dispute_is_seen_by_whoever_sees_its_claim(
    db: Session, scene: dict, role: str
) -> None:
    # SPEC SEC-4 CLM-F2 CLM-Z3
    actor = scene["principals"][role]
    for whose, dispute_id in scene["disputes"].items():
        if whose in sees_claim_of(role):
            dispute, claim = disputes.with_claim(db, actor=actor, dispute_id=dispute_id)
            assert (dispute.id, claim.id) == (dispute_id, scene["claims"][whose].id)
        else:
            with pytest.raises(NotFound) as hidden:
                disputes.with_claim(db, actor=actor, dispute_id=dispute_id)
            # Named as a missing dispute, as an id that does not exist is (not its claim).
            assert hidden.value.field == "dispute_id"
    with pytest.raises(NotFound) as missing:
        disputes.with_claim(db, actor=actor, dispute_id=999_999)
    assert missing.value.field == "dispute_id"


@pytest.mark.parametrize("role", ROLES)
def test_a_bank_account_is_found_only_by_whoever_sees_its_person(
    db: Session, scene: dict, role: str
) -> None:
    # SPEC SEC-4 SEC-1 CLM-P1
    actor = scene["principals"][role]
    for whose, account_id in scene["accounts"].items():
        found = people_repository.get_bank_account(db, actor=actor, account_id=account_id)
        if whose in sees_person(role):
            assert found is not None and found.id == account_id
        else:
            assert found is None


# Outside the sweep while another engineer moves their queries (docs/architecture.md).
NOT_SWEPT = ("claimdesk.sales.", "claimdesk.bills.", "claimdesk.checks.")


def _repository_look_ups() -> list[tuple[str, str, bool]]:
    """(module, function, takes a principal) for every get_*/list_* of a repository."""
    import importlib
    import inspect
    import pkgutil

    import claimdesk

    found = []
    for info in pkgutil.walk_packages(claimdesk.__path__, "claimdesk."):
        if not info.name.endswith(".repository") or info.name.startswith(NOT_SWEPT):
            continue
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or not name.startswith(("get_", "list_")):
                continue
            takes = any(
                p.annotation in (Principal, "Principal")
                for p in inspect.signature(function).parameters.values()
            )
            found.append((info.name, name, takes))
    return found


def test_every_look_up_without_a_principal_is_in_the_access_table() -> None:
    # SPEC SEC-4: the code and docs/architecture.md's table agree — a get_*/list_* of a
    # repository either takes the principal or is named in the table with why it needs none.
    from tests.paths import REPO

    table = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = table.split("## Access control", 1)[1].split("\n## ", 1)[0]
    look_ups = _repository_look_ups()
    assert len(look_ups) > 20  # not vacuous
    missing = [
        f"{module}.{name}"
        for module, name, takes in look_ups
        if not takes and f"`{name}`" not in section and f".{name}`" not in section
    ]
    assert missing == []
