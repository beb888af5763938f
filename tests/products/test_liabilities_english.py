"""The English of a version's insured liabilities and exclusions (GEN-6): an explanation
for English pages beside the Chinese contract text, written in the draft (API, product
file, draft editor), refused without the Chinese it explains (both languages, nothing
stored), shown on English pages marked English, and to a customer reading the portal in
English as "What is not covered" with a note that the Chinese applies."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.products import service
from tests.builders import demo_version, login_headers, make_org_unit, make_user
from tests.products.test_products import COMPLETE_VERSION

ADMIN = Principal.system("test-admin")
LIABILITIES_EN = "Reasonable hospital costs after the deductible."
EXCLUSIONS_EN = "Conditions existing before cover; cosmetic surgery."


@pytest.fixture
def admin(db: Session, client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    make_user(db, username="admin1", roles=["administrator"], org_unit=make_org_unit(db))
    db.commit()
    return login_headers(client, "admin1")


def _body(**english: object) -> dict[str, object]:
    version = copy.deepcopy(COMPLETE_VERSION)
    version.update(english)
    return {"code": "MED-LE", "name": "测试医疗", "line": "health", "version": version}


def test_a_draft_takes_the_english_and_the_product_file_carries_it(db, client, admin):  # type: ignore[no-untyped-def]
    # SPEC GEN-6, PRD-2: part of the version's content, exported and imported with it
    body = _body(insured_liabilities_en=LIABILITIES_EN, exclusions_en=EXCLUSIONS_EN)
    r = client.post("/api/v1/products", json=body, headers=admin)
    assert r.status_code == 201, r.text
    version = r.json()["versions"][0]
    assert (version["insured_liabilities_en"], version["exclusions_en"]) == (
        LIABILITIES_EN,
        EXCLUSIONS_EN,
    )
    exported = service.export_product(db, actor=ADMIN, product_id=r.json()["id"])
    assert exported.versions[0].exclusions_en == EXCLUSIONS_EN
    again = client.post(
        "/api/v1/products/import", json=exported.model_dump(mode="json"), headers=admin
    )
    assert again.status_code == 200, again.text
    assert len(again.json()["versions"]) == 1


@pytest.mark.parametrize("field", ["insured_liabilities_en", "exclusions_en"])
def test_english_without_the_chinese_it_explains_is_refused(db, client, admin, field):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: the field and the rule in both languages; nothing stored
    chinese_field = field.removesuffix("_en")
    body = _body(**{field: "Something", chinese_field: None})
    r = client.post("/api/v1/products", json=body, headers=admin)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "english_without_chinese" and error["field"] == field
    assert "须先填写对应的中文内容" in error["message"]
    english = client.post("/api/v1/products?lang=en", json=body, headers=admin)
    assert "state the Chinese text first" in english.json()["error"]["message"]
    assert client.get("/api/v1/products", headers=admin).json() == []


def test_the_draft_editor_takes_the_english_and_the_page_shows_it(db, client, admin):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: typed beside the Chinese, shown on the version page marked English
    published = demo_version(db)
    db.commit()
    made = client.post(
        f"/admin/products/{published.product_id}/versions", headers=admin, follow_redirects=False
    )
    location = made.headers["location"]
    page = client.get(location, headers=admin)
    # the copy of the published version brings the demo product's English along
    assert "Conditions existing before cover" in page.text
    form = {
        "insured_liabilities": "住院医疗",
        "exclusions": "既往症",
        "insured_liabilities_en": LIABILITIES_EN,
        "exclusions_en": EXCLUSIONS_EN,
    }
    saved = client.post(f"{location}/edit", data=form, headers=admin, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:500]
    english = client.get(f"{location}?lang=en", headers=admin).text
    assert f'lang="en" id="exclusions-en">{EXCLUSIONS_EN}</dd>' in english
    assert f'lang="en" id="liabilities-en">{LIABILITIES_EN}</dd>' in english
    refused = client.post(
        f"{location}/edit?lang=en",
        data={**form, "exclusions": ""},
        headers=admin,
    )
    assert refused.status_code == 422
    assert 'id="exclusions_en-error"' in refused.text
    assert "Exclusions, in English: state the Chinese text first" in refused.text


def test_text_in_gives_the_english_to_an_english_reader_where_there_is_one() -> None:
    # SPEC GEN-6: the text with its language, the Chinese where no English is given
    from types import SimpleNamespace

    from claimdesk.formatting import text_in

    version = SimpleNamespace(exclusions="既往症", exclusions_en="Prior conditions")
    assert text_in(version, "exclusions", "en") == ("Prior conditions", "en")
    assert text_in(version, "exclusions", "zh-CN") == ("既往症", "zh-CN")
    chinese_only = SimpleNamespace(exclusions="既往症", exclusions_en=None)
    assert text_in(chinese_only, "exclusions", "en") == ("既往症", "zh-CN")
    assert text_in(SimpleNamespace(), "exclusions", "en") == ("", "zh-CN")
