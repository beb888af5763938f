"""The browser harness itself: a real server, real chromium, a staff login in Chinese."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer, login


def test_staff_login_lands_on_translated_page(page: Any, live_server: LiveServer) -> None:
    # SPEC SEC-8 (login through the form with its CSRF token), GEN-2 (zh-CN first)
    login(page, live_server, "admin")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "退出" in page.inner_text("header")
