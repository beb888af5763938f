"""The workbench: the start page of claims staff (issue 12).

One tab per queue of the user's roles (claims.queues.service: by stage, callbacks due,
ready to close, notices to send, materials to review, advances due), each with its count,
most urgent first and paged (web.kit.pager); the search by part of a report or policy
number, by name or by ID number; and, for a supervisor, ticking several rows and
assigning them to one handler or surveyor at once. Calls services only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import ROLE_LABELS, Permission, Role
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.claims.queues import service as queues
from claimdesk.claims.queues.schemas import AssignIn, QueueItem, QueueOut
from claimdesk.code_labels import CLAIM_LINES, CLAIM_STATES
from claimdesk.deps import DB, require
from claimdesk.errors import ClaimdeskError
from claimdesk.paging import Page
from claimdesk.web.admin.calendar import admin_warning
from claimdesk.web.claims.pages import _service_queue, countdown, urgency
from claimdesk.web.kit import (
    Refusal,
    SubmittedForm,
    error_of,
    form_action,
    language_of,
    page_request_of,
    pager,
    render,
)

router = APIRouter()

Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]
Supervisor = Annotated[Principal, Depends(require(Permission.CLAIMS_ASSIGN))]

# Callback kinds as people say them (msgids; zh-CN in queues.po).
TASK_LABELS = {
    "paid": "Callback after payment",
    "rejected": "Callback after rejection",
    "decided": "Callback after the decision notice",
}


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands instants back naive (stored in UTC).
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _rows(page: Page[QueueItem]) -> list[dict[str, Any]]:
    now = timeutil.now()  # the claims clock: frozen in tests, as the deadlines are
    rows = []
    for item in page.items:
        due = _aware(item.due_at)
        rows.append(
            {
                "item": item,
                "due": due,
                "since": _aware(item.since),
                "urgency": urgency(due, now),
                "countdown": countdown(due, now),
                "state_label": CLAIM_STATES.get(item.state, item.state),
                "line_label": CLAIM_LINES.get(item.line, item.line),
                "task_label": TASK_LABELS.get(item.task_kind or "", ""),
                "held": item.state == "suspended",
            }
        )
    return rows


def _chosen(tabs: list[QueueOut], wanted: str | None) -> QueueOut | None:
    for tab in tabs:
        if tab.key == wanted:
            return tab
    # Otherwise the first queue with something in it (a service agent opens on the
    # callbacks due), or the first queue.
    return next((t for t in tabs if t.count), tabs[0] if tabs else None)


def workbench_page(
    request: Request,
    db: Session,
    principal: Principal,
    *,
    refusal: Refusal | None = None,
    picked: frozenset[int] = frozenset(),
    queue: str | None = None,
) -> Response:
    """The start page of claims staff: their queues, most urgent first."""
    language = language_of(request)
    q = (request.query_params.get("q") or "").strip()[:40]
    tabs = queues.overview(db, principal=principal, language=language)
    tab = None if q else _chosen(tabs, queue or request.query_params.get("queue"))
    error = refusal.error if refusal else None
    result: Page[QueueItem] | None = None
    try:
        paging = page_request_of(request)
        if q:
            result = queues.search(db, principal=principal, q=q, page=paging)
        elif tab is not None:
            result = queues.queue_page(db, principal=principal, key=tab.key, page=paging)
    except ClaimdeskError as refused:
        error = error_of(request, refused)
    zh = language == "zh-CN"
    role_labels = [
        ROLE_LABELS[Role(r)][0 if zh else 1] for r in sorted(principal.roles) if r in ROLE_LABELS
    ]
    supervisor = principal.has(Permission.CLAIMS_ASSIGN)
    rows = _rows(result) if result else []
    return render(
        request,
        "workbench/queue.html",
        status_code=refusal.status_code if refusal else 200,
        tabs=tabs,
        tab=tab,
        rows=rows,
        # The investigator column where the page has a held claim (CLM-F1): who holds
        # its investigation, or nobody yet — the supervisor's cue to assign it.
        held_rows=any(row["held"] for row in rows),
        user_id=principal.user_id,
        # A refused assignment re-renders under /workbench/assign: no paging links there.
        pager=pager(request, result) if result and refusal is None else None,
        q=q,
        error=error,
        picked=picked,
        supervisor=supervisor,
        handlers=queues.assignees(db, role="claims_handler") if supervisor else [],
        surveyors=queues.assignees(db, role="surveyor") if supervisor else [],
        investigators=queues.assignees(db, role="fraud_investigator") if supervisor else [],
        assigned=request.query_params.get("assigned"),
        service_items=_service_queue(db, principal),
        role_labels=role_labels,
        calendar_warning=admin_warning(request, db, principal),
    )


@router.get("/workbench")
def workbench(request: Request, db: DB, principal: Reader) -> Response:
    return workbench_page(request, db, principal)


@router.post("/workbench/assign")
def assign(request: Request, db: DB, principal: Supervisor, form: SubmittedForm) -> Response:
    """The ticked rows go to one handler, surveyor or investigator (queues.service.assign: the
    object checks, all or nothing, audited per claim)."""
    picked = [v for v in form.getlist("claim_ids") if isinstance(v, str)]
    target = str(form.get("assignee") or "")
    role, _, user = target.partition(":")

    def call() -> Any:
        body = AssignIn.model_validate(
            {
                "claim_ids": picked,
                "role": role,
                "user_id": user or 0,
                "reason": str(form.get("reason") or "") or None,
            }
        )
        return queues.assign(
            db,
            actor=principal,
            claim_ids=body.claim_ids,
            role=body.role,
            user_id=body.user_id,
            reason=body.reason,
        )

    def refused(refusal: Refusal) -> Response:
        ids = frozenset(int(v) for v in picked if v.isdigit() and len(v) < 10)
        return workbench_page(
            request, db, principal, refusal=refusal, picked=ids, queue=str(form.get("queue") or "")
        )

    back = str(form.get("back") or "/workbench")
    if not back.startswith("/workbench"):
        back = "/workbench"
    separator = "&" if "?" in back else "?"
    return form_action(
        request,
        db,
        call,
        refused=refused,
        redirect=lambda assigned: f"{back}{separator}assigned={len(assigned)}",
    )
