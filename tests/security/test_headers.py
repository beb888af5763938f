"""Security headers on every kind of response, templates without inline script, and
Secure cookies by default in production (issue 15 item 5)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.config import Settings, reset_settings_cache
from tests.builders import login_headers, make_org_unit, make_user
from tests.web.helpers import form_token

TEMPLATES = Path(__file__).parents[2] / "src/claimdesk/templates"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def _assert_protected(response, *, personal: bool = True) -> None:  # type: ignore[no-untyped-def]
    headers = response.headers
    assert headers["content-security-policy"] == CSP
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    if personal:
        assert headers["cache-control"] == "no-store"
    else:
        assert "no-store" not in headers.get("cache-control", "")


def test_headers_on_an_api_answer(db: Session, client: TestClient) -> None:  # SPEC SEC-9
    make_user(db, username="handler", roles=["claims_handler"], org_unit=make_org_unit(db))
    db.commit()
    response = client.get("/api/v1/claims/queue", headers=login_headers(client, "handler"))
    assert response.status_code == 200
    _assert_protected(response)


def test_headers_on_a_page_and_on_errors(client: TestClient) -> None:  # SPEC SEC-9
    page = client.get("/login")
    assert page.status_code == 200 and "<form" in page.text
    _assert_protected(page)
    for path in ("/no-such-page", "/api/v1/no-such-thing", "/static/no-such-file.js"):
        missing = client.get(path)
        assert missing.status_code == 404, path
        _assert_protected(missing, personal=not path.startswith("/static/"))
    refused = client.get("/api/v1/claims/queue")  # no credentials
    assert refused.status_code == 401
    _assert_protected(refused)


def test_headers_on_an_unexpected_error(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    # SPEC SEC-9 — the 500 answer is sent outside the middleware stack.
    def boom() -> None:
        raise RuntimeError("unexpected")

    app.add_api_route("/api/v1/test-boom", boom)
    response = client.get("/api/v1/test-boom")
    assert response.status_code == 500
    _assert_protected(response)


def test_headers_on_a_static_file_which_may_be_cached(client: TestClient) -> None:
    # SPEC SEC-9 — static assets carry no personal data: cacheable, still protected.
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200
    _assert_protected(response, personal=False)


def test_api_docs_get_their_own_policy_only(client: TestClient) -> None:  # SPEC SEC-9
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "https://cdn.jsdelivr.net" in docs.headers["content-security-policy"]
    assert docs.headers["x-frame-options"] == "DENY"
    assert "cdn.jsdelivr.net" not in client.get("/login").headers["content-security-policy"]


INLINE = [
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "inline event handler"),
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
        "inline script",
    ),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\shx-on[:-]", re.I), "htmx inline handler (needs eval)"),
    (re.compile(r"<style\b|\sstyle\s*=", re.I), "inline style"),
]


def test_no_template_has_inline_script_handler_or_style() -> None:  # SPEC SEC-9
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 20
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in templates
        for pattern, what in INLINE
        if pattern.search(path.read_text())
    ]
    assert found == []
    # The scan itself catches what was removed.
    assert INLINE[0][0].search('<select onchange="claimdeskToggle(this.form)">')
    assert INLINE[1][0].search("<script>alert(1)</script>")
    assert not INLINE[1][0].search('<script type="application/json" id="d">{}</script>')


def test_htmx_indicator_styles_are_switched_off(client: TestClient) -> None:  # SPEC SEC-9
    # htmx would inject an inline <style> for its indicators, which the CSP refuses: its
    # configuration switches that off, whatever else it sets (response handling).
    found = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", client.get("/login").text)
    assert found is not None
    assert json.loads(found.group(1))["includeIndicatorStyles"] is False


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CLAIMDESK_ENV", "production")
    monkeypatch.delenv("CLAIMDESK_SECURE_COOKIES", raising=False)
    reset_settings_cache()
    yield
    monkeypatch.undo()
    reset_settings_cache()


def test_cookies_are_secure_by_default_in_production(
    production: None, client: TestClient
) -> None:  # SPEC SEC-9
    assert Settings().secure_cookies is True
    assert Settings(env="test").secure_cookies is False
    assert Settings(env="production", secure_cookies=False).secure_cookies is False
    form_token(client, "/portal/login")  # sets the pre-session cookie
    page = client.get("/portal/login", cookies={})
    cookies = [v for k, v in page.headers.multi_items() if k == "set-cookie"]
    assert cookies, "the login page sets its pre-session cookie"
    assert all("secure" in c.lower() for c in cookies), cookies


def test_send_a_new_code_drops_the_challenge_on_the_server(client: TestClient) -> None:
    # SPEC SEC-9 — was an inline onclick that could not clear the HttpOnly cookie.
    client.cookies.set("claimdesk_sms", "pending")
    response = client.get("/portal/login?restart=1")
    assert response.status_code == 200
    assert 'name="password"' in response.text
    dropped = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    assert any(c.startswith("claimdesk_sms=") and "Max-Age=0" in c for c in dropped)
