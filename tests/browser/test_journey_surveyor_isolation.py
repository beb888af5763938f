"""Journey 6: a surveyor cannot open, find or even learn of a claim not assigned to them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from claimdesk.models.user import User
from tests.browser.conftest import LiveServer, login
from tests.browser.test_journey_staff_process import report_by_hotline


def assigned_to_beijing_surveyor(server: LiveServer) -> tuple[int, str]:
    claim_id, number = report_by_hotline(server, estimate="3000")
    with server.session() as session:
        surveyor_id = session.scalars(select(User.id).where(User.username == "surveyor.bj")).one()
    with server.api("handler") as api:
        detail = api.get(f"/claims/{claim_id}").json()
        for item in detail["checklist"]:
            if not item["received"]:
                done = api.post(
                    f"/claims/{claim_id}/materials/receive", json={"code": item["code"], "count": 1}
                )
                assert done.status_code == 200, done.text
        accepted = api.post(f"/claims/{claim_id}/accept", json={"reserves": {"medical": "3000"}})
        assert accepted.status_code == 200, accepted.text
        assigned = api.post(f"/claims/{claim_id}/survey/assign", json={"surveyor_id": surveyor_id})
        assert assigned.status_code == 200, assigned.text
    return claim_id, number


def test_surveyor_cannot_open_a_claim_not_assigned_to_them(
    page: Any, live_server: LiveServer
) -> None:
    # SPEC CLM-F2 (a surveyor sees only the claims assigned to them), SEC-4
    claim_id, number = assigned_to_beijing_surveyor(live_server)
    # The assigned surveyor has it in the queue and can open it.
    login(page, live_server, "surveyor.bj")
    assert number in page.inner_text("#claim-queue")
    page.goto(f"{live_server.url}/claims/{claim_id}")
    assert page.get_attribute("#claim-state", "data-state") == "accepted"
    page.click("header form[action='/logout'] button")
    # Another surveyor: not in the queue, not found by search, the page is "not found".
    login(page, live_server, "surveyor.sh")
    assert number not in page.inner_text("main")
    page.goto(f"{live_server.url}/workbench?q={number}")
    assert number not in page.inner_text("main")
    response = page.goto(f"{live_server.url}/claims/{claim_id}")
    assert response is not None and response.status == 404
    assert number not in page.content()
    assert "未找到" in page.inner_text("main")
    api_response = page.request.get(f"{live_server.url}/api/v1/claims/{claim_id}")
    assert api_response.status == 404
