"""Who sees a policy change (批改) or a dispute: whoever sees its policy, and nobody
else (SEC-4, CLM-F2, POL-2, POL-3, POL-5).

Two customers each hold a policy with one change and one dispute; the sales agent sold
the first policy only and the surveyor is assigned a claim on the first policy only.
Every role is tried: the service look-up the pages use, the policy API that lists a
policy's changes and disputes, and the step routes of the API and the pages — a row the
caller may not see is "not found" naming its id (404), never "forbidden", so that its
existence is not disclosed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from claimdesk.auth.principal import Principal
from claimdesk.errors import NotFound
from claimdesk.policies import service
from claimdesk.policies.schemas import ChangeIn
from tests.builders import demo_version, issue_policy, login_headers, make_claim, make_user
from tests.policies.helpers import SYSTEM, at, person, seed_calendar
from tests.web.helpers import form_token, staff_login

OWN, OTHER = "own", "other"
# The customer whose policy is the first one, and the other customer.
OTHER_CUSTOMER = "other_customer"
# Roles that see only some policies (policies.repository.scoped): the rest of staff see all.
NARROW = {Role.CUSTOMER.value, OTHER_CUSTOMER, Role.SURVEYOR.value, Role.SALES_AGENT.value}
ROLES = [OTHER_CUSTOMER, *(r.value for r in Role)]
STAFF = [r.value for r in Role if r is not Role.CUSTOMER]


def granted(role: str) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[Role.CUSTOMER if role == OTHER_CUSTOMER else Role(role)]


def sees(role: str) -> set[str]:
    """Whose policy's changes and disputes the role sees (SEC-4, CLM-F2)."""
    if role == OTHER_CUSTOMER:
        return {OTHER}
    if role in NARROW:
        return {OWN}
    return {OWN, OTHER}


@dataclass
class Scene:
    policy: dict[str, int]
    number: dict[str, str]
    change: dict[str, int]
    dispute: dict[str, int]
    principals: dict[str, Principal]


def _change_in() -> ChangeIn:
    return ChangeIn.model_validate(
        {
            "kind": "change",
            "description": "变更联系地址",
            "effective_date": "2026-10-10",
            "customer_consent": True,
            "customer_consent_method": "written",
            "contact": {"address": "北京市朝阳区"},
        }
    )


@pytest.fixture
def scene(db: Session) -> Scene:
    seed_calendar(db)
    version = demo_version(db)
    people = {OWN: person(db, "钱自己", "301"), OTHER: person(db, "孙别人", "302")}
    seller = make_user(db, username=Role.SALES_AGENT.value, roles=[Role.SALES_AGENT.value])
    policies = {
        OWN: issue_policy(db, version_id=version.id, policyholder_id=people[OWN].id),
        OTHER: issue_policy(db, version_id=version.id, policyholder_id=people[OTHER].id),
    }
    policies[OWN].agent_user_id = seller.id  # sold by the sales agent (SAL-1)
    principals: dict[str, Principal] = {}
    for role in ROLES:
        roles = [Role.CUSTOMER.value] if role == OTHER_CUSTOMER else [role]
        person_id = {Role.CUSTOMER.value: people[OWN].id, OTHER_CUSTOMER: people[OTHER].id}
        user = (
            seller
            if role == Role.SALES_AGENT.value
            else make_user(db, username=role, roles=roles, person_id=person_id.get(role))
        )
        principals[role] = Principal.build(
            user_id=user.id, username=role, roles=roles, person_id=person_id.get(role)
        )
    claim = make_claim(db, number="RPT-ROWS-1", policy=policies[OWN])
    claim.surveyor_id = principals[Role.SURVEYOR.value].user_id
    agent = principals[Role.SERVICE_AGENT.value]
    changes, disputes = {}, {}
    for whose, policy in policies.items():
        changes[whose] = service.request_change(
            db, actor=agent, policy_id=policy.id, data=_change_in(), at=at("2026-09-30 10:00")
        ).id
        disputes[whose] = service.open_dispute(
            db,
            actor=agent,
            policy_id=policy.id,
            applicant="投保人",
            description="对条款有异议",
            at=at("2026-09-30 11:00"),
        ).id
    db.commit()
    return Scene(
        policy={w: p.id for w, p in policies.items()},
        number={w: p.number for w, p in policies.items()},
        change=changes,
        dispute=disputes,
        principals=principals,
    )


@pytest.mark.parametrize("role", ROLES)
def test_service_finds_a_change_or_dispute_only_where_the_role_sees_its_policy(
    db: Session, scene: Scene, role: str
) -> None:
    # SPEC SEC-4 CLM-F2 POL-2 POL-5
    actor = scene.principals[role]
    visible = sees(role)
    for whose in (OWN, OTHER):
        if whose in visible:
            found = service.policy_of_change(db, actor=actor, change_id=scene.change[whose])
            assert found == scene.policy[whose]
            found = service.policy_of_dispute(db, actor=actor, dispute_id=scene.dispute[whose])
            assert found == scene.policy[whose]
            continue
        with pytest.raises(NotFound) as hidden:
            service.policy_of_change(db, actor=actor, change_id=scene.change[whose])
        assert hidden.value.field == "change_id"
        with pytest.raises(NotFound) as hidden:
            service.policy_of_dispute(db, actor=actor, dispute_id=scene.dispute[whose])
        assert hidden.value.field == "dispute_id"


def test_the_workers_switch_reads_any_change_as_the_system(db: Session, scene: Scene) -> None:
    # SPEC POL-2 SEC-4: a job acts as the system, whose work spans every policy.
    assert (
        service.policy_of_change(db, actor=SYSTEM, change_id=scene.change[OTHER])
        == (scene.policy[OTHER])
    )


@pytest.mark.parametrize("role", [OTHER_CUSTOMER, *STAFF])
def test_policy_api_lists_changes_and_disputes_only_of_a_policy_the_role_sees(
    client: TestClient, db: Session, scene: Scene, role: str
) -> None:
    # SPEC SEC-4 CLM-F2 POL-2 POL-5 (customers log in with an SMS code: the next test)
    headers = login_headers(client, role)
    readable = Permission.POLICIES_READ in granted(role)
    for whose in (OWN, OTHER):
        answer = client.get(f"/api/v1/policies/{scene.policy[whose]}", headers=headers)
        if not readable:
            assert answer.status_code == 403
        elif whose in sees(role):
            assert answer.status_code == 200
            body = answer.json()
            assert [c["id"] for c in body["changes"]] == [scene.change[whose]]
            assert [d["id"] for d in body["disputes"]] == [scene.dispute[whose]]
        else:
            assert answer.status_code == 404
            assert answer.json()["error"]["field"] == "policy_id"
            assert scene.number[whose] not in answer.text


@pytest.mark.parametrize("role", [Role.CUSTOMER.value, OTHER_CUSTOMER])
def test_customer_reads_their_own_policys_changes_and_not_the_others(
    client: TestClient, db: Session, scene: Scene, role: str
) -> None:
    # SPEC SEC-4 SEC-9 POL-2 POL-5
    headers = login_headers(client, role)
    mine = OTHER if role == OTHER_CUSTOMER else OWN
    theirs = OWN if mine == OTHER else OTHER
    own = client.get(f"/api/v1/policies/{scene.policy[mine]}", headers=headers)
    assert own.status_code == 200
    assert [c["id"] for c in own.json()["changes"]] == [scene.change[mine]]
    assert [d["id"] for d in own.json()["disputes"]] == [scene.dispute[mine]]
    hidden = client.get(f"/api/v1/policies/{scene.policy[theirs]}", headers=headers)
    assert hidden.status_code == 404 and scene.number[theirs] not in hidden.text
    # The steps are the desk's: a customer is refused by the route's permission first.
    step = client.post(
        f"/api/v1/policies/changes/{scene.change[mine]}/review",
        headers=headers,
        json={"lawful": True, "note": "x"},
    )
    assert step.status_code == 403


@pytest.mark.parametrize("role", STAFF)
def test_change_and_dispute_step_routes_by_role(
    client: TestClient, db: Session, scene: Scene, role: str
) -> None:
    # SPEC SEC-4 POL-2 POL-5: the permission first (403), then the row (404, naming it);
    # customers: test_customer_reads_their_own_policys_changes_and_not_the_others.
    headers = login_headers(client, role)
    services = Permission.POLICIES_SERVICE in granted(role)
    for whose in (OWN, OTHER):
        review = client.post(
            f"/api/v1/policies/changes/{scene.change[whose]}/review",
            headers=headers,
            json={"lawful": True, "note": "合法"},
        )
        answer = client.post(
            f"/api/v1/policies/disputes/{scene.dispute[whose]}/steps",
            headers=headers,
            json={"action": "answer", "text": "已答复"},
        )
        if not services:
            assert (review.status_code, answer.status_code) == (403, 403)
        else:
            # Only the service desk holds the permission, and it sees every policy.
            assert whose in sees(role)
            assert review.status_code == 200, review.text
            assert answer.status_code == 200, answer.text


@pytest.fixture
def narrow_servicer(monkeypatch: pytest.MonkeyPatch) -> str:
    """A sales agent who also works policy service (a grant no role has today): the row
    filter, not the permission table, must keep them to the policies they sold."""
    role = Role.SALES_AGENT
    granted = ROLE_PERMISSIONS[role] | {Permission.POLICIES_SERVICE, Permission.POLICIES_APPROVE}
    monkeypatch.setitem(ROLE_PERMISSIONS, role, granted)
    return role.value


def test_a_narrow_role_with_the_permission_gets_404_for_another_policys_rows(
    client: TestClient, db: Session, scene: Scene, narrow_servicer: str
) -> None:
    # SPEC SEC-4 CLM-F2 POL-2 POL-5: the repository hides the row whatever the grant.
    headers = login_headers(client, narrow_servicer)
    hidden_review = client.post(
        f"/api/v1/policies/changes/{scene.change[OTHER]}/review",
        headers=headers,
        json={"lawful": True, "note": "合法"},
    )
    assert hidden_review.status_code == 404
    assert hidden_review.json()["error"]["field"] == "change_id"
    hidden_step = client.post(
        f"/api/v1/policies/disputes/{scene.dispute[OTHER]}/steps",
        headers=headers,
        json={"action": "answer", "text": "已答复"},
    )
    assert hidden_step.status_code == 404
    assert hidden_step.json()["error"]["field"] == "dispute_id"
    # Nothing moved: the other policy's change and dispute are where they were.
    other = client.get(
        f"/api/v1/policies/{scene.policy[OTHER]}",
        headers=login_headers(client, Role.SERVICE_AGENT.value),
    ).json()
    assert other["changes"][0]["status"] == "requested"
    assert other["disputes"][0]["status"] == "applied"
    # Their own policy's rows are theirs to work.
    own_review = client.post(
        f"/api/v1/policies/changes/{scene.change[OWN]}/review",
        headers=headers,
        json={"lawful": True, "note": "合法"},
    )
    assert own_review.status_code == 200, own_review.text


def test_pages_answer_not_found_for_another_policys_change_and_dispute(
    client: TestClient, db: Session, scene: Scene, narrow_servicer: str
) -> None:
    # SPEC SEC-4 CLM-F2 POL-2 POL-5: the policy page's step forms, the same rule.
    staff_login(client, narrow_servicer)
    token = form_token(client, f"/admin/policies/{scene.policy[OWN]}")
    assert client.get(f"/admin/policies/{scene.policy[OTHER]}").status_code == 404
    forms: list[tuple[str, dict[str, Any]]] = [
        (f"/admin/policies/changes/{scene.change[OTHER]}/review", {"lawful": "yes", "note": "x"}),
        (f"/admin/policies/changes/{scene.change[OTHER]}/approve", {}),
        (f"/admin/policies/changes/{scene.change[OTHER]}/complete", {}),
        (f"/admin/policies/changes/{scene.change[OTHER]}/reject", {"note": "x"}),
        (
            f"/admin/policies/disputes/{scene.dispute[OTHER]}/steps",
            {"step": "answer", "text": "已答复"},
        ),
    ]
    for path, data in forms:
        answer = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 404, (path, answer.status_code)
        assert scene.number[OTHER] not in answer.text
    own = client.post(
        f"/admin/policies/changes/{scene.change[OWN]}/review",
        data={"lawful": "yes", "note": "合法", "csrf_token": token},
        follow_redirects=False,
    )
    assert own.status_code == 303, own.text
