"""The pager under a paged page list (issues 11 and 12: page lists page through
claimdesk.paging and web.kit, never stop silently at a cap). SPEC GEN-6: the list says
which items it shows and where it continues, in zh-CN and English."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from claimdesk.i18n import current_language
from claimdesk.paging import PageLimitOutOfRange, PageRequest, from_rows
from claimdesk.web.kit import language_switch, page_request_of, pager, templates
from tests.web.helpers import bare_request


def _request(query: str) -> Request:
    return bare_request("/admin/events", query)


def test_pager_links_keep_the_filters_and_move_by_one_page() -> None:
    # SPEC GEN-6
    page = from_rows(list(range(7)), PageRequest(limit=3, offset=3), total=7).page(str)
    shown = pager(_request("status=active&offset=3&limit=3"), page)
    assert (shown.first, shown.last, shown.total) == (4, 6, 7)
    assert shown.prev_href == "/admin/events?status=active&limit=3"
    assert shown.next_href == "/admin/events?status=active&limit=3&offset=6"
    assert shown.needed


def test_a_single_page_needs_no_pager() -> None:
    # SPEC GEN-6
    shown = pager(_request(""), from_rows(list(range(2)), PageRequest(limit=5)).page(str))
    assert shown.prev_href is None and shown.next_href is None and not shown.needed
    assert (shown.first, shown.last, shown.total) == (1, 2, None)


def test_page_request_of_a_start_page_is_refused_beyond_the_maximum() -> None:
    # SPEC GEN-6: the refusal names the field
    assert page_request_of(_request("limit=20&offset=40")) == PageRequest(limit=20, offset=40)
    with pytest.raises(PageLimitOutOfRange):
        page_request_of(_request("limit=201"))


def test_pager_reads_in_both_languages() -> None:
    # SPEC GEN-6 (zh-CN and English)
    page = from_rows(list(range(7)), PageRequest(limit=3), total=7).page(str)
    shown = pager(_request(""), page)
    template = templates.env.get_template("_pager.html")
    current_language.set("zh-CN")
    zh = template.render(pager=shown)
    current_language.set("en")
    en = template.render(pager=shown)
    assert "第 1–3 条，共 7 条" in zh and "下一页" in zh
    assert "Items 1–3 of 7" in en and "Next page" in en and "Previous page" not in en


def test_the_language_switch_keeps_the_page_and_filters() -> None:
    # SPEC GEN-4 GEN-6: switching language stays on the same page of the same filtered
    # list (it went back to page 1, unfiltered); the language asked before is dropped
    paged = _request("status=active&offset=20&limit=20&lang=en")
    assert language_switch(paged, "en") == "?status=active&offset=20&limit=20&lang=zh-CN"
    assert language_switch(_request("status=active&offset=20"), "zh-CN") == (
        "?status=active&offset=20&lang=en"
    )
    assert language_switch(_request(""), "zh-CN") == "?lang=en"


def test_the_layout_s_language_switch_link_keeps_the_query(client: TestClient) -> None:
    # SPEC GEN-4: the link in the layout, on a page with a query string, in both languages
    zh = client.get("/login?next=%2Fadmin%2Fevents%3Foffset%3D20&lang=zh-CN").text
    link = re.search(r'<a href="([^"]*)" class="lang-switch"', zh)
    assert link is not None
    assert link.group(1) == "?next=%2Fadmin%2Fevents%3Foffset%3D20&amp;lang=en"
    en = client.get("/login?next=%2Fadmin%2Fevents%3Foffset%3D20&lang=en").text
    link = re.search(r'<a href="([^"]*)" class="lang-switch"', en)
    assert link is not None
    assert link.group(1) == "?next=%2Fadmin%2Fevents%3Foffset%3D20&amp;lang=zh-CN"
