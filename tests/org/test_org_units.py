"""Organisation units: head office and branches (SPEC CLM-Z1, SEC-4, GEN-5, GEN-6)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claimdesk.auth.principal import Principal
from claimdesk.models.audit import AuditEntry
from claimdesk.org import service
from claimdesk.org.errors import (
    BranchNeedsHeadOffice,
    HeadOfficeExists,
    InvalidOrgCode,
    InvalidRegionCode,
    OrgCodeTaken,
)
from tests.builders import login_headers, make_user

ADMIN = Principal.build(user_id=None, username="root", roles=["administrator"])


def test_head_office_and_branches(db):  # SPEC CLM-Z1, GEN-5
    hq = service.create_unit(
        db, actor=ADMIN, code="HQ", name="总公司", kind="head_office", region_code="110000"
    )
    bj = service.create_unit(
        db,
        actor=ADMIN,
        code="BJ",
        name="北京分公司",
        kind="branch",
        region_code="110000",
        parent_id=hq.id,
    )
    assert bj.parent_id == hq.id
    assert [u.code for u in service.list_units(db, kind="branch")] == ["BJ"]
    db.commit()
    actions = db.scalars(select(AuditEntry.action)).all()
    assert actions.count("org_unit.create") == 2


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"code": "bj"}, InvalidOrgCode),
        ({"region_code": "11"}, InvalidRegionCode),
        ({"parent_id": None}, BranchNeedsHeadOffice),
    ],
)
def test_branch_rules(db, kwargs, error):  # SPEC GEN-6
    hq = service.create_unit(db, actor=ADMIN, code="HQ", name="总公司", kind="head_office")
    args = {"code": "BJ", "name": "北京分公司", "kind": "branch", "parent_id": hq.id, **kwargs}
    with pytest.raises(error):
        service.create_unit(db, actor=ADMIN, **args)


def test_one_head_office_and_unique_codes(db):  # SPEC GEN-6
    hq = service.create_unit(db, actor=ADMIN, code="HQ", name="总公司", kind="head_office")
    with pytest.raises(HeadOfficeExists):
        service.create_unit(db, actor=ADMIN, code="HQ2", name="另一个总公司", kind="head_office")
    service.create_unit(
        db, actor=ADMIN, code="SH", name="上海分公司", kind="branch", parent_id=hq.id
    )
    with pytest.raises(OrgCodeTaken):
        service.create_unit(db, actor=ADMIN, code="SH", name="重复", kind="branch", parent_id=hq.id)
    # A branch cannot hang under a branch: the structure stays two-level.
    sh = service.get_unit_by_code(db, code="SH")
    with pytest.raises(BranchNeedsHeadOffice):
        service.create_unit(db, actor=ADMIN, code="PD", name="浦东", kind="branch", parent_id=sh.id)


def test_org_api_admin_writes_staff_reads(db, client):  # SPEC SEC-4
    make_user(db, username="admin", roles=["administrator"])
    make_user(db, username="surv", roles=["surveyor"])
    db.commit()
    admin = login_headers(client, "admin")
    surv = login_headers(client, "surv")
    hq = client.post(
        "/api/v1/org-units",
        headers=admin,
        json={"code": "HQ", "name": "总公司", "kind": "head_office"},
    )
    assert hq.status_code == 201, hq.text
    denied = client.post(
        "/api/v1/org-units",
        headers=surv,
        json={"code": "GD", "name": "广东分公司", "kind": "branch", "parent_id": hq.json()["id"]},
    )
    assert denied.status_code == 403
    listed = client.get("/api/v1/org-units", headers=surv)
    assert [u["code"] for u in listed.json()] == ["HQ"]
    renamed = client.patch(
        f"/api/v1/org-units/{hq.json()['id']}",
        headers=admin,
        json={"name": "总部", "reason": "更名"},
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "总部"
    bad_kind = client.post(
        "/api/v1/org-units", headers=admin, json={"code": "XX", "name": "x", "kind": "galaxy"}
    )
    assert bad_kind.status_code == 422 and bad_kind.json()["error"]["field"] == "kind"
