"""A claim brought to review for the settlement tests: walked to adjusted on a policy
(reported on 2026-09-30), then submitted to review by the adjuster (SPEC CLM-V1)."""

from __future__ import annotations

from typing import Any

from tests.claims.helpers import FrozenClock
from tests.claims.steps import API, Settlement, ok, walk_to_adjusted


def submitted_for_review(
    s: Settlement,
    clock: FrozenClock,
    *,
    assessment: dict[str, Any],
    estimated: str | None = None,
    policy: str = "MED-MILLION",
) -> int:
    """The claim's id, in review: ``assessment`` recorded, ``estimated`` (if given) the
    amount the report estimated."""
    report = None if estimated is None else {"estimated_amount": estimated}
    cid = walk_to_adjusted(s.w, clock, policy=policy, assessment=assessment, report=report)
    ok(s.w.client.post(f"{API}/{cid}/review/submit", json={}, headers=s.w.h["adjuster"]))
    return cid
