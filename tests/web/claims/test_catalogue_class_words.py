"""An expense line's catalogue class has one label wherever it is shown (SPEC GEN-6,
ADJ-MED step 1): 甲类 / Class A (甲) in the claim page's expense table, the assessor's form,
the e-bills — and the adjustment trace and its PDF, which said 目录类别 A / Catalogue A."""

from __future__ import annotations

import pytest

from claimdesk.claims.documents import _inputs
from claimdesk.code_labels import catalog_class
from claimdesk.i18n import current_language
from claimdesk.rules.adjudication.trace import TEXTS
from claimdesk.web.claims.page_views import trace_rows

STEP = {
    "code": "MED.LINE.A",
    "clause": "ADJ-MED step 1",
    "zh": TEXTS["MED.LINE.A"][1],
    "en": TEXTS["MED.LINE.A"][2],
    "inputs": {"line": "0", "catalog": "A", "amount": "100.00"},
    "figure": "100.00",
}


@pytest.mark.parametrize(
    ("language", "label", "shown", "name"),
    [
        ("zh-CN", "目录类别", "甲类", "费用：甲类"),
        ("en", "Catalogue", "Class A (甲)", "Expense line: Class A (甲)"),
    ],
)
def test_the_trace_names_the_class_as_the_expense_table_does(
    language: str, label: str, shown: str, name: str
) -> None:
    # SPEC GEN-6 ADJ-MED
    token = current_language.set(language)
    try:
        (row,) = trace_rows([STEP], language)
        assert dict(row["inputs"])[label] == shown == catalog_class("A", language)
        assert row["name"] == name
        assert "Catalogue A" not in row["rule"] and "目录类别 A" not in row["rule"]
    finally:
        current_language.reset(token)


def test_the_trace_rules_and_the_pdf_say_the_class_in_its_words() -> None:
    # SPEC GEN-6 ADJ-MED: the engine's English rule texts and the report's figure
    assert TEXTS["MED.LINE.A"][2].startswith("Class A (甲) item")
    assert TEXTS["MED.LINE.B"][2].startswith("Class B (乙) item")
    assert TEXTS["MED.LINE.C"][2].startswith("Class C (丙) or self-funded item")
    assert "目录类别 Catalogue: 甲类 Class A (甲)" in _inputs(STEP["inputs"])
    assert catalog_class("B", "zh-CN") == "乙类" and catalog_class(None, "en") == "—"
