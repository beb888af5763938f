"""The browser enforces the content security policy and the fixtures see violations
(SEC-9): an injected inline script does not run and is reported."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer, _csp_watch


def test_inline_script_is_refused_and_reported(browser: Any, live_server: LiveServer) -> None:
    # SPEC SEC-9 — a stand-in for an injected <script>: refused, and the watcher that
    # every page fixture uses catches it.
    context = browser.new_context()
    try:
        page = context.new_page()
        violations = _csp_watch(page)
        page.goto(f"{live_server.url}/login")
        page.evaluate(
            """() => {
                const s = document.createElement("script");
                s.textContent = "window.injected = true";
                document.body.appendChild(s);
            }"""
        )
        page.wait_for_timeout(200)
        assert page.evaluate("() => window.injected === undefined")
        assert violations and "script-src" in violations[0]
        # htmx loaded from /static and ran (it is not inline).
        assert page.evaluate("() => typeof window.htmx === 'object'")
    finally:
        context.close()
