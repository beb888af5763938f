"""Fraud holds (CLM-F1): the suspended claims an investigator works, with each open
flag's reason, who or which rule raised it, and how long the claim has been held. The
investigator's decisions (clear, confirm with the art. 27 outcome) are actions of the
claim page, /claims/{id}; this list only reads (row-filtered like every claim query).
Each row names the investigator the claim was given to; ``?assigned=unassigned`` or
``mine`` narrows the list (an investigator sees their own and the unassigned, a fraud
supervisor every one, ``claims.repository.investigators_work``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.claims.fraud import service as fraud
from claimdesk.claims.queues import service as queues
from claimdesk.claims.settlement.reserves import reason_in
from claimdesk.deps import DB, require
from claimdesk.formatting import dates_as_written
from claimdesk.paging import Paging
from claimdesk.web.kit import common, language_of, list_filter, page, shown_pager, translator
from claimdesk.web.labels import rule_words

router = APIRouter()
Investigator = Annotated[Principal, Depends(require(Permission.FRAUD_INVESTIGATE))]


@router.get("/admin/fraud-holds")
def fraud_holds(
    request: Request, db: DB, actor: Investigator, paging: Paging, assigned: str | None = None
) -> Response:
    # An unknown filter shows every held claim rather than an error: it comes from a link.
    chosen = list_filter(assigned, fraud.ASSIGNED_FILTERS)
    # The longest-held first (the repository orders them): the most overdue for a decision.
    held = fraud.held_claims(db, actor=actor, request=paging, assigned=chosen)
    names = {a.user_id: a.name for a in queues.assignees(db, role="fraud_investigator")}
    flags = fraud.flags_of_claims(db, claim_ids=[c.id for c in held.rows])
    rows: list[dict[str, Any]] = []
    # Held for as long as the claims clock says (the one the flag's time came from), so
    # that a held claim's age agrees with its deadlines — and a frozen test clock holds.
    now = timeutil.now()
    context = common(request)
    language, gettext = language_of(request), translator(request)
    for claim in held.rows:
        own = [f for f in flags if f.claim_id == claim.id]
        open_flags = [f for f in own if f.status == "open"] or own
        since = min((f.flagged_at for f in open_flags), default=None)
        age_days = (now - since).days if since else None
        rows.append(
            {
                "claim": claim,
                # The reader's half of a description the system wrote "中文 / English".
                "flags": [
                    (
                        f,
                        # A check's hold stored before b2d155a says its days ISO (GEN-2).
                        dates_as_written(reason_in(f.description, language), language),
                        rule_words(f.rule_code, language, gettext),
                    )
                    for f in open_flags
                ],
                "since": since,
                "age_days": age_days,
                # A deactivated investigator keeps the claim until a supervisor moves it.
                "investigator": None
                if claim.investigator_id is None
                else names.get(claim.investigator_id, f"#{claim.investigator_id}"),
                "mine": claim.investigator_id == actor.user_id,
            }
        )
    return page(
        request,
        "admin/fraud_holds.html",
        rows=rows,
        assigned=chosen,
        pager=shown_pager(request, held.page_of(held.rows)),
        **context,
    )
