"""Is the claim inside the policy period and past the waiting period? (ADJ-MED step 5,
ADJ-CI; the same check serves every coverage type, CLM-V2 "policy in force".)"""

from __future__ import annotations

from datetime import date, timedelta

from claimdesk.rules.adjudication.types import Policy, RawStep


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
    if not policy.start <= date_of_loss <= policy.end:
        steps.append(
            (
                f"{prefix}.PERIOD",
                "not_in_force",
                (("date_of_loss", date_of_loss), ("start", policy.start), ("end", policy.end)),
            )
        )
        return "not_in_force"
    steps.append(
        (
            f"{prefix}.PERIOD",
            "in_force",
            (("date_of_loss", date_of_loss), ("start", policy.start), ("end", policy.end)),
        )
    )
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
