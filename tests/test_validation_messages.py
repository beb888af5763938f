"""Bad input names the field and the rule with its limit, in zh-CN and English (GEN-6):
"不得小于 1" / "must be at least 1", never a bare "数值过小" / "too small". Each of
pydantic's error types with a limit is said from the context pydantic gives it; the API's
422 and a page form's refusal say it alike, and nothing is written."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func, select

from claimdesk.field_labels import field_words
from claimdesk.models.product import Product, ProductVersion
from claimdesk.validation import BOUNDED, describe_validation_error, rule_words
from tests.builders import demo_version, login_headers, make_user


class Probe(BaseModel):
    """One field per rule, each valid by default: a case sets one of them wrong."""

    amount: Decimal = Field(default=Decimal("1.00"), gt=Decimal("0.01"))
    floor: Decimal = Field(default=Decimal("5"), ge=Decimal("0.01"))
    count: int = Field(default=0, ge=0)
    below: int = Field(default=1, lt=5)
    ratio: Decimal = Field(default=Decimal("0.5"), le=1)
    step: int = Field(default=5, multiple_of=5)
    name: str = Field(default="ab", min_length=2)
    note: str = Field(default="", max_length=3)
    filled: str = Field(default="x", min_length=1)
    items: list[int] = Field(default=[1], min_length=1)
    lines: list[int] = Field(default=[], max_length=2)
    money: Decimal = Field(default=Decimal("1"), decimal_places=2)
    big: Decimal = Field(default=Decimal("1"), max_digits=4)
    whole: Decimal = Field(default=Decimal("1"), max_digits=6, decimal_places=2)
    code: str = Field(default="AB", pattern=r"^[A-Z0-9][A-Z0-9_-]*$")
    postcode: str = Field(default="200000", pattern=r"^\d{6}$")
    purpose: str = Field(default="material", pattern="^(material|evidence)$")
    odd: str = Field(default="a", pattern=r"^a+$")
    channel: Literal["direct", "bank", "internet"] = "direct"
    since: dt.date = Field(default=dt.date(2026, 1, 2), gt=dt.date(2026, 1, 1))
    until: dt.date = Field(default=dt.date(2026, 1, 1), le=dt.date(2026, 12, 31))


# (error type, field, wrong value, zh-CN rule, English rule)
CASES: list[tuple[str, str, Any, str, str]] = [
    ("greater_than", "amount", "0.01", "须大于 0.01", "must be greater than 0.01"),
    ("greater_than_equal", "floor", "0", "不得小于 0.01", "must be at least 0.01"),
    (
        "greater_than_equal",
        "count",
        -1,
        "不能为负数（不得小于 0）",
        "may not be negative (at least 0)",
    ),
    ("less_than", "below", 5, "须小于 5", "must be less than 5"),
    ("less_than_equal", "ratio", "1.5", "不得大于 1", "must be at most 1"),
    ("multiple_of", "step", 7, "须为 5 的整数倍", "must be a multiple of 5"),
    ("string_too_short", "name", "a", "至少 2 个字符", "at least 2 characters"),
    ("string_too_short", "filled", "", "不能为空", "may not be empty"),
    ("string_too_long", "note", "abcd", "最多 3 个字符", "at most 3 characters"),
    ("too_short", "items", [], "至少 1 项", "at least 1 item"),
    ("too_long", "lines", [1, 2, 3], "最多 2 项", "at most 2 items"),
    ("decimal_max_places", "money", "1.234", "最多 2 位小数", "at most 2 decimal places"),
    ("decimal_max_digits", "big", "12345", "最多 4 位数字", "at most 4 digits in all"),
    (
        "decimal_whole_digits",
        "whole",
        "12345.6",
        "整数部分最多 4 位",
        "at most 4 digits before the decimal point",
    ),
    (
        "string_pattern_mismatch",
        "code",
        "ab",
        "只能包含大写字母、数字、_ 和 -，以字母或数字开头",
        "capital letters, digits, _ and - only, beginning with a letter or a digit",
    ),
    ("string_pattern_mismatch", "postcode", "20000", "应为 6 位数字", "6 digits are needed"),
    (
        "string_pattern_mismatch",
        "purpose",
        "other",
        "应为以下之一：material、evidence",
        "must be one of: material, evidence",
    ),
    (
        "string_pattern_mismatch",
        "odd",
        "b",
        "格式不正确（应符合 ^a+$）",
        "not in the expected format (^a+$)",
    ),
    # A closed list names its values in words (issue 12: no raw codes).
    (
        "literal_error",
        "channel",
        "pigeon",
        "应为以下之一：直销、银行、互联网",
        "must be one of: Direct, Bank, Internet",
    ),
    ("greater_than", "since", "2026-01-01", "须晚于 2026年1月1日", "must be after 1 Jan 2026"),
    (
        "less_than_equal",
        "until",
        "2027-01-01",
        "不得晚于 2026年12月31日",
        "may not be after 31 Dec 2026",
    ),
]


def _error(field: str, value: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        Probe.model_validate({field: value})
    errors = caught.value.errors()
    assert len(errors) == 1, errors
    return dict(errors[0])


@pytest.mark.parametrize(("kind", "field", "value", "zh", "en"), CASES)
def test_each_rule_says_its_limit_in_both_languages(kind, field, value, zh, en):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: the rule and its limit, in the user's language
    error = _error(field, value)
    assert error["type"] == kind
    assert rule_words(error, "zh-CN") == zh
    assert rule_words(error, "en") == en


@pytest.mark.parametrize(
    "kind",
    [
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "multiple_of",
        "string_too_short",
        "string_too_long",
        "too_short",
        "too_long",
        "decimal_max_places",
        "decimal_max_digits",
        "decimal_whole_digits",
        "string_pattern_mismatch",
        "literal_error",
        "enum",
    ],
)
def test_every_rule_with_a_limit_is_said_from_its_context(kind):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: no error type with a limit falls back to a generic word
    assert kind in BOUNDED
    proven = {case[0] for case in CASES} | {"enum"}
    assert kind in proven


def test_the_message_names_the_field_then_the_rule():  # type: ignore[no-untyped-def]
    # SPEC GEN-6, issue 12: the field by its label, the path kept for programs
    error = _error("amount", "0")
    zh = describe_validation_error([error], "zh-CN")
    en = describe_validation_error([error], "en")
    assert zh["field"] == en["field"] == "amount"
    assert zh["message"] == "金额：须大于 0.01"
    assert en["message"] == "Amount: must be greater than 0.01"
    assert zh["details"][0]["type"] == "greater_than"


def test_a_validator_keeps_its_own_words():  # type: ignore[no-untyped-def]
    # SPEC GEN-6: a rule written as a validator is not lost behind "取值无效"
    error = {"type": "value_error", "loc": ("x",), "msg": "Value error, shares must add to 100"}
    assert rule_words(error, "en") == "shares must add to 100"
    assert rule_words(error, "zh-CN") == "取值无效（shares must add to 100）"


def test_a_number_no_column_holds_names_the_range():  # type: ignore[no-untyped-def]
    # SPEC GEN-6: the stored range, not only "out of range"
    from claimdesk.errors import ValueOutOfRange

    error = ValueOutOfRange(field="year")
    assert (
        error.message("zh-CN") == "年度：数值超出可存储范围（须在 -2147483648 到 2147483647 之间）"
    )
    assert error.message("en").endswith("(-2147483648 to 2147483647)")


# -- through the API ---------------------------------------------------------------------

GOOD_PRODUCT: dict[str, Any] = {"code": "MED-V", "name": "测试医疗", "line": "health"}


def _set(path: str, value: Any) -> dict[str, Any]:
    body: dict[str, Any] = {**GOOD_PRODUCT, "version": {}}
    *parents, leaf = path.split(".")
    where = body
    for part in parents:
        where = where.setdefault(part, {})
    where[leaf] = value
    return body


# (field path, wrong value, zh-CN rule, English rule) — one wrong field a request
API_CASES: list[tuple[str, Any, str, str]] = [
    ("code", "A", "至少 2 个字符", "at least 2 characters"),
    ("name", "名" * 101, "最多 100 个字符", "at most 100 characters"),
    (
        "code",
        "med",
        "只能包含大写字母、数字、_ 和 -，以字母或数字开头",
        "capital letters, digits, _ and - only, beginning with a letter or a digit",
    ),
    ("version.sum_insured", "0", "须大于 0", "must be greater than 0"),
    ("version.sum_insured", "100.005", "最多 2 位小数", "at most 2 decimal places"),
    ("version.period_months", 0, "不得小于 1", "must be at least 1"),
    ("version.period_months", 1201, "不得大于 1200", "must be at most 1200"),
    ("version.premium_rate", "0.0000001", "最多 6 位小数", "at most 6 decimal places"),
    ("version.limits.channels", ["internet"] * 51, "最多 50 项", "at most 50 items"),
]


@pytest.fixture
def admin(db, client):  # type: ignore[no-untyped-def]
    make_user(db, username="admin-v", roles=["administrator"])
    db.commit()
    return login_headers(client, "admin-v")


def _products(db) -> int:  # type: ignore[no-untyped-def]
    return int(db.scalar(select(func.count()).select_from(Product)) or 0)


@pytest.mark.parametrize(("path", "value", "zh", "en"), API_CASES)
def test_the_api_names_the_field_and_the_limit(db, client, admin, path, value, zh, en):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: 422 naming the field and the rule with its limit, both languages,
    # nothing created
    before = _products(db)
    for language, rule in (("zh-CN", zh), ("en", en)):
        response = client.post(
            f"/api/v1/products?lang={language}", json=_set(path, value), headers=admin
        )
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "validation_failed" and error["field"] == path
        separator = "：" if language == "zh-CN" else ": "
        assert error["message"] == f"{field_words(path, language)}{separator}{rule}"
    assert _products(db) == before


def test_the_api_names_the_allowed_values_of_a_closed_list(db, client, admin):  # type: ignore[no-untyped-def]
    # SPEC GEN-6, PRD-6: a literal's values in the reader's words
    body = {**GOOD_PRODUCT, "version": {"refund_rule": "whenever"}}
    zh = client.post("/api/v1/products", json=body, headers=admin).json()["error"]
    en = client.post("/api/v1/products?lang=en", json=body, headers=admin).json()["error"]
    assert zh["field"] == "version.refund_rule"
    assert zh["message"].endswith("应为以下之一：按日比例退费、不退费"), zh
    assert en["message"].endswith("must be one of: Pro rata by days, No refund"), en


# -- through a page form -------------------------------------------------------------------

# (form field, wrong value, zh-CN rule, English rule)
PAGE_CASES: list[tuple[str, str, str, str]] = [
    ("sum_insured", "0", "须大于 0", "must be greater than 0"),
    ("sum_insured", "9.999", "最多 2 位小数", "at most 2 decimal places"),
    ("period_months", "0", "不得小于 1", "must be at least 1"),
    ("period_months", "1201", "不得大于 1200", "must be at most 1200"),
]


def _content(db, version_id: int) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
    version = db.get(ProductVersion, version_id)
    return (version.sum_insured, version.period_months, version.premium_rate)


@pytest.mark.parametrize(("name", "value", "zh", "en"), PAGE_CASES)
def test_a_page_form_says_the_limit_beside_the_field(db, client, admin, name, value, zh, en):  # type: ignore[no-untyped-def]
    # SPEC GEN-6: the product version form refused in place, in the page's language,
    # the draft unchanged
    published = demo_version(db)
    db.commit()
    product_id = published.product_id
    new = client.post(
        f"/admin/products/{product_id}/versions", headers=admin, follow_redirects=False
    )
    assert new.status_code == 303, new.text
    draft_id = int(new.headers["location"].rsplit("/", 1)[1])
    db.expire_all()
    before = _content(db, draft_id)
    for language, rule in (("zh-CN", zh), ("en", en)):
        page = client.post(
            f"/admin/products/{product_id}/versions/{draft_id}/edit?lang={language}",
            data={"refund_rule": "pro_rata_days", name: value},
            headers=admin,
        )
        assert page.status_code == 422, page.text
        shown = re.search(rf'id="{name}-error"[^>]*>([^<]*)<', page.text)
        assert shown is not None, page.text
        assert shown.group(1).endswith(rule), shown.group(1)
    db.expire_all()
    assert _content(db, draft_id) == before


def _first(body: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        Probe.model_validate(body)
    return caught.value.errors()[0]  # type: ignore[return-value]


def test_an_empty_text_is_said_one_way_in_each_language():  # type: ignore[no-untyped-def]
    # SPEC GEN-6: a text left empty, or sent as nothing, reads "不能为空" / "may not be
    # empty" — the schemas, the services' errors and the pages alike; a null text once read
    # "应为文本" / "text is needed" beside it for the same rule.
    from claimdesk.security.errors import IncidentTextRequired
    from claimdesk.service.errors import TextRequired
    from claimdesk.validation import TEXT_REQUIRED
    from claimdesk.web.admin.policies import TextRequired as PolicyPageTextRequired

    assert TEXT_REQUIRED == ("不能为空", "may not be empty")
    for error in (_first({"filled": ""}), _first({"filled": None})):
        assert rule_words(error, "zh-CN") == "不能为空", error
        assert rule_words(error, "en") == "may not be empty", error
    for kind in (TextRequired, IncidentTextRequired, PolicyPageTextRequired):
        refused = kind(field="description")
        assert refused.message("zh-CN").endswith("：不能为空"), kind
        assert refused.message("en").endswith(": may not be empty"), kind
    # Text sent as a number is another rule, said otherwise.
    assert rule_words(_first({"filled": 5}), "en") == "must be text, not a number or a list"


def test_no_catalogue_or_message_says_text_is_needed():  # type: ignore[no-untyped-def]
    # SPEC GEN-6: the other wordings of an empty text are gone from the code and catalogues
    from pathlib import Path

    import claimdesk

    root = Path(claimdesk.__file__).parent
    for path in [*root.rglob("*.py"), *root.rglob("*.po"), *root.rglob("*.html")]:
        text = path.read_text(encoding="utf-8")
        for other in ('"text is needed"', 'cannot be blank"', 'why_en="it is empty"'):
            assert other not in text, (path, other)


def test_every_refusal_in_details_is_said_in_the_readers_language():  # type: ignore[no-untyped-def]
    # SPEC GEN-6: a client listing every refusal shows them in the reader's language,
    # not pydantic's English ("Field required") under a Chinese first message
    errors = [
        _error("amount", "0"),
        {"type": "missing", "loc": ("body", "loss_date"), "msg": "Field required"},
    ]
    zh = describe_validation_error(errors, "zh-CN")
    assert [d["message"] for d in zh["details"]] == [
        "金额：须大于 0.01",
        zh["details"][1]["message"],
    ]
    assert zh["details"][1]["message"].endswith("：必填") and "Field" not in str(zh["details"])
    assert [d["type"] for d in zh["details"]] == ["greater_than", "missing"]
    en = describe_validation_error(errors, "en")
    assert en["details"][1]["message"].endswith(": required")


def test_unparseable_json_names_the_request_body():  # type: ignore[no-untyped-def]
    # SPEC GEN-6: no character offset posing as a field, in either language
    error = {"type": "json_invalid", "loc": ("body", 0), "msg": "JSON decode error"}
    zh = describe_validation_error([error], "zh-CN")
    assert (zh["field"], zh["details"][0]["field"]) == ("body", "body")
    assert zh["message"].startswith("请求正文：")
    assert describe_validation_error([error], "en")["message"].startswith("Request body: ")
