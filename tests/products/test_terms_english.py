"""The English of a version's plain-language explanations of its terms (PRD-5, GEN-6):
written where the Chinese ones are (the draft, through the API, the product file and the
draft editor), refused for a term the version does not explain or over its limits naming
the field in both languages, shown on English pages with the Chinese as fallback."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.auth.principal import Principal
from claimdesk.products import service
from tests.builders import demo_version, login_headers, make_org_unit, make_user
from tests.products.test_products import COMPLETE_VERSION

ADMIN = Principal.system("test-admin")
DEDUCTIBLE = {"term": "Deductible", "text": "What you pay yourself first."}


@pytest.fixture
def admin(db: Session, client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    make_user(db, username="admin1", roles=["administrator"], org_unit=make_org_unit(db))
    db.commit()
    return login_headers(client, "admin1")


def _body(terms_en: object) -> dict[str, object]:
    version = copy.deepcopy(COMPLETE_VERSION)
    version["terms_en"] = terms_en
    return {"code": "MED-TE", "name": "测试医疗", "line": "health", "version": version}


def test_a_draft_takes_the_english_of_its_terms_and_the_file_carries_it(db, client, admin):  # type: ignore[no-untyped-def]
    # SPEC PRD-5, PRD-2: part of the version's content, exported and imported with it
    r = client.post("/api/v1/products", json=_body({"免赔额": DEDUCTIBLE}), headers=admin)
    assert r.status_code == 201, r.text
    version = r.json()["versions"][0]
    assert version["terms_en"] == {"免赔额": DEDUCTIBLE}
    exported = service.export_product(db, actor=ADMIN, product_id=r.json()["id"])
    assert exported.versions[0].terms_en["免赔额"].term == "Deductible"
    # the same file imported again changes nothing (same content)
    again = client.post(
        "/api/v1/products/import", json=exported.model_dump(mode="json"), headers=admin
    )
    assert again.status_code == 200, again.text
    assert len(again.json()["versions"]) == 1


@pytest.mark.parametrize(
    ("terms_en", "field", "zh", "en"),
    [
        (
            {"赔付比例": {"term": "Ratio", "text": "x"}},
            "terms_en",
            "不是本版本条款通俗解释中的术语",
            "is not one of the terms this version explains",
        ),
        (
            {"免赔额": {"term": "Deductible", "text": "E" * 2001}},
            "version.terms_en.免赔额.text",
            "最多 2000 个字符",
            "at most 2000 characters",
        ),
        (
            {"免赔额": {"term": "", "text": "x"}},
            "version.terms_en.免赔额.term",
            "不能为空",
            "may not be empty",
        ),
    ],
    ids=["unknown-term", "too-long", "blank-term"],
)
def test_a_bad_english_explanation_is_refused_naming_the_field(  # type: ignore[no-untyped-def]
    db, client, admin, terms_en, field, zh, en
):
    # SPEC GEN-6: the field and the rule in the reader's language; nothing stored
    chinese = client.post("/api/v1/products", json=_body(terms_en), headers=admin)
    assert chinese.status_code == 422, chinese.text
    error = chinese.json()["error"]
    assert error["field"] == field and zh in error["message"], error
    english = client.post("/api/v1/products?lang=en", json=_body(terms_en), headers=admin)
    assert en in english.json()["error"]["message"]
    assert client.get("/api/v1/products", headers=admin).json() == []


def test_terms_in_gives_the_english_where_there_is_one_and_the_chinese_otherwise() -> None:
    # SPEC PRD-5, GEN-6: term by term, each marked with its language
    version = {
        "terms": {"免赔额": "先由您承担的部分。", "等待期": "30 天内不赔。"},
        "terms_en": {"免赔额": DEDUCTIBLE},
    }
    assert formatting.terms_in(version, "en") == [
        ("Deductible", "What you pay yourself first.", "en"),
        ("等待期", "30 天内不赔。", "zh-CN"),
    ]
    assert formatting.terms_in(version, "zh-CN") == [
        ("免赔额", "先由您承担的部分。", "zh-CN"),
        ("等待期", "30 天内不赔。", "zh-CN"),
    ]
    # a version stored before migration 0056 has no English at all
    assert formatting.terms_in({"terms": {"等待期": "x"}, "terms_en": None}, "en") == [
        ("等待期", "x", "zh-CN")
    ]


def test_the_draft_editor_takes_the_english_of_the_terms(db, client, admin):  # type: ignore[no-untyped-def]
    # SPEC PRD-5, GEN-6: one line per term, a malformed line refused beside the field
    published = demo_version(db)
    db.commit()
    made = client.post(
        f"/admin/products/{published.product_id}/versions", headers=admin, follow_redirects=False
    )
    route = f"{made.headers['location']}/edit"
    page = client.get(made.headers["location"], headers=admin)
    # the copy of the published version brings its English along
    assert "免赔额 | Deductible:" in page.text
    form = {"insured_liabilities": "住院医疗", "terms": "免赔额: 先由您承担的部分。"}
    refused = client.post(
        f"{route}?lang=en", data={**form, "terms_en": "Deductible without a term"}, headers=admin
    )
    assert refused.status_code == 422
    assert 'id="terms_en-error"' in refused.text
    assert "Chinese term | English term: explanation" in refused.text
    saved = client.post(
        route,
        data={**form, "terms_en": "免赔额 | Deductible: What you pay first."},
        headers=admin,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:500]
    english = client.get(f"{made.headers['location']}?lang=en", headers=admin)
    assert '<dt lang="en">Deductible</dt><dd lang="en">What you pay first.</dd>' in english.text
