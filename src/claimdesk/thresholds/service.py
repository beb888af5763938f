"""The claim thresholds in force at an instant, and new versions of them.

SPEC calls these configurable (CLM-V1 review tiers, CLM-R4 major-case amount, CLM-P4
small-payment limit, CLM-P3 small-cash limit, the survey-skip rule). Each change is a new row with the instant it
takes effect, so a claim is judged by the values in force when it was reported or decided
and every past decision can be explained.

Reads are on the report path: the versions are cached per process, keyed on the newest
version id, so a read costs one primary-key ``max(id)`` query. A version added by another
process changes that id; one added here clears the cache.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.models.threshold import ClaimThresholdVersion
from claimdesk.thresholds import repository
from claimdesk.thresholds.errors import (
    AutomaticLineUnsupported,
    ReviewTiersNotIncreasing,
    SampleShareOutOfRange,
    SkipSurveyLinesEmpty,
    ThresholdEffectiveInPast,
    ThresholdNotPositive,
)

AMOUNT_FIELDS = (
    "review_tier1_max",
    "review_tier2_max",
    "major_amount",
    "small_payment_max",
    "skip_survey_max_amount",
)
# The coverage types whose bills the automatic path can assess (CLM-T1, CLM-T2).
AUTOMATIC_LINE_CHOICES = ("medical", "accident_medical")
# A version sent "for now" reaches the server a moment later; this much is not "the past".
CLOCK_GRACE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Thresholds:
    version_id: int | None
    review_tier1_max: Decimal  # SPEC CLM-V1
    review_tier2_max: Decimal  # SPEC CLM-V1
    major_amount: Decimal  # SPEC CLM-R4
    small_payment_max: Decimal  # SPEC CLM-P4
    skip_survey_max_amount: Decimal
    skip_survey_lines: frozenset[str]
    effective_from: dt.datetime
    created_by_id: int | None
    reason: str
    # SPEC CLM-T2: the automatic path's limit (the bills' total) and coverage types.
    automatic_max_amount: Decimal = Decimal("5000.00")
    automatic_lines: frozenset[str] = frozenset({"medical"})
    # SPEC CLM-T3: the share of automatically paid claims a tier-1 reviewer checks.
    sample_share: Decimal = Decimal("0.0500")
    # SPEC CLM-P3: a cash/offline payment up to this amount needs no special-case reason.
    small_cash_max: Decimal = Decimal("2000.00")


# What the migration seeds; used only while the table is empty.
DEFAULTS = Thresholds(
    version_id=None,
    review_tier1_max=Decimal("10000.00"),
    review_tier2_max=Decimal("100000.00"),
    major_amount=Decimal("500000.00"),
    small_payment_max=Decimal("5000.00"),
    skip_survey_max_amount=Decimal("5000.00"),
    skip_survey_lines=frozenset({"health"}),
    effective_from=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    created_by_id=None,
    reason="defaults (SPEC CLM-V1, CLM-R4, CLM-P4)",
)

_lock = threading.Lock()
# (newest version id, versions ordered by effective_from): swapped whole, never mutated.
_cache: tuple[int | None, tuple[Thresholds, ...]] | None = None


def _value(row: ClaimThresholdVersion) -> Thresholds:
    return Thresholds(
        version_id=row.id,
        review_tier1_max=row.review_tier1_max,
        review_tier2_max=row.review_tier2_max,
        major_amount=row.major_amount,
        small_payment_max=row.small_payment_max,
        skip_survey_max_amount=row.skip_survey_max_amount,
        skip_survey_lines=frozenset(x for x in row.skip_survey_lines.split(",") if x),
        effective_from=row.effective_from,
        created_by_id=row.created_by_id,
        reason=row.reason,
        automatic_max_amount=row.automatic_max_amount,
        automatic_lines=frozenset(x for x in row.automatic_lines.split(",") if x),
        sample_share=row.sample_share,
        small_cash_max=row.small_cash_max,
    )


def clear_cache() -> None:
    global _cache
    with _lock:
        _cache = None


class Unread(enum.Enum):
    """``newest`` not read by the caller: read it here."""

    UNREAD = 0


def versions(
    session: Session, *, newest: int | Unread | None = Unread.UNREAD
) -> tuple[Thresholds, ...]:
    """Every version, oldest effective first (cached on the newest id). ``newest``: the
    newest id (repository.latest_id_column) when the caller has just read it."""
    global _cache
    if isinstance(newest, Unread):
        newest = repository.latest_id(session)
    cached = _cache
    if cached is not None and cached[0] == newest:
        return cached[1]
    loaded = tuple(_value(row) for row in repository.all_versions(session))
    with _lock:
        _cache = (newest, loaded)
    return loaded


def in_force(
    session: Session, *, at: dt.datetime, newest: int | Unread | None = Unread.UNREAD
) -> Thresholds:
    """The version in force at ``at`` (report time for CLM-R4, decision time for CLM-V1
    and CLM-P4): the latest effective_from not after it. ``newest`` as for versions."""
    found = DEFAULTS
    for version in versions(session, newest=newest):
        if version.effective_from > at:
            break
        found = version
    return found


def _check(values: dict[str, Decimal], lines: list[str]) -> None:
    for name in AMOUNT_FIELDS:
        if values[name] <= 0:
            raise ThresholdNotPositive(field=name)
    # SPEC CLM-V1: the tiers increase.
    if values["review_tier2_max"] <= values["review_tier1_max"]:
        raise ReviewTiersNotIncreasing(field="review_tier2_max")
    if not [line for line in lines if line.strip()]:
        raise SkipSurveyLinesEmpty(field="skip_survey_lines")


def _check_automatic(
    limit: Decimal, lines: list[str], share: Decimal
) -> tuple[Decimal, str, Decimal]:
    """SPEC CLM-T2/T3: a positive limit, lines the path can assess (none: the automatic
    path is off), a share from 0 to 1."""
    if limit <= 0:
        raise ThresholdNotPositive(field="automatic_max_amount")
    chosen = sorted({line.strip() for line in lines if line.strip()})
    for index, line in enumerate(chosen):
        if line not in AUTOMATIC_LINE_CHOICES:
            raise AutomaticLineUnsupported(
                field=f"automatic_lines.{index}", choices=", ".join(AUTOMATIC_LINE_CHOICES)
            )
    if not Decimal("0") <= share <= Decimal("1") or share != share.quantize(Decimal("0.0001")):
        raise SampleShareOutOfRange(field="sample_share")
    return limit, ",".join(chosen), share


def create_version(
    session: Session,
    *,
    actor: Principal,
    values: dict[str, Decimal],
    skip_survey_lines: list[str],
    effective_from: dt.datetime | None,
    reason: str,
    now: dt.datetime | None = None,
    automatic_max_amount: Decimal | None = None,
    automatic_lines: list[str] | None = None,
    sample_share: Decimal | None = None,
    small_cash_max: Decimal | None = None,
) -> Thresholds:
    """A new version from ``effective_from`` (default now; never in the past), audited.
    An automatic setting or the small-cash limit left out (None) keeps the value of the
    version in force then."""
    _check(values, skip_survey_lines)
    # The claims' clock: a version takes effect on the instants claims are judged by.
    at = now or timeutil.now()
    starts = _effective_start(effective_from, at=at)
    lines = ",".join(sorted({line.strip() for line in skip_survey_lines if line.strip()}))
    before = in_force(session, at=starts)
    auto_limit, auto_lines, share = _check_automatic(
        before.automatic_max_amount if automatic_max_amount is None else automatic_max_amount,
        sorted(before.automatic_lines) if automatic_lines is None else automatic_lines,
        before.sample_share if sample_share is None else sample_share,
    )
    cash_max = before.small_cash_max if small_cash_max is None else small_cash_max
    if cash_max <= 0:
        raise ThresholdNotPositive(field="small_cash_max")
    row = repository.add(
        session,
        version=ClaimThresholdVersion(
            **{name: values[name] for name in AMOUNT_FIELDS},
            skip_survey_lines=lines,
            automatic_max_amount=auto_limit,
            automatic_lines=auto_lines,
            sample_share=share,
            small_cash_max=cash_max,
            effective_from=starts,
            created_by_id=actor.user_id,
            reason=reason,
            created_at=at,
        ),
    )
    clear_cache()
    _audit_version(session, actor=actor, row=row)
    return _value(row)


def _effective_start(effective_from: dt.datetime | None, *, at: dt.datetime) -> dt.datetime:
    """When a new version takes effect: ``at`` unless given; refused in the past (beyond
    the clocks' grace)."""
    starts = effective_from or at
    if starts.tzinfo is None:  # GEN-2: an instant without a zone is UTC
        starts = starts.replace(tzinfo=dt.UTC)
    if starts < at - CLOCK_GRACE:
        raise ThresholdEffectiveInPast(field="effective_from")
    return starts


def _audit_version(session: Session, *, actor: Principal, row: ClaimThresholdVersion) -> None:
    """The new version's every setting in the audit row, as it was just stored."""
    record(
        session,
        actor=actor,
        action="thresholds.version_created",
        entity_type="claim_thresholds",
        entity_id=row.id,
        reason=row.reason,
        details={
            **{name: str(getattr(row, name)) for name in AMOUNT_FIELDS},
            "skip_survey_lines": row.skip_survey_lines,
            "automatic_max_amount": str(row.automatic_max_amount),
            "automatic_lines": row.automatic_lines,
            "sample_share": str(row.sample_share),
            "small_cash_max": str(row.small_cash_max),
            "effective_from": row.effective_from.isoformat(),
        },
        at=row.created_at,
    )
