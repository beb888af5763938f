"""English names of sales channels and organisations (GEN-6, SAL-1, migration 0056): set
on creation through the API and the sales page, refused over 100 characters naming the
field in zh-CN and English, shown on English pages with the Chinese name as fallback."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.sales import SalesChannel, SalesOrganisation
from tests.builders import login_headers, make_user


@pytest.fixture
def admin(db: Session, client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    make_user(db, username="admin", roles=["administrator"])
    db.commit()
    return login_headers(client, "admin")


def test_channels_and_organisations_take_an_english_name(db, client, admin):  # type: ignore[no-untyped-def]
    # SPEC GEN-6, SAL-1: trimmed and returned; the English page shows it
    channel = client.post(
        "/api/v1/sales/channels",
        json={
            "code": "BANK1",
            "name": "银保渠道",
            "name_en": " Bancassurance ",
            "kind": "bank",
            "modes": ["face_to_face"],
        },
        headers=admin,
    )
    assert channel.status_code == 201, channel.text
    assert channel.json()["name_en"] == "Bancassurance"
    organisation = client.post(
        "/api/v1/sales/organisations",
        json={"name": "某银行北京分行", "channel_id": channel.json()["id"]},
        headers=admin,
    )
    assert organisation.status_code == 201, organisation.text
    assert organisation.json()["name_en"] is None
    english = client.get("/admin/sales?lang=en", headers=admin)
    assert "Bancassurance" in english.text
    # no English name: the Chinese one, marked as Chinese
    assert '<span lang="zh-CN">某银行北京分行</span>' in english.text
    chinese = client.get("/admin/sales?lang=zh-CN", headers=admin)
    assert "银保渠道" in chinese.text and "Bancassurance" not in chinese.text


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_an_over_long_english_name_is_refused_naming_the_field(db, client, admin, language):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: nothing stored; the rule in the reader's language
    body = {"code": "NET1", "name": "互联网", "name_en": "E" * 101, "kind": "internet"}
    r = client.post(
        f"/api/v1/sales/channels?lang={language}", json={**body, "modes": ["online"]}, headers=admin
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["field"] == "name_en"
    expected = (
        "英文名称：最多 100 个字符"
        if language == "zh-CN"
        else "English name: at most 100 characters"
    )
    assert error["message"] == expected
    assert db.scalar(select(func.count()).select_from(SalesChannel)) == 0


def test_the_sales_page_forms_take_the_english_names(db, client, admin):  # type: ignore[no-untyped-def]
    # SPEC GEN-6, SAL-1: the page's forms, and an over-long name refused beside its field
    made = client.post(
        "/admin/sales/channels",
        data={
            "code": "DIRECT1",
            "name": "直销团队",
            "name_en": "Direct sales team",
            "kind": "direct_team",
            "modes": "phone",
        },
        headers=admin,
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text[:500]
    channel = db.scalars(select(SalesChannel)).one()
    assert channel.name_en == "Direct sales team"
    refused = client.post(
        "/admin/sales/organisations?lang=en",
        data={"org_name": "直销一部", "org_name_en": "E" * 101, "channel_id": str(channel.id)},
        headers=admin,
    )
    assert refused.status_code == 422
    assert 'id="org_name_en-error"' in refused.text and "at most 100 characters" in refused.text
    client.post(
        "/admin/sales/organisations",
        data={
            "org_name": "直销一部",
            "org_name_en": "Direct team 1",
            "channel_id": str(channel.id),
        },
        headers=admin,
    )
    db.expire_all()
    assert db.scalars(select(SalesOrganisation.name_en)).one() == "Direct team 1"
    english = client.get("/admin/sales?lang=en", headers=admin)
    assert "DIRECT1 · Direct sales team" in english.text and "Direct team 1" in english.text
