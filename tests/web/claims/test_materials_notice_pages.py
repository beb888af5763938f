"""The one-time missing-materials notice on the claim page (SPEC CLM-A4, CLM-A1): the
list, the deadline and the SMS the customer will receive are shown before sending —
from the service that builds the notice, writing nothing — and are then what is sent."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.claim import MissingMaterialsNotice
from claimdesk.models.job import OutboxMessage
from tests.claims.helpers import FrozenClock, local, report_body
from tests.claims.steps import API, Settlement, build_settlement, ok
from tests.web.claims.claim_pages import ClaimPages


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient, clock: FrozenClock) -> Settlement:
    return build_settlement(db, client)


def _reported(s: Settlement, **changes: Any) -> int:
    """A claim on the MED-MILLION policy reported by the handler through the API, with
    ``changes`` to the report: its id."""
    policy = s.w.policies["MED-MILLION"]
    body = {**report_body(policy.number), **changes}  # type: ignore[attr-defined]
    return int(ok(s.w.client.post(API, json=body, headers=s.w.h["handler"]), 201)["id"])


def _as_handler(client: TestClient, db: Session) -> ClaimPages:
    """The claim pages, logged in as the handler."""
    web = ClaimPages(client, db)
    web.login("handler")
    return web


def test_the_missing_materials_form_previews_what_the_customer_receives(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-A4 (ONE notice listing everything missing, with a deadline), CLM-A1: the
    # preview comes from the service that builds the notice and writes nothing
    cid = _reported(s)
    web = _as_handler(client, db)
    form = web.open(cid, "request_materials")
    for label in ("理赔申请书", "身份证明", "病历/诊断证明", "医疗费用发票"):
        assert label in form.html
    assert "2026年10月30日" in form.html  # 30 days after 30 Sep (rules().materials_deadline_days)
    assert "短信发送至 139****5678" in form.html
    # GEN-6: each line's label ends in the page's colon — 发送方式：, not 发送方式: (bug bash)
    assert "发送方式：</span>短信发送至 139****5678" in form.html
    assert "通知所列材料:" not in form.html
    db.expire_all()
    assert (
        db.scalars(
            select(MissingMaterialsNotice).where(MissingMaterialsNotice.claim_id == cid)
        ).all()
        == []
    )
    web.do(cid, "request_materials")
    sent = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.template == "claim.materials_missing",
            OutboxMessage.related_id == str(cid),
        )
    ).one()
    assert sent.body in form.html  # word for word what was previewed
    notice = db.scalars(
        select(MissingMaterialsNotice).where(MissingMaterialsNotice.claim_id == cid)
    ).one()
    assert notice.deadline == dt.date(2026, 10, 30)
    english = client.get(f"/claims/{cid}?lang=en")
    assert english.status_code == 200


def test_the_english_preview_lists_the_items_in_english(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-A4, GEN-2: the handler reads the list and the date in their language; the
    # SMS itself is shown as the customer reads it
    cid = _reported(s)
    _as_handler(client, db)
    english = client.get(f"/claims/{cid}/actions/request_materials?lang=en").text
    assert "Claim form, Identity proof" in english and "30 Oct 2026" in english
    assert "请于 2026年10月30日 前补充以下材料" in english


def test_the_sent_notice_and_the_deadlines_read_in_words_on_the_claim_page(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-A4, GEN-2, GEN-4: after sending, the handler reads the notice's materials by
    # name and its deadline as a date, and each deadline's time as the timeline writes it
    # — not the stored codes (claim_form, expense_invoices) nor ISO dates (2026-10-30)
    cid = _reported(s)
    web = _as_handler(client, db)
    web.do(cid, "request_materials")
    for lang, words, date, due in (
        ("zh-CN", "理赔申请书、身份证明", "截止日期 2026年10月30日", "到期 2026年10月30日 23:59"),
        ("en", "Claim form, Identity proof", "deadline 30 Oct 2026", "due 30 Oct 2026 23:59"),
    ):
        page = client.get(f"/claims/{cid}?lang={lang}").text
        notice = page.split('id="checklist-title"', 1)[1].split("</section>", 1)[0]
        assert words in notice and date in notice, notice
        assert "claim_form" not in notice.replace('data-code="claim_form"', "")
        assert "2026-10-30" not in notice
        clocks = page.split('id="clocks-title"', 1)[1].split("</section>", 1)[0]
        assert due in clocks, clocks
        assert not re.search(r"\d{4}-\d{2}-\d{2}", clocks), clocks


def test_without_a_contact_phone_the_preview_says_the_notice_goes_to_the_portal(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-A4: the one written notice reaches a customer who gave no phone too
    cid = _reported(s, contact_phone=None)
    web = _as_handler(client, db)
    form = web.open(cid, "request_materials")
    assert "案件无联系电话，通知发送至被保险人的门户消息" in form.html
    assert "短信发送至" not in form.html


def test_green_channel_deferrals_are_not_missing_on_the_page_as_in_the_service(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-A4, CLM-Z2: the form is offered exactly when the service would send the
    # notice — items the green channel defers are not missing, to either
    event = ok(
        s.w.client.post(
            "/api/v1/claim-events",
            json={
                "name": "9·28 台风",
                "event_type": "typhoon",
                "region": "上海",
                "starts_on": "2026-09-20",
                "deferrable_materials": [
                    "claim_form",
                    "identity_proof",
                    "medical_record",
                    "expense_invoices",
                ],
                "guide_zh": "简化材料",
                "guide_en": "Simplified materials",
            },
            headers=s.w.h["reviewer1"],
        ),
        201,
    )
    cid = _reported(s)
    web = _as_handler(client, db)
    assert "request_materials" in web.offered(cid)
    assert cid in _notices_queue(s)
    web.do(cid, "link_event", {"event_id": str(event["id"])})
    assert "request_materials" not in web.offered(cid)
    # ... nor in the handlers' queue of notices to send
    assert cid not in _notices_queue(s)
    refused = s.w.client.post(
        f"{API}/{cid}/materials-notice", json={"items": []}, headers=s.w.h["handler"]
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "nothing_missing"


def _notices_queue(s: Settlement) -> list[int]:
    listed = ok(
        s.w.client.get("/api/v1/work/queues/notices?limit=100", headers=s.w.h["handler"]), 200
    )
    return [int(item["claim_id"]) for item in listed["items"]]
