"""English names of org units (GEN-6, migration 0056): set on creation and edit through
the API and the admin page — trimmed, a blank one on creation is none, a blank one in an
edit refused, at most 100 characters, the field named in zh-CN and English, audited —
and shown on English pages (assign-a-surveyor, dashboards' branch filter, users and units
pages) with the Chinese name where there is none."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth import service as users
from claimdesk.i18n import current_language
from claimdesk.models.audit import AuditEntry
from claimdesk.models.org import OrgUnit
from claimdesk.web.claims.pages import _surveyor_fields
from tests.builders import login_headers, make_org_unit, make_user


@pytest.fixture
def units(db: Session, client) -> dict[str, object]:  # type: ignore[no-untyped-def]
    hq = make_org_unit(db)
    bj = make_org_unit(db, code="BJ", name="北京分公司", kind="branch", parent=hq)
    bj.name_en = "Beijing branch"
    sh = make_org_unit(db, code="SH", name="上海分公司", kind="branch", parent=hq)
    make_user(db, username="admin", roles=["administrator"], org_unit=hq)
    make_user(db, username="liu", display_name="刘洋", roles=["surveyor"], org_unit=bj)
    make_user(db, username="zhao", display_name="赵磊", roles=["surveyor"], org_unit=sh)
    db.commit()
    return {"hq": hq.id, "bj": bj.id, "sh": sh.id, "admin": login_headers(client, "admin")}


def test_the_api_creates_a_unit_with_an_english_name(db, client, units):  # type: ignore[no-untyped-def]
    # SPEC GEN-6, CLM-Z1: trimmed and returned; a blank one is none
    body = {"code": "GD", "name": "广东分公司", "kind": "branch", "parent_id": units["hq"]}
    r = client.post(
        "/api/v1/org-units", json={**body, "name_en": "  Guangdong branch "}, headers=units["admin"]
    )
    assert r.status_code == 201, r.text
    assert r.json()["name_en"] == "Guangdong branch"
    blank = client.post(
        "/api/v1/org-units",
        json={**body, "code": "GX", "name": "广西分公司", "name_en": "  "},
        headers=units["admin"],
    )
    assert blank.status_code == 201 and blank.json()["name_en"] is None


def test_the_api_edits_a_units_english_name_audited(db, client, units):  # type: ignore[no-untyped-def]
    # SPEC GEN-5 (before and after recorded), GEN-6
    url = f"/api/v1/org-units/{units['sh']}"
    r = client.patch(
        url, json={"name_en": "Shanghai branch", "reason": "英文名"}, headers=units["admin"]
    )
    assert r.status_code == 200, r.text
    assert r.json()["name_en"] == "Shanghai branch" and r.json()["name"] == "上海分公司"
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "org_unit.update", AuditEntry.entity_id == str(units["sh"])
        )
    ).one()
    details = json.loads(entry.details)
    assert details["before"]["name_en"] is None
    assert details["after"]["name_en"] == "Shanghai branch"
    # an edit without name_en leaves it; null removes it
    kept = client.patch(
        url, json={"region_code": "310000", "reason": "区划"}, headers=units["admin"]
    )
    assert kept.json()["name_en"] == "Shanghai branch"
    removed = client.patch(url, json={"name_en": None, "reason": "撤销"}, headers=units["admin"])
    assert removed.json()["name_en"] is None


@pytest.mark.parametrize(
    ("how", "typed", "zh", "en"),
    [
        ("create", "E" * 101, "英文名称：最多 100 个字符", "English name: at most 100 characters"),
        ("edit", "E" * 101, "英文名称：最多 100 个字符", "English name: at most 100 characters"),
        ("edit", "   ", "英文名称：不能为空", "English name: may not be empty"),
    ],
)
def test_a_bad_english_name_is_refused_in_both_languages(db, client, units, how, typed, zh, en):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: the field and the rule, in the reader's language; nothing changes
    if how == "create":
        url, call = "/api/v1/org-units", client.post
        body = {"code": "GD", "name": "广东分公司", "kind": "branch", "parent_id": units["hq"]}
    else:
        url, call = f"/api/v1/org-units/{units['bj']}", client.patch
        body = {"reason": "改名"}
    chinese = call(url, json={**body, "name_en": typed}, headers=units["admin"])
    assert chinese.status_code == 422, chinese.text
    assert chinese.json()["error"]["field"] == "name_en"
    assert chinese.json()["error"]["message"] == zh
    english = call(f"{url}?lang=en", json={**body, "name_en": typed}, headers=units["admin"])
    assert english.json()["error"]["message"] == en
    db.expire_all()
    assert db.get(OrgUnit, units["bj"]).name_en == "Beijing branch"
    assert db.scalars(select(OrgUnit).where(OrgUnit.code == "GD")).first() is None


def test_the_units_page_creates_a_unit_with_an_english_name(db, client, units):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: the page takes it as the API does, refuses an over-long one beside it
    form = {"code": "GD", "name": "广东分公司", "kind": "branch", "parent_id": str(units["hq"])}
    refused = client.post(
        "/admin/org-units?lang=en", data={**form, "name_en": "E" * 101}, headers=units["admin"]
    )
    assert refused.status_code == 422
    assert "at most 100 characters" in refused.text and 'id="name_en-error"' in refused.text
    made = client.post(
        "/admin/org-units",
        data={**form, "name_en": "Guangdong branch"},
        headers=units["admin"],
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text[:300]
    page = client.get("/admin/org-units?lang=en", headers=units["admin"])
    assert "Guangdong branch" in page.text and "Beijing branch" in page.text


@pytest.mark.parametrize(
    ("language", "liu", "zhao"),
    [
        ("en", "刘洋 (Beijing branch)", "赵磊 (上海分公司)"),
        ("zh-CN", "刘洋（北京分公司）", "赵磊（上海分公司）"),
    ],
)
def test_assign_a_surveyor_names_the_unit_in_the_readers_language(db, units, language, liu, zhao):  # type: ignore[no-untyped-def]
    # SPEC GEN-6, CLM-S1: the English name on an English page, the Chinese one without it
    token = current_language.set(language)
    try:
        [field] = _surveyor_fields(db, None)  # type: ignore[arg-type]
    finally:
        current_language.reset(token)
    labels = [label for _, label in field.options]
    assert liu in labels and zhao in labels, labels
    staff = users.staff_with_roles(db, roles=["surveyor"], language="en")
    assert {unit for _, _, unit in staff} == {"Beijing branch", "上海分公司"}


def test_the_dashboards_branch_filter_and_users_page_name_units_in_english(db, client, units):  # type: ignore[no-untyped-def]
    # SPEC GEN-6, GEN-7: the filter's options on the English page; Chinese on the Chinese one
    english = client.get("/dashboards/claims?lang=en", headers=units["admin"])
    assert english.status_code == 200, english.text[:300]
    assert "Beijing branch (BJ)" in english.text and "上海分公司 (SH)" in english.text
    chinese = client.get("/dashboards/claims?lang=zh-CN", headers=units["admin"])
    assert "北京分公司（BJ）" in chinese.text and "Beijing branch" not in chinese.text
    staff = client.get("/admin/users?lang=en", headers=units["admin"])
    assert "Beijing branch" in staff.text


def test_a_remote_claims_refusal_names_the_local_branch_in_the_readers_language(db, units):  # type: ignore[no-untyped-def]
    # SPEC CLM-Z1, GEN-6: the unit's English name in English, the Chinese one in Chinese
    from claimdesk.claims.special.remote import SurveyorNotLocal, _unit_names

    names = _unit_names(db, units["bj"])
    assert names == {"unit": "北京分公司", "unit_en": "Beijing branch"}
    error = SurveyorNotLocal(field="surveyor_id", **names)
    assert "Beijing branch" in error.message("en") and "北京分公司" not in error.message("en")
    assert "北京分公司" in error.message("zh-CN")
    # a unit without an English name: its Chinese name in the English message
    assert _unit_names(db, units["sh"])["unit_en"] == "上海分公司"
