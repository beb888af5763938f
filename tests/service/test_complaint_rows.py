"""Who sees a complaint (SEC-4, SVC-3, CLM-Z3): the desk by assignment, a customer
their own, nobody else.

Head office HQ with two branches, BJ and SH. A Beijing agent received a complaint of a
Beijing customer (BJ); a Shanghai agent one of a Shanghai customer (SH); the Beijing
agent was named to answer a Shanghai complaint (handler); the Beijing customer filed one
themself on the portal (no branch, no handler: the untaken pool). A desk supervisor
sitting at head office supervises SH; head office's desk supervisor supervises all.

Every role is tried through the service, the API (list, read, a write) and the pages
(the complaint page and the workbench's open complaints): a complaint outside the
caller's rows is 404 naming complaint_id, never 403.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from claimdesk.auth.principal import Principal
from claimdesk.service import service
from claimdesk.service.errors import ComplaintNotFound
from tests.builders import login_headers, make_org_unit, make_person, make_user, resident_id
from tests.service.helpers import SYSTEM, local, principal_of, seed_calendar
from tests.web.helpers import staff_login

BJ_OWN, SH_OTHER, SH_HANDLED_BY_BJ, POOL = "bj", "sh", "sh_handled_by_bj", "pool"
ALL = {BJ_OWN, SH_OTHER, SH_HANDLED_BY_BJ, POOL}
OTHER_CUSTOMER = "other_customer"
# Desk users beyond the one per role (the "service_agent" user is the Beijing agent).
AGENT_SH, SUPERVISOR_SH, SUPERVISOR_HQ = "agent_sh", "supervisor_sh", "supervisor_hq"
DESK = (Role.SERVICE_AGENT.value, AGENT_SH, SUPERVISOR_SH, SUPERVISOR_HQ)
USERS = [Role.CUSTOMER.value, OTHER_CUSTOMER, *(r.value for r in Role if r != Role.CUSTOMER)]
USERS += [AGENT_SH, SUPERVISOR_SH, SUPERVISOR_HQ]

SEES: dict[str, set[str]] = {
    # The customer of Beijing: their complaint at the branch and the one they filed.
    Role.CUSTOMER.value: {BJ_OWN, POOL},
    OTHER_CUSTOMER: {SH_OTHER, SH_HANDLED_BY_BJ},
    # Beijing agent: their branch, what they are named to answer, the pool.
    Role.SERVICE_AGENT.value: {BJ_OWN, SH_HANDLED_BY_BJ, POOL},
    # Shanghai agent: their branch (the handled one is a Shanghai complaint too), the pool.
    AGENT_SH: {SH_OTHER, SH_HANDLED_BY_BJ, POOL},
    # Supervisor of SH sitting at head office: SH, and the pool.
    SUPERVISOR_SH: {SH_OTHER, SH_HANDLED_BY_BJ, POOL},
    # Head office's desk supervisor: everything.
    SUPERVISOR_HQ: ALL,
}


def sees(user: str) -> set[str]:
    """Other staff hold no desk permission: no complaint at all."""
    return SEES.get(user, set())


def role_of(user: str) -> Role:
    if user in DESK:
        return Role.SERVICE_AGENT
    if user == OTHER_CUSTOMER:
        return Role.CUSTOMER
    return Role(user)


@dataclass
class Scene:
    complaint: dict[str, int]
    principals: dict[str, Principal]


@pytest.fixture
def scene(db: Session) -> Scene:
    seed_calendar(db)
    hq = make_org_unit(db, code="HQ", name="总公司", kind="head_office")
    bj = make_org_unit(db, code="BJ", name="北京分公司", kind="branch", parent=hq)
    sh = make_org_unit(db, code="SH", name="上海分公司", kind="branch", parent=hq)
    bj_person = make_person(db, name="北京客户", id_number=resident_id(seq="401"))
    sh_person = make_person(db, name="上海客户", id_number=resident_id(seq="402"))
    unit = {Role.SERVICE_AGENT.value: bj, AGENT_SH: sh, SUPERVISOR_SH: hq, SUPERVISOR_HQ: hq}
    person = {Role.CUSTOMER.value: bj_person.id, OTHER_CUSTOMER: sh_person.id}
    principals = {}
    for user in USERS:
        role = role_of(user).value
        made = make_user(
            db, username=user, roles=(role,), org_unit=unit.get(user), person_id=person.get(user)
        )
        principals[user] = principal_of(made, (role,), person_id=person.get(user))
    for supervisor, of in ((SUPERVISOR_SH, sh), (SUPERVISOR_HQ, hq)):
        service.set_desk_supervisor(
            db, actor=SYSTEM, org_unit_id=of.id, user_id=principals[supervisor].user_id or 0
        )

    def file(actor: Principal, person_id: int | None, **extra: object) -> int:
        return service.file_complaint(
            db,
            actor=actor,
            person_id=person_id,
            contact="13800138000",
            channel="web_app" if actor.is_customer else "phone",
            complaint_type="service",
            cause="delay",
            description="处理太慢",
            received_at=local(2026, 9, 28, 10),
            **extra,  # type: ignore[arg-type]
        ).id

    bj_agent, sh_agent = principals[Role.SERVICE_AGENT.value], principals[AGENT_SH]
    complaints = {
        BJ_OWN: file(bj_agent, bj_person.id),
        SH_OTHER: file(sh_agent, sh_person.id),
        SH_HANDLED_BY_BJ: file(
            SYSTEM, sh_person.id, org_unit_id=sh.id, handler_user_id=bj_agent.user_id
        ),
        POOL: file(principals[Role.CUSTOMER.value], None),
    }
    db.commit()
    return Scene(complaint=complaints, principals=principals)


def test_scene_is_as_described(db: Session, scene: Scene) -> None:
    # SPEC SVC-3: the pool complaint has no branch and no handler; the others have both.
    pool = service.get_complaint(db, actor=SYSTEM, complaint_id=scene.complaint[POOL])
    assert (pool.org_unit_id, pool.handler_user_id) == (None, None)
    for name in (BJ_OWN, SH_OTHER, SH_HANDLED_BY_BJ):
        found = service.get_complaint(db, actor=SYSTEM, complaint_id=scene.complaint[name])
        assert found.org_unit_id is not None and found.handler_user_id is not None


@pytest.mark.parametrize("user", USERS)
def test_service_reads_only_the_complaints_the_user_works(
    db: Session, scene: Scene, user: str
) -> None:
    # SPEC SEC-4 SVC-3 CLM-Z3
    actor = scene.principals[user]
    listed = {c.id for c in service.complaints_of(db, actor=actor)}
    assert listed == {scene.complaint[n] for n in sees(user)}
    for name, complaint_id in scene.complaint.items():
        if name in sees(user):
            assert service.get_complaint(db, actor=actor, complaint_id=complaint_id).id == (
                complaint_id
            )
        else:
            with pytest.raises(ComplaintNotFound) as hidden:
                service.get_complaint(db, actor=actor, complaint_id=complaint_id)
            assert hidden.value.field == "complaint_id"
    if Permission.SERVICE_DESK in ROLE_PERMISSIONS[role_of(user)]:
        # The workbench's open complaints: the same rows (all four are still open).
        open_ids = {c.id for c in service.open_complaints(db, actor=actor)}
        assert open_ids == {scene.complaint[n] for n in sees(user)}


@pytest.mark.parametrize("user", USERS)
def test_complaints_api_by_user(client: TestClient, db: Session, scene: Scene, user: str) -> None:
    # SPEC SEC-4 SEC-9 SVC-3: the permission first (403), then the row (404, naming it).
    headers = login_headers(client, user)
    granted = ROLE_PERMISSIONS[role_of(user)]
    opens = Permission.SERVICE_DESK in granted or Permission.SERVICE_OWN in granted
    listed = client.get("/api/v1/complaints", headers=headers)
    if not opens:
        assert listed.status_code == 403
        one = client.get(f"/api/v1/complaints/{scene.complaint[POOL]}", headers=headers)
        assert one.status_code == 403
        return
    assert listed.status_code == 200
    assert {c["id"] for c in listed.json()["items"]} == {scene.complaint[n] for n in sees(user)}
    for name, complaint_id in scene.complaint.items():
        one = client.get(f"/api/v1/complaints/{complaint_id}", headers=headers)
        if name in sees(user):
            assert one.status_code == 200 and one.json()["id"] == complaint_id
        else:
            assert one.status_code == 404
            assert one.json()["error"]["field"] == "complaint_id"


@pytest.mark.parametrize("user", DESK)
def test_a_desk_write_on_a_complaint_outside_the_rows_is_404_and_writes_nothing(
    client: TestClient, db: Session, scene: Scene, user: str
) -> None:
    # SPEC SEC-4 SVC-3 GEN-6
    headers = login_headers(client, user)
    for name, complaint_id in scene.complaint.items():
        answer = client.post(
            f"/api/v1/complaints/{complaint_id}/acknowledge",
            headers=headers,
            json={"progress_note": "已联系客户"},
        )
        if name in sees(user):
            assert answer.status_code == 200, answer.text
        else:
            assert answer.status_code == 404
            assert answer.json()["error"]["field"] == "complaint_id"
            db.expire_all()
            untouched = service.get_complaint(db, actor=SYSTEM, complaint_id=complaint_id)
            assert untouched.status == "received" and untouched.acknowledged_at is None


@pytest.mark.parametrize("user", DESK)
def test_desk_pages_show_only_the_complaints_the_user_works(
    client: TestClient, db: Session, scene: Scene, user: str
) -> None:
    # SPEC SEC-4 SVC-3: the complaint page, the desk's list and the workbench queue.
    staff_login(client, user)
    workbench = client.get("/workbench")
    listing = client.get("/desk/complaints")
    assert workbench.status_code == 200 and listing.status_code == 200
    for name, complaint_id in scene.complaint.items():
        href = f'href="/desk/complaints/{complaint_id}"'
        page = client.get(f"/desk/complaints/{complaint_id}")
        if name in sees(user):
            assert page.status_code == 200
            assert href in workbench.text and href in listing.text
        else:
            assert page.status_code == 404
            assert href not in workbench.text and href not in listing.text
