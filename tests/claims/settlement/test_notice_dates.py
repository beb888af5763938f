"""The decision notices print their dates as people write them, in both languages of the
PDF (SPEC GEN-2, CLM-C3, CLM-V3): "2026年12月7日 14:30 / 7 Dec 2026 14:30", as the materials
receipt and the adjustment report already did — never the ISO "2026-12-07 14:30"."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from claimdesk.claims.settlement.decision_notices import notice_pdf
from claimdesk.claims.settlement.documents import rejection_notice_pdf
from claimdesk.models.claim import Claim
from tests.claims.steps import pdf_text

# 06:30 UTC is 14:30 in Beijing (GEN-2: stored in UTC, shown in Asia/Shanghai time).
DECIDED = dt.datetime(2026, 12, 7, 6, 30, tzinfo=dt.UTC)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _claim() -> Claim:
    return Claim(number="BA20261207000001", claimant_name="王五", loss_date=dt.date(2026, 11, 28))


def _flat(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", pdf_text(pdf))


def test_the_rejection_notice_prints_its_dates_as_people_write_them() -> None:
    # SPEC GEN-2 CLM-V3
    text = _flat(
        rejection_notice_pdf(
            _claim(),
            policy_number="P-1",
            clause="第五条",
            facts="既往症",
            decided_at=DECIDED,
            appeal_zh="可申请复核",
            appeal_en="You may ask for a review",
        )
    )
    assert "核定日期 Decided: 2026年12月7日 14:30 / 7 Dec 2026 14:30" in text, text
    assert "出险日期 Date of loss: 2026年11月28日 / 28 Nov 2026" in text, text
    assert not ISO.search(text), text


def test_the_settlement_notice_prints_its_dates_as_people_write_them() -> None:
    # SPEC GEN-2 CLM-C3 CLM-P2
    text = _flat(
        notice_pdf(
            _claim(),
            rows=[],
            payable=Decimal("100.00"),
            already_paid=Decimal("0.00"),
            decided_at=DECIDED,
            appeal_zh="可申请复核",
            appeal_en="You may ask for a review",
            payment={
                "amount": "100.00",
                "payee": "王五",
                "account": "****1234",
                "expected_arrival": "2026-12-09",
            },
        )
    )
    assert "核定日期 Decided: 2026年12月7日 14:30 / 7 Dec 2026 14:30" in text, text
    assert "预计到账 Expected arrival: 2026年12月9日 / 9 Dec 2026" in text, text
    assert not ISO.search(text), text
