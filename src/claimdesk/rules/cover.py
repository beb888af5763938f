"""The days a policy covers (GEN-2: local dates; CLM-R2, CLM-F3, POL-3).

A policy covers its period, both days included, unless it was terminated (解除: on the
policyholder's surrender, by the insurer, by law): a termination ends cover the day it
takes effect — the effective date itself is not covered, as ``policies.repository``'s
"in force on a day" reads it. One rule for the report's intake flag
(``claims.intake.report.loss_outside_period``), the report's look-up by ID number and the
automatic check ``outside_period`` (``rules.checks.rules``), so a loss the handler is
told is outside the cover is the one the check finds, and the other way round.
"""

from __future__ import annotations

import datetime as dt


def last_covered_day(period_end: dt.date, terminated_on: dt.date | None) -> dt.date:
    """The policy's last day of cover: the day before a termination takes effect, when
    that is before the period's end; otherwise the period's end."""
    if terminated_on is not None and terminated_on <= period_end:
        return terminated_on - dt.timedelta(days=1)
    return period_end


def ended_by_termination(period_end: dt.date, terminated_on: dt.date | None) -> bool:
    """Whether a termination, not the period, ends the cover."""
    return terminated_on is not None and terminated_on <= period_end


def covers(
    day: dt.date,
    *,
    period_start: dt.date,
    period_end: dt.date,
    terminated_on: dt.date | None = None,
) -> bool:
    """Whether the policy covers ``day``: inside its period and before a termination."""
    return period_start <= day <= last_covered_day(period_end, terminated_on)
