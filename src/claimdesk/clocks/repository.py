"""Every query of the deadline clocks (clocks.service keeps the rules of their life)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from claimdesk.db import is_postgres
from claimdesk.models.claim import Claim
from claimdesk.models.clock import Clock, ClockPause


def pauses_of(session: Session, *, clock: Clock) -> Sequence[ClockPause]:
    return session.scalars(
        select(ClockPause).where(ClockPause.clock_id == clock.id).order_by(ClockPause.id)
    ).all()


def write_next_due(session: Session, *, claim_id: int) -> None:
    """The claim's next_due_at: the earliest due of its running, unpaused clocks."""
    earliest = (
        select(func.min(Clock.due_at))
        .where(
            Clock.subject_type == "claim",
            Clock.subject_id == str(claim_id),
            Clock.stopped_at.is_(None),
            Clock.paused_at.is_(None),
        )
        .scalar_subquery()
    )
    # One statement; ORM-enabled with "fetch", so a Claim already loaded in the session
    # sees the new value too.
    session.execute(
        update(Claim)
        .where(Claim.id == claim_id)
        .values(next_due_at=earliest)
        .execution_options(synchronize_session="fetch")
    )


def clocks_for(session: Session, *, subject_type: str, subject_id: str | int) -> Sequence[Clock]:
    return session.scalars(
        select(Clock)
        .where(Clock.subject_type == subject_type, Clock.subject_id == str(subject_id))
        .order_by(Clock.id)
    ).all()


def clocks_of_subjects(
    session: Session, *, subject_type: str, subject_ids: Iterable[str | int]
) -> dict[str, list[Clock]]:
    """The clocks of many subjects of one type in one query (a list page), by subject id."""
    ids = sorted({str(i) for i in subject_ids})
    found: dict[str, list[Clock]] = {i: [] for i in ids}
    if not ids:
        return found
    for clock in session.scalars(
        select(Clock)
        .where(Clock.subject_type == subject_type, Clock.subject_id.in_(ids))
        .order_by(Clock.id)
    ):
        found[clock.subject_id].append(clock)
    return found


def clocks_by_id(session: Session, *, clock_ids: Iterable[int]) -> list[Clock]:
    ids = sorted(set(clock_ids))
    if not ids:
        return []
    return list(session.scalars(select(Clock).where(Clock.id.in_(ids)).order_by(Clock.id)))


def open_clocks_due_before(session: Session, *, when: dt.datetime) -> Sequence[Clock]:
    """Running clocks (not stopped, not paused) whose deadline is before ``when``."""
    return session.scalars(
        select(Clock)
        .where(Clock.stopped_at.is_(None), Clock.paused_at.is_(None), Clock.due_at < when)
        .order_by(Clock.due_at, Clock.id)
    ).all()


def unmarked_breaches(session: Session, *, now: dt.datetime, limit: int) -> list[Clock]:
    """Clocks that missed their limit and are not marked yet: running past due, or
    stopped after it (a clock paused before its deadline is not running). PostgreSQL:
    ``FOR UPDATE SKIP LOCKED``, so two workers never take the same clock."""
    not_paused_in_time = or_(Clock.paused_at.is_(None), Clock.paused_at >= Clock.due_at)
    running_late = and_(Clock.stopped_at.is_(None), Clock.due_at < now)
    stopped_late = and_(Clock.stopped_at.is_not(None), Clock.stopped_at > Clock.due_at)
    query = (
        select(Clock)
        .where(Clock.breached_at.is_(None), not_paused_in_time, or_(running_late, stopped_late))
        .order_by(Clock.id)
        .limit(limit)
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query).all())


def running_day_clocks(session: Session, *, first: int, last: int) -> Sequence[Clock]:
    """Running day-rule clocks whose count from start to due meets the years
    [first, last] (Shanghai dates, widened by a day for the UTC offset)."""
    span_start = dt.datetime(first, 1, 1, tzinfo=dt.UTC) - dt.timedelta(days=1)
    span_end = dt.datetime(last + 1, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=1)
    return session.scalars(
        select(Clock)
        .where(
            Clock.stopped_at.is_(None),
            Clock.paused_at.is_(None),
            Clock.rule_type != "hours",
            Clock.due_at >= span_start,
            Clock.started_at < span_end,
        )
        .order_by(Clock.id)
    ).all()


def breached_not_escalated(
    session: Session, *, subject_types: Sequence[str], limit: int
) -> Sequence[Clock]:
    """Breached clocks of ``subject_types`` not escalated yet, oldest first, at most
    ``limit``; on PostgreSQL locked (``SKIP LOCKED``: two workers take different ones)."""
    query = (
        select(Clock)
        .where(
            Clock.breached_at.is_not(None),
            Clock.escalated_at.is_(None),
            Clock.subject_type.in_(subject_types),
        )
        .order_by(Clock.id)
        .limit(limit)
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).all()
