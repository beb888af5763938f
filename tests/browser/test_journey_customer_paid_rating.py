"""Journey 3: the customer sees the claim paid, in plain words, and rates the service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from claimdesk.models.service import SatisfactionSurvey
from tests.browser.conftest import LiveServer, customer_login, shot
from tests.browser.test_journey_staff_process import process_to_paid, report_by_hotline


def test_customer_sees_paid_claim_and_rates_it(
    page: Any, mobile_page: Any, live_server: LiveServer
) -> None:
    # SPEC CLM-P2 (told amount and masked account), SVC-5 (online rating by dimension),
    # issue 6 (plain-words timeline on a 375 px phone)
    claim_id, number = report_by_hotline(live_server)
    process_to_paid(page, live_server, number, screenshots=False)
    phone = mobile_page
    customer_login(phone, live_server, "customer1")
    phone.click(f"text={number}")
    assert "已赔付" in phone.inner_text("#plain-status")
    assert "****" in phone.inner_text("#paid-info")
    timeline = phone.inner_text("#plain-timeline")
    assert "赔款已汇入您的账户" in timeline and "claim.pay" not in timeline
    phone.check("#score_speed-5")
    phone.check("#score_attitude-4")
    phone.check("#score_result-5")
    phone.check("#score_process-4")
    phone.fill("#comment", "处理很快，谢谢")
    phone.click("#rating-form button[type=submit]")
    phone.wait_for_selector("#rated-msg")
    shot(phone, "portal-claim-paid-rated-375")
    with live_server.session() as session:
        survey = session.scalars(
            select(SatisfactionSurvey).where(
                SatisfactionSurvey.subject_type == "claim",
                SatisfactionSurvey.subject_id == claim_id,
            )
        ).one()
        assert (survey.score_speed, survey.score_attitude) == (5, 4)
        assert survey.source == "online_rating"
