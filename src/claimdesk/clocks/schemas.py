"""How a clock is shown: which rule made the deadline, in UTC and in Shanghai time."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel

from claimdesk.models.clock import Clock

if TYPE_CHECKING:
    from claimdesk.clocks.service import PlannedClock
from claimdesk.claims.deadline_names import name_of
from claimdesk.clocks.service import clock_met, rule_of
from claimdesk.rules.deadlines import describe, to_local


class ClockOut(BaseModel):
    id: int
    subject_type: str
    subject_id: str
    name: str
    rule_type: str
    rule_n: int
    rule_label: str
    # The rule that made the deadline in the caller's language (GEN-4, GEN-6): the article
    # of law or the standard and what it asks (claims.deadline_names), not the Chinese
    # basis the row was started with, which stays in the table for the audit.
    basis: str | None
    started_at: dt.datetime
    due_at: dt.datetime
    due_local: dt.datetime
    # Counted on the provisional calendar of a year not loaded yet (GEN-3).
    provisional: bool
    paused: bool
    paused_at: dt.datetime | None
    stopped: bool
    stopped_at: dt.datetime | None
    # Why it stopped (null while running): completed, reassigned or cancelled; only a
    # completed clock can be met.
    closed_reason: str | None
    breached: bool
    breached_at: dt.datetime | None
    # True once its step was done in time, False when it stopped late; None while still
    # running, or when it was closed in time without its step (reassigned, cancelled).
    met: bool | None

    @classmethod
    def of(cls, clock: Clock | PlannedClock, language: str = "zh-CN") -> ClockOut:

        # Typed columns (or a planned clock's typed fields): built without validation,
        # as claims.read._claim_out (issue 14).
        return cls.model_construct(
            id=clock.id,
            subject_type=clock.subject_type,
            subject_id=clock.subject_id,
            name=clock.name,
            rule_type=clock.rule_type,
            rule_n=clock.rule_n,
            rule_label=describe(rule_of(clock=clock), language),
            basis=name_of(clock.name, clock.basis).basis(language) if clock.basis else None,
            started_at=clock.started_at,
            due_at=clock.due_at,
            due_local=to_local(clock.due_at),
            provisional=clock.due_provisional,
            paused=clock.paused_at is not None and clock.stopped_at is None,
            paused_at=clock.paused_at,
            stopped=clock.stopped_at is not None,
            stopped_at=clock.stopped_at,
            closed_reason=None if clock.closed_reason is None else str(clock.closed_reason),
            breached=clock.breached_at is not None,
            breached_at=clock.breached_at,
            met=clock_met(clock=clock),
        )
