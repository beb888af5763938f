"""The adjustment report PDF (理算报告, CLM-C3) as a person reads it: a table of the
figures each step used (no Python dictionaries), words wrapped whole, the clause of
the policy terms or the law (no SPEC IDs), the adjuster's name, amounts with thousands
separators — and no report before an adjustment exists (issue 12)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.models.user import User
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    MEDICAL_50K,
    Settlement,
    build_settlement,
    hotline_report,
    pdf_text,
    walk_to_adjusted,
)


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def test_report_is_a_readable_table_signed_by_name(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-C3 (the report with the whole trace), GEN-1 (amounts), GEN-6 (words)
    w = s.w
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    adjuster = db.get(User, w.users["adjuster"])
    assert adjuster is not None
    adjuster.display_name = "理算员 徐丽"
    db.commit()
    # Reported: nothing adjusted yet, so no report is offered and none is printed.
    payload = hotline_report(w, policy="MED-MILLION")
    early = w.client.post(API, json=payload, headers=w.h["handler"])
    assert early.status_code == 201, early.text
    refused = w.client.get(
        f"{API}/{early.json()['id']}/adjustment-report.pdf", headers=w.h["adjuster"]
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "no_adjustment_yet"

    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_50K)
    pdf = w.client.get(f"{API}/{cid}/adjustment-report.pdf", headers=w.h["adjuster"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    flat = " ".join(text.split())
    assert "{" not in text and "'" not in text, text  # no Python dictionaries
    assert "理算员 徐丽" in flat and "Signed by: adjuster" not in flat
    assert re.search(r"¥\d{1,3}(,\d{3})+\.\d{2}", text), text  # ¥61,000.00 style
    assert "Payout ratio" in flat and "赔付比例" in flat  # the inputs by their labels
    assert "保险条款" in flat and "Policy terms" in flat  # the clause, not "ADJ-MED step 3"
    assert not re.search(r"\b(ADJ-[A-Z]+|CLM-[A-Z]\d|GEN-\d)", text), text
    assert "合计 Total payable: -" not in flat
    # Words are wrapped whole: every English word of the report is one a person wrote.
    words = set(re.findall(r"[A-Za-z]{3,}", text))
    for broken in ("eductible", "ligible", "atalogue", "nsured"):
        assert broken not in words, words


def test_report_prints_dates_and_the_coverage_in_both_languages(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-C3 (the report), GEN-2 (dates as people read them, the bilingual PDFs as the
    # decision notice prints them), GEN-6 (the coverage by its name, not its code)
    w = s.w
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_50K)
    pdf = w.client.get(f"{API}/{cid}/adjustment-report.pdf", headers=w.h["adjuster"])
    assert pdf.status_code == 200
    flat = " ".join(pdf_text(pdf.content).split())
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", flat), flat  # no ISO dates anywhere
    assert re.search(r"Date of loss: \d{4}年\d{1,2}月\d{1,2}日 / \d{1,2} [A-Z][a-z]{2} \d{4}", flat)
    signed = re.search(
        r"Signed by: .*? (\d{4}年\S+ \d{2}:\d{2}) / (\d{1,2} \w{3} \d{4} \d{2}:\d{2})", flat
    )
    assert signed, flat
    assert "Coverage: 一般医疗保险金 General medical benefit" in flat
    assert "Coverage: medical" not in flat
    # The covered items as the decision notice names them, in both languages: the
    # English name where the product stores one (coverage_name_en, GEN-6), where the
    # report once listed the Chinese words alone.
    assert "Covered items: 一般医疗保险金 / General medical benefit" in flat, flat
