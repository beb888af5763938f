"""Journey 5: one switch turns the interface from Chinese to English and back, and the
choice is remembered from page to page."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer, follow, login, shot


def test_language_switch_is_one_click_and_remembered(page: Any, live_server: LiveServer) -> None:
    # SPEC section "zh-CN first, English with one switch" (issue 6), GEN-2
    login(page, live_server, "handler")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert "我的待办" in page.inner_text("main")
    follow(page, "#lang-switch")
    assert page.get_attribute("html", "lang") == "en"
    assert "My queue" in page.inner_text("main")
    assert "Log out" in page.inner_text("header")
    shot(page, "staff-workbench-english-1280")
    # Another page, no query string: still English (the cookie remembers).
    page.goto(f"{live_server.url}/workbench")
    assert "My queue" in page.inner_text("main")
    assert "我的待办" not in page.inner_text("main")
    follow(page, "#lang-switch")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert "我的待办" in page.inner_text("main")
