"""Editing an existing product's or coverage's English name (GEN-6, PRD-2, PRD-3): the API
(PATCH …/name-en) and the admin pages, validated (trimmed, not blank, ≤ 100 characters,
the field named in zh-CN and English), audited, in place on a published version with no
new version, and shown on English pages with the Chinese name as fallback."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.product import Coverage, Product, ProductVersion
from tests.builders import demo_version, login_headers, make_org_unit, make_user


@pytest.fixture
def setup(db: Session, client) -> dict[str, object]:  # type: ignore[no-untyped-def]
    make_user(db, username="admin", roles=["administrator"], org_unit=make_org_unit(db))
    make_user(db, username="handler", roles=["claims_handler"])
    version = demo_version(db)
    db.commit()
    return {
        "admin": login_headers(client, "admin"),
        "handler": login_headers(client, "handler"),
        "product_id": version.product_id,
        "version_id": version.id,
        "coverage_id": version.coverages[0].id,
    }


def _audit(db: Session, action: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_api_changes_a_published_products_english_name_in_place(db, client, setup):  # type: ignore[no-untyped-def]
    # SPEC PRD-2 (a display name is no contract content: no new version), GEN-5 (audited)
    pid = setup["product_id"]
    versions = db.scalar(select(func.count()).select_from(ProductVersion))
    r = client.patch(
        f"/api/v1/products/{pid}/name-en",
        json={"name_en": "  Million-yuan medical  "},
        headers=setup["admin"],
    )
    assert r.status_code == 200, r.text
    assert r.json()["name_en"] == "Million-yuan medical"
    db.expire_all()
    assert db.get(Product, pid).name_en == "Million-yuan medical"
    assert db.scalar(select(func.count()).select_from(ProductVersion)) == versions
    [entry] = _audit(db, "product.name_en_edit")
    details = json.loads(entry.details)
    assert details["before"] == "Million medical insurance"
    assert details["after"] == "Million-yuan medical"
    # null removes it: English pages show the Chinese name again
    cleared = client.patch(
        f"/api/v1/products/{pid}/name-en", json={"name_en": None}, headers=setup["admin"]
    )
    assert cleared.status_code == 200 and cleared.json()["name_en"] is None


def test_the_api_changes_a_coverages_english_name(db, client, setup):  # type: ignore[no-untyped-def]
    # SPEC PRD-3, PRD-2, GEN-5
    pid, cid = setup["product_id"], setup["coverage_id"]
    r = client.patch(
        f"/api/v1/products/{pid}/coverages/{cid}/name-en",
        json={"name_en": "Medical costs"},
        headers=setup["admin"],
    )
    assert r.status_code == 200, r.text
    assert r.json()["name_en"] == "Medical costs"
    db.expire_all()
    assert db.get(Coverage, cid).name_en == "Medical costs"
    [entry] = _audit(db, "product.coverage_name_en_edit")
    assert json.loads(entry.details)["before"] == "General medical benefit"
    # a coverage of another product is not found under this one
    other = demo_version(db, "CI-28")
    db.commit()
    wrong = client.patch(
        f"/api/v1/products/{pid}/coverages/{other.coverages[0].id}/name-en",
        json={"name_en": "X"},
        headers=setup["admin"],
    )
    assert wrong.status_code == 404


@pytest.mark.parametrize(
    ("typed", "zh", "en"),
    [
        ("   ", "英文名称：不能为空", "English name: may not be empty"),
        ("E" * 101, "英文名称：最多 100 个字符", "English name: at most 100 characters"),
    ],
    ids=["blank", "too-long"],
)
@pytest.mark.parametrize("what", ["product", "coverage"])
def test_a_blank_or_over_long_english_name_is_refused_in_both_languages(  # type: ignore[no-untyped-def]
    db, client, setup, typed, zh, en, what
):
    # SPEC GEN-6: the field and the rule in the reader's language; nothing changes
    pid, cid = setup["product_id"], setup["coverage_id"]
    url = (
        f"/api/v1/products/{pid}/name-en"
        if what == "product"
        else f"/api/v1/products/{pid}/coverages/{cid}/name-en"
    )
    chinese = client.patch(url, json={"name_en": typed}, headers=setup["admin"])
    assert chinese.status_code == 422, chinese.text
    error = chinese.json()["error"]
    assert error["field"] == "name_en" and error["message"] == zh, error
    english = client.patch(f"{url}?lang=en", json={"name_en": typed}, headers=setup["admin"])
    assert english.json()["error"]["message"] == en
    db.expire_all()
    assert db.get(Product, pid).name_en == "Million medical insurance"
    assert db.get(Coverage, cid).name_en == "General medical benefit"
    assert not _audit(db, "product.name_en_edit") and not _audit(
        db, "product.coverage_name_en_edit"
    )


def test_only_a_product_manager_may_change_an_english_name(client, setup):  # type: ignore[no-untyped-def]
    # SPEC SEC-4: administrators (products:manage) only
    r = client.patch(
        f"/api/v1/products/{setup['product_id']}/name-en",
        json={"name_en": "Nope"},
        headers=setup["handler"],
    )
    assert r.status_code == 403


def test_the_admin_page_edits_the_english_name_and_english_pages_show_it(db, client, setup):  # type: ignore[no-untyped-def]
    # SPEC GEN-6, PRD-2: the form, its refusal beside the field, the name on English pages
    pid, vid, cid = setup["product_id"], setup["version_id"], setup["coverage_id"]
    page = client.get(f"/admin/products/{pid}", headers=setup["admin"])
    assert 'id="form-name-en"' in page.text
    refused = client.post(
        f"/admin/products/{pid}/name-en?lang=en", data={"name_en": " "}, headers=setup["admin"]
    )
    assert refused.status_code == 422
    assert "English name: may not be empty" in refused.text and 'id="name_en-error"' in refused.text
    saved = client.post(
        f"/admin/products/{pid}/name-en",
        data={"name_en": "Medical plus"},
        headers=setup["admin"],
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:300]
    english = client.get(f"/admin/products/{pid}?lang=en", headers=setup["admin"])
    assert "<h1>Medical plus" in english.text
    coverage = client.post(
        f"/admin/products/{pid}/versions/{vid}/coverages/{cid}/name-en",
        data={"name_en": "Hospital costs"},
        headers=setup["admin"],
        follow_redirects=False,
    )
    assert coverage.status_code == 303, coverage.text[:300]
    version_page = client.get(
        f"/admin/products/{pid}/versions/{vid}?lang=en", headers=setup["admin"]
    )
    assert "Hospital costs" in version_page.text
    # the Chinese page keeps the Chinese names
    chinese = client.get(f"/admin/products/{pid}/versions/{vid}?lang=zh-CN", headers=setup["admin"])
    assert "一般医疗保险金" in chinese.text
    # removed through the API, the English page falls back to the Chinese name
    client.patch(f"/api/v1/products/{pid}/name-en", json={"name_en": None}, headers=setup["admin"])
    fallback = client.get(f"/admin/products/{pid}?lang=en", headers=setup["admin"])
    assert "<h1>百万医疗保险" in fallback.text
