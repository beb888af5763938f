"""THE claim workflow: one explicit transition table (SPEC section 3).

Each row says, for one move (from states, action, to state): which permission makes it,
the guard that must hold first, which clocks start, pause, resume or stop, and which
message the customer gets. :func:`transition` is the only code that changes
``Claim.state``; every move is a ClaimTransition row and an audit entry
"claim.<action>" with from/to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

from claimdesk import lifecycle
from claimdesk.audit import service as audit
from claimdesk.audit.service import record
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import notify, timeutil
from claimdesk.claims.errors import ClaimSuspended, IllegalTransition
from claimdesk.claims.settlement.errors import UseDedicatedEndpoint
from claimdesk.clocks import service as clocks
from claimdesk.db import insert_new_with, new_row
from claimdesk.errors import ClaimdeskError, PermissionDenied
from claimdesk.models.claim import Claim, ClaimTransition
from claimdesk.models.clock import Clock
from claimdesk.models.states import ClaimState, ClockClosedReason
from claimdesk.rules.deadlines import Rule

# -- states ------------------------------------------------------------------------------

# The states are ClaimState members (models.states; stored as their strings).
REPORTED = ClaimState.REPORTED
AWAITING_MATERIALS = ClaimState.AWAITING_MATERIALS
ACCEPTED = ClaimState.ACCEPTED
SURVEYED = ClaimState.SURVEYED
ASSESSED = ClaimState.ASSESSED
ADJUSTED = ClaimState.ADJUSTED
IN_REVIEW = ClaimState.IN_REVIEW
APPROVED = ClaimState.APPROVED
REJECTED = ClaimState.REJECTED
PAID = ClaimState.PAID
# Approved with nothing (more) to pay: decision notice sent, callback, then closing.
DECIDED = ClaimState.DECIDED
CLOSED = ClaimState.CLOSED
SUSPENDED = ClaimState.SUSPENDED
WITHDRAWN = ClaimState.WITHDRAWN
REOPENED = ClaimState.REOPENED

STATES = (
    REPORTED,
    AWAITING_MATERIALS,
    ACCEPTED,
    SURVEYED,
    ASSESSED,
    ADJUSTED,
    IN_REVIEW,
    APPROVED,
    REJECTED,
    PAID,
    DECIDED,
    CLOSED,
    SUSPENDED,
    WITHDRAWN,
    REOPENED,
)
# States a claim is still being worked in (it can be suspended or withdrawn from them).
OPEN_STATES = (
    REPORTED,
    AWAITING_MATERIALS,
    ACCEPTED,
    SURVEYED,
    ASSESSED,
    ADJUSTED,
    IN_REVIEW,
    APPROVED,
    REOPENED,
)
# States in which the claim is decided or has ended (neither open nor held): they take
# no more claim materials (claims.intake.acceptance.takes_upload).
FINAL_STATES = (REJECTED, PAID, DECIDED, CLOSED, WITHDRAWN)
assert set(FINAL_STATES) == set(STATES) - set(OPEN_STATES) - {SUSPENDED}
# Target placeholders: back to the state remembered when the claim left it.
RESUME = "<resume_state>"
MATERIALS_RETURN = "<materials_return_state>"

# -- clocks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockDef:
    rule: Rule
    basis: str


CLOCKS: dict[str, ClockDef] = {
    "claim.report_entry": ClockDef(Rule("hours", 1), "CLM-R3：接报后1小时内录入"),
    "claim.review": ClockDef(
        Rule("working_days", 3), "CLM-V4：材料齐全后3个工作日内完成审核（服务标准8.2.1(1)）"
    ),
    "claim.determination": ClockDef(
        Rule("days", 30), "CLM-V4：材料齐全后30日内作出核定（保险法第二十三条）"
    ),
    "claim.survey_contact": ClockDef(Rule("hours", 1), "CLM-S1：指派后1小时内联系客户"),
    "claim.survey_report": ClockDef(Rule("hours", 24), "CLM-S3：查勘后24小时内提交查勘报告"),
    # Review, payment, closing (claims.review / claims.payment / claims.closing).
    "claim.advance_payment": ClockDef(
        Rule("days", 60),
        "CLM-V4：自索赔之日起60日内不能确定赔付金额的，先予支付（保险法第二十五条）",
    ),
    "claim.rejection_notice": ClockDef(
        Rule("days", 3), "CLM-V3：作出核定之日起3日内发出拒赔通知书（保险法第二十四条）"
    ),
    "claim.payment_small": ClockDef(Rule("hours", 24), "CLM-P4：小额案件核赔通过后24小时内支付"),
    "claim.payment_working": ClockDef(
        Rule("working_days", 5), "CLM-P4：材料齐全后5个工作日内支付（服务标准8.2.1(1)）"
    ),
    "claim.payment_agreement": ClockDef(
        Rule("days", 10), "CLM-P4：达成赔付协议后10日内支付（保险法第二十三条）"
    ),
    "claim.callback": ClockDef(Rule("working_days", 3), "CLM-X2：赔付后3个工作日内回访"),
}
PAYMENT_CLOCKS = ("claim.payment_small", "claim.payment_working", "claim.payment_agreement")
REVIEW_CLOCKS = ("claim.review", "claim.determination")

ClockAction = Literal["start", "stop", "pause", "resume", "stop_all"]


@dataclass(frozen=True)
class ClockOp:
    op: ClockAction
    name: str = ""
    # Why a stop (or stop_all) closes the clock: its step done, unless the move ends the
    # claim's business without it (withdrawal, closing, a skipped survey) — GEN-7 counts
    # only a completed clock as met (clocks.service.clock_outcome).
    closed: ClockClosedReason = ClockClosedReason.COMPLETED


# A move that ends the claim (withdrawal, closing, a fraud rejection) stops whatever
# still runs: those steps were never done, so they are cancelled, not met.
_CANCEL_REST = ClockOp("stop_all", closed=ClockClosedReason.CANCELLED)


def _each(op: ClockAction, names: Sequence[str]) -> tuple[ClockOp, ...]:
    return tuple(ClockOp(op, name) for name in names)


# CLM-V4: both review clocks run from receipt, pause while materials are missing and
# end with the decision (approval or rejection), as does the advance-payment clock.
_DECISION_ENDS = (*_each("stop", REVIEW_CLOCKS), ClockOp("stop", "claim.advance_payment"))


# -- guards ------------------------------------------------------------------------------

Guard = Callable[[Session, Claim], None]


# The stage modules' checks, under the names the table uses. claims/guards.py fills this
# table when claimdesk.claims is imported, so workflow imports no stage module: the stages
# import workflow to make their moves, and importing them back here would close a cycle.
GUARDS: dict[str, Guard] = {}


class MoveCheck(Protocol):
    """A check every move passes before it is made (CLM-Z1: the remote claim's org)."""

    def __call__(
        self,
        session: Session,
        *,
        claim: Claim,
        action: str,
        actor: Principal,
        details: Mapping[str, object] | None,
    ) -> None: ...


MOVE_CHECKS: list[MoveCheck] = []


def register(*, guards: Mapping[str, Guard], move_checks: Sequence[MoveCheck] = ()) -> None:
    """Called once by claims/guards.py; repeated calls (a reload) change nothing."""
    GUARDS.update(guards)
    MOVE_CHECKS.extend(c for c in move_checks if c not in MOVE_CHECKS)


def _run_guard(move: Move, session: Session, claim: Claim) -> None:
    if move.guard is None:
        return
    guard = GUARDS[move.guard] if isinstance(move.guard, str) else move.guard
    guard(session, claim)


def _through_service(action: str) -> Guard:
    """Review, payment and closing moves carry checks the table cannot express (four
    eyes, tiers, exactly-once payment): only their services may make them, never the
    generic transition endpoint."""

    def guard(session: Session, claim: Claim) -> None:
        if session.info.get(SERVICE_MOVE) != (claim.id, action):
            raise UseDedicatedEndpoint(action=action)

    guard.service_only = True  # type: ignore[attr-defined]
    return guard


SERVICE_MOVE = "claimdesk.claims.service_move"


def transition_by_service(
    session: Session,
    *,
    claim: Claim,
    action: str,
    actor: Principal,
    at: dt.datetime,
    reason: str | None = None,
    details: Mapping[str, object] | None = None,
    clock_times: Mapping[str, dt.datetime] | None = None,
) -> Move:
    """A move reserved to a service (review, payment, closing): the service has made
    its own checks, so the table's ``_through_service`` guard lets exactly this move of
    exactly this claim through, once."""
    session.info[SERVICE_MOVE] = (claim.id, action)
    try:
        return transition(
            session,
            claim=claim,
            action=action,
            actor=actor,
            reason=reason,
            at=at,
            details=details,
            clock_times=clock_times,
        )
    finally:
        session.info.pop(SERVICE_MOVE, None)


# -- the table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    action: str
    sources: tuple[str, ...]
    target: str
    permission: Permission
    guard: Guard | str | None = None  # a str names a registered stage guard
    clocks: tuple[ClockOp, ...] = ()
    notify: str | None = None  # outbox template told to the customer
    label_zh: str = ""
    extra_permissions: tuple[Permission, ...] = field(default=())


def _service_move(
    action: str, sources: tuple[str, ...], target: str, permission: Permission, **more: Any
) -> Move:
    """A move only its own service makes (guarded by ``_through_service`` of its action)."""
    return Move(action, sources, target, permission, guard=_through_service(action), **more)


_WORKING = (ACCEPTED, SURVEYED, ASSESSED)

MOVES: tuple[Move, ...] = (
    # Report (CLM-R1..R4): the entry clock stops at entry; the review clocks run from receipt.
    Move(
        "report",
        (),
        REPORTED,
        Permission.CLAIMS_REPORT,
        clocks=(
            ClockOp("start", "claim.report_entry"),
            ClockOp("stop", "claim.report_entry"),
            *_each("start", REVIEW_CLOCKS),
        ),
        notify="claim.reported",
        label_zh="报案",
    ),
    # Acceptance (CLM-A1..A5).
    Move(
        "request_materials",
        (REPORTED,),
        AWAITING_MATERIALS,
        Permission.CLAIMS_ACCEPT,
        clocks=_each("pause", REVIEW_CLOCKS),
        notify="claim.materials_missing",
        label_zh="一次性通知补充材料",
    ),
    # A supplement after acceptance (only for items made necessary by later facts).
    Move(
        "request_more_materials",
        _WORKING,
        AWAITING_MATERIALS,
        Permission.CLAIMS_ACCEPT,
        clocks=_each("pause", REVIEW_CLOCKS),
        notify="claim.materials_missing",
        label_zh="补充材料（新事实）",
    ),
    Move(
        "materials_complete",
        (AWAITING_MATERIALS,),
        MATERIALS_RETURN,
        Permission.CLAIMS_ACCEPT,
        guard="checklist_complete",
        clocks=_each("resume", REVIEW_CLOCKS),
        label_zh="材料齐全",
    ),
    Move(
        "accept",
        (REPORTED,),
        ACCEPTED,
        Permission.CLAIMS_ACCEPT,
        guard="checklist_complete",
        notify="claim.accepted",
        label_zh="受理",
    ),
    # Survey (CLM-S1..S4). Assignment and contact keep the state; they are rows so that
    # their clocks and permissions are declared here with the rest.
    Move(
        "assign_surveyor",
        (ACCEPTED,),
        ACCEPTED,
        Permission.CLAIMS_ACCEPT,
        clocks=(ClockOp("start", "claim.survey_contact"),),
        label_zh="指派查勘",
        # The claims supervisor assigns too, several claims at once (claims.queues).
        extra_permissions=(Permission.CLAIMS_ASSIGN,),
    ),
    Move(
        "record_contact",
        (ACCEPTED,),
        ACCEPTED,
        Permission.CLAIMS_SURVEY,
        guard="surveyor_assigned",
        clocks=(ClockOp("stop", "claim.survey_contact"),),
        label_zh="联系客户",
    ),
    Move(
        "submit_survey",
        (ACCEPTED,),
        SURVEYED,
        Permission.CLAIMS_SURVEY,
        guard="survey_reported",
        clocks=(
            ClockOp("stop", "claim.survey_contact"),
            ClockOp("start", "claim.survey_report"),
            ClockOp("stop", "claim.survey_report"),
        ),
        label_zh="提交查勘报告",
    ),
    # The configured skip (recorded as claim.step_skipped with the rule).
    Move(
        "skip_survey",
        (ACCEPTED,),
        SURVEYED,
        Permission.CLAIMS_ACCEPT,
        guard="survey_skippable",
        # A surveyor assigned before the skip owes no contact any more (CLM-S1).
        clocks=(ClockOp("stop", "claim.survey_contact", ClockClosedReason.CANCELLED),),
        label_zh="免查勘",
    ),
    # Assessment and adjustment (CLM-L*, CLM-C*).
    Move(
        "complete_assessment",
        (SURVEYED,),
        ASSESSED,
        Permission.CLAIMS_ASSESS,
        guard="assessed",
        label_zh="定损完成",
    ),
    Move(
        "complete_adjustment",
        (ASSESSED,),
        ADJUSTED,
        Permission.CLAIMS_ADJUST,
        guard="adjusted",
        label_zh="理算完成",
    ),
    # The assessor re-opens the assessment (CLM-L*, CLM-V2 "assessment compliant"): back
    # to the state the assessment is recorded in, from the adjuster's state (after a
    # reviewer's return too) or before review; the current adjustment is voided, so the
    # claim goes forward again by the normal path. Only claims.settlement.assessment.
    # reassess makes it (the reason is required and the voiding audited with it).
    _service_move(
        "reassess",
        (ASSESSED, ADJUSTED),
        SURVEYED,
        Permission.CLAIMS_ASSESS,
        label_zh="重新定损",
    ),
    # Review, payment, closing (CLM-V*, CLM-P*, CLM-X*): claims.review, claims.payment
    # and claims.closing make these moves (four eyes, tiers, exactly-once payment).
    _service_move(
        "submit_review",
        (ADJUSTED,),
        IN_REVIEW,
        Permission.CLAIMS_ADJUST,
        label_zh="提交核赔",
    ),
    _service_move(
        "approve",
        (IN_REVIEW,),
        APPROVED,
        Permission.CLAIMS_REVIEW,
        clocks=_DECISION_ENDS,
        label_zh="核赔通过",
    ),
    _service_move(
        "reject",
        (IN_REVIEW,),
        REJECTED,
        Permission.CLAIMS_REVIEW,
        clocks=(*_DECISION_ENDS, ClockOp("start", "claim.rejection_notice")),
        notify="claim.rejected",
        label_zh="拒赔",
    ),
    # CLM-V3 "Return → back to adjustment with what must be added": to the state the
    # adjuster signs in, so the adjuster re-signs (or declines in writing) at once; no
    # detour through the assessor's "reassess" for a return about the adjustment.
    _service_move(
        "return_to_adjustment",
        (IN_REVIEW,),
        ASSESSED,
        Permission.CLAIMS_REVIEW,
        label_zh="退回理算",
    ),
    _service_move(
        "pay",
        (APPROVED,),
        PAID,
        Permission.CLAIMS_PAY,
        clocks=_each("stop", PAYMENT_CLOCKS),
        notify="claim.paid",
        label_zh="赔付",
    ),
    # CLM-V3 / CLM-P5: an approval that adds nothing to what was paid (below the
    # deductible, or a reopened claim's equal or lower decision) ends with a decision
    # notice and a callback instead of a payment (claims.decision_notices).
    _service_move(
        "conclude_without_payment",
        (APPROVED,),
        DECIDED,
        Permission.CLAIMS_REVIEW,
        clocks=_each("stop", PAYMENT_CLOCKS),
        label_zh="核定无需支付（理赔决定通知书）",
    ),
    _service_move(
        "close",
        (PAID, REJECTED, DECIDED),
        CLOSED,
        Permission.CLAIMS_REVIEW,
        clocks=(_CANCEL_REST,),
        label_zh="结案",
    ),
    _service_move(
        "reopen",
        (CLOSED,),
        REOPENED,
        Permission.CLAIMS_REVIEW,
        label_zh="重开",
    ),
    # A reopened claim goes back into the workflow at adjustment (the adjuster re-runs
    # the engine on the assessed facts, then submits to review again).
    _service_move(
        "resume_adjustment",
        (REOPENED,),
        ASSESSED,
        Permission.CLAIMS_REVIEW,
        label_zh="重开后回到理算",
    ),
    # Side states.
    Move(
        "withdraw",
        (REPORTED, AWAITING_MATERIALS, ACCEPTED, SURVEYED, ASSESSED, ADJUSTED),
        WITHDRAWN,
        Permission.CLAIMS_REPORT,
        clocks=(_CANCEL_REST,),
        notify="claim.withdrawn",
        label_zh="撤案",
    ),
    # Fraud hold (CLM-F1): any open state; remembered for the way back.
    Move("suspend", OPEN_STATES, SUSPENDED, Permission.FRAUD_FLAG, label_zh="涉嫌欺诈挂起"),
    Move("clear_fraud", (SUSPENDED,), RESUME, Permission.FRAUD_INVESTIGATE, label_zh="解除挂起"),
    Move(
        "confirm_fraud_reduce",
        (SUSPENDED,),
        RESUME,
        Permission.FRAUD_INVESTIGATE,
        label_zh="确认欺诈（夸大部分不赔）",
    ),
    Move(
        "confirm_fraud_reject",
        (SUSPENDED,),
        REJECTED,
        Permission.FRAUD_INVESTIGATE,
        # The fraud rejection is the decision (its clocks are done); the rest is cancelled.
        clocks=(*_DECISION_ENDS, _CANCEL_REST),
        notify="claim.rejected",
        label_zh="确认欺诈（拒赔）",
    ),
)

MOVES_BY_ACTION: dict[str, Move] = {move.action: move for move in MOVES}
# A move that creates its claim (no source state) finds no clock to pause or resume.
assert all(
    op.op in ("start", "stop") for move in MOVES if not move.sources for op in move.clocks
), "an opening move only starts and stops clocks"
FRAUD_ACTIONS = frozenset({"clear_fraud", "confirm_fraud_reduce", "confirm_fraud_reject"})


def allowed_actions(claim: Claim) -> list[str]:
    """What the table lets a claim in its state do next (shown with the claim)."""
    found = _ALLOWED.get(claim.state)
    if found is None:  # a state the table does not name: it allows nothing
        return [m.action for m in MOVES if claim.state in m.sources]
    return list(found)


# The table's moves out of each state, in the table's order (it never changes).
_ALLOWED: dict[str, tuple[str, ...]] = {
    state: tuple(m.action for m in MOVES if state in m.sources) for state in ClaimState
}


def refusal_of_move(
    session: Session,
    *,
    claim: Claim,
    action: str,
    actor: Principal,
    check_guard: bool = True,
) -> ClaimdeskError | None:
    """Why :func:`transition` would refuse this move now — the same checks in the same
    order (action, permission, fraud hold, state, guard, the remote claim's org) — or
    None when it would make it. Nothing is changed: pages offer exactly the moves this
    lets through (issue 12: never an action the service then refuses).

    ``check_guard=False`` leaves out the stage guard, for a form that itself supplies
    what the guard looks for (the survey report is written by the form that submits
    it). A guard reserved to a service (review, payment, closing) is that service's
    to check and is not run here."""
    move = MOVES_BY_ACTION.get(action)
    if move is None:
        return IllegalTransition(state=claim.state, action=action)
    try:
        _check_move(
            session,
            move=move,
            claim=claim,
            actor=actor,
            details=None,
            check_guard=check_guard,
            service_guards=False,
        )
    except ClaimdeskError as refused:
        return refused
    return None


def _check_move(
    session: Session,
    *,
    move: Move,
    claim: Claim,
    actor: Principal,
    details: Mapping[str, object] | None,
    check_guard: bool = True,
    service_guards: bool = True,
) -> None:
    """The checks every move of the table passes, in this order, raising the first
    refusal: permission, fraud hold, state, guard, the move checks (CLM-Z1: the remote
    claim's org). :func:`transition` and :func:`open_claim` make the move after them;
    :func:`refusal_of_move` reports what they raise, so a page never offers a move the
    service then refuses (issue 12). A move that opens its claim has no source state: it
    meets no hold and no state to check. ``service_guards=False`` leaves out a guard
    reserved to a service (review, payment, closing: that service's to check)."""
    if not _authorised(move, actor):
        raise PermissionDenied()
    if claim.state == SUSPENDED and move.action not in FRAUD_ACTIONS:
        raise ClaimSuspended()
    if move.sources and claim.state not in move.sources:
        raise IllegalTransition(state=claim.state, action=move.action)
    if check_guard and (service_guards or not getattr(move.guard, "service_only", False)):
        _run_guard(move, session, claim)
    for check in MOVE_CHECKS:
        check(session, claim=claim, action=move.action, actor=actor, details=details)


def _target(move: Move, claim: Claim) -> ClaimState:
    if move.target == RESUME:
        return claim.resume_state or ACCEPTED
    if move.target == MATERIALS_RETURN:
        return claim.materials_return_state or ACCEPTED
    return ClaimState(move.target)


def _authorised(move: Move, actor: Principal) -> bool:
    # Rule-based jobs act as 'system' (a fraud rule flags, the breach job escalates).
    return (
        actor.session_kind == "system"
        or actor.has(move.permission)
        or any(actor.has(p) for p in move.extra_permissions)
    )


# -- clocks ------------------------------------------------------------------------------


def _named_clock(session: Session, claim: Claim, name: str) -> Clock | None:
    found = [
        c
        for c in clocks.clocks_for(session, subject_type="claim", subject_id=claim.id)
        if c.name == name
    ]
    return found[-1] if found else None


def close_running_clock(
    session: Session,
    claim: Claim,
    name: str,
    *,
    at: dt.datetime,
    actor: Principal,
    closed_reason: ClockClosedReason,
    reason: str,
) -> Clock | None:
    """Close the claim's latest ``name`` clock if it is still running, without its step
    (``closed_reason``: a surveyor reassigned closes the old assignment's contact clock),
    the words of why on its audit entry. None when there is no running one."""
    clock = _named_clock(session, claim, name)
    if clock is None or clock.stopped_at is not None:
        return None
    return clocks.stop_clock(
        session,
        clock=clock,
        at=max(at, clock.paused_at or at),
        actor=actor,
        closed_reason=closed_reason,
        reason=reason,
    )


def apply_clock_ops(
    session: Session,
    claim: Claim,
    ops: tuple[ClockOp, ...],
    *,
    at: dt.datetime,
    actor: Principal,
    times: Mapping[str, dt.datetime],
    reason: str | None,
) -> None:
    for op in ops:
        when = times.get(op.name, at)
        if op.op == "start":
            definition = CLOCKS[op.name]
            clocks.start_clock(
                session,
                subject_type="claim",
                subject_id=claim.id,
                name=op.name,
                rule=definition.rule,
                started_at=when,
                basis=definition.basis,
                org_unit_id=claim.org_unit_id,
                actor=actor,
            )
            continue
        if op.op == "stop_all":
            for running in clocks.clocks_for(session, subject_type="claim", subject_id=claim.id):
                if running.stopped_at is None:
                    clocks.stop_clock(
                        session,
                        clock=running,
                        at=max(at, running.paused_at or at),
                        actor=actor,
                        closed_reason=op.closed,
                    )
            continue
        clock = _named_clock(session, claim, op.name)
        if clock is None or clock.stopped_at is not None:
            continue  # e.g. a contact clock already stopped when the contact was recorded
        if op.op == "stop":
            stop_at = times.get(op.name + ":stop", at)
            clocks.stop_clock(
                session, clock=clock, at=stop_at, actor=actor, closed_reason=op.closed
            )
        elif op.op == "pause" and clock.paused_at is None:
            clocks.pause_clock(session, clock=clock, at=when, reason=reason, actor=actor)
        elif op.op == "resume" and clock.paused_at is not None:
            clocks.resume_clock(session, clock=clock, at=when, actor=actor)


def _plan_opening_clocks(
    session: Session,
    claim: Claim,
    ops: tuple[ClockOp, ...],
    *,
    at: dt.datetime,
    times: Mapping[str, dt.datetime],
) -> clocks.ClockPlan:
    """apply_clock_ops for a claim being created: its clocks are planned in memory by
    the same rules (clocks.plan_start / plan_stop) and written with it."""
    plan = clocks.ClockPlan()
    for op in ops:
        when = times.get(op.name, at)
        if op.op == "start":
            definition = CLOCKS[op.name]
            clocks.plan_start(
                session,
                plan=plan,
                name=op.name,
                rule=definition.rule,
                started_at=when,
                basis=definition.basis,
                org_unit_id=claim.org_unit_id,
            )
            continue
        clock = None if op.op == "stop_all" else plan.named(op.name)
        if clock is None or clock.stopped_at is not None:
            continue
        if op.op == "stop":
            clocks.plan_stop(plan=plan, clock=clock, at=times.get(op.name + ":stop", at))
        else:  # the table is checked at import: an opening move only starts and stops
            raise AssertionError(f"{op.op} on a claim being created")
    return plan


# -- the one way a state changes ---------------------------------------------------------


def open_claim(
    session: Session,
    *,
    claim: Claim,
    action: str,
    actor: Principal,
    at: dt.datetime,
    clock_times: Mapping[str, dt.datetime] | None = None,
    details: Mapping[str, object] | None = None,
    rows: Sequence[tuple[type[Any], str, Sequence[dict[str, Any]]]] = (),
) -> list[clocks.PlannedClock]:
    """Make the move of the table that creates its claim (no source state: the report)
    and write the claim — the one way a claim comes into being.

    ``rows``: rows of the claim written in the claim's statement (the report's
    checklist), as ``(model, claim foreign key attribute, rows made by db.new_row)``.

    The same checks as :func:`transition` (known action, permission, guard, the move
    checks), then the claim's row with its state and ``next_due_at``, the transition
    row, the move's clocks, the customer's message and the audit entries — the rows
    :func:`transition` writes for a move, each kind in one statement, since nothing of
    a claim being created has to be read back (issue 14 item 2). ``claim`` is a new,
    unsaved Claim; it is in the session, with its id, afterwards. Returns the claim's
    clocks as written (in id order)."""
    move = MOVES_BY_ACTION.get(action)
    if move is None or move.sources:
        raise IllegalTransition(state="", action=action)
    _check_move(session, move=move, claim=claim, actor=actor, details=details)
    target = _target(move, claim)
    claim.state = target
    plan = _plan_opening_clocks(session, claim, move.clocks, at=at, times=clock_times or {})
    claim.next_due_at = plan.next_due()
    # The transition row as a plain row (db.new_row): it is written and never read back,
    # so no ORM object is built for it.
    opening = new_row(
        ClaimTransition,
        action=action,
        from_state="",
        to_state=target,
        at=at,
        actor_id=actor.user_id,
        actor=actor.username,
        reason=None,
    )
    # The claim, its transition row, ``rows`` and its clocks: one statement on PostgreSQL
    # (issue 14), which also takes the seqs of the audit entries known now (those
    # pending, the clocks' operations and the move's): one round trip fewer at commit.
    # The transition, ``rows`` and the clocks go in as one JSON parameter per kind, so
    # the statement stays within psycopg's limit for caching a query (50 parameters)
    # whatever their number.
    for clock in plan.clocks:
        clock.subject_type = "claim"
    written = insert_new_with(
        session,
        Claim,
        claim,
        children=[],
        rows=[(ClaimTransition, "claim_id", [opening]), *rows],
        numbered=(Clock, "subject_id", plan.clocks),
        draw=(audit.SEQUENCE, audit.pending_count(session) + len(plan.events) + 1),
    )
    audit.reserve_seqs(session, seqs=written.drawn)
    clocks.record_planned(session, plan=plan, actor=actor)
    if move.notify:
        notify.tell_customer(session, claim=claim, template=move.notify, params={})
    _record_move(session, claim, action, actor, at=at, source="", target=target, details=details)
    return plan.clocks


def transition(
    session: Session,
    *,
    claim: Claim,
    action: str,
    actor: Principal,
    reason: str | None = None,
    at: dt.datetime | None = None,
    clock_times: Mapping[str, dt.datetime] | None = None,
    notice_params: Mapping[str, object] | None = None,
    details: Mapping[str, object] | None = None,
) -> Move:
    """Make one move of the table or refuse it (nothing changed).

    Order: known action → permission → suspended hold → state → guard;
    then state, transition row, clocks, customer message and audit."""
    move = MOVES_BY_ACTION.get(action)
    if move is None:
        raise IllegalTransition(state=claim.state, action=action)
    # CLM-Z1 among the move checks: on a remote claim, the local branch surveys and
    # assesses, head office adjusts and reviews (checked on the actor's org unit).
    _check_move(session, move=move, claim=claim, actor=actor, details=details)
    source = claim.state if move.sources else ""
    at = at or timeutil.now()
    target = _target(move, claim)
    if move.sources:
        # GEN-5: the table of states (claimdesk.lifecycle.CLAIM) is the last word.
        lifecycle.CLAIM.check(claim.state, target)
    if target == SUSPENDED:
        claim.resume_state = claim.state
    elif move.target == RESUME:
        claim.resume_state = None
    if target == AWAITING_MATERIALS:
        claim.materials_return_state = None if claim.state == REPORTED else claim.state
    elif move.target == MATERIALS_RETURN:
        claim.materials_return_state = None
    claim.state = target
    session.add(
        ClaimTransition(
            claim_id=claim.id,
            action=action,
            from_state=source,
            to_state=target,
            at=at,
            actor_id=actor.user_id,
            actor=actor.username,
            reason=reason,
        )
    )
    session.flush()
    with clocks.deferred_sync(session):
        apply_clock_ops(
            session, claim, move.clocks, at=at, actor=actor, times=clock_times or {}, reason=reason
        )
    if move.notify:
        notify.tell_customer(
            session,
            claim=claim,
            template=move.notify,
            params=notice_params or {},
            key_suffix=str(details.get("notice_id", "")) if details else "",
        )
    _record_move(
        session,
        claim,
        action,
        actor,
        at=at,
        source=source,
        target=target,
        details=details,
        reason=reason,
    )
    return move


def _record_move(
    session: Session,
    claim: Claim,
    action: str,
    actor: Principal,
    *,
    at: dt.datetime,
    source: str,
    target: str,
    details: Mapping[str, object] | None,
    reason: str | None = None,
) -> None:
    """Every move is an audit entry "claim.<action>" with from/to (GEN-5)."""
    record(
        session,
        actor=actor,
        action=f"claim.{action}",
        entity_type="claim",
        entity_id=claim.id,
        reason=reason,
        at=at,
        details={"from": source or None, "to": target, "number": claim.number, **(details or {})},
    )


def record_skip(
    session: Session,
    *,
    claim: Claim,
    step: str,
    rule: str,
    actor: Principal,
    at: dt.datetime | None = None,
) -> None:
    """A configured skip is recorded with the rule that allowed it (SPEC section 3)."""
    record(
        session,
        actor=actor,
        action="claim.step_skipped",
        entity_type="claim",
        entity_id=claim.id,
        at=at or timeutil.now(),
        details={"step": step, "rule": rule},
    )
