"""The page kit's form helpers (web/kit.py): a page form runs its service call, and a
refusal shows the same page again with the message beside its field and nothing written,
while an accepted form answers 303 to the page that shows the result. SPEC GEN-6."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.requests import Request

from claimdesk.errors import ClaimdeskError, Conflict, InvalidCredentials, ValidationFailed
from claimdesk.paging import PageRequest, from_rows
from claimdesk.web.kit import (
    FormPage,
    Refusal,
    answer,
    form_action,
    form_context,
    list_filter,
    shown_pager,
)
from tests.web.helpers import bare_request


class FakeSession:
    """Stands in for the request's session: counts the rollbacks a refusal makes."""

    def __init__(self) -> None:
        self.rollbacks = 0

    def rollback(self) -> None:
        self.rollbacks += 1

    @property
    def session(self) -> Session:
        return cast(Session, self)


def _request(query: str = "lang=en") -> Request:
    return bare_request("/admin/things", query, method="POST")


def _shown_again(refusal: Refusal) -> Response:
    # What a page's own ``refused`` does: the page again, with the refusal's status.
    return Response(str(refusal.error.get("field")), status_code=refusal.status_code)


class Made:
    def __init__(self, id: int) -> None:
        self.id = id


def test_an_accepted_form_is_answered_303_to_the_address_made_of_the_result() -> None:
    # SPEC GEN-6
    db = FakeSession()
    response = form_action(
        _request(),
        db.session,
        lambda: Made(41),
        refused=_shown_again,
        redirect=lambda made: f"/admin/things/{made.id}",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/things/41"
    assert db.rollbacks == 0


def test_an_accepted_form_goes_to_a_fixed_address_too() -> None:
    # SPEC GEN-6
    response = form_action(
        _request(),
        FakeSession().session,
        lambda: None,
        refused=_shown_again,
        redirect="/admin/things?saved=1",
    )
    assert (response.status_code, response.headers["location"]) == (303, "/admin/things?saved=1")


@pytest.mark.parametrize(
    ("error", "status"), [(ValidationFailed(field="code"), 422), (Conflict(field="code"), 409)]
)
def test_a_refused_form_is_shown_again_with_the_refusal_and_nothing_written(
    error: ClaimdeskError, status: int
) -> None:
    # SPEC GEN-6: the refusal's own status, its message in the user's language, rolled back
    db = FakeSession()
    seen: list[Refusal] = []

    def refused(refusal: Refusal) -> Response:
        seen.append(refusal)
        return _shown_again(refusal)

    def call() -> Any:
        raise error

    response = form_action(_request(), db.session, call, refused=refused, redirect="/nowhere")
    assert response.status_code == status
    assert db.rollbacks == 1
    assert seen[0].status_code == status
    # The message in the request's language (English here), beside its field.
    assert seen[0].error == error.to_dict("en")
    assert seen[0].error["field"] == "code"


def test_a_form_the_schema_refuses_is_shown_again_with_422() -> None:
    # SPEC GEN-6: a pydantic refusal (the API's own schema) is a refusal like any other
    from claimdesk.sales.schemas import ChannelIn

    db = FakeSession()
    response = form_action(
        _request(),
        db.session,
        lambda: ChannelIn.model_validate({}),
        refused=_shown_again,
        redirect="/nowhere",
    )
    assert response.status_code == 422
    assert db.rollbacks == 1


def test_a_refusal_that_must_be_kept_is_left_for_the_edge_to_commit() -> None:
    # SPEC GEN-6 (a counted failed login is written even though it is refused)
    db = FakeSession()

    def call() -> Any:
        raise InvalidCredentials()

    response = form_action(_request(), db.session, call, refused=_shown_again, redirect="/")
    assert response.status_code == 401
    assert db.rollbacks == 0


def test_answer_gives_the_answer_of_a_call_already_attempted() -> None:
    # SPEC GEN-6
    refusal = Refusal({"field": "receipt_file", "message": "…"}, 422)
    refused = answer(refusal, refused=_shown_again, redirect="/claims/1/bills?saved=1")
    assert (refused.status_code, refused.body) == (422, b"receipt_file")
    accepted = answer(Made(7), refused=_shown_again, redirect=lambda made: f"/bills/{made.id}")
    assert (accepted.status_code, accepted.headers["location"]) == (303, "/bills/7")


def test_a_page_shown_afresh_has_no_error_and_empty_forms() -> None:
    # SPEC GEN-6
    assert form_context() == {"status_code": 200, "error": None, "action": None, "values": {}}


def test_a_page_shown_again_carries_the_refusal_beside_its_form_and_what_was_typed() -> None:
    # SPEC GEN-6: the refusal's status and message, the refused form, the values typed
    refusal = Refusal({"field": "reason", "message": "“Reason”: required"}, 422)
    shown = form_context(refusal, action="status", values={"reason": " "})
    assert shown == {
        "status_code": 422,
        "error": {"field": "reason", "message": "“Reason”: required"},
        "action": "status",
        "values": {"reason": " "},
    }


class Shown:
    """Stands in for a page's renderer: remembers how it was asked to show the page."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self,
        *,
        refusal: Refusal | None = None,
        action: str | None = None,
        values: dict[str, Any] | None = None,
    ) -> Response:
        self.calls.append({"refusal": refusal, "action": action, "values": values})
        return Response("again", status_code=refusal.status_code if refusal else 200)


def test_a_form_of_a_page_with_several_goes_back_to_the_page_once_accepted() -> None:
    # SPEC GEN-6
    db, show = FakeSession(), Shown()
    form_page = FormPage(_request(), db.session, show, "/desk/complaints/5")
    response = form_page.act("note", {"note": "called back"}, lambda: Made(9))
    assert (response.status_code, response.headers["location"]) == (303, "/desk/complaints/5")
    assert show.calls == [] and db.rollbacks == 0


def test_a_refused_form_of_a_page_with_several_shows_the_page_again_beside_that_form() -> None:
    # SPEC GEN-6: which form was refused and what was typed in it come back with the message
    db, show = FakeSession(), Shown()
    form_page = FormPage(_request(), db.session, show, "/desk/complaints/5")

    def call() -> Any:
        raise Conflict(field="note")

    response = form_page.act("note", {"note": "called back"}, call)
    assert response.status_code == 409
    assert db.rollbacks == 1
    [shown] = show.calls
    assert (shown["action"], shown["values"]) == ("note", {"note": "called back"})
    assert shown["refusal"].status_code == 409 and shown["refusal"].error["field"] == "note"


def test_a_form_may_answer_elsewhere_than_its_page() -> None:
    # SPEC GEN-6 (a renewal answers with the new policy's page, not the old one's)
    form_page = FormPage(_request(), FakeSession().session, Shown(), "/admin/policies/1")
    response = form_page.act(
        "renew",
        {"premium": ""},
        lambda: Made(2),
        redirect=lambda made: f"/admin/policies/{made.id}",
    )
    assert response.headers["location"] == "/admin/policies/2"


def test_a_list_filter_is_kept_when_the_page_knows_it() -> None:
    # SPEC GEN-6
    assert list_filter("escalated", ("received", "escalated")) == "escalated"


@pytest.mark.parametrize("value", [None, "", "Escalated", "escalated' or 1=1"])
def test_an_unknown_list_filter_shows_the_whole_list(value: str | None) -> None:
    # SPEC GEN-6: a filter comes from a link; an unknown one is no error, just no filter
    assert list_filter(value, frozenset({"received", "escalated"})) is None


def test_a_list_on_one_page_shows_no_pager_and_a_longer_one_does() -> None:
    # SPEC GEN-6
    one = from_rows(list(range(2)), PageRequest(limit=5)).page(str)
    assert shown_pager(_request(""), one) is None
    more = from_rows(list(range(7)), PageRequest(limit=3), total=7).page(str)
    shown = shown_pager(_request("status=open"), more)
    assert shown is not None and shown.next_href == "/admin/things?status=open&offset=3"


def test_checked_names_a_nested_field_as_the_form_names_it() -> None:
    # SPEC GEN-6: a list the form takes as one text ("channels") is refused beside it,
    # not under the schema's path (limits.channels) that no form field carries
    from pydantic import ValidationError

    from claimdesk.products.schemas import VersionIn
    from claimdesk.web.kit import checked

    too_many = {"limits": {"channels": [f"c{n}" for n in range(51)]}}
    with pytest.raises(ValidationError) as nested:
        checked(VersionIn, too_many, named={"limits.channels": "channels"})
    assert nested.value.errors()[0]["loc"] == ("channels",)
    with pytest.raises(ValidationError) as plain:
        checked(VersionIn, too_many)
    assert plain.value.errors()[0]["loc"] == ("limits", "channels")
    # A single part is still renamed wherever it stands.
    with pytest.raises(ValidationError) as part:
        checked(VersionIn, {"exclusions": "除" * 20001}, named={"exclusions": "excluded"})
    assert part.value.errors()[0]["loc"] == ("excluded",)


@pytest.mark.parametrize(
    ("language", "shown"), [("zh-CN", "直销、银行、互联网"), ("en", "Direct, Bank, Internet")]
)
def test_a_list_reads_as_the_pages_language_lists(language: str, shown: str) -> None:
    # SPEC GEN-4 GEN-6: 、 between items in Chinese, ", " in English
    from claimdesk.i18n import current_language
    from claimdesk.web.kit import templates

    token = current_language.set(language)
    try:
        page = templates.env.from_string('{{ codes | map("label") | listed }}')
        assert page.render(codes=["direct", "bank", "internet"]) == shown
    finally:
        current_language.reset(token)


@pytest.mark.parametrize(
    ("kind", "code", "zh", "en"),
    [
        ("claim", "decided", "已核定，无需支付", "Decided, nothing to pay"),
        ("complaint", "decided", "已决定", "Decided"),
        ("sales_agent", "suspended", "已暂停", "Suspended"),
        ("policy_change", "approved", "已批准", "Change approved"),
    ],
)
def test_a_template_says_a_state_in_its_own_lists_words(
    kind: str, code: str, zh: str, en: str
) -> None:
    # SPEC GEN-6: {{ state(kind, code) }} — label(code) read "decided" as a complaint's
    # on a claim, and an agent's "suspended" as a claim's fraud hold
    from claimdesk.i18n import current_language
    from claimdesk.web.kit import templates

    page = templates.env.from_string("{{ state(kind, code) }}")
    for language, shown in (("zh-CN", zh), ("en", en)):
        token = current_language.set(language)
        try:
            assert page.render(kind=kind, code=code) == shown
        finally:
            current_language.reset(token)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("zh-CN", "意外事故 · 疾病 · fire-and-flood"),
        ("en", "An accident · Illness · fire-and-flood"),
    ],
)
def test_a_claim_page_says_the_cause_of_loss_not_the_line(language: str, shown: str) -> None:
    # SPEC CLM-R2 GEN-6: the staff claim page read "accident" with the line's label (意外险,
    # a product); the cause is what happened. An unknown stored code shows as stored.
    from claimdesk.i18n import current_language
    from claimdesk.web.kit import templates

    token = current_language.set(language)
    try:
        page = templates.env.from_string(
            "{% for c in codes %}{{ loss_cause(c) }}{{ ' · ' if not loop.last }}{% endfor %}"
        )
        assert page.render(codes=["accident", "illness", "fire-and-flood"]) == shown
    finally:
        current_language.reset(token)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        (
            "zh-CN",
            "伤亡 3 人（达到 3 人）、估损金额 250000.50 元（超过 200000.00 元）、群体性事件、x",
        ),
        (
            "en",
            "3 casualties (from 3); estimated loss CNY 250000.50 (above 200000.00); "
            "a group incident; x",
        ),
    ],
)
def test_a_major_case_says_its_reasons_in_words(language: str, shown: str) -> None:
    # SPEC CLM-R4 GEN-6: the claim page showed the stored "casualties 3 >= 3" on Chinese
    # pages; an unknown stored reason is shown as stored.
    from claimdesk.i18n import current_language
    from claimdesk.web.kit import templates

    stored = [
        "casualties 3 >= 3",
        "estimated amount 250000.50 > 200000.00",
        "group incident",
        "x",
    ]
    token = current_language.set(language)
    try:
        page = templates.env.from_string("{{ major_reasons(stored) }}")
        assert page.render(stored=stored) == shown
    finally:
        current_language.reset(token)


def test_a_label_is_followed_by_the_languages_colon() -> None:
    # SPEC GEN-6: 身份核验：密码 on a Chinese page, "Identity check: Password" in English —
    # and no template writes an ASCII colon after a translated label.
    from pathlib import Path

    from claimdesk.i18n import current_language
    from claimdesk.web.kit import colon

    token = current_language.set("zh-CN")
    try:
        assert colon() == "："
    finally:
        current_language.reset(token)
    token = current_language.set("en")
    try:
        assert colon() == ": "
    finally:
        current_language.reset(token)
    templates = Path(__file__).resolve().parents[2] / "src" / "claimdesk" / "templates"
    ascii_after_label = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if '") }}: ' in (text := path.read_text(encoding="utf-8")) or '") }} ({{' in text
    ]
    assert ascii_after_label == []  # a colon or a bracket: colon(), paren()
    # Nor right before a tag closes: 通知所列材料: on the notice form, 本次出险涉及的保障:
    # on the report form were the ASCII colon on Chinese pages (a bug bash's finding).
    colon_before_tag = [
        f"{path.relative_to(templates)}: {line.strip()[:80]}"
        for path in templates.rglob("*.html")
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"\}\}:\s*<", line)
    ]
    assert colon_before_tag == []
    from claimdesk.web.kit import paren

    token = current_language.set("zh-CN")
    try:
        assert paren(2) == "（2）"
    finally:
        current_language.reset(token)
    token = current_language.set("en")
    try:
        assert paren(2) == " (2)"
    finally:
        current_language.reset(token)
