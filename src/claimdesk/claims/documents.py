"""PDFs of the claim: the materials receipt (材料签收单, CLM-A3) and the adjustment
report with the whole trace (理算报告, CLM-C3). The CJK font is embedded so the
Chinese renders on every reader's machine."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from claimdesk.claims.trace_words import DATES, INPUT_LABELS, MONEY, RATIOS
from claimdesk.code_labels import catalog_class
from claimdesk.formatting import both_dates, both_times, money, name_in
from claimdesk.i18n import gettext
from claimdesk.models.claim import AdjustmentResult, Claim, Material
from claimdesk.models.product import Coverage
from claimdesk.products.coverage_types import MATERIALS
from claimdesk.rules.adjudication.trace import clause_words

FONT = "WQY"
FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


@lru_cache(maxsize=1)
def _register_font() -> str:
    pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))
    return FONT


def _style(size: int) -> ParagraphStyle:
    # CJK wrapping breaks between Chinese characters and keeps Latin words whole.
    return ParagraphStyle(
        name=f"claimdesk-{size}",
        fontName=_register_font(),
        fontSize=size,
        leading=size + 5,
        wordWrap="CJK",
    )


class _Writer:
    """A document written top to bottom: paragraphs wrapped at word boundaries (CJK
    wrapping, never mid-word) and tables, onto as many A4 pages as needed."""

    margin = 40

    def __init__(self, title: str) -> None:
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4)
        self.canvas.setTitle(title)
        self.y = A4[1] - 50
        self.font = _register_font()
        self.width = A4[0] - 2 * self.margin
        self.line(title, size=16)

    def _new_page(self) -> None:
        self.canvas.showPage()
        self.y = A4[1] - 50

    def _place(self, flowable: Any, indent: int = 0, gap: int = 4) -> None:
        width = self.width - indent
        _w, height = flowable.wrapOn(self.canvas, width, self.y - 50)
        if self.y - height < 50 and self.y < A4[1] - 50:
            self._new_page()
            _w, height = flowable.wrapOn(self.canvas, width, self.y - 50)
        if self.y - height < 50 and isinstance(flowable, Table):
            # Taller than a page: split it over several.
            for part in flowable.split(width, self.y - 50):
                self._place(part, indent, gap)
            return
        flowable.drawOn(self.canvas, self.margin + indent, self.y - height)
        self.y -= height + gap

    def line(self, text: str, size: int = 10, indent: int = 0) -> None:
        self._place(
            Paragraph(escape(text).replace("\n", "<br/>") or "&nbsp;", _style(size)), indent
        )

    def table(
        self, rows: Sequence[Sequence[str]], widths: Sequence[float], indent: int = 0
    ) -> None:
        """A table whose first row is its header; each cell wraps inside its column."""
        style = _style(9)
        cells = [
            [Paragraph(escape(str(cell)).replace("\n", "<br/>"), style) for cell in row]
            for row in rows
        ]
        table = Table(cells, colWidths=[w * (self.width - indent) for w in widths], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        self._place(table, indent, gap=8)

    def done(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def materials_receipt(
    claim: Claim, materials: Sequence[Material], *, staff: str, customer: str
) -> bytes:
    doc = _Writer(f"材料签收单 Materials receipt — {claim.number}")
    doc.line(
        f"报案号 Claim: {claim.number}    出险日期 Date of loss: {both_dates(claim.loss_date)}"
    )
    doc.line("材料 Item / 份数 Count / 接收时间 Received / 原件核对 Original checked")
    for material in materials:
        if not material.received:
            continue
        zh, en = MATERIALS.get(material.code, (material.code, material.code))
        received = both_times(material.received_at) if material.received_at else "-"
        checked = "是 yes" if material.original_checked_by_id else "否 no"
        doc.line(f"{zh} {en}   x{material.paper_count}   {received}   {checked}", indent=10)
    doc.line("")
    doc.line(f"交件人 Delivered by: {customer}        签字 Signature: ____________")
    doc.line(f"接收人 Received by: {staff}        签字 Signature: ____________")
    return doc.done()


def _both(msgid: str) -> str:
    """A label in both languages of the report: '赔付比例 Payout ratio'."""
    zh = gettext(msgid, "zh-CN")
    return msgid if zh == msgid else f"{zh} {msgid}"


def _figure(name: str, value: object) -> str:
    text = str(value)
    if text in ("", "None"):
        return "—"
    if name in MONEY:
        return money(text)
    if name in RATIOS:
        try:
            return f"{(Decimal(text) * 100).normalize():f}%"
        except InvalidOperation:
            return text
    if name in DATES or _ISO_DATE.match(text):
        # A day the calculation checked (date of loss, the policy's start and end).
        return both_dates(text)
    if name == "line" and text.isdigit():
        return str(int(text) + 1)
    if name == "catalog":
        # The class in both languages, as the pages name it: '甲类 Class A (甲)'.
        zh, en = catalog_class(text, "zh-CN"), catalog_class(text, "en")
        return zh if zh == en else f"{zh} {en}"
    return {"True": "是 yes", "False": "否 no"}.get(text, text)


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).normalize():f}%"


def _deductible(adjustment: AdjustmentResult) -> str:
    """The deductible as the decision states it (CLM-C1): the amount, and the rate when
    the coverage has one (property, liability)."""
    text = f"免赔额 Deductible: {money(adjustment.deductible) if adjustment.deductible is not None else '—'}"
    if adjustment.deductible_rate:
        text += f"    免赔率 Deductible rate: {_percent(adjustment.deductible_rate)}"
    return text


def _inputs(inputs: object) -> str:
    """The figures a step used, one per line: 'Net expense: ¥12,000.00'."""
    if not isinstance(inputs, dict):
        return str(inputs or "")
    return "\n".join(
        f"{_both(INPUT_LABELS.get(str(name), str(name)))}: {_figure(str(name), value)}"
        for name, value in inputs.items()
        if name != "of" and str(value) != ""
    )


_HISTORY = (
    ("paid", "Already paid"),
    ("deductible_used", "Deductible used this year"),
    ("disability_paid", "Disability already paid"),
    ("severe_paid", "Severe benefit already paid"),
    ("mild_paid_count", "Mild benefits paid"),
)


def _coverage_words(code: str, coverages: Mapping[str, Coverage]) -> str:
    """A coverage as its product names it, in both languages when it has an English name:
    '一般医疗保险金 General medical benefit'; a code the product does not know as it is."""
    coverage = coverages.get(code)
    if coverage is None:
        return code
    return f"{coverage.name} {coverage.name_en}" if coverage.name_en else coverage.name


def _items_words(adjustment: AdjustmentResult, coverages: Mapping[str, Coverage]) -> str:
    """The covered items of a signed decision in both languages, from their codes (as the
    decision notice names a coverage, GEN-6): '一般医疗保险金、住院津贴 / General medical
    benefit, Hospital cash' — an item without an English name in Chinese on both sides.
    A decision stored before the codes keeps its Chinese words."""
    codes = adjustment.covered_item_codes
    if not codes:
        return adjustment.covered_items or ""

    def named(code: str, language: str) -> str:
        coverage = coverages.get(code)
        return name_in(coverage, language) if coverage is not None else code

    chinese = "、".join(named(code, "zh-CN") for code in codes)
    english = ", ".join(named(code, "en") for code in codes)
    return chinese if chinese == english else f"{chinese} / {english}"


def adjustment_report(
    claim: Claim,
    adjustments: Sequence[AdjustmentResult],
    *,
    names: dict[int, str] | None = None,
    coverages: Mapping[str, Coverage] | None = None,
) -> bytes:
    """The adjustment report (理算报告, CLM-C3): each coverage's decision and every step of
    its calculation as a table — rule, the figures used, the result, the policy clause
    or article of law — signed with the adjuster's name. Only once an adjustment exists.
    ``coverages``: the policy's coverages by code, which name the coverage and the
    covered items (a liability the claim did not claim under included)."""
    names = names or {}
    coverages = coverages or {}
    doc = _Writer(f"理算报告 Adjustment report — {claim.number}")
    doc.line(
        f"报案号 Claim: {claim.number}    出险日期 Date of loss: {both_dates(claim.loss_date)}"
    )
    for adjustment in adjustments:
        doc.line("")
        covered = adjustment.liability == "covered"
        doc.line(
            f"保障 Coverage: {_coverage_words(adjustment.coverage_code, coverages)} — "
            "责任认定 Liability: "
            + ("属于保险责任 covered" if covered else "不属于保险责任 not covered"),
            size=12,
        )
        items = _items_words(adjustment, coverages)
        if items:
            doc.line(f"赔付项目 Covered items: {items}")
        if covered:
            # CLM-C1: the ratio and deductible the calculation applied, as stated.
            doc.line(f"赔付比例 Ratio: {_percent(adjustment.ratio)}    {_deductible(adjustment)}")
        if not covered:
            if adjustment.rejection_reason:
                doc.line(f"理由 Reason: {adjustment.rejection_reason}")
            doc.line(f"拒赔条款 Clause: {adjustment.rejection_clause or '—'}")
            doc.line(f"证据 Evidence: {adjustment.rejection_evidence or '—'}")
        history = adjustment.history or {}
        shown = [
            (_both(msgid), _figure(key, history[key]))
            for key, msgid in _HISTORY
            if key in history and str(history[key]) not in ("", "None", "0", "False")
        ]
        if shown:
            doc.line("既往赔付 Earlier payments: " + "；".join(f"{k} {v}" for k, v in shown))
        rows = _trace_rows(adjustment.trace)
        if len(rows) > 1:
            doc.table(rows, widths=(0.07, 0.33, 0.27, 0.13, 0.2))
        doc.line(f"赔付金额 Payable: {money(adjustment.payable)}", size=12)
        signer = names.get(adjustment.signed_by_id or 0) or adjustment.signed_by
        doc.line(f"理算员签字 Signed by: {signer}  {both_times(adjustment.signed_at)}")
    doc.line("")
    total = claim.payable_total
    if total is None:
        total = sum((a.payable or Decimal("0") for a in adjustments), Decimal("0"))
    doc.line(f"合计 Total payable: {money(total)}", size=12)
    return doc.done()


def _trace_rows(trace: Sequence[dict[str, Any]]) -> list[list[str]]:
    """The calculation's table: its header, then each step — rule, the figures used, the
    result, the clause of the terms or article of law — in both languages."""
    rows = [["步骤 Step", "规则 Rule", "所用数据 Figures used", "结果 Result", "依据 Clause"]]
    for index, step in enumerate(trace, start=1):
        clause = str(step.get("clause") or "")
        figure = step.get("figure")
        rows.append(
            [
                str(index),
                f"{step.get('zh') or ''}\n{step.get('en') or ''}".strip(),
                _inputs(step.get("inputs")),
                _figure("amount" if _is_amount(figure) else "", figure),
                f"{clause_words(clause, 'zh-CN')}\n{clause_words(clause, 'en')}".strip(),
            ]
        )
    return rows


def _is_amount(value: object) -> bool:
    try:
        Decimal(str(value))
    except InvalidOperation:
        return False
    return True
