"""Work queues, claim search and bulk assignment (issue 12).

Every pending action on a claim has a queue, shown to the role that acts on it:

| queue | what waits | who acts | ordered by |
|---|---|---|---|
| work | the role's claims by stage (reported → approved, suspended) | each claims role | next running deadline |
| callbacks | open callbacks after payment, rejection or decision (CLM-X2) | service agent, claims handler | the callback's clock |
| closing | paid / rejected / decided claims, callbacks done (CLM-X1) | claims supervisor (tier 1) | waiting longest |
| notices | reported claims with materials missing, no notice yet (CLM-A4) | claims handler | next running deadline |
| materials | received materials not reviewed (CLM-A5) | claims handler | next running deadline |
| advances | the 60-day advance clock within 15 days (CLM-V4) | payment officer | the advance clock |

Rows are filtered like every claim read (CLM-F2, SEC-4): a queue never lists a claim its
reader could not open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.permissions import REVIEW_TIER_ROLES, Permission, Role
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil, workflow
from claimdesk.claims.intake import survey
from claimdesk.claims.queues import repository
from claimdesk.claims.queues.errors import (
    AssigneeNotFound,
    ClaimNotAssignable,
    SearchTooShort,
    UnknownQueue,
)
from claimdesk.claims.queues.schemas import (
    AssignedOut,
    Assignee,
    QueueItem,
    QueueKey,
    QueueOut,
)
from claimdesk.crypto.indexes import name_index
from claimdesk.errors import ClaimdeskError, NotFound, PermissionDenied
from claimdesk.i18n import gettext
from claimdesk.paging import Page, PageRequest, Slice
from claimdesk.people.service import find_by_id_number
from claimdesk.rules.identity import validate_resident_id

# The states each role's stage queue holds (was web/claims/pages.ROLE_QUEUE_STATES).
ROLE_QUEUE_STATES: dict[Role, tuple[str, ...]] = {
    Role.CLAIMS_HANDLER: ("reported", "awaiting_materials", "accepted"),
    Role.SURVEYOR: ("accepted",),
    Role.ASSESSOR: ("surveyed",),
    Role.ADJUSTER: ("assessed", "adjusted"),
    Role.REVIEWER_1: ("in_review", "reopened"),
    Role.REVIEWER_2: ("in_review",),
    Role.REVIEWER_3: ("in_review",),
    Role.PAYMENT_OFFICER: ("approved",),
    Role.FRAUD_INVESTIGATOR: ("suspended",),
}
# An advance becomes the payment officer's work this long before its 60 days run out.
ADVANCE_NOTICE = dt.timedelta(days=15)
# The shortest part of a number worth searching for (a shorter one matches everything).
MIN_NUMBER_PART = 4


def stage_states(*, principal: Principal) -> tuple[str, ...]:
    states: set[str] = set()
    for role in principal.roles:
        if role in Role.__members__.values():
            states |= set(ROLE_QUEUE_STATES.get(Role(role), ()))
    return tuple(sorted(states))


def review_tiers(*, principal: Principal) -> tuple[int, ...]:
    """The review tiers the principal decides (reviewer_1 → 1, CLM-V1)."""
    return tuple(
        sorted(tier for tier, role in REVIEW_TIER_ROLES.items() if role.value in principal.roles)
    )


@dataclass(frozen=True)
class QueueDef:
    key: QueueKey
    title: str  # English msgid (zh-CN in locales/zh_CN/LC_MESSAGES/queues.po)
    applies: Callable[[Principal], bool]
    query: Callable[[Principal, dt.datetime], Select[Any]]


QUEUES: tuple[QueueDef, ...] = (
    QueueDef(
        QueueKey.WORK,
        "My claims by stage",
        lambda p: bool(stage_states(principal=p)),
        lambda p, _now: repository.by_stage(
            actor=p, states=stage_states(principal=p), review_tiers=review_tiers(principal=p)
        ),
    ),
    QueueDef(
        QueueKey.CALLBACKS,
        "Callbacks due",
        lambda p: p.has(Permission.CLAIMS_CALLBACK),
        lambda p, _now: repository.callbacks_due(actor=p),
    ),
    QueueDef(
        QueueKey.CLOSING,
        "Ready to close",
        lambda p: Role.REVIEWER_1.value in p.roles and p.has(Permission.CLAIMS_REVIEW),
        lambda p, _now: repository.ready_to_close(actor=p),
    ),
    QueueDef(
        QueueKey.NOTICES,
        "Missing-materials notices to send",
        lambda p: p.has(Permission.CLAIMS_ACCEPT),
        lambda p, _now: repository.notices_to_send(actor=p),
    ),
    QueueDef(
        QueueKey.MATERIALS,
        "Materials to review",
        lambda p: p.has(Permission.CLAIMS_ACCEPT),
        lambda p, _now: repository.materials_to_review(actor=p),
    ),
    QueueDef(
        QueueKey.ADVANCES,
        "Advances due",
        lambda p: p.has(Permission.CLAIMS_PAY),
        lambda p, now: repository.advances_due(actor=p, due_before=now + ADVANCE_NOTICE),
    ),
)
QUEUES_BY_KEY = {q.key: q for q in QUEUES}


def queues_for(*, principal: Principal) -> list[QueueDef]:
    """The queues of the caller's roles, in display order."""
    return [q for q in QUEUES if q.applies(principal)]


def _definition(principal: Principal, key: str) -> QueueDef:
    try:
        definition = QUEUES_BY_KEY[QueueKey(key)]
    except ValueError:
        raise UnknownQueue(field="queue") from None
    if not definition.applies(principal):
        # Another role's queue: its items are not this caller's work (SEC-4).
        raise PermissionDenied()
    return definition


def overview(session: Session, *, principal: Principal, language: str) -> list[QueueOut]:
    """Each of the caller's queues with how many items wait in it."""
    now = timeutil.now()
    return [
        QueueOut(
            key=q.key,
            title=gettext(q.title, language),
            count=repository.count_of(session, query=q.query(principal, now)),
        )
        for q in queues_for(principal=principal)
    ]


def _items(session: Session, rows: Sequence[Any]) -> list[QueueItem]:
    """The page's rows, each held claim with its investigator's name (one read for the
    page, none when no row has one; a deactivated investigator keeps the claim, and
    their name, until a supervisor moves it)."""
    names = repository.names_of(
        session,
        user_ids={row[0].investigator_id for row in rows if row[0].investigator_id is not None},
    )
    return [
        QueueItem(
            claim_id=claim.id,
            number=claim.number,
            state=str(claim.state),
            line=claim.line,
            claimant_name=claim.claimant_name,
            is_major=claim.is_major,
            due_at=due,
            since=since,
            task_id=task_id,
            task_kind=task_kind,
            handler_id=claim.handler_id,
            surveyor_id=claim.surveyor_id,
            investigator_id=claim.investigator_id,
            investigator_name=names.get(claim.investigator_id)
            if claim.investigator_id is not None
            else None,
            loss_outside_period=bool(outside),
            policy_terminated_on=terminated_on,
        )
        for claim, due, since, task_id, task_kind, outside, terminated_on in rows
    ]


def queue_page(
    session: Session, *, principal: Principal, key: str, page: PageRequest
) -> Page[QueueItem]:
    """One page of one of the caller's queues, most urgent first."""
    definition = _definition(principal, key)
    found: Slice[Any] = repository.page_of(
        session, query=definition.query(principal, timeutil.now()), request=page
    )
    return found.page_of(_items(session, found.rows))


# -- search ---------------------------------------------------------------------------------


def _id_number(text: str) -> bool:
    try:
        validate_resident_id(text)
    except ClaimdeskError:
        return False
    return True


def search(session: Session, *, principal: Principal, q: str, page: PageRequest) -> Page[QueueItem]:
    """Claims found by part of a report or policy number, by the insured's or the
    claimant's name (its keyed hash: the name itself is never compared, SEC-1), or by
    the insured's resident ID number (keyed hash). A search by name or ID number reads
    personal data and is audited (SEC-5); the record holds how, never what was typed."""
    text = " ".join(q.split())
    if not text:
        raise SearchTooShort(field="q", minimum=MIN_NUMBER_PART)
    by: str
    if _id_number(text) and principal.has(Permission.PEOPLE_READ):
        people = find_by_id_number(
            session, actor=principal, id_number=text, reason="workbench search"
        )
        query = repository.search(actor=principal, person_ids=[p.id for p in people])
        by = "id_number"
    else:
        compact = "".join(text.split())
        number_part = compact if len(compact) >= MIN_NUMBER_PART and compact.isascii() else None
        hashed = name_index(text)
        if number_part is None and (hashed is None or len(compact) < 2):
            raise SearchTooShort(field="q", minimum=MIN_NUMBER_PART)
        query = repository.search(actor=principal, number_part=number_part, name_hash=hashed)
        by = "number_or_name"
    found: Slice[Any] = repository.page_of(session, query=query, request=page)
    result = found.page_of(_items(session, found.rows))
    if by == "number_or_name":
        record(
            session,
            actor=principal,
            action="claims.searched",
            entity_type="claim",
            entity_id=None,
            details={"by": by, "matches": [item.claim_id for item in result.items]},
        )
    return result


# -- bulk assignment ------------------------------------------------------------------------

_ASSIGNABLE_BY_ROLE = {
    # A handler takes a claim anywhere before its decision.
    "claims_handler": tuple(workflow.OPEN_STATES),
    # A surveyor only where the survey is next (CLM-S1: the contact clock starts).
    "surveyor": ("accepted",),
    # A fraud investigator a held claim (CLM-F1): they add its evidence (CLM-F2).
    "fraud_investigator": (workflow.SUSPENDED,),
}


def assignees(session: Session, *, role: str) -> list[Assignee]:
    return [
        Assignee(user_id=user_id, name=name, role=role)
        for user_id, name in repository.assignees(session, role=role)
    ]


def assign(
    session: Session,
    *,
    actor: Principal,
    claim_ids: Sequence[int],
    role: str,
    user_id: int,
    reason: str | None = None,
) -> list[AssignedOut]:
    """Give several claims at once to one handler, surveyor or (held claims) fraud
    investigator. All or nothing: a claim the supervisor cannot see, or one in a state
    where that assignment makes no sense, refuses the whole request, naming the claim,
    and nothing is changed (GEN-6). Each claim's assignment is audited on its own (GEN-5)."""
    if not actor.has(Permission.CLAIMS_ASSIGN):
        raise PermissionDenied()
    if role not in _ASSIGNABLE_BY_ROLE:
        raise AssigneeNotFound(field="role")
    if not repository.assignees(session, role=role, user_id=user_id):
        raise AssigneeNotFound(field="user_id")
    wanted = sorted(set(claim_ids))
    claims = repository.claims_for_assignment(session, actor=actor, claim_ids=wanted)
    found = {claim.id for claim in claims}
    for claim_id in wanted:
        if claim_id not in found:
            raise NotFound(what="claim", field="claim_ids", claim_id=claim_id)
    allowed = _ASSIGNABLE_BY_ROLE[role]
    for claim in claims:
        if claim.state not in allowed:
            raise ClaimNotAssignable(field="claim_ids", number=claim.number, state=claim.state)
    at = timeutil.now()
    done = []
    for claim in claims:
        if role == "surveyor":
            # The survey's own service: plan, contact clock, the workflow's move.
            survey.assign(session, actor=actor, claim=claim, surveyor_id=user_id)
        else:
            investigator = role == "fraud_investigator"
            before = claim.investigator_id if investigator else claim.handler_id
            if investigator:
                claim.investigator_id = user_id
            else:
                claim.handler_id = user_id
            record(
                session,
                actor=actor,
                action="claim.investigator_assigned" if investigator else "claim.handler_assigned",
                entity_type="claim",
                entity_id=claim.id,
                at=at,
                reason=reason,
                details={"before": before, "after": user_id, "bulk": len(claims)},
            )
        done.append(AssignedOut(claim_id=claim.id, number=claim.number, role=role, user_id=user_id))
    session.flush()
    return done
