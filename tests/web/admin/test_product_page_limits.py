"""The product pages hold the API's rules (GEN-6): the draft editor and the new-product
form build the API's own in-schema (VersionIn, ProductIn) through kit.checked, so a text
over the schema's limit, a missing name, a number that is not one or a list with too many
entries is refused beside its field, in zh-CN and English, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.field_labels import field_words
from claimdesk.models.product import Product, ProductVersion
from tests.builders import demo_version, login_headers, make_org_unit, make_user


@pytest.fixture
def draft(db: Session, client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    make_user(db, username="admin", roles=["administrator"], org_unit=make_org_unit(db))
    published = demo_version(db)
    db.commit()
    admin = login_headers(client, "admin")
    made = client.post(
        f"/admin/products/{published.product_id}/versions", headers=admin, follow_redirects=False
    )
    assert made.status_code == 303, made.text
    return {"route": f"{made.headers['location']}/edit", "headers": admin}


def _stored(db: Session) -> list[Any]:
    """Everything a refused product form could have written."""
    db.expire_all()
    rows: list[Any] = []
    for model in (Product, ProductVersion):
        for row in db.scalars(select(model).order_by(model.id)):
            rows.append({c.key: getattr(row, c.key) for c in model.__table__.columns})
    rows.append(db.scalar(select(func.count()).select_from(ProductVersion)))
    return rows


# (form field, what is typed, the rule in zh-CN, in English)
EDITS = [
    ("insured_liabilities", "责" * 20001, "最多 20000 个字符", "at most 20000 characters"),
    ("exclusions", "除" * 20001, "最多 20000 个字符", "at most 20000 characters"),
    ("exclusions_en", "E" * 20001, "最多 20000 个字符", "at most 20000 characters"),
    ("sum_insured", "一百万", "应为金额（十进制数）", "an amount is needed (a decimal number)"),
    ("period_months", "十二", "应为整数", "a whole number is needed"),
    ("effective_date", "2026-13-40", "应为日期 YYYY-MM-DD", "a date is needed, as YYYY-MM-DD"),
    ("channels", ",".join(f"c{n}" for n in range(51)), "最多 50 项", "at most 50 items"),
]


@pytest.mark.parametrize(("field", "typed", "zh", "en"), EDITS, ids=[e[0] for e in EDITS])
def test_the_draft_editor_is_refused_as_the_api_refuses(
    db: Session, client, draft: dict[str, Any], field: str, typed: str, zh: str, en: str
) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-6, PRD-1: the page holds VersionIn's rules, names field and rule, changes nothing
    before = _stored(db)
    form = {"insured_liabilities": "住院医疗费用", field: typed}
    chinese = client.post(draft["route"], data=form, headers=draft["headers"])
    assert chinese.status_code == 422, chinese.text[:500]
    assert f"{field_words(field, 'zh-CN')}：{zh}" in chinese.text
    # Beside the field it is about, not at the foot of the form.
    assert f'id="{field}-error"' in chinese.text
    english = client.post(f"{draft['route']}?lang=en", data=form, headers=draft["headers"])
    assert english.status_code == 422
    assert f"{field_words(field, 'en')}: {en}" in english.text
    assert _stored(db) == before


def test_a_draft_within_the_rules_is_saved(db: Session, client, draft: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    # SPEC PRD-1, PRD-6: the same form, within the schema's limits, is stored
    form = {"insured_liabilities": "责" * 20000, "channels": "direct, agency"}
    saved = client.post(draft["route"], data=form, headers=draft["headers"], follow_redirects=False)
    assert saved.status_code == 303, saved.text[:500]
    db.expire_all()
    version = db.scalars(select(ProductVersion).order_by(ProductVersion.id.desc())).first()
    assert version is not None and version.status == "draft"
    assert len(version.insured_liabilities or "") == 20000
    assert version.allowed_channels == ["direct", "agency"]


@pytest.mark.parametrize(
    ("form", "field", "zh", "en"),
    [
        ({"code": "NEW-1", "name": "", "line": "health"}, "name", "不能为空", "may not be empty"),
        (
            {"code": "NEW-1", "name": "产" * 101, "line": "health"},
            "name",
            "最多 100 个字符",
            "at most 100 characters",
        ),
        (
            {"code": "new 1", "name": "新产品", "line": "health"},
            "code",
            "只能包含大写字母",
            "capital letters",
        ),
        (
            {"code": "NEW-1", "name": "新产品", "name_en": "E" * 101, "line": "health"},
            "name_en",
            "最多 100 个字符",
            "at most 100 characters",
        ),
    ],
    ids=["name-missing", "name-too-long", "code-malformed", "english-name-too-long"],
)
def test_a_new_product_is_refused_as_the_api_refuses(
    db: Session, client, draft: dict[str, Any], form: dict[str, str], field: str, zh: str, en: str
) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-6, PRD-2: ProductIn's rules on the page, nothing created
    before = _stored(db)
    chinese = client.post("/admin/products", data=form, headers=draft["headers"])
    assert chinese.status_code == 422, chinese.text[:500]
    assert f"{field_words(field, 'zh-CN')}：{zh}" in chinese.text
    english = client.post("/admin/products?lang=en", data=form, headers=draft["headers"])
    assert english.status_code == 422
    assert f"{field_words(field, 'en')}: {en}" in english.text
    assert _stored(db) == before


_COVERAGE = {"code": "m1", "name": "住院医疗", "type": "medical"}
_DEATH = {"code": "d1", "type": "accident_death", "parameters": {"sum_insured": "100000"}}


# (coverages typed, the error's path, what its message says in zh-CN)
COVERAGE_EDITS = [
    # refused by the schema (VersionIn): a coverage without its parameters
    ([_COVERAGE], "coverages.0.parameters", "保障责任第 1 行的保障参数：必填"),
    # refused by the service: a type no coverage has, two coverages with one code
    ([{**_COVERAGE, "type": "marine", "parameters": {}}], "coverages[0]", "保障责任第 1 行"),
    (
        [{**_DEATH, "name": "意外身故"}, {**_DEATH, "name": "猝死"}],
        "coverages[1].code",
        "保障责任第 2 行",
    ),
]


@pytest.mark.parametrize(("typed", "path", "zh"), COVERAGE_EDITS, ids=["schema", "type", "code"])
def test_a_coverage_refusal_stands_beside_the_coverages(
    db: Session, client, draft: dict[str, Any], typed: list[Any], path: str, zh: str
) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-6, PRD-3: a refusal of one coverage of the list is shown beside the
    # coverages field it is about (marked invalid), not at the foot of the form
    import json
    import re

    before = _stored(db)
    form = {"insured_liabilities": "住院医疗费用", "coverages": json.dumps(typed)}
    refused = client.post(draft["route"], data=form, headers=draft["headers"])
    assert refused.status_code == 422, refused.text[:500]
    beside = re.search(
        r'<p class="error field-error" id="coverages-error"[^>]*>([^<]*)</p>', refused.text
    )
    assert beside is not None, refused.text[-3000:]
    assert zh in beside.group(1), beside.group(1)
    assert path not in beside.group(1)  # the row and the field in words, not the path
    assert 'id="edit-error"' not in refused.text
    assert re.search(r'<textarea id="f-coverages"[^>]*aria-invalid="true"', refused.text)
    assert _stored(db) == before


def test_a_new_product_keeps_its_english_name_and_its_pages_show_it(
    db: Session, client, draft: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    # SPEC PRD-3, GEN-6: the new-product form takes the English name; the product's page
    # is headed by it in English and by the Chinese name in Chinese, and shows both
    form = {"code": "NEW-EN", "name": "新医疗", "name_en": " New medical ", "line": "health"}
    made = client.post("/admin/products", data=form, headers=draft["headers"])
    assert made.status_code in (200, 303), made.text[:500]
    db.expire_all()
    product = db.scalars(select(Product).where(Product.code == "NEW-EN")).one()
    assert (product.name, product.name_en) == ("新医疗", "New medical")
    english = client.get(f"/admin/products/{product.id}?lang=en", headers=draft["headers"]).text
    assert "<h1>New medical <span" in english
    chinese = client.get(f"/admin/products/{product.id}?lang=zh-CN", headers=draft["headers"])
    assert "<h1>新医疗 <span" in chinese.text and "New medical" in chinese.text
    listed = client.get("/admin/products?lang=en", headers=draft["headers"]).text
    assert '<td lang="en">New medical</td>' in listed
    # Without an English name, the English list shows the Chinese name, marked Chinese.
    blank = {"code": "NEW-ZH", "name": "只有中文", "name_en": "", "line": "health"}
    client.post("/admin/products", data=blank, headers=draft["headers"])
    listed = client.get("/admin/products?lang=en", headers=draft["headers"]).text
    assert '<td lang="zh-CN">只有中文</td>' in listed
