"""What the customer is told, through the outbox (sent by the worker after commit).

Each message has a dedupe key per claim and template (and notice), so a retried request
never tells the customer twice. It is written in the customer's language: the one on
their record (``people.preferred_language``, set by the portal's language switch or an
agent), zh-CN when they chose none; the outbox row's ``language`` says which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.auth.principal import Principal
from claimdesk.claims.repository import supervisors_of
from claimdesk.code_labels import major_reasons
from claimdesk.jobs import repository as outbox_repository
from claimdesk.jobs.outbox import queue_customer_message, queue_message
from claimdesk.models.claim import Claim
from claimdesk.models.job import OutboxMessage
from claimdesk.paging import PageRequest, Slice
from claimdesk.people import service as people

# A message's text in the language given ("zh-CN" or "en"): what send_to_customer takes,
# so the body is written once the reader's language is known. A template's parameter may
# be one too (a list of materials, a reason's words), rendered in the message's language.
Words = Callable[[str], str]
# The languages a customer message is written in (a person's preferred_language).
CUSTOMER_LANGUAGES = ("zh-CN", "en")

TEMPLATES: dict[str, tuple[str, str]] = {
    # Every customer message opens with the report number, as the customer quotes it.
    "claim.reported": (
        "报案号 {number}：您的报案已受理，理赔人员将尽快与您联系。",
        "Claim {number}: your report has been accepted; a claims handler will contact you soon.",
    ),
    "claim.materials_missing": (
        "报案号 {number}：请于 {deadline} 前补充以下材料：{items}。本通知一次性列明全部所需材料。",
        "Claim {number}: please provide the following by {deadline}: {items}. "
        "This notice lists everything needed.",
    ),
    "claim.accepted": (
        "报案号 {number}：您的理赔申请材料已齐全，案件已受理。",
        "Claim {number}: your materials are complete and the claim is accepted.",
    ),
    "claim.rejected": (
        "报案号 {number}：您的理赔申请未获赔付，拒赔通知书将另行送达。",
        "Claim {number}: the claim was not paid; the rejection notice follows.",
    ),
    "claim.paid": ("报案号 {number}：赔款已支付。", "Claim {number}: the indemnity has been paid."),
    # CLM-P2: amount, expected arrival and the masked account (a transfer) ...
    "claim.payment_notice": (
        "报案号 {number}：赔款 {amount} 将支付至账户 {account}，预计 {arrival} 前到账。",
        "Claim {number}: the indemnity of {amount} will be paid to account {account} and "
        "should arrive by {arrival}.",
    ),
    # ... or, cash/offline (CLM-P3), handed over against the payee's own ID document and
    # signed confirmation. Sent as ``claim.payment_notice`` too.
    "claim.payment_notice.offline": (
        "报案号 {number}：赔款 {amount} 将以现金/线下方式支付，预计 {arrival} 前支付，"
        "领取时请携带收款人本人身份证件并签字确认。",
        "Claim {number}: the indemnity of {amount} will be paid in cash/offline by "
        "{arrival}; the payee collects it with their own ID document and signs for it.",
    ),
    # CLM-P4: a foreseeable delay, told in advance: its category in words
    # (code_labels.PAYMENT_DELAY_REASONS), never the staff's internal note; what staff
    # typed for the customer follows as ``claim.payment_delay.note``.
    "claim.payment_delay": (
        "报案号 {number}：赔款将晚于通常时间支付（{reason}），预计 {expected} 前到账，敬请谅解。",
        "Claim {number}: the indemnity will be paid later than usual ({reason}) and should "
        "arrive by {expected}; we apologise for the wait.",
    ),
    "claim.payment_delay.note": ("说明：{note}", " Note: {note}"),
    # CLM-P3: the cash/offline hand-over the payment notice announced did not happen. Says
    # why by its kind (code_labels.CASH_CANCEL_REASONS; not the staff's recorded reason,
    # which is an internal note) and what comes next; sent once per cancelled payment.
    "claim.payment_cancelled": (
        "报案号 {number}：原定以现金/线下方式支付的赔款 {amount} 未能完成交付（{reason}），"
        "本次现金领取已取消，请勿再前往领取。我们将为您重新安排支付并另行通知；"
        "如有疑问，请联系您的理赔人员。",
        "Claim {number}: the indemnity of {amount} to be paid in cash/offline was not "
        "handed over ({reason}), so this cash collection is cancelled; "
        "please do not come to collect it. We will arrange a new payment and tell you; "
        "for questions, contact your claims handler.",
    ),
    "claim.withdrawn": (
        "报案号 {number}：案件已撤销。",
        "Claim {number}: the claim was withdrawn.",
    ),
    # Told once per claim when one of its time limits is missed (claims.tasks).
    "claim.delay_foreseen": (
        "报案号 {number}：您的案件处理时间可能延长（处理时限已届满，案件仍在办理中），"
        "我们将尽快办理并及时告知进展，敬请谅解。",
        "Claim {number}: handling may take longer than usual (the time limit has passed "
        "and the claim is still being handled); we will keep you informed and finish as "
        "soon as we can.",
    ),
    "claim.deadline_breached": (
        "案件 {number} 的时限“{clock}”已于 {due} 超时，请立即跟进。",
        'Claim {number}: the time limit "{clock}" was missed at {due}; please follow up now.',
    ),
    "claim.dispute_received": (
        "报案号 {number}：您对理赔结果的异议已收到，{responder} 将在 2 小时内答复您。",
        "Claim {number}: we have received your dispute; {responder} will answer within 2 hours.",
    ),
    "claim.dispute_answered": (
        "报案号 {number}：关于您的理赔异议，答复如下：{answer}",
        "Claim {number}: our answer to your dispute: {answer}",
    ),
    "claim.dispute_resolved": (
        "报案号 {number}：您的理赔异议已处理完毕，结果：{outcome}。",
        "Claim {number}: your dispute is settled; outcome: {outcome}.",
    ),
    # The outcome's tail when an amount was agreed (a tail of claim.dispute_resolved).
    "claim.dispute_resolved.amount": ("（约定金额 {amount}）", " (amount agreed: {amount})"),
    "claim.major_escalation": (
        "重大案件 {number}：{reasons}，请立即处理。",
        "Major case {number}: {reasons}; please act at once.",
    ),
    # The messages that carry a written notice (理赔决定通知书, 拒赔通知书) open with the
    # notice's name, then the report number. The PDF itself stays bilingual.
    # A decision that leaves nothing to pay (settlement.decision_notices): the calculation
    # per coverage, what was paid before, how to object (CLM-V3) and where the notice is.
    "notice.decision": (
        "理赔决定通知书 报案号 {number}：经核定，本案赔付金额为 {payable}，本次无需支付。"
        "计算：{parts}。{paid}{appeal}通知书见“我的理赔”（{path}）。",
        "Decision notice, claim {number}: the amount payable on the claim is {payable}; "
        "nothing is to be paid now. Calculation: {parts}. {paid}{appeal} The notice is "
        'under "My claims" ({path}).',
    ),
    "notice.decision.coverage": (
        "{coverage}：申请 {claimed}，不予赔付 {not_paid}，免赔额 {deductible}，"
        "赔付比例 {ratio}，核定 {payable}",
        "{coverage}: claimed {claimed}, not paid {not_paid}, deductible {deductible}, "
        "ratio {ratio}, payable {payable}",
    ),
    "notice.decision.owed": (
        "已支付 {paid}，多付 {owed} 须退回。",
        "Already paid {paid}; the {owed} paid above it is to be returned. ",
    ),
    "notice.decision.paid": (
        "已支付 {paid}，本次无需另行支付。",
        "Already paid {paid}; nothing more is to be paid now. ",
    ),
    # The settlement notice of a payment: its summary sentences (decision_notices.
    # summary_sentences, both languages) between the opening and where to read it all.
    "notice.settlement": (
        "理赔决定通知书 报案号 {number}：{summary}计算过程及异议途径见“我的理赔”中的通知书（{path}）。",
        "Decision notice, claim {number}: {summary} The calculation and how to object "
        'are in the notice under "My claims" ({path}).',
    ),
    # A rejection (settlement.review): the clause and the facts as the reviewer wrote
    # them, and how to object (CLM-V3).
    "notice.rejection": (
        "拒赔通知书 报案号 {number}：依据{clause}，{facts}。{appeal}",
        "Rejection notice, claim {number}: under {clause}, {facts}. {appeal}",
    ),
    # SVC-3: a complaint's extension (with its recorded reason) and its decision, told
    # to the complainant (service.service).
    "complaint_extended": (
        "您的投诉（编号 {complaint}）处理期限延长至 {due}。原因：{reason}",
        "Your complaint (no. {complaint}): the time to decide it is extended to {due}. "
        "Reason: {reason}",
    ),
    "complaint_decided": (
        "您的投诉（编号 {complaint}）已有处理决定：{decision}",
        "Your complaint (no. {complaint}) has been decided: {decision}",
    ),
}


# The subject line of a message to staff, in the reader's language.
SUBJECTS: dict[str, tuple[str, str]] = {
    "claim.deadline_breached": ("理赔时限超时", "Claim time limit missed"),
    "claim.major_escalation": ("重大案件", "Major case"),
}


def subject(template: str, language: str) -> str:
    zh, en = SUBJECTS[template]
    return zh if language.lower().startswith("zh") else en


def address(phone: str | None, person_id: int, *, email: str | None = None) -> tuple[str, str]:
    """Where a message to a customer goes, and by which channel: an SMS to ``phone``,
    else an e-mail to ``email`` (a complainant who gave only an address to write to),
    else the person's portal (``app``) messages — never nowhere."""
    if phone:
        return phone, "sms"
    if email:
        return email, "email"
    return f"person:{person_id}", "app"


def customer_address(claim: Claim) -> tuple[str, str]:
    """Where a claim's notices to the customer go: the claim's contact phone, else the
    insured's portal messages (:func:`address`)."""
    return address(claim.contact_phone, claim.insured_person_id)


def customer_language(session: Session, claim: Claim) -> str:
    """The language the claim's customer (the insured) reads: theirs, else zh-CN."""
    return people.customer_language(session, person_id=claim.insured_person_id)


def render(template: str, params: Mapping[str, Any], language: str = "zh-CN") -> str:
    """The template's text in ``language``, an amount or a date given as one said as the
    reader writes it (GEN-1, GEN-2): ¥1,500.00; 2026年10月9日 / 9 Oct 2026, Shanghai time."""
    zh, en = TEMPLATES[template]
    text = zh if language.lower().startswith("zh") else en
    return text.format(**{name: _worded(value, language) for name, value in params.items()})


def _worded(value: Any, language: str) -> Any:
    if callable(value):  # Words: said in the message's language
        return value(language)
    if isinstance(value, Decimal):
        return formatting.money(value, language)
    if isinstance(value, dt.datetime):
        return formatting.local_datetime(value, language)
    if isinstance(value, dt.date):
        return formatting.local_date(value, language)
    return value


def _send(session: Session, **fields: Any) -> int | None:
    return queue_message(session, **fields)


def send_to_person(
    session: Session,
    *,
    person_id: int,
    phone: str | None,
    template: str,
    body: Words,
    dedupe_key: str,
    related_type: str,
    related_id: str,
    email: str | None = None,
) -> int | None:
    """Queue ``body`` for the customer ``person_id`` at :func:`address` (``phone`` by
    SMS, else their portal messages), written in the language on their record (zh-CN
    when none): the text is made in both and the outbox INSERT keeps theirs, with no
    read first (jobs.outbox.queue_customer_message). The new message's id, None if
    ``dedupe_key`` was used before."""
    recipient, channel = address(phone, person_id, email=email)
    return queue_customer_message(
        session,
        bodies={language: body(language) for language in CUSTOMER_LANGUAGES},
        channel=channel,
        recipient=recipient,
        template=template,
        body="",
        person_id=person_id,
        dedupe_key=dedupe_key,
        related_type=related_type,
        related_id=related_id,
    )


def send_to_customer(
    session: Session, *, claim: Claim, template: str, body: Words, key: str
) -> int | None:
    """Queue ``body`` (written in the language given) for the claim's customer at
    :func:`customer_address`, in their language (:func:`customer_language`); ``key``
    (after ``claim:{id}:``) makes it once per business event. The new message's id,
    None if the key was used before."""
    return send_to_person(
        session,
        person_id=claim.insured_person_id,
        phone=claim.contact_phone,
        template=template,
        body=body,
        dedupe_key=f"claim:{claim.id}:{key}",
        related_type="claim",
        related_id=str(claim.id),
    )


def tell_customer(
    session: Session,
    *,
    claim: Claim,
    template: str,
    params: Mapping[str, Any],
    key_suffix: str = "",
) -> int | None:
    """A template's message to the claim's customer, in their language: by SMS, or in
    the portal when the claim has no contact phone (the customer is never left untold)."""
    values = {"number": claim.number, **params}
    key = template + (f":{key_suffix}" if key_suffix else "")
    return send_to_customer(
        session,
        claim=claim,
        template=template,
        body=lambda language: render(template, values, language),
        key=key,
    )


def escalate_to_supervisors(session: Session, *, claim: Claim, reasons: list[str]) -> list[int]:
    """CLM-R4: every active tier-1 reviewer (claims supervisor) of the claim's org unit."""
    supervisors = supervisors_of(session, org_unit_id=claim.org_unit_id)
    for user in supervisors:
        # Each supervisor reads the escalation, its reasons too, in their own language.
        body = render(
            "claim.major_escalation",
            {"number": claim.number, "reasons": major_reasons(reasons, user.language)},
            user.language,
        )
        _send(
            session,
            channel="app",
            recipient=f"user:{user.id}",
            template="claim.major_escalation",
            subject=subject("claim.major_escalation", user.language),
            body=body,
            language=user.language,
            person_id=None,
            dedupe_key=f"claim:{claim.id}:major:{user.id}",
            related_type="claim",
            related_id=str(claim.id),
        )
    return [u.id for u in supervisors]


def messages_for(
    session: Session, *, actor: Principal, request: PageRequest
) -> Slice[OutboxMessage]:
    """The messages written to the customer ``actor`` is, newest first — every notice
    about their claims, the SMS ones too, so a customer without a phone on a claim still
    reads what the portal sent them (``customer_address``). Nobody else's: a principal
    who is no person has none."""
    if actor.person_id is None:
        return Slice(rows=[], request=request, total=0, has_more=False)
    return outbox_repository.messages_of_person(session, person_id=actor.person_id, request=request)
