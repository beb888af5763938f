"""Editing an org unit (GEN-6, GEN-5, SEC-4): its Chinese and English names and region
code on the unit's own page, as the API's PATCH does — audited with the reason, refused
beside the field in zh-CN and English with nothing written, and only by administrators
(every member of staff reads the page)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.org import OrgUnit
from tests.builders import login_headers, make_org_unit, make_user

ROLES_WHO_EDIT = ["administrator"]
ROLES_WHO_READ_ONLY = ["claims_handler", "compliance_auditor", "service_agent", "surveyor"]


@pytest.fixture
def world(db: Session, client) -> dict[str, object]:  # type: ignore[no-untyped-def]
    hq = make_org_unit(db)
    bj = make_org_unit(db, code="BJ", name="北京分公司", kind="branch", parent=hq)
    for role in ROLES_WHO_EDIT + ROLES_WHO_READ_ONLY:
        make_user(db, username=role, roles=[role], org_unit=hq)
    db.commit()
    return {"hq": hq.id, "bj": bj.id}


def _form(**changes: str) -> dict[str, str]:
    return {
        "name": "北京分公司",
        "name_en": "",
        "region_code": "110000",
        "reason": "更名",
        **changes,
    }


def test_the_page_renames_a_unit_audited(db, client, world):  # type: ignore[no-untyped-def]
    # SPEC GEN-6, GEN-5: both names saved, before and after and the reason in the audit
    headers = login_headers(client, "administrator")
    url = f"/admin/org-units/{world['bj']}"
    shown = client.get(url, headers=headers)
    assert shown.status_code == 200 and 'id="form-unit-edit"' in shown.text
    done = client.post(
        url,
        data=_form(name=" 北京市分公司 ", name_en="Beijing branch"),
        headers=headers,
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == url
    db.expire_all()
    unit = db.get(OrgUnit, world["bj"])
    assert (unit.name, unit.name_en, unit.region_code) == (
        "北京市分公司",
        "Beijing branch",
        "110000",
    )
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "org_unit.update", AuditEntry.entity_id == str(world["bj"])
        )
    ).one()
    assert entry.reason == "更名"
    details = json.loads(entry.details)
    assert details["before"]["name"] == "北京分公司" and details["before"]["name_en"] is None
    assert details["after"]["name_en"] == "Beijing branch"
    english = client.get(f"{url}?lang=en", headers=headers)
    assert "Beijing branch" in english.text
    # the English name emptied on the form is removed: the Chinese name shows again
    client.post(url, data=_form(name="北京市分公司", reason="撤销英文名"), headers=headers)
    db.expire_all()
    assert db.get(OrgUnit, world["bj"]).name_en is None


@pytest.mark.parametrize(
    ("changes", "field", "zh", "en"),
    [
        ({"name": "   "}, "name", "名称：不能为空", "Name: may not be empty"),
        ({"name": "名" * 101}, "name", "名称：最多 100 个字符", "Name: at most 100 characters"),
        (
            {"name_en": "E" * 101},
            "name_en",
            "英文名称：最多 100 个字符",
            "English name: at most 100 characters",
        ),
        (
            {"region_code": "11"},
            "region_code",
            "行政区划代码须为 6 位数字",
            "a region code is 6 digits",
        ),
        ({"reason": ""}, "reason", "原因", "Reason"),
    ],
)
def test_a_bad_edit_is_refused_beside_the_field(db, client, world, changes, field, zh, en):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: the field and the rule in the reader's language; nothing is written
    headers = login_headers(client, "administrator")
    url = f"/admin/org-units/{world['bj']}"
    chinese = client.post(f"{url}?lang=zh-CN", data=_form(**changes), headers=headers)
    assert chinese.status_code == 422, chinese.text[:500]
    assert f'id="{field}-error"' in chinese.text and zh in chinese.text
    english = client.post(f"{url}?lang=en", data=_form(**changes), headers=headers)
    assert english.status_code == 422 and en in english.text
    db.expire_all()
    unit = db.get(OrgUnit, world["bj"])
    assert (unit.name, unit.name_en) == ("北京分公司", None)
    assert (
        db.scalars(select(AuditEntry).where(AuditEntry.action == "org_unit.update")).first() is None
    )


def test_the_api_refuses_a_blank_name(db, client, world):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: a name of spaces was stored as an empty name before
    headers = login_headers(client, "administrator")
    r = client.patch(
        f"/api/v1/org-units/{world['bj']}?lang=en",
        json={"name": "  ", "reason": "x"},
        headers=headers,
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "name"
    assert r.json()["error"]["message"] == "Name: may not be empty"


@pytest.mark.parametrize("role", ROLES_WHO_READ_ONLY)
def test_other_staff_read_the_unit_but_may_not_edit_it(db, client, world, role):  # type: ignore[no-untyped-def]
    # SPEC SEC-4: org:read shows the page without the form; org:manage edits
    headers = login_headers(client, role)
    url = f"/admin/org-units/{world['bj']}"
    shown = client.get(url, headers=headers)
    assert shown.status_code == 200 and 'id="form-unit-edit"' not in shown.text
    assert client.post(url, data=_form(name="改"), headers=headers).status_code == 403
    api = client.patch(
        f"/api/v1/org-units/{world['bj']}", json={"name": "改", "reason": "x"}, headers=headers
    )
    assert api.status_code == 403
    db.expire_all()
    assert db.get(OrgUnit, world["bj"]).name == "北京分公司"


@pytest.mark.parametrize("role", ROLES_WHO_EDIT)
def test_administrators_edit(db, client, world, role):  # type: ignore[no-untyped-def]
    # SPEC SEC-4
    headers = login_headers(client, role)
    url = f"/admin/org-units/{world['bj']}"
    assert (
        client.post(
            url, data=_form(name="改名"), headers=headers, follow_redirects=False
        ).status_code
        == 303
    )
    api = client.patch(
        f"/api/v1/org-units/{world['bj']}", json={"name": "再改", "reason": "x"}, headers=headers
    )
    assert api.status_code == 200 and api.json()["name"] == "再改"


def test_an_unknown_unit_is_not_found(db, client, world):  # type: ignore[no-untyped-def]
    headers = login_headers(client, "administrator")
    assert client.get("/admin/org-units/999999", headers=headers).status_code == 404
    assert client.post("/admin/org-units/999999", data=_form(), headers=headers).status_code == 404
