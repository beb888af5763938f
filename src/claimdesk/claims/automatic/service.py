"""The automatic path (自动理赔, CLM-T2) and its quality sample (CLM-T3).

When a claim's CLM-F3 checks have run on exactly its current data, the automatic path
looks at it in the same transaction (``tasks.py``: a follow-up of the checks job).
If every condition of CLM-T2 holds, the automatic actor walks the claim through the
same services and the same transition table as people do — accept, skip the survey by
the configured rule, assess from the bills, adjust with the engine, approve under the
automatic authority (below tier 1), request the payment to the insured's own account —
each step audited with the rule set's version. It never rejects and never reduces for
a reason nobody has seen: any failed condition, any line the terms remove, a cap or a
zero result, any step refused, and the claim stays where it is, in a person's queue,
with the stored list of reasons. The claim's row lock makes it happen once, however
many workers run.

A configured share of automatically paid claims, chosen by the hash of the claim
number (reproducible, not gameable by timing), goes to the tier-1 reviewers; a
disagreement corrects the decision and opens a top-up payment or a recovery, and counts
against the rule set version (CLM-T3).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.audit.service import discard_pending_from, pending_count, record
from claimdesk.auth.principal import Principal
from claimdesk.bills import repository as bill_repository
from claimdesk.bills import service as bills
from claimdesk.bills.schemas import FromBillsIn
from claimdesk.checks import repository as checks_repository
from claimdesk.checks.service import JOB_KIND as CHECKS_JOB
from claimdesk.checks.service import SERIES_JOB_KIND as SERIES_JOB
from claimdesk.checks.service import enqueue_checks
from claimdesk.claims import timeutil, workflow
from claimdesk.claims.automatic import repository
from claimdesk.claims.automatic.errors import (
    AgreementAfterTermination,
    AgreementOutsidePeriod,
    NotInSample,
    RuleSetNotFound,
    SampleAlreadyReviewed,
    SampleNeedsTier1,
    VerdictAmountInvalid,
    VerdictAmountRequired,
    VerdictReasonRequired,
)
from claimdesk.claims.automatic.schemas import (
    AutomaticDecisionOut,
    ReasonOut,
    ReferredItemOut,
    RuleSetAgreementOut,
    RuleSetOut,
    SampleItemOut,
    SampleVerdictOut,
    VerdictIn,
)
from claimdesk.claims.intake import acceptance, survey
from claimdesk.claims.schemas import AdjustmentIn
from claimdesk.claims.settlement import adjustment, decision_notices, liability, reserves, review
from claimdesk.code_labels import ADJUDICATION_REASONS, code_list
from claimdesk.errors import ClaimdeskError
from claimdesk.formatting import local_date
from claimdesk.i18n import gettext
from claimdesk.models.automatic import AutomaticDecision, SampleVerdict
from claimdesk.models.claim import Claim
from claimdesk.models.payment import Payment
from claimdesk.models.person import Person
from claimdesk.models.policy import Policy
from claimdesk.models.states import PolicyState
from claimdesk.paging import Page, PageRequest, Slice
from claimdesk.payments import service as payments
from claimdesk.people import service as people
from claimdesk.products.coverage_types import MATERIALS
from claimdesk.rules import cover
from claimdesk.thresholds import service as thresholds

JOB_KIND = "claims.automatic"
ACTOR = "automatic"
# Bumped when the conditions coded here change: a new rule set version follows.
RULES_REVISION = (
    3  # 2: a termination ends the cover (rules.cover, POL-3); 3: a bank consent (SEC-6)
)
# States the path starts from: nobody has worked the claim yet.
START_STATES = (workflow.REPORTED, workflow.AWAITING_MATERIALS)
INVOICES = bills.INVOICE_MATERIAL
ZERO = Decimal("0.00")

# code → (zh, en); the words stored with every referral.
REASONS: dict[str, tuple[str, str]] = {
    "automatic_off": ("自动理赔已关闭", "The automatic path is switched off"),
    "line_not_automatic": (
        "险种 {types} 不在自动理赔范围（{lines}）",
        "Coverage type {types} is not on the automatic path ({lines})",
    ),
    "coverage_ambiguous": (
        "无法确定唯一一项可按票据定损的医疗责任",
        "There is no single medical coverage to assess from the bills",
    ),
    "materials_incomplete": ("材料不齐：{items}", "Materials incomplete: {items}"),
    "materials_on_paper": ("有纸质材料：{items}", "Materials handed in on paper: {items}"),
    "invoice_not_electronic": (
        "费用发票以图片或 PDF 提交，需人工录入",
        "An expense invoice came as a photo or PDF and needs a person",
    ),
    "over_limit": (
        "票据金额 {amount} 元超过自动理赔上限 {limit} 元",
        "The bills total ¥{amount}, above the automatic limit of ¥{limit}",
    ),
    "major_case": ("重大案件", "Major case"),
    "fraud_flag": ("案件有欺诈嫌疑标记", "The claim carries a fraud flag"),
    "check_hit": ("自动核查提示：{reason}", "Automatic check: {reason}"),
    "checks_failed": ("自动核查未能完成", "The automatic checks could not run"),
    "checks_pending": (
        "自动核查长时间未完成",
        "The automatic checks on the latest data did not finish in time",
    ),
    "policy_terminated": ("保单已解除", "The policy has been terminated"),
    "policy_terminated_on": (
        "保单已解除，自 {day} 起不再承保",
        "The policy has been terminated: no cover from {day}",
    ),
    "after_termination": (
        "出险或就诊日期 {date} 在保单解除生效日 {day} 当日或之后，保单已不再承保",
        "Date of loss or treatment {date} is on or after the day the policy's termination "
        "took effect ({day}): not covered",
    ),
    "not_in_force": (
        "出险或就诊日期 {date} 不在保险期间（{start} 至 {end}）内",
        "Date of loss or treatment {date} outside the policy period ({start} to {end})",
    ),
    "waiting_period": (
        "出险日期 {date} 在等待期内（等待期至 {until}）",
        "Date of loss {date} inside the waiting period (until {until})",
    ),
    "no_verified_account": (
        "被保险人名下没有户名与其本人一致的银行账户",
        "No bank account in the insured's own name",
    ),
    "no_bank_consent": (
        "被保险人已撤回银行账户信息的使用授权，需人工联系其重新授权",
        "The insured withdrew the consent to use their bank account: a person asks them again",
    ),
    "account_ambiguous": (
        "被保险人名下有多个本人账户，需人工确认收款账户",
        "Several accounts in the insured's name: a person chooses the payee account",
    ),
    "survey_needed": (
        "不符合免查勘规则（险种、预估金额或材料）",
        "The survey-skip rule does not apply (line, estimated amount or materials)",
    ),
    "lines_removed": (
        "有 {count} 条费用按条款剔除（共 {amount} 元），需人工确认",
        "{count} expense lines removed under the terms (¥{amount} in all): a person confirms",
    ),
    "nothing_payable": (
        "理算结果为 0 元（{why}），需人工作出决定",
        "The adjustment pays nothing ({why}): a person decides",
    ),
    "capped": (
        "理算金额受剩余保额限制",
        "The amount is capped at the remaining sum insured",
    ),
    "step_refused": ("自动处理中止：{message}", "An automatic step was refused: {message}"),
}


@dataclass(frozen=True)
class Words:
    """A parameter of a reason already in both languages (a check's reason, names)."""

    zh: str
    en: str

    @classmethod
    def of(cls, msgid: str) -> Words:
        return cls(gettext(msgid, "zh-CN"), gettext(msgid, "en"))


def _as_read(value: Any, language: str) -> Any:
    """A parameter as the reader writes it: a date as 2026年3月2日 / 2 Mar 2026, an
    amount as 4,800.00 (the texts say 元 / ¥ themselves)."""
    if isinstance(value, Words):
        return value.zh if language == "zh-CN" else value.en
    if isinstance(value, dt.date):
        return local_date(value, language)
    if isinstance(value, Decimal):
        return formatting.amount(value)
    return value


def reason(*, code: str, **params: Any) -> dict[str, str]:
    zh, en = REASONS[code]
    return {
        "code": code,
        "text_zh": zh.format(**{k: _as_read(v, "zh-CN") for k, v in params.items()}),
        "text_en": en.format(**{k: _as_read(v, "en") for k, v in params.items()}),
    }


def automatic_actor() -> Principal:
    """The automatic authority: a system principal, audited as "automatic"."""
    return Principal.system(ACTOR)


# -- the rule set ------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSet:
    version: str
    content: dict[str, Any]
    settings: thresholds.Thresholds


def current_rule_set(session: Session, *, at: dt.datetime) -> RuleSet:
    """The automatic settings in force at ``at`` and the checks' configuration, named by
    a hash of their content: any change of either gives another version."""
    cfg = thresholds.in_force(session, at=at)
    checks = checks_repository.current_configs(session)
    content: dict[str, Any] = {
        "revision": RULES_REVISION,
        "automatic_max_amount": str(cfg.automatic_max_amount),
        "automatic_lines": sorted(cfg.automatic_lines),
        "sample_share": str(cfg.sample_share),
        "skip_survey_max_amount": str(cfg.skip_survey_max_amount),
        "skip_survey_lines": sorted(cfg.skip_survey_lines),
        "checks": {
            code: {
                "version": row.version,
                "enabled": row.enabled,
                "action": row.action,
                "parameters": row.parameters,
            }
            for code, row in sorted(checks.items())
        },
    }
    # The stored content is exactly what is hashed: the same rules, the same version.
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
    return RuleSet(version=f"RS-{digest[:12]}", content=content, settings=cfg)


def rule_set_of(session: Session, *, version: str) -> RuleSetOut:
    row = repository.rule_set(session, version=version)
    if row is None:
        raise RuleSetNotFound(field="version")
    return RuleSetOut(version=row.version, content=row.content, first_used_at=row.first_used_at)


def rule_set_now(session: Session) -> RuleSetOut:
    """The rule set that would decide now (for staff and administrators)."""
    found = current_rule_set(session, at=timeutil.now())
    stored = repository.rule_set(session, version=found.version)
    return RuleSetOut(
        version=found.version,
        content=found.content,
        first_used_at=None if stored is None else stored.first_used_at,
    )


def in_sample(*, number: str, share: Decimal) -> bool:
    """SPEC CLM-T3: the claim number's SHA-256 as a fraction of 2^64, below the share.
    The same claim is always in or out; no timing or order changes it."""
    if share <= 0:
        return False
    value = int.from_bytes(hashlib.sha256(number.encode()).digest()[:8], "big")
    return Decimal(value) / Decimal(2**64) < share


# -- the job -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    coverage_code: str
    account_id: int
    total: Decimal


def _terminated(policy: Policy) -> dict[str, str]:
    """The policy was terminated (POL-3), named with the day its cover ended when known:
    a person looks at every claim on such a policy, a loss before the day too (a
    rescission may leave nothing payable, Insurance Law art. 16)."""
    day = policy.terminated_on
    if day is None:
        return reason(code="policy_terminated")
    found = reason(code="policy_terminated_on", day=day)
    found["code"] = "policy_terminated"  # one condition, one code
    return found


def _not_covered(policy: Policy, day: dt.date) -> dict[str, str]:
    """Why the policy does not cover ``day``: its termination, when that ended the cover
    before the day (rules.cover), else the period."""
    ended = cover.ended_by_termination(policy.period_end, policy.terminated_on)
    inside = policy.period_start <= day <= policy.period_end  # as the intake flag says
    if ended and policy.terminated_on is not None and inside:
        return reason(code="after_termination", date=day, day=policy.terminated_on)
    return reason(
        code="not_in_force",
        date=day,
        start=policy.period_start,
        end=policy.period_end,
    )


def _policy_reasons(
    claim: Claim, policy: Policy, coverage: Any, bill_days: list[dt.date]
) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    if policy.status == PolicyState.TERMINATED:
        found.append(_terminated(policy))
    # The cover, not the period alone (rules.cover: the intake flag's, outside_period's
    # and the adjustment engine's rule): a day on or after a termination is not in force.
    uncovered = [
        day
        for day in sorted({claim.loss_date, *bill_days})
        if not cover.covers(
            day,
            period_start=policy.period_start,
            period_end=policy.period_end,
            terminated_on=policy.terminated_on,
        )
    ]
    if uncovered:
        found.append(_not_covered(policy, uncovered[0]))
    waiting = int(coverage.parameters.get("waiting_period_days", 0))
    if waiting and policy.previous_policy_id is None:
        until = policy.period_start + dt.timedelta(days=waiting)
        if claim.loss_date < until:
            found.append(
                reason(
                    code="waiting_period",
                    date=claim.loss_date,
                    until=until - dt.timedelta(days=1),
                )
            )
    return found


def _material_names(codes: list[str]) -> Words:
    return Words(
        "、".join(MATERIALS.get(c, (c, c))[0] for c in codes),
        ", ".join(MATERIALS.get(c, (c, c))[1] for c in codes),
    )


def _codes(codes: list[str]) -> Words:
    return Words(code_list(codes, "zh-CN"), code_list(codes, "en"))


def _why_nothing(code: str | None) -> Words:
    """The engine's reason for paying nothing, in words; none given: nothing was above
    the deductible or within the scope."""
    if code in ADJUDICATION_REASONS:
        return Words.of(ADJUDICATION_REASONS[code])
    return Words(
        "无超过免赔额或属于责任范围的费用", "nothing above the deductible or within the cover"
    )


def _materials_reasons(session: Session, claim: Claim, missing: list[str]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    if missing:
        found.append(reason(code="materials_incomplete", items=_material_names(missing)))
    paper = [
        m.code for m in repository.materials_of(session, claim_id=claim.id) if m.paper_count > 0
    ]
    if paper:
        found.append(reason(code="materials_on_paper", items=_material_names(paper)))
    if repository.invoice_files(session, claim_id=claim.id, code=INVOICES):
        found.append(reason(code="invoice_not_electronic"))
    return found


def _account(session: Session, claim: Claim) -> tuple[int | None, dict[str, str] | None]:
    """CLM-P1 on the automatic path: the insured is the payee, on an account in their own
    name (the holder name is the insured's; no other payee is ever chosen by a machine)."""
    insured = session.get(Person, claim.insured_person_id)
    # SEC-6: an account is used to pay only while the insured's consent covers it (the
    # portal's 我的授权 says so before a customer withdraws it).
    if insured is not None and not people.consent_covers(
        session, person_id=insured.id, category="bank"
    ):
        return None, reason(code="no_bank_consent")
    own = [
        a
        for a in repository.accounts_of(session, person_id=claim.insured_person_id)
        if insured is not None and people.same_name(a.holder_name, insured.name)
    ]
    if not own:
        return None, reason(code="no_verified_account")
    if len(own) > 1:
        return None, reason(code="account_ambiguous")
    return own[0].id, None


def evaluate(
    session: Session, *, claim: Claim, rule_set: RuleSet, checks_status: str | None
) -> tuple[list[dict[str, str]], Plan | None]:
    """Every CLM-T2 condition, each failure a reason (all of them, not the first)."""
    cfg = rule_set.settings
    found: list[dict[str, str]] = []
    if not cfg.automatic_lines:
        found.append(reason(code="automatic_off"))
    coverages = reserves.claim_coverages(session, claim)
    types = sorted({c.type for c in coverages.values()})
    outside = [t for t in types if t not in cfg.automatic_lines]
    if cfg.automatic_lines and (outside or not types):
        found.append(
            reason(
                code="line_not_automatic",
                types=_codes(outside or ["-"]),
                lines=_codes(sorted(cfg.automatic_lines)),
            )
        )
    medical = [code for code, c in coverages.items() if c.type in bills.MEDICAL]
    coverage_code = medical[0] if len(medical) == 1 and len(coverages) == 1 else None
    if coverage_code is None and not outside:
        found.append(reason(code="coverage_ambiguous"))
    missing = acceptance.missing_codes(session, claim)
    found.extend(_materials_reasons(session, claim, missing))
    claim_bills = bill_repository.bills_of(session, claim_id=claim.id)
    total = sum((b.total for b in claim_bills), ZERO)
    if total > cfg.automatic_max_amount:
        found.append(reason(code="over_limit", amount=total, limit=cfg.automatic_max_amount))
    if claim.is_major:
        found.append(reason(code="major_case"))
    if claim.state == workflow.SUSPENDED or repository.fraud_flag_count(session, claim_id=claim.id):
        found.append(reason(code="fraud_flag"))
    if checks_status == "failed":
        found.append(reason(code="checks_failed"))
    for hit in checks_repository.hits_of(session, claim_id=claim.id):
        item = reason(code="check_hit", reason=Words(hit.reason_zh, hit.reason_en))
        item["code"] = f"check_hit:{hit.check_code}"
        found.append(item)
    policy = session.get_one(Policy, claim.policy_id)
    if coverage_code is not None:
        found.extend(
            _policy_reasons(
                claim, policy, coverages[coverage_code], [b.issue_date for b in claim_bills]
            )
        )
    account_id, problem = _account(session, claim)
    if problem is not None:
        found.append(problem)
    if not missing and survey.skip_rule(session, claim) is None:
        found.append(reason(code="survey_needed"))
    if found or coverage_code is None or account_id is None:
        return found, None
    return found, Plan(coverage_code=coverage_code, account_id=account_id, total=total)


class _Refer(Exception):
    """Raised inside the savepoint: undo the steps, refer with these reasons."""

    def __init__(self, reasons: list[dict[str, str]]) -> None:
        super().__init__(", ".join(r["code"] for r in reasons))
        self.reasons = reasons


def _step(session: Session, *, claim: Claim, step: str, rule_set: str, **details: Any) -> None:
    record(
        session,
        actor=automatic_actor(),
        action="claim.automatic_step",
        entity_type="claim",
        entity_id=claim.id,
        reason=f"自动理赔规则集 {rule_set} / automatic rule set {rule_set}",
        details={"step": step, "rule_set_version": rule_set, **details},
    )


def _reduction_reasons(result: Any, removed: list[Any]) -> list[dict[str, str]]:
    """CLM-T2: nothing the terms cut may be decided without a person."""
    found: list[dict[str, str]] = []
    if removed:
        amount = sum((Decimal(str(item.amount or 0)) for item in removed), ZERO)
        found.append(reason(code="lines_removed", count=len(removed), amount=amount))
    for step in result.trace:
        if step.get("code") == "MED.CAP":
            try:
                before = Decimal(str(step["inputs"]["amount"]))
                after = Decimal(str(step["figure"]))
            except (KeyError, ArithmeticError, ValueError):
                continue
            if after < before:
                found.append(reason(code="capped"))
    if result.payable <= 0:
        found.append(reason(code="nothing_payable", why=_why_nothing(result.reason)))
    return found


def _walk(session: Session, *, claim: Claim, plan: Plan, rule_set: RuleSet) -> Payment:
    """The same services, in the same order, as the people who would do it."""
    actor = automatic_actor()
    version = rule_set.version
    why = f"自动理赔 / automatic ({version})"
    acceptance.accept(session, actor=actor, claim=claim, reserve_amounts=None, reason=why)
    _step(session, claim=claim, step="accept", rule_set=version)
    survey.skip_survey(session, actor=actor, claim=claim)
    _step(session, claim=claim, step="skip_survey", rule_set=version)
    removed = _assess(session, actor=actor, claim=claim, plan=plan, version=version, why=why)
    _adjust(session, actor=actor, claim=claim, plan=plan, version=version, why=why, removed=removed)
    review.decide_automatically(
        session,
        actor=actor,
        claim=claim,
        rule_set_version=version,
        limit=rule_set.settings.automatic_max_amount,
    )
    _step(session, claim=claim, step="approve", rule_set=version)
    return _request_payment(session, actor=actor, claim=claim, plan=plan, version=version)


def _assess(
    session: Session, *, actor: Principal, claim: Claim, plan: Plan, version: str, why: str
) -> list[Any]:
    """The assessment from the claim's e-bills, as a handler would make it; returns the
    lines the terms removed (CLM-T2: the adjustment step refers the claim for them)."""
    assessment, _, expenses = bills.assess_from_bills(
        session,
        actor=actor,
        claim=claim,
        data=FromBillsIn(coverage_code=plan.coverage_code, other_compensation=ZERO),
    )
    removed = [item for item in assessment.items if item.removed]
    workflow.transition(session, claim=claim, action="complete_assessment", actor=actor, reason=why)
    _step(
        session,
        claim=claim,
        step="assess",
        rule_set=version,
        assessment_id=assessment.id,
        bill_ids=list(expenses.bill_ids),
    )
    return removed


def _adjust(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    plan: Plan,
    version: str,
    why: str,
    removed: list[Any],
) -> None:
    """The adjustment under the plan's coverage. Anything the terms cut refers the claim
    before the adjustment is completed (_Refer: the savepoint undoes every step)."""
    result = adjustment.adjust(
        session,
        actor=actor,
        claim=claim,
        data=AdjustmentIn(
            coverage_code=plan.coverage_code,
            liability="covered",
            # CLM-C1: the coverage the e-bills are paid under; ratio and deductible are
            # the product's and the bills' (adjustment states them).
            covered_items=[plan.coverage_code],
        ),
    )
    problems = _reduction_reasons(result, removed)
    if problems:
        raise _Refer(problems)
    adjustment.complete(session, actor=actor, claim=claim, reason=why)
    _step(session, claim=claim, step="adjust", rule_set=version, payable=str(result.payable))


def _request_payment(
    session: Session, *, actor: Principal, claim: Claim, plan: Plan, version: str
) -> Payment:
    """The payment to the insured's account on record, keyed by the claim: a retried
    run asks for the same payment, never a second one."""
    payment, _ = payments.request_payment(
        session,
        actor=actor,
        claim=claim,
        key=f"automatic:{claim.id}",
        data=payments.PaymentRequest(
            payee_person_id=claim.insured_person_id, bank_account_id=plan.account_id
        ),
    )
    _step(
        session,
        claim=claim,
        step="payment_requested",
        rule_set=version,
        payment_id=payment.id,
        amount=str(payment.amount),
    )
    return payment


def _materials_complete_at(session: Session, claim: Claim) -> dt.datetime | None:
    """CLM-T4: when the last checklist item came in (the clock to payment starts there)."""
    times = [
        m.received_at for m in repository.materials_of(session, claim_id=claim.id) if m.received_at
    ]
    return max(times) if times else claim.materials_complete_at


def _save(
    session: Session,
    *,
    claim: Claim,
    rule_set: RuleSet,
    data_version: str,
    outcome: str,
    reasons: list[dict[str, str]],
    complete_at: dt.datetime | None,
    payment: Payment | None = None,
    coverage_code: str | None = None,
) -> AutomaticDecision:
    at = timeutil.now()
    repository.keep_rule_set(session, version=rule_set.version, content=rule_set.content, at=at)
    row = repository.decision_of(session, claim_id=claim.id)
    if row is None:
        row = AutomaticDecision(claim_id=claim.id, evaluations=0)
        session.add(row)
    row.outcome = outcome
    row.reasons = reasons
    row.rule_set_version = rule_set.version
    row.data_version = data_version
    row.decided_at = at
    row.materials_complete_at = complete_at
    row.payment_id = None if payment is None else payment.id
    row.payment_requested_at = None if payment is None else payment.created_at
    row.amount = None if payment is None else payment.amount
    row.coverage_code = coverage_code
    row.line = claim.line
    row.sampled = payment is not None and in_sample(
        number=claim.number, share=rule_set.settings.sample_share
    )
    row.evaluations = (row.evaluations or 0) + 1
    session.flush()
    record(
        session,
        actor=automatic_actor(),
        action="claim.automatic_paid" if outcome == "paid" else "claim.automatic_referred",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        reason=f"自动理赔规则集 {rule_set.version} / automatic rule set {rule_set.version}",
        details={
            "rule_set_version": rule_set.version,
            "data_version": data_version,
            "reasons": [r["code"] for r in reasons],
            "payment_id": row.payment_id,
            "sampled": row.sampled,
        },
    )
    return row


@dataclass(frozen=True)
class Outcome:
    status: str  # paid | referred | wait | skipped
    data_version: str | None = None


def _checks_state(session: Session, *, claim: Claim, version: str) -> str:
    """done | failed | wait: may the look decide on the claim's checks now?

    It waits while the run on the claim's current data is queued (or not yet queued:
    data changed without one, an edited amount — queued here), and while any other
    checks job of the claim is queued: a run on older data, a copy's re-run
    (``checks.run:<id>:copy_of:…``) or a series re-check (``checks.series:<id>:…``).
    Those two record a hit on this claim when they run; paying before them would pay
    past a check still on its way. Each of those jobs looks again when it ends
    (``tasks.py``: a follow-up of both kinds), the last one with nothing left pending —
    they all take the claim's row lock, so each sees the others' ends. A re-check given
    up for good counts as checks that could not run: a person decides."""
    status = repository.checks_job_status(session, key=f"{CHECKS_JOB}:{claim.id}:{version}")
    if status is None:
        enqueue_checks(session, claim_id=claim.id)
        return "wait"
    others = repository.open_rechecks(
        session, claim_id=claim.id, run_kind=CHECKS_JOB, series_kind=SERIES_JOB
    )
    if status == "queued" or any(state == "queued" for _key, state in others):
        return "wait"
    given_up = any(
        state == "failed" and (key.startswith(f"{SERIES_JOB}:") or ":copy_of:" in key)
        for key, state in others
    )
    return "failed" if status == "failed" or given_up else "done"


def process(session: Session, *, claim_id: int) -> Outcome:
    """One look at the claim (the job's work). Under the claim's row lock: a second
    worker on the same claim waits, then finds it moved on and does nothing.

    CLM-F3: the look decides only on checks that ran on exactly the claim's current
    data, with no re-check of the claim still queued (``_checks_state``). Until then it
    does nothing ("wait") and queues nothing: the end of that checks job looks again in
    its own transaction (``tasks.py``, a follow-up of every ``checks.run`` and
    ``checks.series`` job), so a claim costs one job per data version and no polling."""
    claim = repository.lock_claim(session, claim_id=claim_id)
    if claim is None:
        return Outcome("skipped")
    existing = repository.decision_of(session, claim_id=claim.id)
    if existing is not None and existing.outcome == "paid":
        return Outcome("skipped")
    held = claim.state == workflow.SUSPENDED and claim.resume_state in START_STATES
    startable = claim.state in START_STATES or held
    if not startable or not repository.has_bills(session, claim_id=claim.id):
        return Outcome("skipped")  # a person has taken it up, or it has no bills as data
    # A run on another claim of the insured that finds a series with this one queues its
    # re-check in its own transaction: wait for it before reading the jobs.
    checks_repository.lock_insured(session, person_id=claim.insured_person_id)
    version = checks_repository.data_version(session, claim=claim)
    if (
        existing is not None
        and existing.data_version == version
        and not any(r["code"] == "checks_pending" for r in existing.reasons)
    ):
        return Outcome("skipped")  # these very data were looked at already
    status = _checks_state(session, claim=claim, version=version)
    if status == "wait":
        return Outcome("wait", version)
    rule_set = current_rule_set(session, at=timeutil.now())
    complete_at = _materials_complete_at(session, claim)
    reasons, plan = evaluate(session, claim=claim, rule_set=rule_set, checks_status=status)
    payment: Payment | None = None
    coverage_code: str | None = None
    if plan is not None:
        attempt = _attempt(session, claim=claim, plan=plan, rule_set=rule_set)
        if isinstance(attempt, Payment):
            payment, coverage_code, reasons = attempt, plan.coverage_code, []
        else:
            # The savepoint undid every step: read the claim as the person will find it.
            reasons = attempt
            session.expire(claim)
            claim = repository.lock_claim(session, claim_id=claim_id)
            assert claim is not None
    outcome = "referred" if payment is None else "paid"
    _save(
        session,
        claim=claim,
        rule_set=rule_set,
        data_version=version,
        outcome=outcome,
        reasons=reasons,
        complete_at=complete_at,
        payment=payment,
        coverage_code=coverage_code,
    )
    return Outcome(outcome, version)


def _attempt(
    session: Session, *, claim: Claim, plan: Plan, rule_set: RuleSet
) -> Payment | list[dict[str, str]]:
    """Walk the claim from acceptance to the payment request inside a savepoint: the
    payment requested, or the reasons to refer it with every step undone (CLM-T2: the
    machine pays or hands over, it never rejects)."""
    mark = pending_count(session)
    try:
        with session.begin_nested():
            return _walk(session, claim=claim, plan=plan, rule_set=rule_set)
    except _Refer as refer:
        discard_pending_from(session, mark=mark)
        return refer.reasons
    except ClaimdeskError as error:
        discard_pending_from(session, mark=mark)
        return [
            {
                "code": f"step_refused:{error.code}",
                "text_zh": REASONS["step_refused"][0].format(message=error.message("zh-CN")),
                "text_en": REASONS["step_refused"][1].format(message=error.message("en")),
            }
        ]


# -- reads ---------------------------------------------------------------------------------


def _verdict_out(row: SampleVerdict) -> SampleVerdictOut:
    return SampleVerdictOut(
        claim_id=row.claim_id,
        agrees=row.agrees,
        automatic_amount=row.automatic_amount,
        amount=row.amount,
        difference=row.difference,
        correction=row.correction,
        correction_payment_id=row.correction_payment_id,
        recovery_id=row.recovery_id,
        reason=row.reason,
        rule_set_version=row.rule_set_version,
        reviewer=row.reviewer,
        decided_at=row.decided_at,
    )


def decision_of(session: Session, *, claim_id: int) -> AutomaticDecisionOut | None:
    """What the automatic path did with the claim (the caller has row-filtered it)."""
    row = repository.decision_of(session, claim_id=claim_id)
    if row is None:
        return None
    verdict = repository.verdict_of(session, claim_id=claim_id)
    return AutomaticDecisionOut(
        claim_id=row.claim_id,
        outcome=row.outcome,
        reasons=[ReasonOut(**r) for r in row.reasons],
        rule_set_version=row.rule_set_version,
        decided_at=row.decided_at,
        payment_id=row.payment_id,
        amount=row.amount,
        coverage_code=row.coverage_code,
        line=row.line,
        materials_complete_at=row.materials_complete_at,
        payment_requested_at=row.payment_requested_at,
        sampled=row.sampled,
        verdict=None if verdict is None else _verdict_out(verdict),
    )


def _require_tier1(actor: Principal) -> None:
    if "reviewer_1" not in actor.roles:
        raise SampleNeedsTier1()


def sample_queue(
    session: Session, *, principal: Principal, page: PageRequest
) -> Page[SampleItemOut]:
    """SPEC CLM-T3: the sampled automatic payments waiting for a tier-1 verdict (every
    reviewer may read the list; the route requires claims:review, the verdict tier 1)."""
    rows, total = repository.sample_rows(
        session, actor=principal, limit=page.limit, offset=page.offset
    )
    window = Slice(
        rows=rows[: page.limit], request=page, total=total, has_more=len(rows) > page.limit
    )
    return window.page(
        lambda row: SampleItemOut(
            claim_id=row[0].claim_id,
            claim_number=row[1],
            line=row[0].line,
            amount=row[0].amount,
            rule_set_version=row[0].rule_set_version,
            decided_at=row[0].decided_at,
            payment_id=row[0].payment_id,
            payment_status=row[2],
        )
    )


def referred_queue(
    session: Session, *, principal: Principal, page: PageRequest
) -> Page[ReferredItemOut]:
    """SPEC CLM-T2: the claims the automatic path sent to a person, still waiting where
    it left them (reported, awaiting materials, or held by a check), with the reasons."""
    states = (*START_STATES, workflow.SUSPENDED)
    rows, total = repository.referred_rows(
        session, actor=principal, states=states, limit=page.limit, offset=page.offset
    )
    window = Slice(
        rows=rows[: page.limit], request=page, total=total, has_more=len(rows) > page.limit
    )
    return window.page(
        lambda row: ReferredItemOut(
            claim_id=row[0].claim_id,
            claim_number=row[1],
            state=row[2],
            line=row[0].line,
            reasons=[ReasonOut(**r) for r in row[0].reasons],
            rule_set_version=row[0].rule_set_version,
            decided_at=row[0].decided_at,
        )
    )


def agreement(session: Session) -> list[RuleSetAgreementOut]:
    """CLM-T3/T4: verdicts, agreements and disagreements per rule set version."""
    return [
        RuleSetAgreementOut(
            rule_set_version=version, verdicts=n, agreed=agreed, disagreed=n - agreed
        )
        for version, n, agreed in repository.agreement_by_rule_set(session)
    ]


# -- the verdict (CLM-T3) ------------------------------------------------------------------

CORRECTION_NOTE = "自动理赔质量抽检更正 / automatic payment corrected by the quality sample"


def give_verdict(
    session: Session, *, actor: Principal, claim: Claim, data: VerdictIn
) -> SampleVerdictOut:
    """A tier-1 reviewer agrees, or states the amount they find payable: the decision is
    corrected (a new signed adjustment) and the difference is paid on top or recovered
    (CLM-P5); the verdict counts against the rule set that decided. The caller holds the
    claim's row lock."""
    _require_tier1(actor)
    decision = _sampled_decision(session, claim=claim)
    automatic = decision.amount or ZERO
    if data.agrees:
        _check_agreement_cover(session, claim=claim, automatic=automatic)
    note = (data.reason or "").strip() or None
    amount = _verdict_amount(data, automatic=automatic, note=note)
    at = timeutil.now()
    difference = amount - automatic
    correction, payment_id, recovery_id = "none", None, None
    if difference != 0:
        correction, payment_id, recovery_id = _correct(
            session,
            actor=actor,
            claim=claim,
            decision=decision,
            amount=amount,
            note=note,
            at=at,
        )
    row = SampleVerdict(
        claim_id=claim.id,
        decision_id=decision.id,
        rule_set_version=decision.rule_set_version,
        agrees=data.agrees,
        automatic_amount=automatic,
        amount=amount,
        difference=difference,
        correction=correction,
        correction_payment_id=payment_id,
        recovery_id=recovery_id,
        reason=note,
        reviewer_id=actor.user_id,
        reviewer=actor.username,
        decided_at=at,
    )
    session.add(row)
    session.flush()
    _audit_verdict(session, actor=actor, row=row)
    return _verdict_out(row)


def _audit_verdict(session: Session, *, actor: Principal, row: SampleVerdict) -> None:
    """The verdict in the audit trail, with what it corrected (GEN-5)."""
    record(
        session,
        actor=actor,
        action="claim.automatic_sample_verdict",
        entity_type="claim",
        entity_id=row.claim_id,
        reason=row.reason,
        at=row.decided_at,
        details={
            "agrees": row.agrees,
            "rule_set_version": row.rule_set_version,
            "automatic_amount": str(row.automatic_amount),
            "amount": str(row.amount),
            "correction": row.correction,
            "payment_id": row.correction_payment_id,
            "recovery_id": row.recovery_id,
        },
    )


def _sampled_decision(session: Session, *, claim: Claim) -> AutomaticDecision:
    """The automatic payment the sample chose, not yet reviewed: only a sampled paid
    decision has a verdict (CLM-T3), and only one."""
    decision = repository.decision_of(session, claim_id=claim.id)
    if decision is None or decision.outcome != "paid" or not decision.sampled:
        raise NotInSample()
    if repository.verdict_of(session, claim_id=claim.id) is not None:
        raise SampleAlreadyReviewed()
    return decision


def _check_agreement_cover(session: Session, *, claim: Claim, automatic: Decimal) -> None:
    """CLM-T3, CLM-V2, POL-3: an agreement signs the automatic payment again, so it needs
    the loss covered by the policy as it stands now (a termination recorded after the
    payment counts), as an approval and a correction do: else it is refused naming the
    loss date and the termination day or the period, and the reviewer disagrees with
    0.00, which recovers what was paid. Writes nothing."""
    if automatic <= 0:
        return
    gap = adjustment.out_of_cover(session, claim)
    if gap is not None:
        raise gap.refusal(AgreementAfterTermination, AgreementOutsidePeriod, field="agrees")


def agreement_out_of_cover(session: Session, *, claim: Claim) -> liability.OutOfCover | None:
    """What an agreement with the sampled automatic payment is refused for (the loss
    date against the termination day or the period, adjustment.out_of_cover), or None
    when agreeing is not refused for cover — for the verdict form's warning before the
    reviewer chooses. Writes nothing."""
    decision = repository.decision_of(session, claim_id=claim.id)
    if decision is None or decision.outcome != "paid" or (decision.amount or ZERO) <= 0:
        return None
    return adjustment.out_of_cover(session, claim)


def verdict_refusal(session: Session, *, actor: Principal, claim: Claim) -> ClaimdeskError | None:
    """Why :func:`give_verdict` would refuse this reviewer on this claim whatever they
    choose — not tier 1, not in the sample, already reviewed — or None: the claim page
    offers the verdict form exactly when this is None (issue 12). Writes nothing."""
    try:
        _require_tier1(actor)
        _sampled_decision(session, claim=claim)
    except ClaimdeskError as refused:
        return refused
    return None


def _verdict_amount(data: VerdictIn, *, automatic: Decimal, note: str | None) -> Decimal:
    """The amount the reviewer finds payable: the automatic one when they agree; else the
    one they state, in whole fen, not negative, not the automatic one (that is agreeing),
    and with the reason a correction is recorded under."""
    if data.agrees:
        return automatic
    if data.amount is None:
        raise VerdictAmountRequired(field="amount")
    if (
        data.amount < 0
        or data.amount != data.amount.quantize(Decimal("0.01"))
        or (data.amount == automatic)
    ):
        raise VerdictAmountInvalid(field="amount", automatic=f"{automatic:.2f}")
    if note is None:
        raise VerdictReasonRequired(field="reason")
    return data.amount


def _correct(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    decision: AutomaticDecision,
    amount: Decimal,
    note: str | None,
    at: dt.datetime,
) -> tuple[str, int | None, int | None]:
    """A corrected decision: a new signed adjustment for ``amount``, then the difference
    paid on top of the automatic payment or recovered from the payee (CLM-P5). Returns
    (the correction, the top-up payment's id, the recovery's id)."""
    difference = amount - (decision.amount or ZERO)
    code = decision.coverage_code or (claim.coverage_codes[0] if claim.coverage_codes else "")
    adjustment.record_correction(
        session,
        actor=actor,
        claim=claim,
        coverage_code=code,
        payable=amount,
        reason=note or CORRECTION_NOTE,
    )
    if difference > 0:
        basis = session.get_one(Payment, decision.payment_id)
        top_up, _ = payments.request_top_up(
            session,
            actor=actor,
            claim=claim,
            key=f"sample:{claim.id}",
            amount=difference,
            coverage_code=code,
            basis=basis,
        )
        return "top_up", top_up.id, None
    recovery = decision_notices.open_recovery(
        session,
        actor=actor,
        claim=claim,
        amount=-difference,
        at=at,
        note=CORRECTION_NOTE,
    )
    return "recovery", None, recovery.id
