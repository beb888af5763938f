"""Journey 4: a complaint is filed by a service agent, acknowledged and decided, in a
real browser against a real server; the auditor then sees it on the service dashboard.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import httpx

from claimdesk.auth import repository as auth_repository
from claimdesk.models.service import Complaint
from tests.browser.conftest import DEMO_PASSWORD, LiveServer, login, server_today, shot


def test_complaint_filed_acknowledged_decided(
    page: Any, browser: Any, live_server: LiveServer
) -> None:
    # SPEC SVC-3 (acknowledged, decided, the earlier deadline shown), GEN-4 (which rule),
    # GEN-6 (an empty decision is refused in place), GEN-7 (it counts on the dashboard)
    with live_server.session() as session:
        customer = auth_repository.get_user_by_username(session, username="customer1")
        assert customer is not None and customer.person_id is not None
        person_id = customer.person_id

    login(page, live_server, "service")
    page.goto(f"{live_server.url}/desk/complaints/new")
    page.fill("#f-person_id", str(person_id))
    page.fill("#f-contact", "13800001111")
    page.select_option("#f-channel", "phone")
    page.select_option("#f-complaint_type", "claims")
    page.select_option("#f-cause", "delay")
    page.fill("#f-description", "理赔审核时间过长，迟迟没有结果。")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/desk/complaints/*")
    complaint_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert "已受理登记" in page.inner_text("h1")
    clocks = page.inner_text("table.clocks")
    assert "投诉确认（24 小时）" in clocks and "投诉处理决定" in clocks

    page.fill("#form-acknowledge #f-progress_note", "已收到您的投诉，正在调查理赔进度。")
    page.click("#form-acknowledge button[type=submit]")
    page.wait_for_load_state()
    assert "已确认" in page.inner_text("h1")

    # Deciding without a text is refused in place and changes nothing.
    page.select_option("#form-decide #f-outcome", "upheld")
    page.evaluate("document.querySelector('#form-decide #f-decision').removeAttribute('required')")
    page.click("#form-decide button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#form-decide .error").count() >= 1
    assert "已确认" in page.inner_text("h1")

    page.fill("#form-decide #f-decision", "投诉成立：已督促理赔部门两日内完成审核，并致歉。")
    page.click("#form-decide button[type=submit]")
    page.wait_for_load_state()
    assert "已决定" in page.inner_text("h1")
    assert "成立" in page.inner_text("dd.decision")
    shot(page, "complaint-decided")

    with live_server.session() as session:
        stored = session.get(Complaint, complaint_id)
        assert stored is not None and stored.status == "decided"
        assert stored.decision_outcome == "upheld" and stored.acknowledged_at is not None

    # The auditor's service dashboard counts it under "delay" this month.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        auditor = context.new_page()
        login(auditor, live_server, "auditor")
        auditor.goto(f"{live_server.url}/dashboards/service")
        auditor.wait_for_selector('.chart[data-dataset="complaints_by_cause"][data-drawn="true"]')
        assert "投诉原因分布" in auditor.inner_text("#complaints_by_cause h2")
        shot(auditor, "dashboard-service")
    finally:
        context.close()
    token = httpx.post(
        f"{live_server.url}/api/v1/auth/token",
        json={"username": "auditor", "password": DEMO_PASSWORD},
        timeout=30,
    )
    today = server_today()
    found = httpx.get(
        f"{live_server.url}/dashboards/service/complaints_by_cause.csv",
        params={
            "date_from": today.replace(day=1).isoformat(),
            "date_to": (today + dt.timedelta(days=1)).isoformat(),
            "lang": "en",
        },
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=30,
    )
    assert found.status_code == 200
    # Excel's CSV: a byte-order mark, the cause in words and its code beside them.
    assert found.content.startswith(b"\xef\xbb\xbf")
    table = csv.DictReader(io.StringIO(found.content.decode("utf-8-sig")))
    counts = {r["Cause (code)"]: int(r["Complaints"]) for r in table}
    assert counts.get("delay", 0) >= 1
