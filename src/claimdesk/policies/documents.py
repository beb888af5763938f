"""The contract document the policyholder receives (POL-1, standards 4.1.3–4.1.4): a PDF
with the CJK font embedded, so the Chinese shows on any reader, not only ours."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.formatting import local_date
from claimdesk.models.policy import Policy
from claimdesk.models.product import ProductVersion
from claimdesk.policies import repository, service
from claimdesk.policies.errors import FontUnavailable
from claimdesk.policies.schemas import PolicyOut
from claimdesk.products import coverage_types
from claimdesk.products import repository as products
from claimdesk.products.diseases import name_of

FONT_NAME = "WQY"
FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
_CHANNELS = {
    "direct": "直销",
    "agency": "代理",
    "bank": "银行",
    "securities": "证券",
    "internet": "互联网",
    "phone": "电话",
    "other": "其他",
}
_PARAM_LABELS = {
    "sum_insured": "保险金额",
    "deductible": "免赔额",
    "payout_ratio": "赔付比例",
    "payout_ratio_without_social_insurance": "未经社保结算赔付比例",
    "scope": "保障范围",
    "waiting_period_days": "等待期（天）",
    "limit": "每次事故赔偿限额",
    "deductible_rate": "免赔率",
    "valuation": "全损估价方式",
    "depreciation_rate": "年折旧率",
    "agreed_value": "约定价值",
    "proportional": "不足额投保比例赔付",
    "excluded_kinds": "除外项目",
}

_VALUE_LABELS = {
    "social_insurance_only": "仅限社保目录内甲类、乙类项目",
    "all_necessary": "合理且必要的医疗费用",
    "replacement": "重置价值",
    "depreciated": "折旧后价值",
    "agreed": "约定价值",
}


def _register_font() -> None:
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return
    if not FONT_PATH.exists():
        raise FontUnavailable(path=str(FONT_PATH))
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"¥{value:,.2f}"


def _param_text(key: str, value: Any) -> str:
    label = _PARAM_LABELS.get(key, key)
    if key in ("sum_insured", "deductible", "limit", "agreed_value"):
        return f"{label}：{_money(Decimal(str(value)))}"
    if key in (
        "payout_ratio",
        "payout_ratio_without_social_insurance",
        "deductible_rate",
        "depreciation_rate",
    ):
        return f"{label}：{Decimal(str(value)) * 100:.0f}%"
    if key == "severe":
        names = "、".join(name_of(c) or c for c in value)
        return f"保障重大疾病（{len(value)} 种）：{names}"
    if key == "mild":
        names = "、".join(name_of(c) or c for c in value["diseases"])
        return f"轻症（按重疾保额 {Decimal(str(value['percent'])) * 100:.0f}% 给付）：{names}"
    if key in ("scope", "valuation"):
        return f"{label}：{_VALUE_LABELS.get(str(value), value)}"
    if isinstance(value, bool):
        return f"{label}：{'是' if value else '否'}"
    if isinstance(value, list):
        return f"{label}：{'、'.join(str(v) for v in value) or '无'}"
    return f"{label}：{value}"


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT_NAME, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=1),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=18, spaceBefore=8),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=9, leading=13, textColor=colors.HexColor("#333333")
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _head_and_parties(
    policy: Policy, view: PolicyOut, version: ProductVersion, st: dict[str, ParagraphStyle]
) -> list[Any]:
    """The title, the policy number and part one: who the parties are."""
    base = st["base"]
    beneficiaries = (
        "法定受益人"
        if view.legal_heirs_as_beneficiaries
        else "；".join(f"{b.name}（{b.relationship}，{b.share}%）" for b in view.beneficiaries)
    )
    parties = [
        ["投保人", view.policyholder.name],
        ["被保险人", view.insured.name],
        ["受益人", beneficiaries],
        ["销售渠道", _CHANNELS.get(policy.channel, policy.channel)],
    ]
    return [
        _p(f"{version.product.name} 保险合同", st["title"]),
        _p(f"保险单号：{policy.number}", base),
        _p(
            f"产品：{version.product.code} 第 {version.version} 版　签发日期："
            f"{local_date(policy.issued_at, 'zh-CN')}",
            st["small"],
        ),
        Spacer(1, 4 * mm),
        _p("一、当事人", st["heading"]),
        _table([[_p(a, base), _p(b, base)] for a, b in parties], Table, TableStyle, colors),
    ]


def _cover_and_terms(
    policy: Policy, version: ProductVersion, st: dict[str, ParagraphStyle]
) -> list[Any]:
    """Parts two to six: period and premium, coverages, liabilities, exclusions, terms."""
    base, heading, small = st["base"], st["heading"], st["small"]
    story: list[Any] = [
        _p("二、保险期间与保险费", heading),
        _p(
            f"保险期间：自 {local_date(policy.period_start, 'zh-CN')} 零时起"
            f"至 {local_date(policy.period_end, 'zh-CN')} 二十四时止",
            base,
        ),
        _p(f"保险费：{_money(policy.premium)}　保险金额：{_money(version.sum_insured)}", base),
        _p("三、保障责任", heading),
    ]
    for coverage in version.coverages:
        label = coverage_types.TYPE_LABELS.get(coverage.type, (coverage.type, ""))[0]
        story.append(_p(f"{coverage.name}（{label}）", base))
        for key, value in coverage.parameters.items():
            story.append(_p("　· " + _param_text(key, value), small))
    story += [
        _p("四、保险责任", heading),
        _p(version.insured_liabilities or "", base),
        _p("五、责任免除", heading),
        _p(version.exclusions or "", base),
    ]
    if version.terms:
        rows = [[_p(term, base), _p(text, base)] for term, text in version.terms.items()]
        story += [_p("六、条款术语通俗解释", heading), _table(rows, Table, TableStyle, colors)]
    return story


def contract_pdf(session: Session, *, actor: Principal, policy_id: int) -> bytes:
    _register_font()
    policy = repository.get_policy(session, actor=actor, policy_id=policy_id)
    view = service.policy_out(session, policy=policy)
    version = products.get_version(session, version_id=policy.product_version_id)
    st = _styles()
    story = _head_and_parties(policy, view, version, st) + _cover_and_terms(policy, version, st)
    story += [
        Spacer(1, 6 * mm),
        _p(
            "本合同自保险期间开始时生效。合同成立满二年后，保险人不得以投保人未履行如实告知义务"
            "为由解除合同（《保险法》第十六条）。",
            st["small"],
        ),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"保险合同 {policy.number}",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    doc.build(story)
    record(
        session,
        actor=actor,
        action="policy.contract_render",
        entity_type="policy",
        entity_id=policy.id,
        details={"number": policy.number},
    )
    return buffer.getvalue()


def _table(rows: list[list[Any]], table_cls: Any, style_cls: Any, colors: Any) -> Any:
    table = table_cls(rows, colWidths=[90, 380])
    table.setStyle(
        style_cls(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
            ]
        )
    )
    return table
