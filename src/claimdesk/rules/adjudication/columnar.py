"""ADJ-MED over whole columns: the medical formula vectorised with numpy (issue 14 item 4).

For re-running a year of claims under a changed product. The result is the Decimal
engine's (:mod:`.medical`) bit for bit, because nothing here is approximated:

* amounts are whole fen (int64); a ratio with at most ``k`` decimal places is the whole
  number ``ratio × 10**k``; so a line's covered part ``amount × (1 − self-pay ratio)`` is
  the exact integer ``fen × (10**k1 − s)`` in units of ``10**-k1`` fen, and the payable
  before rounding is the exact integer ``base × p`` in units of ``10**-(k1+k2)`` fen;
* min, max, sums and differences of exact integers are exact; the one rounding of GEN-1
  (0.01 half-up, once, at the end) is ``(x + S // 2) // S`` on a non-negative integer;
* a claim whose figures could overflow int64 (bounds are checked exactly, in integers,
  before any product is formed) runs through the very same code on Python integers
  (numpy object arrays): slower, equally exact. No float is ever involved.

Pure: no database, no I/O. :func:`terms_of` turns a :class:`MedicalCoverage` into
integers; :func:`adjudicate_medical_batch` prices a :class:`MedicalBatch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from claimdesk.rules import cover
from claimdesk.rules.adjudication.errors import MissingField
from claimdesk.rules.adjudication.types import MedicalClaim, MedicalCoverage, Policy

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]
Arr = npt.NDArray[Any]

# Catalogue codes of a line: outside the catalogue (self-funded), 甲, 乙, 丙.
SELF_FUNDED, CAT_A, CAT_B, CAT_C = 0, 1, 2, 3
CATALOG_CODES = {None: SELF_FUNDED, "A": CAT_A, "B": CAT_B, "C": CAT_C}
# Reason codes of a claim (index into REASONS).
REASONS: tuple[str | None, ...] = (
    None,
    "not_in_force",
    "waiting_period",
    "not_covered",
    "sum_insured_exhausted",
)
NO_REASON, NOT_IN_FORCE, WAITING_PERIOD, NOT_COVERED, EXHAUSTED = range(5)
# Every int64 intermediate stays at or below this (2**63 − 1 leaves room for + S // 2).
LIMIT = 2**62
MAX_RATIO_PLACES = 10
NO_DATE = np.datetime64("NaT", "D")


@dataclass(frozen=True, slots=True)
class MedicalTerms:
    """A medical coverage as integers: fen, and ratios scaled by ``10**ratio_places``."""

    sum_insured: int
    deductible: int
    payout_ratio: int
    payout_ratio_without_social_insurance: int | None
    ratio_places: int
    social_insurance_only: bool
    waiting_period_days: int


@dataclass(frozen=True, slots=True)
class MedicalBatch:
    """Claims as columns. Lines are in claim order: claim ``i`` owns lines
    ``starts[i]`` up to ``starts[i + 1]`` (``starts`` has one entry per claim, the
    end is the number of lines); every claim has at least one line (MedicalClaim).

    ``self_pay`` is the line's self-pay ratio × ``10**self_pay_places`` (−1 when the
    line has none); ``excluded`` marks lines of a kind the coverage excludes. Dates are
    ``datetime64[D]``; ``NaT`` policy dates mean no policy (the period is not checked).
    """

    starts: I64
    amount: I64
    catalog: npt.NDArray[np.int8]
    excluded: Bool
    self_pay: I64
    self_pay_places: int
    date_of_loss: Arr
    policy_start: Arr
    policy_end: Arr  # the last covered day: a termination may end cover early
    settled: Bool
    social_insurance_paid: I64
    other_compensation: I64
    paid: I64
    deductible_used: I64

    @property
    def claims(self) -> int:
        return len(self.starts)

    @property
    def lines(self) -> int:
        return len(self.amount)


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Per claim: payable, eligible and deductible applied in fen; a reason code."""

    payable: I64
    eligible: Arr  # int64, or Python ints (object) when some claim was priced wide
    deductible_applied: I64
    reason: npt.NDArray[np.int8]
    # Claims priced on Python integers because int64 could have overflowed.
    wide_claims: int


# -- exact scaling -----------------------------------------------------------------------


def ratio_places(value: Decimal) -> int:
    """Decimal places a ratio needs (``0.10`` → 1, ``1`` → 0)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def scaled(value: Decimal, places: int) -> int:
    """``value × 10**places`` as an int; refuses to lose a digit."""
    number = value.scaleb(places)
    if number != number.to_integral_value():
        raise ValueError(f"{value} has more than {places} decimal places")
    return int(number)


def fen(value: Decimal) -> int:
    return scaled(value, 2)


def terms_of(coverage: MedicalCoverage) -> MedicalTerms:
    ratios = [coverage.payout_ratio]
    if coverage.payout_ratio_without_social_insurance is not None:
        ratios.append(coverage.payout_ratio_without_social_insurance)
    places = max(ratio_places(r) for r in ratios)
    without = coverage.payout_ratio_without_social_insurance
    return MedicalTerms(
        sum_insured=fen(coverage.sum_insured),
        deductible=fen(coverage.deductible),
        payout_ratio=scaled(coverage.payout_ratio, places),
        payout_ratio_without_social_insurance=None if without is None else scaled(without, places),
        ratio_places=places,
        social_insurance_only=coverage.scope == "social_insurance_only",
        waiting_period_days=coverage.waiting_period_days,
    )


# -- the formula -------------------------------------------------------------------------


def adjudicate_medical_batch(terms: MedicalTerms, batch: MedicalBatch) -> BatchResult:
    """ADJ-MED steps 1–5 for every claim of ``batch``; raises :class:`MissingField`
    when a 乙 line under ``social_insurance_only`` has no self-pay ratio, as the
    Decimal engine does."""
    if terms.social_insurance_only:
        missing = (batch.catalog == CAT_B) & (batch.self_pay < 0) & ~batch.excluded
        if missing.any():
            # Only a claim that reaches step 1 needs the ratio (the period comes first).
            outside, waiting = _period(terms, batch)
            counts = np.diff(np.append(batch.starts, batch.lines))
            if (missing & np.repeat(~(outside | waiting), counts)).any():
                raise MissingField(field="self_pay_ratio")
    n = batch.claims
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return BatchResult(empty, empty, empty, np.zeros(0, dtype=np.int8), 0)
    narrow = _fits_int64(terms, batch)
    if narrow.all():
        payable, eligible, applied, reason = _formula(terms, batch, np.int64)
        return BatchResult(payable, eligible, applied, reason, 0)
    payable = np.zeros(n, dtype=np.int64)
    # Eligible is not capped: many huge lines could pass int64, so it may hold Python ints.
    eligible = np.zeros(n, dtype=object)
    applied = np.zeros(n, dtype=np.int64)
    reason = np.zeros(n, dtype=np.int8)
    for mask, kind in ((narrow, np.int64), (~narrow, object)):
        if mask.any():
            part = _subset(batch, mask)
            p, e, a, r = _formula(terms, part, kind)
            # Payable ≤ sum insured and applied ≤ deductible, both < 10**17 fen: int64 holds them.
            payable[mask], eligible[mask], applied[mask], reason[mask] = p, e, a, r
    return BatchResult(payable, eligible, applied, reason, int((~narrow).sum()))


def _fits_int64(terms: MedicalTerms, batch: MedicalBatch) -> Bool:
    """Claims whose every intermediate provably stays ≤ LIMIT in int64 (exact test:
    lines × largest line × 10**(k1+k2) ≤ LIMIT, and the claim-level amounts likewise)."""
    scale = 10 ** (batch.self_pay_places + terms.ratio_places)
    if scale > LIMIT:
        return np.zeros(batch.claims, dtype=np.bool_)
    counts = np.diff(np.append(batch.starts, batch.lines))
    largest = np.maximum.reduceat(batch.amount, batch.starts)
    fits: Bool = largest <= (LIMIT // scale) // counts
    others_limit = LIMIT // 10**batch.self_pay_places // 2
    fits &= batch.social_insurance_paid <= others_limit
    fits &= batch.other_compensation <= others_limit
    return fits


def _formula(
    terms: MedicalTerms, batch: MedicalBatch, kind: Any
) -> tuple[I64, Arr, I64, npt.NDArray[np.int8]]:
    """The formula on int64 (``kind`` np.int64) or Python ints (``kind`` object)."""
    s1 = 10**batch.self_pay_places
    scale = s1 * 10**terms.ratio_places
    amount = batch.amount.astype(kind, copy=False)

    # Step 1: each line's covered part, in 10**-k1 fen; exact.
    # (Multiplying by masks is several times faster than nested np.where here.)
    if terms.social_insurance_only:
        share = s1 - batch.self_pay
        share *= batch.catalog == CAT_B
        share += (batch.catalog == CAT_A) * np.int64(s1)
    else:
        share = np.full(batch.lines, s1, dtype=np.int64)
    share *= ~batch.excluded
    eligible = np.add.reduceat(amount * share.astype(kind, copy=False), batch.starts)

    # Step 2: net of social insurance and other compensation, never below 0.
    others = (batch.social_insurance_paid + batch.other_compensation).astype(kind) * s1
    net = np.maximum(eligible - others, 0)

    # Step 3: the deductible left this policy year (clamped: above any net, it takes all).
    left = np.maximum(terms.deductible - batch.deductible_used, 0)
    if kind is not object:
        left = np.minimum(left, LIMIT // s1 + 1)
    applied = np.minimum(net, left.astype(kind) * s1)
    base = net - applied

    # Step 4: payout ratio (the other one for claimants who did not settle through
    # social insurance), then the remaining sum insured; units 10**-(k1+k2) fen.
    ratio = np.full(batch.claims, terms.payout_ratio, dtype=np.int64)
    if terms.payout_ratio_without_social_insurance is not None:
        ratio[~batch.settled] = terms.payout_ratio_without_social_insurance
    raw = base * ratio.astype(kind)
    remaining = np.maximum(terms.sum_insured - batch.paid, 0)
    cap = remaining if kind is object else np.minimum(remaining, LIMIT // scale + 1)
    capped = np.minimum(raw, cap.astype(kind) * scale)

    # GEN-1: 0.01 half-up, once, at the end (all figures are ≥ 0 here).
    payable = ((capped + scale // 2) // scale).astype(np.int64)
    eligible_fen = (eligible + s1 // 2) // s1
    applied_fen = ((applied + s1 // 2) // s1).astype(np.int64)

    reason = np.zeros(batch.claims, dtype=np.int8)
    zero = payable == 0
    reason[zero & (remaining == 0) & (raw > 0)] = EXHAUSTED
    reason[zero & (eligible == 0)] = NOT_COVERED

    # Step 5: outside the policy period, or inside the waiting period: 0, nothing used.
    outside, waiting = _period(terms, batch)
    off = outside | waiting
    payable[off] = 0
    eligible_fen[off] = 0
    applied_fen[off] = 0
    reason[outside] = NOT_IN_FORCE
    reason[waiting] = WAITING_PERIOD
    return payable, eligible_fen, applied_fen, reason


def _period(terms: MedicalTerms, batch: MedicalBatch) -> tuple[Bool, Bool]:
    """Claims outside the policy period, and claims inside the waiting period."""
    has_policy = ~np.isnat(batch.policy_start)
    day = batch.date_of_loss
    outside: Bool = has_policy & ((day < batch.policy_start) | (day > batch.policy_end))
    if not terms.waiting_period_days:
        return outside, np.zeros(batch.claims, dtype=np.bool_)
    first = batch.policy_start + np.timedelta64(terms.waiting_period_days, "D")
    waiting: Bool = has_policy & ~outside & (day < first)
    return outside, waiting


def _subset(batch: MedicalBatch, claims: Bool) -> MedicalBatch:
    counts = np.diff(np.append(batch.starts, batch.lines))
    lines = np.repeat(claims, counts)
    kept = counts[claims]
    starts = np.zeros(len(kept), dtype=np.int64)
    np.cumsum(kept[:-1], out=starts[1:])
    return MedicalBatch(
        starts=starts,
        amount=batch.amount[lines],
        catalog=batch.catalog[lines],
        excluded=batch.excluded[lines],
        self_pay=batch.self_pay[lines],
        self_pay_places=batch.self_pay_places,
        date_of_loss=batch.date_of_loss[claims],
        policy_start=batch.policy_start[claims],
        policy_end=batch.policy_end[claims],
        settled=batch.settled[claims],
        social_insurance_paid=batch.social_insurance_paid[claims],
        other_compensation=batch.other_compensation[claims],
        paid=batch.paid[claims],
        deductible_used=batch.deductible_used[claims],
    )


# -- from typed claims (tests, the bench's sample check, small batches) -------------------


def batch_of(
    coverage: MedicalCoverage,
    claims: list[tuple[MedicalClaim, Policy | None, Decimal, Decimal]],
) -> MedicalBatch:
    """A batch from typed claims: ``(claim, policy, paid, deductible_used)`` each."""
    lines = [line for claim, *_ in claims for line in claim.lines]
    ratios = [line.self_pay_ratio for line in lines if line.self_pay_ratio is not None]
    places = max((ratio_places(r) for r in ratios), default=0)
    counts = np.array([len(claim.lines) for claim, *_ in claims], dtype=np.int64)
    starts = np.zeros(len(claims), dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])

    def day(value: date | None) -> Any:
        return NO_DATE if value is None else np.datetime64(value, "D")

    return MedicalBatch(
        starts=starts,
        amount=np.array([fen(line.amount) for line in lines], dtype=np.int64),
        catalog=np.array([CATALOG_CODES[line.catalog] for line in lines], dtype=np.int8),
        excluded=np.array([line.kind in coverage.excluded_kinds for line in lines], dtype=bool),
        self_pay=np.array(
            [
                -1 if line.self_pay_ratio is None else scaled(line.self_pay_ratio, places)
                for line in lines
            ],
            dtype=np.int64,
        ),
        self_pay_places=places,
        date_of_loss=np.array([day(c.date_of_loss) for c, *_ in claims], dtype="datetime64[D]"),
        policy_start=np.array(
            [day(p.start if p else None) for _, p, *_ in claims], dtype="datetime64[D]"
        ),
        policy_end=np.array(
            # The last covered day: a termination ends cover early (rules.cover, POL-3).
            [
                day(cover.last_covered_day(p.end, p.terminated_on) if p else None)
                for _, p, *_ in claims
            ],
            dtype="datetime64[D]",
        ),
        settled=np.array([c.settled_with_social_insurance for c, *_ in claims], dtype=bool),
        social_insurance_paid=np.array(
            [fen(c.social_insurance_paid) for c, *_ in claims], dtype=np.int64
        ),
        other_compensation=np.array(
            [fen(c.other_compensation) for c, *_ in claims], dtype=np.int64
        ),
        paid=np.array([fen(paid) for _, _, paid, _ in claims], dtype=np.int64),
        deductible_used=np.array([fen(used) for *_, used in claims], dtype=np.int64),
    )


def money(value: int) -> Decimal:
    """Fen back to a 2-place Decimal (``12345`` → ``Decimal("123.45")``)."""
    return Decimal(value).scaleb(-2)
