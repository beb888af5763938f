"""Case reserves per coverage (未决赔款准备金, FIN-1): set at acceptance, revised at
assessment and adjustment (or by hand) with a reason; every change is kept."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.claims.errors import (
    AmountOverRemainingSumInsured,
    ReserveReasonRequired,
    UnknownCoverage,
)
from claimdesk.claims.settlement import repository
from claimdesk.claims.settlement.repository import history_for
from claimdesk.errors import ValidationFailed
from claimdesk.models.claim import Claim, Reserve, ReserveChange
from claimdesk.models.product import Coverage

CENT = Decimal("0.01")

# A reason the system writes (not one a person typed) is stored in both languages,
# "中文 / English", so the trail reads the same to every auditor; a page shows the
# reader's half (reason_in).
_BETWEEN = " / "
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_CJK_RUN = re.compile(r"[\u3000-\u9fff\uff00-\uffef]+")
_LATIN = re.compile(r"[A-Za-z]")
# What a person added to a reason the system wrote.
_NOTE = " — "


def system_reason(zh: str, en: str) -> str:
    """A reason written by the system, in both languages (see reason_in)."""
    return f"{zh}{_BETWEEN}{en}"


def _pair(zh: str, en: str) -> bool:
    return bool(
        _CJK.search(zh) and _LATIN.search(en) and all(run in zh for run in _CJK_RUN.findall(en))
    )


def _halves(reason: str) -> tuple[str, str] | None:
    """The Chinese and English halves of a text in system_reason's form, or None.

    The Chinese half is written in Chinese; the English half in Latin letters, quoting
    in Chinese only what the Chinese half has too — an item on the receipt, a hospital,
    a diagnosis, a note a person typed and the system put in both halves ("PSA test
    '前列腺特异性抗原测定' does not fit the insured"). The first " / " that divides the
    text so is the one between the halves (a name may hold one itself). A person's note
    that a flag written before this rule added after the English half only ("… / suspected
    forged material: invoice — 印章模糊") goes with either half. A text a person typed
    rarely divides so ("发票与清单不符 / 疑似虚开": its second part is not English) and is
    then left whole."""
    at = reason.find(_BETWEEN)
    while at >= 0:
        zh, en = reason[:at].strip(), reason[at + len(_BETWEEN) :].strip()
        if _pair(zh, en):
            return zh, en
        head, dash, note = en.partition(_NOTE)
        if dash and _pair(zh, head):
            return f"{zh}{_NOTE}{note}", en
        at = reason.find(_BETWEEN, at + 1)
    return None


def reason_in(reason: str | None, language: str) -> str | None:
    """The reader's half of a reason in both languages (system_reason's form, which the
    acceptance, adjustment, payment, closing and automatic steps, the automatic checks'
    holds and the survey's and the forgery's flags write): Chinese before " / ", English
    after. Anything else — a reason a person typed — is shown as it was written."""
    if not reason:
        return reason
    halves = _halves(reason)
    if halves is None:
        return reason
    return halves[0] if language.lower().startswith("zh") else halves[1]


def claim_coverages(session: Session, claim: Claim) -> dict[str, Coverage]:
    rows = repository.coverages_of_policy(session, policy_id=claim.policy_id)
    return {c.code: c for c in rows if c.code in claim.coverage_codes}


def coverage_names(session: Session, claim: Claim, language: str) -> dict[str, str]:
    """The claim's coverages by code, each named in the reader's language (its English
    name for an English reader when it has one: formatting.name_in, GEN-6); a claim
    without a policy has none, and a page shows such a code by its label."""
    if claim.policy_id is None:
        return {}
    return {
        code: formatting.name_in(coverage, language)
        for code, coverage in claim_coverages(session, claim).items()
    }


def policy_coverages(session: Session, claim: Claim) -> dict[str, Coverage]:
    """Every liability (coverage) of the claim's policy by code: what a signed decision's
    covered items are (CLM-C1), a liability the claim does not claim under included. A
    claim without a policy has none."""
    if claim.policy_id is None:
        return {}
    return {c.code: c for c in repository.coverages_of_policy(session, policy_id=claim.policy_id)}


def liability_names(session: Session, claim: Claim, language: str) -> dict[str, str]:
    """Every liability (coverage) of the claim's policy by code (``policy_coverages``),
    named in the reader's language."""
    return {
        code: formatting.name_in(coverage, language)
        for code, coverage in policy_coverages(session, claim).items()
    }


def coverage_limit(coverage: Coverage) -> Decimal:
    params = coverage.parameters
    return Decimal(str(params.get("sum_insured") or params.get("limit") or "0"))


def remaining_limit(session: Session, claim: Claim, coverage: Coverage) -> Decimal:
    """The most this coverage can still pay on this claim (ADJ-*): a liability limit is
    per occurrence; otherwise the sum insured less what the same policy's coverage has
    already paid (medical: this policy year; others: the policy's life), and for death
    less the disability already paid (ADJ-DTH)."""
    limit = coverage_limit(coverage)
    if coverage.type == "liability":
        return limit
    history = history_for(session, claim=claim, coverage=coverage)
    used = history.paid
    if coverage.type == "accident_death":
        used += history.disability_paid
    return max(Decimal("0.00"), limit - used)


def reserves_of(session: Session, claim_id: int) -> list[Reserve]:
    return repository.of_claim(
        session, model=Reserve, claim_id=claim_id, order_by=[Reserve.coverage_code]
    )


def history_of(session: Session, claim_id: int) -> list[ReserveChange]:
    return repository.of_claim(
        session, model=ReserveChange, claim_id=claim_id, order_by=[ReserveChange.id]
    )


def _check_amount(amount: Decimal, field: str) -> Decimal:
    if amount < 0 or amount != amount.quantize(CENT):
        raise ValidationFailed(field=field)
    return amount


def set_initial(
    session: Session, *, actor: Principal, claim: Claim, amounts: dict[str, Decimal], reason: str
) -> None:
    """One reserve per coverage of the claim; without a figure from the handler, the
    report's estimate capped at the coverage's sum insured (a prudent first figure)."""
    coverages = claim_coverages(session, claim)
    for code in amounts:
        if code not in coverages:
            raise UnknownCoverage(field=f"reserves.{code}", code=code)
    for code, coverage in coverages.items():
        if code in amounts:
            amount = _check_amount(amounts[code], f"reserves.{code}")
        else:
            amount = min(
                claim.estimated_amount or Decimal("0.00"),
                remaining_limit(session, claim, coverage),
            )
        revise(
            session,
            actor=actor,
            claim=claim,
            coverage_code=code,
            amount=amount,
            stage="acceptance",
            reason=reason,
            field=f"reserves.{code}",
        )


def revise(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    coverage_code: str,
    amount: Decimal,
    stage: str,
    reason: str | None,
    field: str = "amount",
) -> Reserve:
    if not reason or not reason.strip():
        raise ReserveReasonRequired(field="reason")
    if coverage_code not in claim.coverage_codes:
        raise UnknownCoverage(field="coverage_code", code=coverage_code)
    amount = _check_amount(amount, field)
    at = timeutil.now()
    reserve = repository.reserve(session, claim_id=claim.id, coverage_code=coverage_code)
    before = None if reserve is None else reserve.amount
    if stage in ("acceptance", "manual") and (before is None or amount > before):
        # A figure a person enters is what the claim may still cost: never more than
        # the coverage can pay (issue 4 bad input; an advance is capped by the reserve).
        # Lowering is free; the adjustment's figure is the engine's, capped by ADJ-*.
        coverage = claim_coverages(session, claim).get(coverage_code)
        if coverage is not None:
            limit = remaining_limit(session, claim, coverage)
            if amount > limit:
                raise AmountOverRemainingSumInsured(field=field, limit=f"{limit:.2f}")
    if reserve is None:
        reserve = Reserve(
            claim_id=claim.id, coverage_code=coverage_code, amount=amount, set_at=at, updated_at=at
        )
        session.add(reserve)
        session.flush()
    else:
        reserve.amount = amount
        reserve.updated_at = at
    session.add(
        ReserveChange(
            reserve_id=reserve.id,
            claim_id=claim.id,
            before=before,
            after=amount,
            stage=stage,
            reason=reason,
            changed_by_id=actor.user_id,
            changed_at=at,
        )
    )
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.reserve_set" if before is None else "claim.reserve_revised",
        entity_type="claim",
        entity_id=claim.id,
        reason=reason,
        at=at,
        details={
            "coverage": coverage_code,
            "before": None if before is None else str(before),
            "after": str(amount),
            "stage": stage,
        },
    )
    return reserve
