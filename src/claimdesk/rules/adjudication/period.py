"""Is the claim inside the policy's cover and past the waiting period? (ADJ-MED step 5,
ADJ-CI; the same check serves every coverage type, CLM-V2 "policy in force".) The cover
is the period, ended early by a termination (POL-3): ``rules.cover``, the rule the intake
flag and the automatic check ``outside_period`` read."""

from __future__ import annotations

from datetime import date, timedelta

from claimdesk.rules import cover
from claimdesk.rules.adjudication.steps import RawStep
from claimdesk.rules.adjudication.types import Policy


def check_period(
    prefix: str,
    policy: Policy | None,
    waiting_period_days: int,
    date_of_loss: date,
    steps: list[RawStep],
) -> str | None:
    """Append the period steps; return ``not_in_force``/``waiting_period`` or None."""
    if policy is None:
        # An actuary pricing last year's claims may give no policy: nothing to check.
        steps.append((f"{prefix}.NO_POLICY", "in_force", (("date_of_loss", date_of_loss),)))
        return None
    inputs: tuple[tuple[str, object], ...] = (
        ("date_of_loss", date_of_loss),
        ("start", policy.start),
        ("end", policy.end),
    )
    if cover.ended_by_termination(policy.end, policy.terminated_on):
        # The step names the termination: cover ended the day it took effect (POL-3).
        inputs += (("terminated_on", policy.terminated_on),)
    in_force = cover.covers(
        date_of_loss,
        period_start=policy.start,
        period_end=policy.end,
        terminated_on=policy.terminated_on,
    )
    steps.append((f"{prefix}.PERIOD", "in_force" if in_force else "not_in_force", inputs))
    if not in_force:
        return "not_in_force"
    if waiting_period_days:
        first_day = policy.start + timedelta(days=waiting_period_days)
        inside = date_of_loss < first_day
        steps.append(
            (
                f"{prefix}.WAITING",
                "waiting_period" if inside else "covered",
                (
                    ("date_of_loss", date_of_loss),
                    ("waiting_period_days", waiting_period_days),
                    ("first_covered_day", first_day),
                ),
            )
        )
        if inside:
            return "waiting_period"
    return None
