"""The work queues' and the claim search's queries, each filtered by the caller's rows
(``claims.repository.scoped``: a surveyor sees only their own claims, CLM-F2) and
ordered by the deadline that makes the work urgent, then by id (pages never repeat or
skip a row).

Every queue query selects the same columns — the claim, the deadline (``due``), the time
it has waited (``since``), the task inside the claim (``task_id``, ``task_kind``),
whether the loss is outside the policy's cover (``outside_period``) and the termination
day that ended it (``terminated_on``) — so one paging function serves them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, String, and_, exists, func, null, or_, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.repository import investigators_work, queue_priority, scoped
from claimdesk.models.claim import Claim, ClaimTransition, Material, MissingMaterialsNotice
from claimdesk.models.clock import Clock
from claimdesk.models.event import MaterialDeferral
from claimdesk.models.payment import Callback
from claimdesk.models.person import Person
from claimdesk.models.policy import Policy
from claimdesk.models.review import ReviewDecision, ReviewRound
from claimdesk.models.user import User, UserRole
from claimdesk.paging import PageRequest, Slice

# Closing: the states a claim is closed from (claims.workflow "close").
CLOSABLE = ("paid", "rejected", "decided")
# Materials: reviewed against the contract while the claim is being worked (CLM-A5).
REVIEWING = ("reported", "awaiting_materials", "accepted", "surveyed", "assessed")
# Advances (先予支付, payments.service.ADVANCE_STATES): worked but not decided.
ADVANCING = ("accepted", "surveyed", "assessed", "adjusted", "in_review")
ADVANCE_CLOCK = "claim.advance_payment"
IN_REVIEW = "in_review"


def _scoped(query: Select[Any], actor: Principal, *, queue: bool = True) -> Select[Any]:
    # scoped() only adds conditions on Claim's columns; every query here joins Claim.
    found = cast(Select[Any], scoped(query=cast(Select[Claim], query), actor=actor))
    # An investigator's queues hold their own held claims and unassigned ones (CLM-F1);
    # the search finds what they may open, a colleague's claim too.
    return investigators_work(query=found, actor=actor) if queue else found


def _by_due(due: Any) -> tuple[Any, ...]:
    return (due.asc().nulls_last(), Claim.id)


def _outside_period() -> ColumnElement[bool]:
    """The claim's policy does not cover its date of loss — outside the period, both
    days covered, or on or after a termination's effective date: the intake flag's rule
    (``rules.cover.covers``, claims.intake.report.loss_outside_period, CLM-R2), read as a
    column of the queue's own statement so the page stays one query."""
    return (
        exists()
        .where(
            Policy.id == Claim.policy_id,
            or_(
                Claim.loss_date < Policy.period_start,
                Claim.loss_date > Policy.period_end,
                Claim.loss_date >= Policy.terminated_on,  # NULL: not terminated
            ),
        )
        .correlate(Claim)
    )


def _terminated_before_loss() -> ColumnElement[Any]:
    """The day the claim's policy's termination took effect, when it — not the period —
    left the loss uncovered (inside the period, on or after that day: ``rules.cover``'s
    ``ended_by_termination``, POL-3); else NULL. The queue's mark says so with the day,
    not "outside the period", which the handler would check against the wrong dates."""
    return (
        select(Policy.terminated_on)
        .where(
            Policy.id == Claim.policy_id,
            Policy.terminated_on <= Policy.period_end,  # NULL: not terminated
            Claim.loss_date >= Policy.terminated_on,
            # As the intake flag: a loss outside the period is said to be that.
            Claim.loss_date.between(Policy.period_start, Policy.period_end),
        )
        .correlate(Claim)
        .scalar_subquery()
    )


def _row(
    due: Any = None,
    since: Any = None,
    task_id: Any = None,
    task_kind: Any = None,
) -> Select[Any]:
    return select(
        Claim,
        (Claim.next_due_at if due is None else due).label("due"),
        (null() if since is None else since).label("since"),
        (null() if task_id is None else task_id).label("task_id"),
        (null() if task_kind is None else task_kind).label("task_kind"),
        _outside_period().label("outside_period"),
        _terminated_before_loss().label("terminated_on"),
    )


def by_stage(
    *, actor: Principal, states: Sequence[str], review_tiers: Sequence[int] = ()
) -> Select[Any]:
    """The role's claims in the states its work starts from: mass-event claims first
    (small losses before the rest, CLM-Z2), then by the next running deadline. A claim in
    review is a reviewer's work only when its open round waits for one of
    ``review_tiers`` (tier N decides after N - 1 decisions, CLM-V1): the tier-2 and
    tier-3 queues listed every claim in review, those only tier 1 decides among them."""
    query = _row().where(Claim.state.in_(states))
    if IN_REVIEW in states:
        decided = (
            select(func.count(ReviewDecision.id))
            .where(ReviewDecision.round_id == ReviewRound.id)
            .correlate(ReviewRound)
            .scalar_subquery()
        )
        waiting = exists().where(
            ReviewRound.claim_id == Claim.id,
            ReviewRound.status == "open",
            (decided + 1).in_(list(review_tiers)),
        )
        query = query.where(or_(Claim.state != IN_REVIEW, waiting))
    return _scoped(query, actor).order_by(queue_priority(), *_by_due(Claim.next_due_at))


def callbacks_due(*, actor: Principal) -> Select[Any]:
    """Open callbacks (CLM-X2), by their own clock's due time."""
    query = (
        _row(
            due=Clock.due_at,
            since=Callback.created_at,
            task_id=Callback.id,
            task_kind=Callback.kind,
        )
        .join(Callback, Callback.claim_id == Claim.id)
        .outerjoin(Clock, Clock.id == Callback.clock_id)
        .where(Callback.status == "open")
    )
    return _scoped(query, actor).order_by(*_by_due(Clock.due_at), Callback.id)


def _open_callback() -> ColumnElement[bool]:
    return exists().where(Callback.claim_id == Claim.id, Callback.status == "open")


def ready_to_close(*, actor: Principal) -> Select[Any]:
    """Paid, rejected or decided claims with no callback left open (CLM-X1, CLM-X2),
    longest waiting first: since the last callback was recorded (or the last change)."""
    last_callback = (
        select(func.max(Callback.done_at))
        .where(Callback.claim_id == Claim.id)
        .correlate(Claim)
        .scalar_subquery()
    )
    last_move = (
        select(func.max(ClaimTransition.at))
        .where(ClaimTransition.claim_id == Claim.id)
        .correlate(Claim)
        .scalar_subquery()
    )
    since = func.coalesce(last_callback, last_move, Claim.created_at)
    query = _row(due=null(), since=since).where(Claim.state.in_(CLOSABLE), ~_open_callback())
    return _scoped(query, actor).order_by(since.asc(), Claim.id)


def notices_to_send(*, actor: Principal) -> Select[Any]:
    """Reported claims with materials missing and no one-time notice yet (CLM-A4). An
    item the green channel defers is not missing (CLM-Z2), as in
    ``acceptance.missing_notice_due``: the queue lists what the service would send."""
    deferred = exists().where(
        MaterialDeferral.claim_id == Claim.id, MaterialDeferral.code == Material.code
    )
    missing = exists().where(Material.claim_id == Claim.id, Material.received.is_(False), ~deferred)
    noticed = exists().where(MissingMaterialsNotice.claim_id == Claim.id)
    query = _row().where(Claim.state == "reported", missing, ~noticed)
    return _scoped(query, actor).order_by(*_by_due(Claim.next_due_at))


def materials_to_review(*, actor: Principal) -> Select[Any]:
    """Claims with received materials not yet reviewed against the contract (CLM-A5)."""
    unreviewed = exists().where(
        Material.claim_id == Claim.id,
        Material.received.is_(True),
        Material.review_result.is_(None),
    )
    query = _row().where(Claim.state.in_(REVIEWING), unreviewed)
    return _scoped(query, actor).order_by(*_by_due(Claim.next_due_at))


def advances_due(*, actor: Principal, due_before: dt.datetime) -> Select[Any]:
    """Claims whose 60-day advance clock (CLM-V4, art. 25) runs out before ``due_before``
    and is still running, soonest first."""
    query = (
        _row(due=Clock.due_at, since=Clock.started_at)
        .join(
            Clock,
            and_(
                Clock.subject_type == "claim",
                Clock.subject_id == sql_cast(Claim.id, String),
                Clock.name == ADVANCE_CLOCK,
                Clock.stopped_at.is_(None),
            ),
        )
        .where(Claim.state.in_(ADVANCING), Clock.due_at < due_before)
    )
    return _scoped(query, actor).order_by(*_by_due(Clock.due_at))


def page_of(session: Session, *, query: Select[Any], request: PageRequest) -> Slice[Any]:
    """One page of a queue's rows (``paging.fetch`` for multi-column rows): one row past
    the page says whether there is more; the total counts the whole queue."""
    window = list(session.execute(query.offset(request.offset).limit(request.limit + 1)))
    total = count_of(session, query=query)
    return Slice(
        rows=window[: request.limit],
        request=request,
        total=total,
        has_more=len(window) > request.limit,
    )


def count_of(session: Session, *, query: Select[Any]) -> int:
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    return int(session.scalar(counted) or 0)


# -- search ---------------------------------------------------------------------------------


def search(
    *,
    actor: Principal,
    number_part: str | None = None,
    name_hash: str | None = None,
    person_ids: Sequence[int] | None = None,
) -> Select[Any]:
    """Claims matching part of a report or policy number, a name's keyed hash (the
    claimant's, or the insured's through people.name_hash), or one of ``person_ids`` as
    the insured; newest first."""
    conditions: list[ColumnElement[bool]] = []
    if number_part:
        policies = select(Policy.id).where(Policy.number.contains(number_part, autoescape=True))
        conditions += [
            Claim.number.contains(number_part, autoescape=True),
            Claim.policy_id.in_(policies),
        ]
    if name_hash:
        insureds = select(Person.id).where(Person.name_hash == name_hash)
        conditions += [Claim.claimant_name_hash == name_hash, Claim.insured_person_id.in_(insureds)]
    if person_ids is not None:
        conditions.append(Claim.insured_person_id.in_(list(person_ids) or [-1]))
    if not conditions:
        conditions.append(Claim.id.is_(None))
    query = _row().where(or_(*conditions))
    return _scoped(query, actor, queue=False).order_by(Claim.id.desc())


# -- assignment ------------------------------------------------------------------------------


def claims_for_assignment(
    session: Session, *, actor: Principal, claim_ids: Sequence[int]
) -> list[Claim]:
    """The caller's claims among ``claim_ids``, locked for the change, in id order."""
    query = scoped(query=select(Claim).where(Claim.id.in_(list(claim_ids))), actor=actor)
    return list(session.scalars(query.order_by(Claim.id).with_for_update(of=Claim)))


def assignees(session: Session, *, role: str, user_id: int | None = None) -> list[tuple[int, str]]:
    """Active users holding ``role`` (or the one with ``user_id``), by name."""
    query = (
        select(User.id, User.display_name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.is_active.is_(True))
        .order_by(User.display_name, User.id)
    )
    if user_id is not None:
        query = query.where(User.id == user_id)
    return [(int(i), str(n)) for i, n in session.execute(query)]


def names_of(session: Session, *, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {int(i): str(n) for i, n in rows}
