"""PDFs of the claim: the materials receipt (材料签收单, CLM-A3) and the adjustment
report with the whole trace (理算报告, CLM-C3). The CJK font is embedded so the
Chinese renders on every reader's machine."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from claimdesk.models.claim import AdjustmentResult, Claim, Material
from claimdesk.products.coverage_types import MATERIALS
from claimdesk.rules.deadlines import to_local

FONT = "WQY"
FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


@lru_cache(maxsize=1)
def _register_font() -> str:
    pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))
    return FONT


class _Writer:
    def __init__(self, title: str) -> None:
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4)
        self.canvas.setTitle(title)
        self.y = A4[1] - 50
        self.font = _register_font()
        self.line(title, size=16)

    def line(self, text: str, size: int = 10, indent: int = 0) -> None:
        # Long lines wrap at a fixed number of characters (CJK glyphs are all one width).
        width = 90 - indent // 5
        chunks = [text[i : i + width] for i in range(0, len(text), width)] or [""]
        for chunk in chunks:
            if self.y < 50:
                self.canvas.showPage()
                self.y = A4[1] - 50
            self.canvas.setFont(self.font, size)
            self.canvas.drawString(40 + indent, self.y, chunk)
            self.y -= size + 6

    def done(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def materials_receipt(
    claim: Claim, materials: Sequence[Material], *, staff: str, customer: str
) -> bytes:
    doc = _Writer(f"材料签收单 Materials receipt — {claim.number}")
    doc.line(
        f"报案号 Claim: {claim.number}    出险日期 Date of loss: {claim.loss_date.isoformat()}"
    )
    doc.line("材料 Item / 份数 Count / 接收时间 Received / 原件核对 Original checked")
    for material in materials:
        if not material.received:
            continue
        zh, en = MATERIALS.get(material.code, (material.code, material.code))
        received = (
            to_local(material.received_at).strftime("%Y-%m-%d %H:%M")
            if material.received_at
            else "-"
        )
        checked = "是 yes" if material.original_checked_by_id else "否 no"
        doc.line(f"{zh} {en}   x{material.paper_count}   {received}   {checked}", indent=10)
    doc.line("")
    doc.line(f"交件人 Delivered by: {customer}        签字 Signature: ____________")
    doc.line(f"接收人 Received by: {staff}        签字 Signature: ____________")
    return doc.done()


def adjustment_report(claim: Claim, adjustments: Sequence[AdjustmentResult]) -> bytes:
    doc = _Writer(f"理算报告 Adjustment report — {claim.number}")
    doc.line(
        f"报案号 Claim: {claim.number}    出险日期 Date of loss: {claim.loss_date.isoformat()}"
    )
    for adjustment in adjustments:
        doc.line("")
        doc.line(
            f"保障 Coverage {adjustment.coverage_code} ({adjustment.coverage_type}) — "
            f"责任 Liability: {adjustment.liability}",
            size=12,
        )
        if adjustment.covered_items:
            doc.line(f"赔付项目 Covered items: {adjustment.covered_items}")
        if adjustment.liability == "not_covered":
            doc.line(f"拒赔条款 Clause: {adjustment.rejection_clause}")
            doc.line(f"证据 Evidence: {adjustment.rejection_evidence}")
        doc.line(f"既往赔付 History: {adjustment.history}")
        for index, step in enumerate(adjustment.trace, start=1):
            doc.line(
                f"{index}. [{step.get('clause')}] {step.get('zh')} / {step.get('en')}", indent=10
            )
            doc.line(f"输入 inputs: {step.get('inputs')}  → {step.get('figure')}", indent=20)
        doc.line(f"赔付金额 Payable: {adjustment.payable} 元", size=12)
        signed = to_local(adjustment.signed_at).strftime("%Y-%m-%d %H:%M")
        doc.line(f"理算员签字 Signed by: {adjustment.signed_by}  {signed}")
    doc.line("")
    doc.line(
        f"合计 Total payable: {claim.payable_total if claim.payable_total is not None else '-'} 元",
        size=12,
    )
    return doc.done()
