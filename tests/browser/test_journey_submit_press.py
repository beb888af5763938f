"""A claim action submitted by pressing its button right after typing is never lost.

Looked for when test_journey_queues' submit_survey click brought no error and no
navigation (CI, PostgreSQL run, 2026-12-07). Pressing the submit button takes the focus
from the field just typed in; the field's change sends its check (``?validate=1``,
300 ms later). Its answer was swapped into the line above the button: while the button
was still held, the button moved down, press and release fell on different elements,
and the browser sent no click at all. A person holding the button a moment longer hits
it, and so can chromium driven on a loaded machine, whose press and release are two
messages apart. Before the fix this test failed with "the press sent nothing (the
button moved: True)".
"""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer, login, open_action, traffic_report
from tests.browser.test_journey_staff_process import open_claim, report_by_hotline


def _is_submit(request: Any) -> bool:
    return request.method == "POST" and request.url.endswith("/actions/receive_material")


def test_a_held_submit_press_is_not_lost_to_the_check_of_the_field_left(
    page: Any, live_server: LiveServer
) -> None:
    # SPEC CLM-A1 (the handler records a material received), issue 12 (no dead ends),
    # GEN-6 (a refusal is shown on the form)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    _claim_id, number = report_by_hotline(live_server)
    login(page, live_server, "handler")
    open_claim(page, live_server, number)
    form = open_action(page, "receive_material")
    field = "#receive_material-count"
    page.fill(field, "2")
    button = form.locator("button[type=submit]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # Press, and hold while the field's check goes out and its answer comes back.
    with page.expect_request_finished(lambda r: "validate=1" in r.url, timeout=30_000):
        page.mouse.down()
    page.wait_for_function(
        "field => !document.querySelector(field).classList.contains('htmx-request')", arg=field
    )
    after = button.bounding_box()
    assert after is not None
    moved = (after["x"], after["y"]) != (box["x"], box["y"])
    try:
        with page.expect_request(_is_submit, timeout=10_000):
            page.mouse.up()
    except PlaywrightTimeout:
        raise AssertionError(f"the press sent nothing (the button moved: {moved})") from None
    assert not moved, "the button moved while it was held"
    # The submission is answered: the claim page again (the material received), or the
    # refusal on the form.
    page.wait_for_function(
        "() => document.querySelector('#form-receive_material') === null"
        " || document.querySelector('#form-receive_material .error') !== null",
        timeout=30_000,
    )
    assert page.locator("#checklist li.ok").count() >= 1, traffic_report(page)
