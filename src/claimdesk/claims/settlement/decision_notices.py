"""The decision notice (理赔决定通知书): how the amount was worked out, told to the
customer in plain words on the portal, as a PDF and through the outbox (CLM-C3, CLM-P2,
CLM-V3, CLM-P5).

Two kinds, one mechanism:
- "payment": every instructed indemnity payment (a reviewer's approval or the automatic
  path, CLM-T2 — both request it through ``payments.service.request_payment``) issues
  the settlement notice with the payment notice: what was claimed, each part not paid
  and why, what others paid, the deductible, the ratio, the amount, the payment (amount,
  expected arrival, masked account) and how to object (``issue_for_payment``);
- "decided": an approval that leaves nothing to pay (below).

A decision below the deductible (payable 0.00), or a reopened claim whose new decision
adds nothing to everything already paid on it, must not wait for a payment that can
never be made. At approval such a claim moves approved → decided (nothing to pay) with
a written decision notice (理赔决定通知书: the calculation — claimed, removed,
deductible, ratio, payable, already paid — and how to object), sent through the
outbox, and a callback (CLM-X2) with its 3-working-day clock; closing follows. A new
decision lower than what was paid opens a recovery of the difference (the customer
owes it back). Callers hold the claim's row lock; services flush only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import notify, timeutil, workflow
from claimdesk.claims.documents import _Writer
from claimdesk.claims.errors import IllegalTransition, TransitionGuardFailed
from claimdesk.claims.settlement import repository
from claimdesk.claims.settlement.adjustment import current_adjustments
from claimdesk.claims.settlement.repository import rounds_of
from claimdesk.claims.settlement.reserves import claim_coverages
from claimdesk.clocks import service as clocks
from claimdesk.jobs.queue import enqueue
from claimdesk.models.claim import AssessmentItem, Claim
from claimdesk.models.payment import Callback, Payment, Recovery
from claimdesk.models.policy import Policy
from claimdesk.models.review import DecisionNotice, ReviewRound
from claimdesk.payments import plan as pay_plan
from claimdesk.rules.deadlines import local_date
from claimdesk.rules.identity import mask_account

# CLM-V3: how to contest a decision, in every decision and rejection notice.
APPEAL_ROUTE_ZH = (
    "如对本决定有异议，您可以：(1) 向本公司申请复核，或向保险行业协会、银行保险监督管理机构申请调解；"
    "(2) 依保险合同约定的仲裁条款向仲裁机构申请仲裁；(3) 向有管辖权的人民法院提起诉讼。"
)
APPEAL_ROUTE_EN = (
    "If you disagree you may: (1) ask us for a re-review, or seek mediation by the insurance "
    "association or the banking and insurance regulator; (2) apply for arbitration under the "
    "contract's arbitration clause; (3) sue in the competent people's court."
)

ZERO = Decimal("0.00")
RECOVERY_KIND = "overpayment"
RECOVERY_REASON = "重开后核定金额低于已付金额 / reopened decision lower than paid"


def _d(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return ZERO


def yuan(amount: Decimal | str | None) -> str:
    """An amount as people read it: ¥9,000.00 (thousands separated, two places)."""
    if amount is None or amount == "":
        return "-"
    return f"¥{_d(amount):,.2f}"


def percent(ratio: Decimal | str | None) -> str:
    if ratio is None or ratio == "":
        return "-"
    return f"{(_d(ratio) * 100).normalize():f}%"


# Why part of an expense line is not paid (ADJ-MED step 1), in plain words.
_LINE_REASONS = {
    "MED.LINE.EXCLUDED": (
        "属于保单除外的项目类别（如美容、非必要检查）",
        "an item category the policy excludes (e.g. cosmetic, unnecessary examinations)",
    ),
    "MED.LINE.C": (
        "丙类或自费项目，不在保单保障的医保目录范围内",
        "a Class C (丙) or self-funded item, outside the policy's scope",
    ),
    "MED.LINE.B": (
        "乙类项目中由您自付的部分（自付比例 {ratio}）",
        "your own share of a Class B (乙) item (self-pay {ratio})",
    ),
}


def _removals(items: list[AssessmentItem], trace: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Each part of the claimed expenses not paid, with its reason (CLM-L3, ADJ-MED 1)."""
    out: list[dict[str, str]] = []
    kept = [i for i in items if i.item_type == "expense_line" and not i.removed]
    for item in items:
        if item.item_type == "expense_line" and item.removed:
            out.append(
                {
                    "what": item.description,
                    "amount": str(item.amount or ZERO),
                    "why_zh": f"审核剔除：{item.removal_reason or '-'}",
                    "why_en": f"removed at assessment: {item.removal_reason or '-'}",
                }
            )
    for step in trace:
        code = str(step.get("code", ""))
        if code not in _LINE_REASONS:
            continue
        inputs = step.get("inputs") or {}
        index = int(_d(inputs.get("line", -1)))
        amount = _d(inputs.get("amount", "0"))
        not_paid = amount - _d(step.get("figure", "0"))
        if not_paid <= 0:
            continue
        zh, en = _LINE_REASONS[code]
        ratio = percent(inputs.get("self_pay_ratio"))
        out.append(
            {
                "what": kept[index].description if 0 <= index < len(kept) else "-",
                "amount": str(not_paid.quantize(Decimal("0.01"))),
                "why_zh": zh.format(ratio=ratio),
                "why_en": en.format(ratio=ratio),
            }
        )
    return out


def _step(trace: list[dict[str, Any]], code: str) -> dict[str, Any] | None:
    return next((s for s in trace if s.get("code") == code), None)


_MEDICAL = ("medical", "accident_medical")


def _coverage_row(
    adjustment: Any, items: list[AssessmentItem], name: str, name_en: str | None = None
) -> dict[str, Any]:
    trace = list(adjustment.trace or [])
    lines = [i for i in items if i.item_type == "expense_line"]
    claimed = sum((i.amount or ZERO for i in lines), ZERO)
    removed = sum((i.amount or ZERO for i in lines if i.removed), ZERO)
    removals = _removals(items, trace)
    net = _step(trace, "MED.NET")
    other_paid = (
        _d(net["inputs"].get("social_insurance_paid", "0"))
        + _d(net["inputs"].get("other_compensation", "0"))
        if net
        else ZERO
    )
    ratio_step = _step(trace, "MED.RATIO")
    ratio = (
        _d(ratio_step["inputs"].get("payout_ratio"))
        if ratio_step
        else (
            adjustment.ratio
            if adjustment.coverage_type in ("medical", "accident_medical")
            else None
        )
    )
    cap = _step(trace, "MED.CAP")
    capped = bool(cap and ratio_step and _d(cap["figure"]) < _d(ratio_step["figure"]))
    # Other coverage types: the calculation's own steps, in words (CLM-C3).
    steps = [
        {"zh": str(s.get("zh", "")), "en": str(s.get("en", "")), "figure": str(s.get("figure", ""))}
        for s in trace
        if not str(s.get("code", "")).startswith(("MED.", "CLM-L3", "ROUND"))
        and not str(s.get("code", "")).endswith((".PERIOD", ".NO_POLICY", ".WAITING"))
    ]
    return {
        "coverage_code": adjustment.coverage_code,
        "coverage_name": name,
        # Stored beside the Chinese name, so that what is read in English later names
        # the coverage as it was named at issue (coverage_name_in; the PDF stays as it was).
        "coverage_name_en": name_en,
        "coverage_type": adjustment.coverage_type,
        "liability": adjustment.liability,
        "not_covered_clause": adjustment.rejection_clause,
        "claimed": str(claimed),
        "removed": str(removed),
        "removals": removals,
        "not_paid": str(sum((_d(r["amount"]) for r in removals), ZERO)),
        "other_paid": str(other_paid),
        "medical": adjustment.coverage_type in _MEDICAL,
        **_terms_applied(adjustment, trace, ratio),
        "capped": capped,
        "steps": steps,
        "payable": str(adjustment.payable),
    }


def _terms_applied(adjustment: Any, trace: list[dict[str, Any]], ratio: Any) -> dict[str, Any]:
    """The ratio and deductibles the calculation applied, as the notice states them
    (CLM-C1, CLM-C3). Medical lines: the deductible, then the payout ratio. Property and
    liability: the figures of their formula step (loss × liability ratio × (1 − deductible
    rate) − deductible), which the customer otherwise saw as "—"."""
    if adjustment.coverage_type in _MEDICAL:
        return {
            "deductible": None if adjustment.deductible is None else str(adjustment.deductible),
            "deductible_rate": None,
            "ratio": None if ratio is None else str(_d(ratio).normalize()),
        }
    formula = next((s for s in trace if str(s.get("code", "")).endswith(".FORMULA")), None)
    if formula is None:  # not covered, or outside the period: no formula ran
        return {"deductible": None, "deductible_rate": None, "ratio": None}
    inputs = formula.get("inputs", {})
    rate = _d(inputs.get("deductible_rate", "0"))
    return {
        "deductible": str(_d(inputs.get("deductible", "0"))),
        "deductible_rate": str(rate.normalize()) if rate > 0 else None,
        "ratio": str(_d(inputs.get("liability_ratio", "1")).normalize()),
    }


def calculation(session: Session, claim: Claim) -> list[dict[str, Any]]:
    """Per coverage: what was claimed, each part removed and why, what others paid, the
    deductible applied, the ratio, the payable (the current adjustments, CLM-C3)."""
    coverages = claim_coverages(session, claim)
    rows: list[dict[str, Any]] = []
    for code, adjustment in sorted(current_adjustments(session, claim.id).items()):
        items = sorted(
            repository.assessment_items(session, assessment_id=adjustment.assessment_id),
            key=lambda i: i.position,
        )
        coverage = coverages.get(code)
        rows.append(
            _coverage_row(
                adjustment,
                items,
                coverage.name if coverage else code,
                coverage.name_en if coverage else None,
            )
        )
    return rows


def coverage_name_in(
    row: dict[str, Any], language: str, current: dict[str, str] | None = None
) -> str:
    """A notice row's coverage named in ``language`` (GEN-6): the names stored at issue
    (``coverage_name``, ``coverage_name_en``) through formatting.name_in; a row stored
    without an English name (issued before the product had one, or before rows kept it)
    reads the coverage's name now (``current``: reserves.coverage_names in the same
    language) for an English reader — the English name is a translation, not part of
    the decision —, else its stored Chinese name, else its code. The PDF never changes."""
    code = str(row.get("coverage_code") or "")
    if not row.get("coverage_name_en") and not language.lower().startswith("zh"):
        found = (current or {}).get(code)
        if found:
            return found
    return formatting.name_in(
        {"name": row.get("coverage_name") or code, "name_en": row.get("coverage_name_en")},
        language,
    )


def conclude(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    review: ReviewRound,
    payable: Decimal,
    already_paid: Decimal,
    at: dt.datetime,
) -> DecisionNotice:
    """approved → decided: the notice, a recovery if the decision is lower, a callback."""
    difference = payable - already_paid
    rows = calculation(session, claim)
    recovery = None
    if difference < 0:
        recovery = _open_recovery(session, actor=actor, claim=claim, amount=-difference, at=at)
    pdf = notice_pdf(
        claim,
        rows=rows,
        payable=payable,
        already_paid=already_paid,
        decided_at=at,
        appeal_zh=APPEAL_ROUTE_ZH,
        appeal_en=APPEAL_ROUTE_EN,
        policy_number=_policy_number(session, claim),
    )
    notice = DecisionNotice(
        claim_id=claim.id,
        kind="decided",
        round_id=review.id,
        payable=payable,
        already_paid=already_paid,
        difference=difference,
        calculation={"coverages": rows},
        recovery_id=None if recovery is None else recovery.id,
        issued_at=at,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    session.add(notice)
    session.flush()
    workflow.transition_by_service(
        session,
        claim=claim,
        action="conclude_without_payment",
        actor=actor,
        at=at,
        details={
            "round": review.round,
            "notice_id": notice.id,
            "payable": str(payable),
            "already_paid": str(already_paid),
            "difference": str(difference),
            "recovery_id": notice.recovery_id,
            "pdf_sha256": notice.sha256,
        },
    )
    notice.outbox_message_id = notify.send_to_customer(
        session,
        claim=claim,
        template="claim.decision_notice",
        body=_message_body(claim, rows, payable, already_paid),
        key=f"decision_notice:{notice.id}",
    )
    _open_callback(session, actor=actor, claim=claim, notice=notice, at=at)
    return notice


def open_recovery(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    amount: Decimal,
    at: dt.datetime,
    note: str = RECOVERY_REASON,
) -> Recovery:
    """CLM-P5: money paid above a later decision is owed back (the reopened claim's
    lower decision, or a quality-sample correction, CLM-T3)."""
    return _open_recovery(session, actor=actor, claim=claim, amount=amount, at=at, note=note)


def _open_recovery(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    amount: Decimal,
    at: dt.datetime,
    note: str = RECOVERY_REASON,
) -> Recovery:
    recovery = Recovery(
        claim_id=claim.id,
        kind=RECOVERY_KIND,
        amount=amount,
        counterparty=claim.claimant_name,
        received_on=local_date(at),
        note=note,
        recorded_by_id=actor.user_id,
        recorded_at=at,
    )
    session.add(recovery)
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.recovery_opened",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        reason=note,
        details={"recovery_id": recovery.id, "kind": RECOVERY_KIND, "amount": str(amount)},
    )
    return recovery


def _open_callback(
    session: Session, *, actor: Principal, claim: Claim, notice: DecisionNotice, at: dt.datetime
) -> None:
    """CLM-X2: the decision is explained by a callback within 3 working days."""
    definition = workflow.CLOCKS["claim.callback"]
    clock = clocks.start_clock(
        session,
        subject_type="claim_callback",
        subject_id=f"{claim.id}:decided:{notice.id}",
        name="claim.callback",
        rule=definition.rule,
        started_at=at,
        basis=definition.basis,
        org_unit_id=claim.org_unit_id,
        actor=actor,
    )
    session.add(
        Callback(
            claim_id=claim.id,
            kind="decided",
            source_id=notice.id,
            created_at=at,
            clock_id=clock.id,
            status="open",
        )
    )
    session.flush()


def _message_body(
    claim: Claim,
    rows: list[dict[str, Any]],
    payable: Decimal,
    already_paid: Decimal,
) -> notify.Words:
    """The decision notice's message (CLM-V3) in the customer's language: the amount,
    each coverage's calculation, what was paid before, how to object, and where the
    notice is. Coverage names are the product's own."""

    def words(language: str) -> str:
        zh = language.lower().startswith("zh")
        parts = [
            notify.render(
                "notice.decision.coverage",
                {
                    "coverage": coverage_name_in(r, language),
                    "claimed": _d(r["claimed"]),
                    "not_paid": _d(r.get("not_paid", r["removed"])),
                    "deductible": _d(r["deductible"]),
                    "ratio": percent(r["ratio"]),
                    "payable": _d(r["payable"]),
                },
                language,
            )
            for r in rows
        ]
        owed = already_paid - payable
        paid = (
            notify.render("notice.decision.owed", {"paid": already_paid, "owed": owed}, language)
            if owed > 0
            else (
                notify.render("notice.decision.paid", {"paid": already_paid}, language)
                if already_paid > 0
                else ""
            )
        )
        return notify.render(
            "notice.decision",
            {
                "number": claim.number,
                "payable": payable,
                "parts": ("；" if zh else "; ").join(parts),
                "paid": paid,
                "appeal": APPEAL_ROUTE_ZH if zh else APPEAL_ROUTE_EN,
                "path": NOTICE_PATH.format(claim_id=claim.id),
            },
            language,
        )

    return words


class _NoticeWriter(_Writer):
    """Lines wrapped by their printed width (CJK glyphs are twice as wide as Latin ones),
    English at word boundaries, so no word is cut in the middle."""

    right = A4[0] - 40

    def line(self, text: str, size: int = 10, indent: int = 0) -> None:
        room = self.right - (40 + indent)
        for chunk in _wrap(text, self.font, size, room):
            if self.y < 50:
                self.canvas.showPage()
                self.y = A4[1] - 50
            self.canvas.setFont(self.font, size)
            self.canvas.drawString(40 + indent, self.y, chunk)
            self.y -= size + 6


def _wrap(text: str, font: str, size: int, room: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for token in re.findall(r"[A-Za-z0-9¥$,.:;()'’/%*\-]+\s*|\s+|.", text):
        candidate = current + token
        if current and stringWidth(candidate.rstrip(), font, size) > room:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current = candidate
    lines.append(current.rstrip())
    return lines or [""]


def notice_pdf(
    claim: Claim,
    *,
    rows: list[dict[str, Any]],
    payable: Decimal,
    already_paid: Decimal,
    decided_at: dt.datetime,
    appeal_zh: str,
    appeal_en: str,
    policy_number: str | None = None,
    payment: dict[str, str] | None = None,
) -> bytes:
    """The notice as a PDF, Chinese with English, the CJK font embedded (CLM-C3)."""
    doc = _NoticeWriter(f"理赔决定通知书 Settlement notice — {claim.number}")
    doc.line(f"报案号 Claim: {claim.number}")
    if policy_number:
        doc.line(f"保单号 Policy: {policy_number}")
    doc.line(f"申请人 Claimant: {claim.claimant_name}")
    doc.line(f"核定日期 Decided: {formatting.both_times(decided_at)}")
    doc.line("")
    for zh, en in summary_sentences(
        rows, payable=payable, already_paid=already_paid, payment=payment
    ):
        doc.line(zh, size=11)
        doc.line(en, size=11)
    doc.line("")
    doc.line("一、计算过程 How the amount was worked out", size=12)
    for r in rows:
        doc.line(f"{r.get('coverage_name') or r['coverage_code']}", size=11, indent=10)
        doc.line(f"申请金额 Claimed: {yuan(r['claimed'])}", indent=20)
        for removal in r.get("removals", []):
            doc.line(
                f"未赔付 Not paid: {yuan(removal['amount'])} — {removal['what']}：{removal['why_zh']}",
                indent=20,
            )
            doc.line(f"({removal['why_en']})", indent=40)
        if _d(r.get("other_paid", "0")) > 0:
            doc.line(
                f"社保及其他已支付 Already paid by social insurance or others: "
                f"{yuan(r['other_paid'])}",
                indent=20,
            )
        doc.line(f"免赔额 Deductible: {yuan(r['deductible'])}", indent=20)
        if r.get("deductible_rate"):
            doc.line(f"免赔率 Deductible rate: {percent(r['deductible_rate'])}", indent=20)
        doc.line(f"赔付比例 Ratio: {percent(r['ratio'])}", indent=20)
        if r.get("capped"):
            doc.line("以剩余保险金额为限 Limited to the sum insured left this year", indent=20)
        for step in r.get("steps", []):
            doc.line(f"{step['zh']} / {step['en']}: {step['figure']}", indent=20)
        if r.get("liability") == "not_covered":
            doc.line(f"不予赔付依据 Clause: {r.get('not_covered_clause') or '-'}", indent=20)
        doc.line(f"核定金额 Payable: {yuan(r['payable'])}", indent=20)
    doc.line(f"核定赔付合计 Total payable: {yuan(payable)}", size=11, indent=10)
    if already_paid > 0:
        doc.line(f"此前已支付 Paid before: {yuan(already_paid)}", indent=10)
    if already_paid > payable:
        doc.line(
            f"多付金额 Overpaid, to be returned: {yuan(already_paid - payable)} "
            "（重开后核定金额低于已付金额 reopened decision lower than paid）",
            indent=10,
        )
    if payment is not None:
        doc.line("二、支付 Payment", size=12)
        doc.line(f"支付金额 Amount: {yuan(payment['amount'])}", indent=10)
        doc.line(f"收款人 Payee: {payment['payee']}", indent=10)
        doc.line(f"收款账户 Account: {payment['account']}", indent=10)
        arrival = payment["expected_arrival"]
        doc.line(
            f"预计到账 Expected arrival: {formatting.both_dates(arrival)}",
            indent=10,
        )
    doc.line(("三、" if payment is not None else "二、") + "异议途径 How to object", size=12)
    doc.line(appeal_zh, indent=10)
    doc.line(appeal_en, indent=10)
    return doc.done()


def summary_sentences(
    rows: list[dict[str, Any]],
    *,
    payable: Decimal,
    already_paid: Decimal,
    payment: dict[str, str] | None,
) -> list[tuple[str, str]]:
    """The decision in a few plain sentences (zh-CN, English) — the page says the same."""
    claimed = sum((_d(r["claimed"]) for r in rows), ZERO)
    not_paid = sum((_d(r.get("not_paid", r.get("removed", "0"))) for r in rows), ZERO)
    # The sentence words the medical formula (deductible first, then the ratio); property
    # and liability apply theirs the other way round and their rows state it.
    medical = [r for r in rows if r.get("medical", True)]
    deductible = sum((_d(r["deductible"]) for r in medical if r.get("deductible")), ZERO)
    ratios = sorted({percent(r["ratio"]) for r in medical if r.get("ratio")})
    out: list[tuple[str, str]] = []
    if claimed > 0 and not_paid == 0:
        out.append(
            (
                f"您申请的费用共 {yuan(claimed)}，均在保障范围内。",
                f"You claimed {yuan(claimed)}; all of it is covered.",
            )
        )
    elif claimed > 0:
        out.append(
            (
                f"您申请的费用共 {yuan(claimed)}，其中 {yuan(not_paid)} 不在保障范围内（原因见下）。",
                f"You claimed {yuan(claimed)}; {yuan(not_paid)} of it is not covered "
                "(the reasons are below).",
            )
        )
    if deductible > 0 or ratios:
        out.append(
            (
                f"扣除免赔额 {yuan(deductible)} 后，按 {'、'.join(ratios) or '-'} 的比例赔付。",
                f"After the deductible of {yuan(deductible)}, {', '.join(ratios) or '-'} "
                "of the rest is paid.",
            )
        )
    if payment is not None:
        # The date as people write it (2026年12月20日 / 20 Dec 2026), not ISO.
        arrival = payment["expected_arrival"]
        out.append(
            (
                f"核定赔付 {yuan(payable)}，本次支付 {yuan(payment['amount'])}，"
                f"汇入账户 {payment['account']}，"
                f"预计 {formatting.local_date(arrival, 'zh-CN')} 前到账。",
                f"The amount payable is {yuan(payable)}; {yuan(payment['amount'])} is paid "
                f"to account {payment['account']} and should arrive by "
                f"{formatting.local_date(arrival, 'en')}.",
            )
        )
    else:
        out.append(
            (
                f"核定赔付 {yuan(payable)}，本次无需支付。",
                f"The amount payable is {yuan(payable)}; nothing is to be paid now.",
            )
        )
    return out


def _policy_number(session: Session, claim: Claim) -> str | None:
    policy = session.get(Policy, claim.policy_id)
    return policy.number if policy is not None else None


def issue_for_payment(
    session: Session, *, actor: Principal, claim: Claim, payment: Payment
) -> DecisionNotice:
    """The settlement notice of an instructed indemnity payment (CLM-C3, CLM-P2): stored
    and sent through the outbox with the payment notice, once per payment; its PDF is
    rendered by the ``PDF_TASK`` job queued here (or on first read, ``ensure_pdf``).
    Called by ``payments.service.request_payment`` — so the reviewer's approval and the
    automatic path (CLM-T2) both send it."""
    existing = repository.notice_of_payment(session, payment_id=payment.id)
    if existing is not None:
        return existing
    rows = calculation(session, claim)
    payable = sum((_d(r["payable"]) for r in rows), ZERO)
    already_paid = payable - payment.amount if payable >= payment.amount else ZERO
    details = {
        "amount": str(payment.amount),
        "payee": payment.payee_name,
        "account": mask_account(payment.account_last4),
        "expected_arrival": payment.expected_arrival.isoformat()
        if payment.expected_arrival
        else "-",
    }
    at = payment.created_at
    approved = [r for r in rounds_of(session, claim_id=claim.id) if r.status == "approved"]
    round_id = approved[-1].id if approved else None
    taken = repository.notice_id_of_round(session, round_id=round_id)
    notice = DecisionNotice(
        claim_id=claim.id,
        kind="payment",
        # An automatic decision has no round; a round already explained keeps its notice.
        round_id=None if taken is not None else round_id,
        payment_id=payment.id,
        payable=payable,
        already_paid=already_paid,
        difference=payment.amount,
        calculation={"coverages": rows, "payment": details},
        issued_at=at,
        # Rendered by the PDF job queued below (or on first read), not on the payment's
        # critical path (issue 13, CLM-T2): ReportLab costs ~150 ms of a worker's CPU.
        pdf=b"",
        sha256="",
    )
    session.add(notice)
    session.flush()
    enqueue(
        session,
        kind=PDF_TASK,
        payload={"notice_id": notice.id},
        dedupe_key=f"{PDF_TASK}:{notice.id}",
    )
    sentences = summary_sentences(rows, payable=payable, already_paid=already_paid, payment=details)
    notice.outbox_message_id = notify.send_to_customer(
        session,
        claim=claim,
        template="claim.settlement_notice",
        body=lambda language: notify.render(
            "notice.settlement",
            {
                "number": claim.number,
                "summary": (
                    "".join(zh for zh, _en in sentences)
                    if language.lower().startswith("zh")
                    else " ".join(en for _zh, en in sentences)
                ),
                "path": NOTICE_PATH.format(claim_id=claim.id),
            },
            language,
        ),
        key=f"settlement_notice:{payment.id}",
    )
    record(
        session,
        actor=actor,
        action="claim.settlement_notice_issued",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={
            "notice_id": notice.id,
            "payment_id": payment.id,
            "payable": str(payable),
            "amount": str(payment.amount),
            "pdf": "queued",
        },
    )
    return notice


# The job that renders a settlement notice's PDF after the payment committed.
PDF_TASK = "claims.settlement_notice_pdf"


def ensure_pdf(session: Session, notice: DecisionNotice, *, actor: Principal) -> bytes:
    """The notice's PDF, rendered now if the job has not yet done it (nobody reading a
    notice gets a 404 or an empty file). The row is locked first, so the job and a
    reader racing it render once; the sha256 is stored and audited with the bytes."""
    if notice.pdf:
        return notice.pdf
    locked = repository.notice_for_update(session, notice_id=notice.id)
    if locked.pdf:
        return locked.pdf
    claim = session.get_one(Claim, locked.claim_id)
    pdf = notice_pdf(
        claim,
        rows=list(locked.calculation.get("coverages", [])),
        payable=locked.payable,
        already_paid=locked.already_paid,
        decided_at=locked.issued_at,
        appeal_zh=APPEAL_ROUTE_ZH,
        appeal_en=APPEAL_ROUTE_EN,
        policy_number=_policy_number(session, claim),
        payment=locked.calculation.get("payment"),
    )
    locked.pdf = pdf
    locked.sha256 = hashlib.sha256(pdf).hexdigest()
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.settlement_notice_rendered",
        entity_type="claim",
        entity_id=claim.id,
        details={"notice_id": locked.id, "pdf_sha256": locked.sha256},
    )
    return pdf


# Where the customer reads the notice (the portal page; the PDF beside it).
NOTICE_PATH = "/portal/claims/{claim_id}/notice"


def notice_of(session: Session, claim_id: int) -> DecisionNotice | None:
    """The claim's latest decision notice (settlement notice of a payment, or a decision
    with nothing to pay), or None."""
    return repository.latest_of_claim(session, model=DecisionNotice, claim_id=claim_id)


def conclude_approved(session: Session, *, actor: Principal, claim: Claim) -> DecisionNotice:
    """The way out for a claim approved before this rule (or by any other path) whose
    decision leaves nothing to pay: it was stuck between approval and payment."""
    if claim.state != workflow.APPROVED:
        raise IllegalTransition(state=claim.state, action="conclude_without_payment")
    plan = pay_plan.indemnity_plan(session, claim)
    if plan.difference > 0:
        raise TransitionGuardFailed(
            action="conclude_without_payment",
            why_zh=f"本案尚有 {plan.difference} 元应付，须发起支付",
            why_en=f"{plan.difference} is still payable; request the payment",
        )
    review = [r for r in rounds_of(session, claim_id=claim.id) if r.status == "approved"][-1]
    return conclude(
        session,
        actor=actor,
        claim=claim,
        review=review,
        payable=plan.payable,
        already_paid=plan.already_paid,
        at=timeutil.now(),
    )
