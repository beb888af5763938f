"""Editing sales channels and organisations (SAL-1, GEN-6, GEN-5, SEC-4): the API's
PATCH and the record's page — names in Chinese and English, a channel's kind and sales
modes, an organisation's branch and licence — audited with the reason, refused beside the
field in zh-CN and English with nothing written, only by administrators (auditors read)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.sales import SalesChannel, SalesOrganisation
from tests.builders import login_headers, make_org_unit, make_user

ROLES_WHO_EDIT = ["administrator"]
ROLES_WHO_READ = ["compliance_auditor"]
ROLES_WHO_MAY_NOT_READ = ["claims_handler", "sales_agent", "service_agent"]


@pytest.fixture
def world(db: Session, client) -> dict[str, int]:  # type: ignore[no-untyped-def]
    hq = make_org_unit(db)
    bj = make_org_unit(db, code="BJ", name="北京分公司", kind="branch", parent=hq)
    for role in ROLES_WHO_EDIT + ROLES_WHO_READ + ROLES_WHO_MAY_NOT_READ:
        make_user(db, username=role, roles=[role], org_unit=hq)
    channel = SalesChannel(code="BANK1", name="银保渠道", kind="bank", modes="face_to_face")
    db.add(channel)
    db.flush()
    organisation = SalesOrganisation(name="某银行北京分行", channel_id=channel.id)
    db.add(organisation)
    db.commit()
    return {"channel": channel.id, "organisation": organisation.id, "bj": bj.id}


def _audit(db: Session, action: str, entity_id: int) -> list[AuditEntry]:
    query = select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.entity_id == str(entity_id)
    )
    return list(db.scalars(query))


def test_the_api_edits_a_channel_audited(db, client, world):  # type: ignore[no-untyped-def]
    # SPEC SAL-1, GEN-6, GEN-5
    headers = login_headers(client, "administrator")
    url = f"/api/v1/sales/channels/{world['channel']}"
    r = client.patch(
        url,
        json={
            "name": " 银行保险渠道 ",
            "name_en": " Bancassurance ",
            "modes": ["face_to_face", "phone", "phone"],
            "reason": "更正",
        },
        headers=headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["name"], body["name_en"], body["kind"], body["modes"], body["code"]) == (
        "银行保险渠道",
        "Bancassurance",
        "bank",
        "face_to_face,phone",
        "BANK1",
    )
    (entry,) = _audit(db, "sales.channel_updated", world["channel"])
    assert entry.reason == "更正"
    details = json.loads(entry.details)
    assert (
        details["before"]["name_en"] is None and details["after"]["modes"] == "face_to_face,phone"
    )
    # left out: unchanged; null: removed
    kept = client.patch(url, json={"kind": "agency", "reason": "类型"}, headers=headers)
    assert kept.json()["name_en"] == "Bancassurance" and kept.json()["kind"] == "agency"
    removed = client.patch(url, json={"name_en": None, "reason": "撤销"}, headers=headers)
    assert removed.json()["name_en"] is None
    assert client.get(url, headers=headers).json()["kind"] == "agency"


def test_the_api_edits_an_organisation_audited(db, client, world):  # type: ignore[no-untyped-def]
    # SPEC SAL-1, GEN-6, GEN-5
    headers = login_headers(client, "administrator")
    url = f"/api/v1/sales/organisations/{world['organisation']}"
    r = client.patch(
        url,
        json={
            "name_en": "A bank, Beijing",
            "org_unit_id": world["bj"],
            "licence_number": " LIC-1 ",
            "reason": "补登",
        },
        headers=headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["name"], body["name_en"], body["org_unit_id"], body["licence_number"]) == (
        "某银行北京分行",
        "A bank, Beijing",
        world["bj"],
        "LIC-1",
    )
    (entry,) = _audit(db, "sales.organisation_updated", world["organisation"])
    assert json.loads(entry.details)["before"]["org_unit_id"] is None
    cleared = client.patch(
        url, json={"org_unit_id": None, "licence_number": None, "reason": "撤销"}, headers=headers
    )
    assert cleared.json()["org_unit_id"] is None and cleared.json()["licence_number"] is None
    assert cleared.json()["name_en"] == "A bank, Beijing"


@pytest.mark.parametrize(
    ("what", "body", "field", "zh", "en"),
    [
        ("channels", {"name": "  "}, "name", "名称：不能为空", "Name: may not be empty"),
        (
            "channels",
            {"name_en": "  "},
            "name_en",
            "英文名称：不能为空",
            "English name: may not be empty",
        ),
        ("channels", {"kind": "tv"}, "kind", "类型", "Kind"),
        ("channels", {"modes": []}, "modes", "方式", "Modes"),
        ("channels", {"modes": ["fax"]}, "modes.0", "方式", "Modes"),
        (
            "organisations",
            {"name_en": "E" * 101},
            "name_en",
            "英文名称：最多 100 个字符",
            "English name: at most 100 characters",
        ),
        (
            "organisations",
            {"org_unit_id": 999999},
            "org_unit_id",
            "未找到机构",
            "Org unit not found",
        ),
        (
            "organisations",
            {"licence_number": "L" * 41},
            "licence_number",
            "执业证号：最多 40 个字符",
            "Licence number: at most 40 characters",
        ),
    ],
)
def test_the_api_refuses_a_bad_edit_naming_the_field(db, client, world, what, body, field, zh, en):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: the field and the rule in the caller's language; nothing written
    headers = login_headers(client, "administrator")
    ident = world["channel" if what == "channels" else "organisation"]
    url = f"/api/v1/sales/{what}/{ident}"
    chinese = client.patch(f"{url}?lang=zh-CN", json={**body, "reason": "x"}, headers=headers)
    assert chinese.status_code in (404, 422), chinese.text
    assert chinese.json()["error"]["field"] == field
    assert chinese.json()["error"]["message"].startswith(zh), chinese.json()
    english = client.patch(f"{url}?lang=en", json={**body, "reason": "x"}, headers=headers)
    assert english.json()["error"]["message"].startswith(en), english.json()
    db.expire_all()
    assert db.get(SalesChannel, world["channel"]).name == "银保渠道"
    assert db.get(SalesOrganisation, world["organisation"]).org_unit_id is None
    assert not _audit(db, f"sales.{what[:-1]}_updated", ident)


def test_a_reason_is_required(db, client, world):  # type: ignore[no-untyped-def]
    # SPEC GEN-5: every change says why
    headers = login_headers(client, "administrator")
    r = client.patch(
        f"/api/v1/sales/channels/{world['channel']}?lang=en",
        json={"name": "新名", "reason": "  "},
        headers=headers,
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"


def test_the_channel_page_edits_it(db, client, world):  # type: ignore[no-untyped-def]
    # SPEC SAL-1, GEN-6: the page takes the API's schema; emptied English name removed
    headers = login_headers(client, "administrator")
    url = f"/admin/sales/channels/{world['channel']}"
    shown = client.get(url, headers=headers)
    assert shown.status_code == 200 and 'id="form-channel-edit"' in shown.text
    assert f'href="{url}"' in client.get("/admin/sales", headers=headers).text
    form = {
        "name": "银保",
        "name_en": "Bancassurance",
        "kind": "bank",
        "modes": ["phone", "online"],
        "reason": "更正",
    }
    done = client.post(url, data=form, headers=headers, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == url
    db.expire_all()
    channel = db.get(SalesChannel, world["channel"])
    assert (channel.name, channel.name_en, channel.modes) == (
        "银保",
        "Bancassurance",
        "phone,online",
    )
    assert "Bancassurance" in client.get("/admin/sales?lang=en", headers=headers).text
    client.post(url, data={**form, "name_en": ""}, headers=headers)
    db.expire_all()
    assert db.get(SalesChannel, world["channel"]).name_en is None


@pytest.mark.parametrize(
    ("changes", "field", "zh", "en"),
    [
        ({"name": " "}, "name", "名称：不能为空", "Name: may not be empty"),
        ({"name_en": "E" * 101}, "name_en", "最多 100 个字符", "at most 100 characters"),
        ({"modes": []}, "modes", "至少", "Sales modes: at least 1 item"),
        ({"reason": ""}, "reason", "原因", "Reason"),
    ],
)
def test_the_channel_page_refuses_beside_the_field(db, client, world, changes, field, zh, en):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: the refusal beside the field, what was typed kept, nothing written
    headers = login_headers(client, "administrator")
    url = f"/admin/sales/channels/{world['channel']}"
    form = {
        "name": "银保",
        "name_en": "",
        "kind": "bank",
        "modes": ["phone"],
        "reason": "更正",
        **changes,
    }
    chinese = client.post(f"{url}?lang=zh-CN", data=form, headers=headers)
    assert chinese.status_code == 422, chinese.text[:300]
    assert f'id="{field}-error"' in chinese.text and zh in chinese.text
    english = client.post(f"{url}?lang=en", data=form, headers=headers)
    assert en in english.text
    db.expire_all()
    assert db.get(SalesChannel, world["channel"]).name == "银保渠道"


def test_the_organisation_page_edits_and_refuses(db, client, world):  # type: ignore[no-untyped-def]
    # SPEC SAL-1, GEN-6
    headers = login_headers(client, "administrator")
    url = f"/admin/sales/organisations/{world['organisation']}"
    shown = client.get(url, headers=headers)
    assert shown.status_code == 200 and 'id="form-organisation-edit"' in shown.text
    form = {
        "name": "某银行北京分行",
        "name_en": "A bank, Beijing",
        "org_unit_id": str(world["bj"]),
        "licence_number": "LIC-9",
        "reason": "补登",
    }
    refused = client.post(
        f"{url}?lang=en", data={**form, "licence_number": "L" * 41}, headers=headers
    )
    assert refused.status_code == 422 and 'id="licence_number-error"' in refused.text
    assert "Licence number" in refused.text and "at most 40 characters" in refused.text
    assert 'value="A bank, Beijing"' in refused.text  # what was typed stays
    db.expire_all()
    assert db.get(SalesOrganisation, world["organisation"]).licence_number is None
    done = client.post(url, data=form, headers=headers, follow_redirects=False)
    assert done.status_code == 303
    db.expire_all()
    organisation = db.get(SalesOrganisation, world["organisation"])
    assert (organisation.name_en, organisation.org_unit_id, organisation.licence_number) == (
        "A bank, Beijing",
        world["bj"],
        "LIC-9",
    )
    assert "北京分公司" in client.get(url, headers=headers).text


@pytest.mark.parametrize("role", ROLES_WHO_READ + ROLES_WHO_MAY_NOT_READ)
def test_only_administrators_edit(db, client, world, role):  # type: ignore[no-untyped-def]
    # SPEC SEC-4: sales:manage edits; auditors (sales:read) read without the form; others 403
    headers = login_headers(client, role)
    channel_url = f"/admin/sales/channels/{world['channel']}"
    organisation_url = f"/admin/sales/organisations/{world['organisation']}"
    for url, form_id in (
        (channel_url, "form-channel-edit"),
        (organisation_url, "form-organisation-edit"),
    ):
        shown = client.get(url, headers=headers)
        if role in ROLES_WHO_READ:
            assert shown.status_code == 200 and f'id="{form_id}"' not in shown.text
        else:
            assert shown.status_code == 403
        assert (
            client.post(url, data={"name": "改", "reason": "x"}, headers=headers).status_code == 403
        )
        api = client.patch(
            f"/api/v1{url.removeprefix('/admin')}",
            json={"name": "改", "reason": "x"},
            headers=headers,
        )
        assert api.status_code == 403
    db.expire_all()
    assert db.get(SalesChannel, world["channel"]).name == "银保渠道"
    assert db.get(SalesOrganisation, world["organisation"]).name == "某银行北京分行"


@pytest.mark.parametrize("role", ROLES_WHO_EDIT)
def test_administrators_edit_both(db, client, world, role):  # type: ignore[no-untyped-def]
    # SPEC SEC-4
    headers = login_headers(client, role)
    for what in ("channels", "organisations"):
        ident = world["channel" if what == "channels" else "organisation"]
        r = client.patch(
            f"/api/v1/sales/{what}/{ident}", json={"name": "新名", "reason": "x"}, headers=headers
        )
        assert r.status_code == 200 and r.json()["name"] == "新名"
