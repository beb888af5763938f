"""Claims analysis (SPEC CLM-Q2, GEN-7 for claims): volumes, time per step, SLA
compliance per clock, rejection reasons, disputes.

Definitions (the tests recompute them independently from the seeded rows):

* Periods are local (Asia/Shanghai) dates, inclusive; months are local ``YYYY-MM``.
* Volumes: claims by the local date they were received; by line, state, branch (the
  claim's org unit code, ``-`` when none) and month.
* Time per step: from the transition log. A claim *enters* a state with every move
  that changes its state; the time spent in a state is from entering it to the next
  move that leaves it (moves that keep the state, such as assigning a surveyor, do not
  end it). Counted in the period of the leaving move. Average and p90 (nearest rank)
  of the exact durations, in hours rounded half-up to 0.01.
* SLA: clocks of claims and claim disputes, by clock name, branch (the clock's org
  unit) and month the clock started: governed, met (its step done in time), breached
  (stopped late, or marked breached by the breach job), open (neither yet); a clock
  closed in time without its step (a surveyor reassigned, a claim withdrawn) is not
  governed but ``ended_early`` (clocks.service.clock_outcome).
* Rejections: claims moved to ``rejected`` in the period, by reason: ``fraud`` for an
  art. 27 rejection, else the adjustment's engine reason (``waiting_period`` …), else
  its rejection clause, else the reviewer's reason, else ``unspecified``.
* Disputes: by the local date received: by size, status, path, outcome, and how many
  were answered within their 2-hour clock.

Figures are computed in Python from narrow row selections, identically on SQLite and
PostgreSQL (local months cannot be grouped portably in SQL).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.claims import repository
from claimdesk.claims.special import disputes as dispute_rules
from claimdesk.claims.workflow import REJECTED, STATES
from claimdesk.clocks.service import clock_met, clock_outcome
from claimdesk.models.claim import AdjustmentResult, ClaimTransition
from claimdesk.rules.deadlines import to_local

NO_BRANCH = "-"
CENT = Decimal("0.01")


def _local_day(at: dt.datetime) -> dt.date:
    return to_local(at).date()


def _month(at: dt.datetime) -> str:
    return to_local(at).strftime("%Y-%m")


def _within(at: dt.datetime, since: dt.date | None, until: dt.date | None) -> bool:
    day = _local_day(at)
    return (since is None or day >= since) and (until is None or day <= until)


def hours(seconds: float | Decimal) -> Decimal:
    return (Decimal(seconds) / Decimal(3600)).quantize(CENT, rounding=ROUND_HALF_UP)


def p90(values: list[float]) -> float:
    """Nearest-rank 90th percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.9 * len(ordered)) - 1, 0)]


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items()))


def volumes(
    session: Session, *, since: dt.date | None = None, until: dt.date | None = None
) -> dict[str, Any]:
    branches = repository.branch_codes(session)
    rows = repository.claim_volume_rows(session)
    by_line: Counter[str] = Counter()
    by_state: Counter[str] = Counter()
    by_branch: Counter[str] = Counter()
    by_month: Counter[str] = Counter()
    total = 0
    for line, state, unit, received in rows:
        if not _within(received, since, until):
            continue
        total += 1
        by_line[line] += 1
        by_state[state] += 1
        by_branch[branches.get(unit, NO_BRANCH) if unit else NO_BRANCH] += 1
        by_month[_month(received)] += 1
    return {
        "total": total,
        "by_line": _sorted(by_line),
        "by_state": _sorted(by_state),
        "by_branch": _sorted(by_branch),
        "by_month": _sorted(by_month),
    }


def _stays(transitions: Iterable[ClaimTransition]) -> Iterable[tuple[str, dt.datetime, float]]:
    """(state, left_at, seconds in it) for one claim's ordered transitions."""
    current: tuple[str, dt.datetime] | None = None
    for move in transitions:
        if move.from_state == move.to_state:
            continue  # the state goes on (e.g. a surveyor assigned)
        if current is not None and current[0] == move.from_state:
            yield current[0], move.at, (move.at - current[1]).total_seconds()
        current = (move.to_state, move.at)


def step_times(
    session: Session, *, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, Any]]:
    per_claim: dict[int, list[ClaimTransition]] = defaultdict(list)
    for move in repository.transitions_by_claim(session):
        per_claim[move.claim_id].append(move)
    spent: dict[str, list[float]] = defaultdict(list)
    for moves in per_claim.values():
        for state, left_at, seconds in _stays(moves):
            if _within(left_at, since, until):
                spent[state].append(seconds)
    order: dict[str, int] = {state: index for index, state in enumerate(STATES)}
    return [
        {
            "state": state,
            "count": len(values),
            # Exact decimals as strings (a JSON float would not keep 0.01).
            "avg_hours": str(hours(Decimal(sum(values)) / len(values))),
            "p90_hours": str(hours(p90(values))),
        }
        for state, values in sorted(spent.items(), key=lambda item: order.get(item[0], 99))
    ]


def sla(
    session: Session, *, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, Any]]:
    branches = repository.branch_codes(session)
    cells: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for clock in repository.claim_side_clocks(session):
        if not _within(clock.started_at, since, until):
            continue
        branch = branches.get(clock.org_unit_id, NO_BRANCH) if clock.org_unit_id else NO_BRANCH
        cell = cells[(clock.name, branch, _month(clock.started_at))]
        outcome = clock_outcome(clock=clock)
        if outcome == "ended_early":
            cell["ended_early"] += 1
            continue
        cell["governed"] += 1
        if outcome == "met":
            cell["met"] += 1
        elif outcome == "missed" or clock.breached_at is not None:
            cell["breached"] += 1
        else:
            cell["open"] += 1
    return [
        {
            "clock": name,
            "branch": branch,
            "month": month,
            "governed": cell["governed"],
            "met": cell["met"],
            "breached": cell["breached"],
            "open": cell["open"],
            "ended_early": cell["ended_early"],
        }
        for (name, branch, month), cell in sorted(cells.items())
    ]


def _rejection_reason(move: ClaimTransition, adjustments: list[AdjustmentResult]) -> str:
    if move.action == "confirm_fraud_reject":
        return "fraud"
    for adjustment in adjustments:
        if adjustment.liability == "not_covered" or adjustment.payable == 0:
            if adjustment.reason:
                return adjustment.reason
            if adjustment.rejection_clause:
                return adjustment.rejection_clause.strip()[:200]
    return (move.reason or "").strip()[:200] or "unspecified"


def rejections(
    session: Session, *, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, Any]]:
    moves = [
        m for m in repository.moves_into(session, state=REJECTED) if _within(m.at, since, until)
    ]
    if not moves:
        return []
    claim_ids = {m.claim_id for m in moves}
    lines = repository.lines_of_claims(session, claim_ids=claim_ids)
    current: dict[int, list[AdjustmentResult]] = defaultdict(list)
    for adjustment in repository.current_adjustments_of(session, claim_ids=claim_ids):
        current[adjustment.claim_id].append(adjustment)
    by_reason: dict[str, Counter[str]] = defaultdict(Counter)
    for move in moves:
        reason = _rejection_reason(move, current[move.claim_id])
        by_reason[reason][lines.get(move.claim_id, "")] += 1
    return sorted(
        (
            {"reason": reason, "count": sum(lines_.values()), "by_line": _sorted(lines_)}
            for reason, lines_ in by_reason.items()
        ),
        key=lambda row: (-row["count"], row["reason"]),
    )


def disputes(
    session: Session, *, since: dt.date | None = None, until: dt.date | None = None
) -> dict[str, Any]:
    counters: dict[str, Counter[str]] = defaultdict(Counter)
    total = answered_in_time = 0
    for dispute in repository.all_disputes(session):
        if not _within(dispute.received_at, since, until):
            continue
        total += 1
        counters["by_size"][dispute.size] += 1
        counters["by_status"][dispute.status] += 1
        counters["by_path"][dispute.path or "none"] += 1
        counters["by_outcome"][dispute.outcome or "pending"] += 1
        counters["by_month"][_month(dispute.received_at)] += 1
        clock = dispute_rules.response_clock(session, dispute)
        if clock is not None and clock_met(clock=clock) is True:
            answered_in_time += 1
    return {
        "total": total,
        "answered_in_time": answered_in_time,
        **{
            name: _sorted(counters[name])
            for name in ("by_size", "by_status", "by_path", "by_outcome", "by_month")
        },
    }
