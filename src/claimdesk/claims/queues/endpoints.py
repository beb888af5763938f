"""Work queues, claim search and bulk assignment over the API (thin: one service call)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.queues import service
from claimdesk.claims.queues.schemas import (
    Assignee,
    AssignIn,
    AssignOut,
    QueueItem,
    QueueKey,
    QueueOut,
)
from claimdesk.deps import DB, require
from claimdesk.paging import Page, Paging

router = APIRouter(prefix="/work", tags=["work queues"])

Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]
Supervisor = Annotated[Principal, Depends(require(Permission.CLAIMS_ASSIGN))]


@router.get("/queues", response_model=list[QueueOut])
def my_queues(db: DB, principal: Reader) -> list[QueueOut]:
    """The caller's queues, each with the number of items waiting."""
    return service.overview(db, principal=principal, language=principal.language)


@router.get("/queues/{key}", response_model=Page[QueueItem])
def queue_items(key: QueueKey, db: DB, principal: Reader, paging: Paging) -> Page[QueueItem]:
    """One page of one of the caller's queues, most urgent first."""
    return service.queue_page(db, principal=principal, key=key, page=paging)


@router.get("/search", response_model=Page[QueueItem])
def search_claims(
    db: DB,
    principal: Reader,
    paging: Paging,
    q: Annotated[str, Query(min_length=1, max_length=40)],
) -> Page[QueueItem]:
    """Claims by part of a report or policy number, by the insured's or claimant's name
    (keyed hash) or by the insured's ID number (keyed hash, audited)."""
    return service.search(db, principal=principal, q=q, page=paging)


@router.get("/assignees", response_model=list[Assignee])
def list_assignees(
    db: DB, principal: Supervisor, role: Literal["claims_handler", "surveyor", "fraud_investigator"]
) -> list[Assignee]:
    return service.assignees(db, role=role)


@router.post("/assignments", response_model=AssignOut)
def assign_claims(body: AssignIn, db: DB, principal: Supervisor) -> AssignOut:
    """A supervisor gives several claims to one handler or surveyor (all or nothing,
    audited per claim)."""
    done = service.assign(
        db,
        actor=principal,
        claim_ids=body.claim_ids,
        role=body.role,
        user_id=body.user_id,
        reason=body.reason,
    )
    return AssignOut(assigned=done)
