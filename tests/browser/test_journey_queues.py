"""Journey (issue 12): a paid claim is found in the service agent's "callbacks due" queue
on the workbench, called back from its claim page, then found in the claims supervisor's
"ready to close" queue and closed — through the pages alone, in chromium at 1280 px."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer, act, follow, login, logout, shot
from tests.browser.test_journey_staff_process import process_to_paid, report_by_hotline, state


def find_in_queue(page: Any, server: LiveServer, queue: str, number: str) -> None:
    """Open the queue's tab from the workbench and page on until the claim's row shows,
    then open the claim from it."""
    page.goto(f"{server.url}/workbench")
    page.click(f"#tab-{queue}")
    page.wait_for_selector(f"#tab-{queue}[aria-current='page']")
    row = page.locator("#claim-queue a", has_text=number)
    while row.count() == 0:
        following = page.locator("#pager-next")
        assert following.count(), f"{number} is not in the {queue} queue"
        follow(page, "#pager-next")
    row.first.click()
    page.wait_for_selector("#claim-state")


def test_paid_claim_found_in_agent_callbacks_then_supervisor_closing_queue(
    page: Any, live_server: LiveServer
) -> None:
    # SPEC CLM-X2 (callback after payment), CLM-X1 (closing), issue 12 (no dead ends)
    _claim_id, number = report_by_hotline(live_server, estimate="30000")
    process_to_paid(page, live_server, number, screenshots=False)

    login(page, live_server, "service")
    page.goto(f"{live_server.url}/workbench?queue=callbacks")
    assert int(page.inner_text("#count-callbacks")) >= 1
    shot(page, "workbench-callbacks-due-1280")
    find_in_queue(page, live_server, "callbacks", number)
    assert state(page) == "paid"
    act(page, "complete_callback", {"outcome": "reached", "satisfaction": "4"})
    logout(page)

    login(page, live_server, "reviewer1")
    page.goto(f"{live_server.url}/workbench?queue=closing")
    shot(page, "workbench-ready-to-close-1280")
    find_in_queue(page, live_server, "closing", number)
    act(page, "close", {"reason": "回访完成，结案归档"})
    assert state(page) == "closed"
    page.goto(f"{live_server.url}/workbench?queue=closing")
    assert page.locator("#claim-queue a", has_text=number).count() == 0
