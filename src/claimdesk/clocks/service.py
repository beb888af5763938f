"""Deadline clocks (SPEC GEN-4 on records).

A clock is one time limit governing one record (a claim's review, a complaint's
decision …). Its ``due_at`` is always what :mod:`claimdesk.rules.deadlines` computes from
the rule, the start and the pause history — never typed in — and ``breached_at`` is set
only by :func:`mark_breaches` from ``due_at``. Every transition is audited (GEN-5).
Services flush only; the edge commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.calendar.cache import load_calendar
from claimdesk.clocks import repository
from claimdesk.clocks.errors import (
    ClockAlreadyPaused,
    ClockDeadlinePassed,
    ClockNotPaused,
    ClockStopped,
    ClockTimeOutOfOrder,
)
from claimdesk.formatting import local_datetime
from claimdesk.models.clock import Clock, ClockPause
from claimdesk.models.states import ClockClosedReason
from claimdesk.rules.deadlines import NaiveInstant, Rule, evaluate, to_local

BREACH_ACTOR = Principal.system("deadline-monitor")


def rule_of(*, clock: Clock | PlannedClock) -> Rule:
    return Rule(type=clock.rule_type, n=clock.rule_n)  # type: ignore[arg-type]


Outcome = Literal["met", "missed", "ended_early"]


def clock_outcome(*, clock: Clock | PlannedClock) -> Outcome | None:
    """How a stopped clock ended; None while it runs (a running clock past its due time
    is missed by the scorecards' reading at their ``now``, not here).

    * ``met``: its step was done (closed_reason ``completed``) in time — a clock stopped
      while paused before its deadline met its limit;
    * ``missed``: it stopped after its deadline, whatever stopped it (a surveyor
      reassigned two hours late had missed the hour already);
    * ``ended_early``: closed in time for another reason (a surveyor reassigned, a
      claim withdrawn): the limit governed nothing to its end, met by nobody (GEN-7)."""
    if clock.stopped_at is None:
        return None
    in_time = (
        clock.paused_at is not None and clock.paused_at < clock.due_at
    ) or clock.stopped_at <= clock.due_at
    if not in_time:
        return "missed"
    done = clock.closed_reason in (None, ClockClosedReason.COMPLETED)
    return "met" if done else "ended_early"


def clock_met(*, clock: Clock | PlannedClock) -> bool | None:
    """True when the clock's step was done in time, False when it stopped late, None
    while open — and None for a clock closed in time without its step (reassigned,
    cancelled: clock_outcome's ``ended_early``), which met nothing."""
    outcome = clock_outcome(clock=clock)
    return None if outcome in (None, "ended_early") else outcome == "met"


def pauses_of(session: Session, *, clock: Clock) -> Sequence[ClockPause]:
    return repository.pauses_of(session, clock=clock)


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveInstant(field=field)
    return value.astimezone(dt.UTC)


def _not_before(value: dt.datetime, earliest: dt.datetime, field: str) -> None:
    if value < earliest:
        raise ClockTimeOutOfOrder(
            field=field,
            earliest_zh=local_datetime(earliest, "zh-CN"),
            earliest_en=local_datetime(earliest, "en"),
        )


def _compute_due(session: Session, clock: Clock) -> tuple[dt.datetime | None, bool]:
    """The due instant (UTC) from the rule and the stored pauses (None while paused),
    and whether it was counted on the provisional calendar (GEN-3)."""
    rule = rule_of(clock=clock)
    calendar = None if rule.type == "hours" else load_calendar(session)
    pauses = [(p.paused_at, p.resumed_at) for p in pauses_of(session, clock=clock)]
    deadline = evaluate(rule, clock.started_at, calendar, pauses)
    due = None if deadline.due is None else deadline.due.astimezone(dt.UTC)
    return due, deadline.provisional


_DEFERRED = "claimdesk.clocks.deferred_subjects"


def _sync_subject(session: Session, clock: Clock) -> None:
    """Keep ``claims.next_due_at`` (the work queue's sort key) equal to the earliest
    due_at of the claim's running, unpaused clocks, NULL when none.

    The only writer of that column: every change of a clock's due_at, pause or stop goes
    through start/pause/resume/stop below. Breach marking changes none of them. Inside
    :func:`deferred_sync` (a workflow move running several clock operations) the claim
    is written once, when the move's clock work is done."""
    if clock.subject_type != "claim" or not clock.subject_id.isdigit():
        return
    deferred: set[int] | None = session.info.get(_DEFERRED)
    if deferred is not None:
        deferred.add(int(clock.subject_id))
        return
    _write_next_due(session, int(clock.subject_id))


def _write_next_due(session: Session, claim_id: int) -> None:
    repository.write_next_due(session, claim_id=claim_id)


@contextmanager
def deferred_sync(session: Session) -> Iterator[None]:
    """Run several clock operations and keep each claim's ``next_due_at`` once at the
    end instead of after every operation (a report starts three clocks and stops one).
    Nested use joins the outer block. Nothing is written if the block raises: the
    request rolls back anyway."""
    if _DEFERRED in session.info:
        yield
        return
    session.info[_DEFERRED] = set()
    try:
        yield
    finally:
        subjects: set[int] = session.info.pop(_DEFERRED)
    for claim_id in sorted(subjects):
        _write_next_due(session, claim_id)


def _audit(
    session: Session,
    clock: Clock | PlannedClock,
    action: str,
    actor: Principal,
    reason: str | None = None,
    at: dt.datetime | None = None,
    closed_reason: ClockClosedReason | None = None,
) -> None:
    details: dict[str, object] = {
        "subject": f"{clock.subject_type}:{clock.subject_id}",
        "name": clock.name,
        "rule": f"{clock.rule_type}:{clock.rule_n}",
        "at": None if at is None else at.isoformat(),
        "due_at": clock.due_at.isoformat(),
    }
    if closed_reason is not None:
        details["closed_reason"] = str(closed_reason)
    record(
        session,
        actor=actor,
        action=f"clock.{action}",
        entity_type="clock",
        entity_id=clock.id,
        reason=reason,
        details=details,
    )


def start_clock(
    session: Session,
    *,
    subject_type: str,
    subject_id: str | int,
    name: str,
    rule: Rule,
    started_at: dt.datetime,
    basis: str,
    org_unit_id: int | None = None,
    actor: Principal,
) -> Clock:
    """Start a time limit. A day rule whose deadline falls in a year the stored calendar
    lacks is counted on the provisional calendar and marked so (GEN-3)."""
    clock = _new_clock(
        session,
        Clock,
        name=name,
        rule=rule,
        started_at=started_at,
        basis=basis,
        org_unit_id=org_unit_id,
    )
    clock.subject_type, clock.subject_id = subject_type, str(subject_id)
    session.add(clock)
    session.flush()
    _sync_subject(session, clock)
    _audit(session, clock, "started", actor, at=started_at)
    return clock


# -- the clocks of a subject being created (a claim's report) ------------------------------
#
# A move that creates its subject (the claim's report) starts and stops its clocks before
# any of them exists: nothing has to be read back, so the clocks are planned in memory by
# the same rules as start_clock and stop_clock (deadline from the rule and the calendar,
# times in order), their subject's next_due_at is known before the subject's row is
# written, and the subject's own statement writes them (workflow.open_claim, through
# db.insert_new_with), then record_planned audits the operations in the order they were
# made. Planned clocks are plain objects (PlannedClock), not ORM ones.


@dataclass(eq=False)
class PlannedClock:
    """A clock of a subject being created, as start_clock would make it: what a Clock
    holds that the subject's statement writes, the audit and ClockOut read. A plain
    object, not an ORM one: nothing of it is read back in its transaction (issue 14);
    ``id`` and ``subject_id`` are set when it is written (db.insert_new_with, which also
    sets the columns' insert defaults on it)."""

    name: str
    rule_type: str
    rule_n: int
    basis: str
    org_unit_id: int | None
    started_at: dt.datetime
    due_at: dt.datetime
    due_provisional: bool
    subject_type: str = ""
    subject_id: str = ""
    id: int = 0
    paused_at: dt.datetime | None = None
    stopped_at: dt.datetime | None = None
    closed_reason: ClockClosedReason | None = None
    breached_at: dt.datetime | None = None


_AnyClock = TypeVar("_AnyClock", Clock, PlannedClock)


@dataclass
class ClockPlan:
    """The clocks of one subject being created and what happened to them, in order."""

    clocks: list[PlannedClock] = field(default_factory=list)
    events: list[tuple[PlannedClock, str, dt.datetime]] = field(default_factory=list)

    def named(self, name: str) -> PlannedClock | None:
        found = [c for c in self.clocks if c.name == name]
        return found[-1] if found else None

    def next_due(self) -> dt.datetime | None:
        """What write_next_due would store: the earliest due of the running, unpaused
        clocks (a new subject has no others)."""
        running = [c.due_at for c in self.clocks if c.stopped_at is None and c.paused_at is None]
        return min(running, default=None)


def plan_start(
    session: Session,
    *,
    plan: ClockPlan,
    name: str,
    rule: Rule,
    started_at: dt.datetime,
    basis: str,
    org_unit_id: int | None = None,
) -> PlannedClock:
    """start_clock for a subject not written yet: the same deadline, nothing written."""
    clock = _new_clock(
        session,
        PlannedClock,
        name=name,
        rule=rule,
        started_at=started_at,
        basis=basis,
        org_unit_id=org_unit_id,
    )
    plan.clocks.append(clock)
    plan.events.append((clock, "started", clock.started_at))
    return clock


def plan_stop(*, plan: ClockPlan, clock: PlannedClock, at: dt.datetime) -> None:
    """stop_clock on a planned clock: the same checks."""
    _open(clock)
    at = _aware(at, "at")
    _not_before(at, clock.paused_at or clock.started_at, "at")
    clock.stopped_at = at
    clock.closed_reason = ClockClosedReason.COMPLETED
    plan.events.append((clock, "stopped", at))


def record_planned(session: Session, *, plan: ClockPlan, actor: Principal) -> None:
    """Audit each operation of the plan as start_clock and stop_clock do, once its
    clocks are written with their ids and subject (in the subject's own statement:
    workflow.open_claim)."""
    for clock, action, at in plan.events:
        closed = ClockClosedReason.COMPLETED if action == "stopped" else None
        _audit(session, clock, action, actor, at=at, closed_reason=closed)


def _new_clock(
    session: Session,
    kind: type[_AnyClock],
    *,
    name: str,
    rule: Rule,
    started_at: dt.datetime,
    basis: str,
    org_unit_id: int | None,
) -> _AnyClock:
    """A started clock (an ORM Clock, or a PlannedClock for a subject not written yet),
    its deadline computed (no subject yet, nothing written)."""
    started_at, due, provisional = _deadline(session, rule, started_at)
    return kind(
        name=name,
        rule_type=rule.type,
        rule_n=rule.n,
        basis=basis,
        org_unit_id=org_unit_id,
        started_at=started_at,
        due_at=due,
        due_provisional=provisional,
    )


def _deadline(
    session: Session, rule: Rule, started_at: dt.datetime
) -> tuple[dt.datetime, dt.datetime, bool]:
    """A clock started now: its start (UTC-aware), due instant (UTC) and whether the
    deadline was counted on the provisional calendar (GEN-3)."""
    started_at = _aware(started_at, "started_at")
    calendar = None if rule.type == "hours" else load_calendar(session)
    deadline = evaluate(rule, started_at, calendar)
    assert deadline.due is not None  # no pauses yet
    return started_at, deadline.due.astimezone(dt.UTC), deadline.provisional


def _open(clock: Clock | PlannedClock) -> None:
    if clock.stopped_at is not None:
        raise ClockStopped(name=clock.name)


def pause_clock(
    session: Session, *, clock: Clock, at: dt.datetime, reason: str | None, actor: Principal
) -> Clock:
    _open(clock)
    if clock.paused_at is not None:
        raise ClockAlreadyPaused(name=clock.name)
    at = _aware(at, "at")
    history = pauses_of(session, clock=clock)
    earliest = history[-1].resumed_at if history and history[-1].resumed_at else clock.started_at
    _not_before(at, earliest, "at")
    session.add(ClockPause(clock_id=clock.id, paused_at=at, resumed_at=None, reason=reason))
    clock.paused_at = at
    session.flush()
    _sync_subject(session, clock)
    # due_at keeps the last computed deadline while paused; a pause after the deadline
    # does not revive it, and mark_breaches reads paused_at against due_at.
    _audit(session, clock, "paused", actor, reason=reason, at=at)
    return clock


def resume_clock(session: Session, *, clock: Clock, at: dt.datetime, actor: Principal) -> Clock:
    _open(clock)
    if clock.paused_at is None:
        raise ClockNotPaused(name=clock.name)
    at = _aware(at, "at")
    _not_before(at, clock.paused_at, "at")
    history = pauses_of(session, clock=clock)
    history[-1].resumed_at = at
    clock.paused_at = None
    session.flush()
    due, provisional = _compute_due(session, clock)
    assert due is not None  # every pause is closed now
    clock.due_at, clock.due_provisional = due, provisional
    session.flush()
    _sync_subject(session, clock)
    _audit(session, clock, "resumed", actor, at=at)
    return clock


def stop_clock(
    session: Session,
    *,
    clock: Clock,
    at: dt.datetime,
    actor: Principal,
    closed_reason: ClockClosedReason = ClockClosedReason.COMPLETED,
    reason: str | None = None,
) -> Clock:
    """Stop the clock: by default because the governed step is done (whether the limit
    was met is derived: clock_outcome). ``closed_reason`` says otherwise when the clock
    ends without its step (a surveyor reassigned, a claim withdrawn): such a clock is
    never counted as met. ``reason``: the words of why, kept on the audit entry."""
    _open(clock)
    at = _aware(at, "at")
    _not_before(at, clock.paused_at or clock.started_at, "at")
    clock.stopped_at = at
    clock.closed_reason = ClockClosedReason(closed_reason)
    session.flush()
    _sync_subject(session, clock)
    _audit(session, clock, "stopped", actor, reason=reason, at=at, closed_reason=closed_reason)
    return clock


def extend_clock(
    session: Session,
    *,
    clock: Clock,
    rule: Rule,
    basis: str,
    at: dt.datetime,
    actor: Principal,
    reason: str | None = None,
) -> Clock:
    """Replace the rule of a running clock (a complaint's 15 days become 30) and compute
    the new deadline by that rule from the original start and the stored pauses.

    An extension is decided within the time limit: at or after the current deadline it
    is refused (ClockDeadlinePassed), so a missed limit cannot be turned into a met one."""
    _open(clock)
    at = _aware(at, "at")
    # A clock paused before its deadline is not running out; one paused after it is.
    paused_in_time = clock.paused_at is not None and clock.paused_at < clock.due_at
    if at > clock.due_at and not paused_in_time:
        raise ClockDeadlinePassed(name=clock.name, due=to_local(clock.due_at).isoformat())
    clock.rule_type, clock.rule_n, clock.basis = rule.type, rule.n, basis
    session.flush()
    due, provisional = _compute_due(session, clock)
    if due is not None:  # while paused due_at keeps the last computed deadline
        clock.due_at, clock.due_provisional = due, provisional
    session.flush()
    _sync_subject(session, clock)
    _audit(session, clock, "extended", actor, reason=reason, at=at)
    return clock


# The clock reads other domains use, kept here as the clocks' public face.
clocks_for = repository.clocks_for
clocks_of_subjects = repository.clocks_of_subjects
clocks_by_id = repository.clocks_by_id
open_clocks_due_before = repository.open_clocks_due_before


def mark_breaches(session: Session, *, now: dt.datetime, limit: int = 500) -> list[Clock]:
    """Set ``breached_at`` (= the deadline passed) on every clock whose limit was missed:
    running past its due time, or stopped after it. A clock paused before its deadline
    is not running and cannot breach. Idempotent: marked clocks are never returned again.

    On PostgreSQL the rows are taken ``FOR UPDATE SKIP LOCKED``, so two workers running
    at once never mark (or escalate, with what this returns) the same clock twice."""
    now = _aware(now, "now")
    marked = repository.unmarked_breaches(session, now=now, limit=limit)
    for clock in marked:
        clock.breached_at = clock.due_at
        _audit(session, clock, "breached", BREACH_ACTOR, at=clock.due_at)
    session.flush()
    return marked


def recompute_running(session: Session, *, years: Iterable[int]) -> list[dict[str, object]]:
    """After the calendar of ``years`` was loaded or corrected (GEN-3): recompute every
    running day-rule clock whose count may cross those years, keep each claim's
    next_due_at, and return the clocks whose due moved (id, subject, name, old → new).

    A paused clock is left alone: its deadline is recomputed when it resumes. A
    stopped clock is history. The caller audits the list."""
    changed = sorted(set(years))
    if not changed:
        return []
    moved: list[dict[str, object]] = []
    with deferred_sync(session):
        for clock in repository.running_day_clocks(session, first=changed[0], last=changed[-1]):
            old = clock.due_at
            due, provisional = _compute_due(session, clock)
            assert due is not None  # not paused
            clock.due_provisional = provisional
            if due != old:
                clock.due_at = due
                moved.append(_moved(clock, old))
                _sync_subject(session, clock)
        session.flush()
    return moved


def _moved(clock: Clock, old: dt.datetime) -> dict[str, object]:
    return {
        "clock_id": clock.id,
        "subject": f"{clock.subject_type}:{clock.subject_id}",
        "name": clock.name,
        "old_due_at": to_local(old).isoformat(),
        "new_due_at": to_local(clock.due_at).isoformat(),
    }
