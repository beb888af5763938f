"""The settlement notice (理赔决定通知书) of every instructed payment: how ¥9,000 of
¥25,000 was worked out — claimed, each part not paid and why, what social insurance
paid, the deductible, the ratio, the amount — with the payment (amount, expected
arrival, masked account) and how to object, stored as a PDF with the CJK font embedded
and sent through the outbox with the payment notice (SPEC CLM-C3, CLM-P2, CLM-V3)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.claims.settlement.tasks import render_notice_pdf
from claimdesk.formatting import local_date
from claimdesk.models.audit import AuditEntry
from claimdesk.models.job import Job, OutboxMessage
from claimdesk.models.payment import Payment
from claimdesk.models.review import DecisionNotice
from tests.claims.automatic.helpers import drain
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    CARD,
    Settlement,
    approve,
    build_settlement,
    ok,
    walk_to_adjusted,
)

# ¥25,000 claimed: a cosmetic item (excluded by the product) and a bed fee the assessor
# removed are not paid; social insurance paid ¥1,000; deductible ¥10,000; ratio 100%.
MEDICAL_25K = {
    "coverage_code": "medical",
    "settled_with_social_insurance": True,
    "social_insurance_paid": "1000.00",
    "lines": [
        {"description": "住院费", "amount": "20000.00"},
        {"description": "祛斑", "amount": "2000.00", "kind": "cosmetic"},
        {
            "description": "陪护床位费",
            "amount": "3000.00",
            "removed": True,
            "removal_reason": "非治疗必需",
        },
    ],
}


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def _paid_by_officer(s: Settlement, clock: FrozenClock) -> int:
    w, c = s.w, s.w.client
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_25K)
    clock.set("2026-09-30T16:00:00")
    ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    clock.set("2026-09-30T17:00:00")
    assert approve(w, cid, "reviewer1")["state"] == "approved"
    clock.set("2026-10-09T11:00:00")
    pay = {"payee_person_id": s.insured_id, "bank_account_id": s.account_id}
    payment = ok(
        c.post(
            f"{API}/{cid}/payments",
            json=pay,
            headers={**w.h["cashier"], "Idempotency-Key": "notice-pay-0001"},
        ),
        201,
    )
    assert payment["amount"] == "9000.00"
    # A repeated request is the same payment: still one notice (CLM-P5).
    ok(
        c.post(
            f"{API}/{cid}/payments",
            json=pay,
            headers={**w.h["cashier"], "Idempotency-Key": "notice-pay-0001"},
        )
    )
    return cid


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    assert "yes" in fonts.stdout.splitlines()[-1].split()  # the CJK font is embedded
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_payment_issues_the_settlement_notice_with_the_payment_notice(
    s: Settlement,
    db: Session,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # SPEC CLM-C3 (items, each step, the amount), CLM-P2 (amount, arrival, masked
    # account), CLM-V3 (how to object), CLM-L3 (each removal with its reason)
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = _paid_by_officer(s, clock)
    notice = db.scalars(select(DecisionNotice).where(DecisionNotice.claim_id == cid)).one()
    assert notice.kind == "payment" and notice.payment_id is not None
    assert (notice.payable, notice.already_paid, notice.difference) == (
        Decimal("9000.00"),
        Decimal("0.00"),
        Decimal("9000.00"),
    )
    (row,) = notice.calculation["coverages"]
    assert (row["claimed"], row["not_paid"], row["other_paid"]) == (
        "25000.00",
        "5000.00",
        "1000.00",
    )
    assert (row["deductible"], row["ratio"], row["payable"]) == ("10000.00", "1", "9000.00")
    reasons = {r["what"]: r["why_zh"] for r in row["removals"]}
    assert reasons["陪护床位费"] == "审核剔除：非治疗必需"
    assert "美容" in reasons["祛斑"]
    assert row["coverage_name"] == "一般医疗保险金"
    payment = notice.calculation["payment"]
    assert payment["account"] == f"**** **** **** {CARD[-4:]}"
    paid = db.get(Payment, notice.payment_id)
    assert paid is not None and paid.expected_arrival is not None
    arrival = paid.expected_arrival.isoformat()
    assert payment["expected_arrival"] == arrival

    messages = {
        m.template: m
        for m in db.scalars(select(OutboxMessage).where(OutboxMessage.related_id == str(cid)))
    }
    assert {"claim.payment_notice", "claim.settlement_notice"} <= set(messages)
    body = messages["claim.settlement_notice"].body
    assert "¥25,000.00" in body and "¥9,000.00" in body and CARD[-4:] in body
    assert CARD not in body and f"/portal/claims/{cid}/notice" in body
    assert notice.outbox_message_id == messages["claim.settlement_notice"].id
    assert "claim.settlement_notice_issued" in set(
        db.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == str(cid)))
    )

    drain(session_factory)  # the PDF is rendered by its job, after the payment (issue 13)
    db.refresh(notice)
    text = _pdf_text(notice.pdf, tmp_path)
    for expected in (
        "理赔决定通知书",
        "Settlement notice",
        "一般医疗保险金",
        "¥25,000.00",
        "非治疗必需",
        "¥1,000.00",
        "免赔额 Deductible: ¥10,000.00",
        "赔付比例 Ratio: 100%",
        "核定赔付合计 Total payable: ¥9,000.00",
        f"**** **** **** {CARD[-4:]}",
        # The date as people write it, not ISO (issue 12).
        f"预计到账 Expected arrival: {local_date(paid.expected_arrival, 'zh-CN')}"
        f" / {local_date(paid.expected_arrival, 'en')}",
        "如对本决定有异议",
        "people's court",
    ):
        assert expected in text, expected
    assert "medical" not in text.replace("Medical", "")  # no raw coverage code


def test_the_payment_commits_without_the_pdf_and_its_job_renders_it_once(
    s: Settlement,
    db: Session,
    session_factory: sessionmaker[Session],
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SPEC CLM-T2 (issue 13: the PDF is off the payment's critical path), CLM-C3, CLM-P2
    # (the notice, its message and its audit entry are written with the payment; the
    # PDF follows, rendered once, and a reader never finds it missing)
    from claimdesk.claims.settlement import decision_notices
    from tests.web.helpers import customer_login

    renders: list[str] = []
    real = decision_notices.notice_pdf

    def counted(*args: Any, **kwargs: Any) -> bytes:
        renders.append(args[0].number)
        return real(*args, **kwargs)

    monkeypatch.setattr(decision_notices, "notice_pdf", counted)
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = _paid_by_officer(s, clock)
    notice = db.scalars(select(DecisionNotice).where(DecisionNotice.claim_id == cid)).one()
    assert renders == [] and notice.pdf == b"" and notice.sha256 == ""
    assert notice.outbox_message_id is not None
    jobs = db.scalars(select(Job).where(Job.kind == decision_notices.PDF_TASK)).all()
    assert [(j.status, j.payload) for j in jobs] == [("queued", f'{{"notice_id": {notice.id}}}')]

    drain(session_factory)
    db.refresh(notice)
    assert len(renders) == 1 and notice.pdf.startswith(b"%PDF")
    assert notice.sha256 == hashlib.sha256(notice.pdf).hexdigest()
    # The job again (a retry) and the customer's read render nothing more.
    with session_factory() as session, session.begin():
        render_notice_pdf(session, {"notice_id": notice.id}, now=clock.now)
    client.headers.clear()
    customer_login(client, db, "customer", "13812345678")
    pdf = client.get(f"/portal/claims/{cid}/notice.pdf")
    assert pdf.status_code == 200 and pdf.content == notice.pdf
    assert len(renders) == 1
    rendered = db.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "claim.settlement_notice_rendered")
    ).all()
    assert [json.loads(d) for d in rendered] == [
        {"notice_id": notice.id, "pdf_sha256": notice.sha256}
    ]


def test_the_customer_reads_the_notice_and_nobody_else_does(
    s: Settlement, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P2, CLM-C3 (told in plain words on the portal), SEC-4 (own claims only),
    # GEN-5 (the read audited)
    from tests.web.helpers import customer_login

    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = _paid_by_officer(s, clock)
    client.headers.clear()
    customer_login(client, db, "customer", "13812345678")
    claim_page = client.get(f"/portal/claims/{cid}")
    assert f'href="/portal/claims/{cid}/notice"' in claim_page.text
    page = client.get(f"/portal/claims/{cid}/notice")
    assert page.status_code == 200, page.text
    html = page.text
    assert "您申请的费用共 ¥25,000.00，其中 ¥5,000.00 不在保障范围内" in html
    assert "扣除免赔额 ¥10,000.00 后，按 100% 的比例赔付" in html
    assert "陪护床位费" in html and "非治疗必需" in html
    assert f"**** **** **** {CARD[-4:]}" in html and "预计到账日期" in html
    paid = db.scalars(select(Payment).where(Payment.claim_id == cid)).first()
    assert paid is not None and paid.expected_arrival is not None
    # The expected arrival in words (2026年10月13日), in the summary and the list.
    written = local_date(paid.expected_arrival, "zh-CN")
    assert f"预计 {written} 前到账" in html and paid.expected_arrival.isoformat() not in html
    assert "仲裁" in html
    english = client.get(f"/portal/claims/{cid}/notice?lang=en").text
    assert "You claimed ¥25,000.00; ¥5,000.00 of it is not covered" in english
    assert "your own share" not in english and "removed at assessment: 非治疗必需" in english
    pdf = client.get(f"/portal/claims/{cid}/notice.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")  # read before its job ran: rendered now
    reads = db.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "claim.notice_read")
    ).all()
    assert len(reads) == 3  # the page in two languages and the PDF
    # Another claim id (not the customer's) is not found, never shown.
    assert client.get(f"/portal/claims/{cid + 999}/notice").status_code == 404


def test_the_summary_says_plainly_when_everything_claimed_is_covered() -> None:
    # SPEC CLM-C3 (plain words), CLM-P2 (amount, arrival, masked account)
    from claimdesk.claims.settlement.decision_notices import summary_sentences

    row = {"claimed": "40000.00", "not_paid": "0.00", "deductible": "10000.00", "ratio": "0.6"}
    payment = {
        "amount": "18000.00",
        "account": "**** **** **** 7896",
        "expected_arrival": "2026-12-11",
    }
    zh = [
        pair[0]
        for pair in summary_sentences(
            [row], payable=Decimal("18000.00"), already_paid=Decimal("0"), payment=payment
        )
    ]
    assert zh[0] == "您申请的费用共 ¥40,000.00，均在保障范围内。"
    assert zh[1] == "扣除免赔额 ¥10,000.00 后，按 60% 的比例赔付。"
    assert "¥18,000.00" in zh[2] and "**** **** **** 7896" in zh[2]
    assert "预计 2026年12月11日 前到账" in zh[2] and "2026-12-11" not in zh[2]
