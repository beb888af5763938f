"""The assessment form takes any number of expense lines (issue 12): rows added while
typing are numbered as they come (gaps allowed), every row received is assessed, the
form shows a total of the lines kept, and a refusal lands beside the row's field."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.claim import AssessmentItem
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import Settlement, build_settlement
from tests.web.claims.claim_pages import ClaimPages, state_of
from tests.web.claims.test_claim_lines_pages import MEDICAL, accept, report_in_portal, survey

# Seven lines, numbered as a person adding and removing rows leaves them.
SEVEN = {
    "line1_description": "住院费",
    "line1_amount": "12000",
    "line1_catalog": "A",
    "line2_description": "药品",
    "line2_amount": "3000",
    "line2_catalog": "B",
    "line2_self_pay": "20",
    "line3_description": "检查费",
    "line3_amount": "800",
    "line5_description": "护理费",
    "line5_amount": "600",
    "line7_description": "材料费",
    "line7_amount": "450.50",
    "line8_description": "祛疤美容",
    "line8_amount": "2000",
    "line8_kind": "cosmetic",
    "line9_description": "陪护费",
    "line9_amount": "500",
    "line9_removed": True,
    "line9_removal_reason": "非必要费用",
    "settled_with_social_insurance": True,
    "social_insurance_paid": "1000",
}


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def test_any_number_of_expense_lines_with_a_total(
    s: Settlement, client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-L3 (lines removed with a reason), CLM-T1 (every line of a bill), GEN-6
    FrozenClock(monkeypatch, local("2026-09-14T10:00:00"))
    web = ClaimPages(client, db)
    cid = report_in_portal(web, s, MEDICAL)
    accept(web, cid, MEDICAL, "4000.00")
    survey(web, s, cid, MEDICAL)
    web.login("assessor")
    form = web.open(cid, "assess")
    # One blank row to start, a template for more, and no fixed number of rows.
    assert re.findall(r'data-row="(\d+)"', form.html) == ["1"]
    assert "data-row-template" in form.html and "data-add-row" in form.html
    refused = web.refused(
        cid, "assess", {"coverage_code": "medical", **SEVEN, "line7_amount": "abc"}
    )
    html = refused.html
    # Every row typed comes back (and one blank row), the bad amount marked in its row.
    assert re.findall(r'data-row="(\d+)"', html) == ["1", "2", "3", "5", "7", "8", "9", "10"]
    assert re.search(r'id="assess-line7_amount"[^>]*aria-invalid="true"', html)
    assert "费用明细 7" in refused.errors[0] and "line7" not in refused.errors[0]
    # The server's total of the lines kept (the removed one left out; "abc" counts 0).
    assert "¥18,400.00" in html
    web.do(cid, "assess", {"coverage_code": "medical", **SEVEN})
    items = db.scalars(select(AssessmentItem).order_by(AssessmentItem.position)).all()
    assert [i.description for i in items] == [
        "住院费",
        "药品",
        "检查费",
        "护理费",
        "材料费",
        "祛疤美容",
        "陪护费",
    ]
    assert [i.removed for i in items][-1] is True
    web.do(cid, "complete_assessment")
    assert state_of(web.page(cid)) == "assessed"


def test_a_lines_catalogue_class_and_category_are_shown_in_words(
    s: Settlement, client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-L3, ADJ-MED (甲/乙/丙 classes), GEN-6: the assessor's form offered "A",
    # "B", "C" and the claim page's table showed the stored A and "(cosmetic)" — codes
    # where a Chinese claims office says 甲类 and 美容项目 (bug bash)
    FrozenClock(monkeypatch, local("2026-09-14T10:00:00"))
    web = ClaimPages(client, db)
    cid = report_in_portal(web, s, MEDICAL)
    accept(web, cid, MEDICAL, "4000.00")
    survey(web, s, cid, MEDICAL)
    web.login("assessor")
    form = web.open(cid, "assess")
    assert re.search(r'<option value="A"[^>]*>甲类</option>', form.html)
    assert re.search(r'<option value="B"[^>]*>乙类</option>', form.html)
    web.do(cid, "assess", {"coverage_code": "medical", **SEVEN})
    page = web.page(cid)
    table = page[page.index('id="assessment-title"') :]
    table = table[: table.index("</table>")]
    cells = re.findall(r"<td>([^<]*)</td>", table)
    assert "甲类" in cells and "乙类" in cells and "A" not in cells and "B" not in cells
    assert "（美容项目）" in table and "(cosmetic)" not in table
    english = client.get(f"/claims/{cid}?lang=en").text
    english = english[english.index('id="assessment-title"') :]
    assert "Class A (甲)" in english[: english.index("</table>")]
