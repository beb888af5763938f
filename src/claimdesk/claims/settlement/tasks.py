"""Background work of settlement: the settlement notice's PDF (CLM-C3, CLM-P2).

``decision_notices.issue_for_payment`` writes the notice (its calculation, the outbox
message, the audit entry) in the payment's transaction and queues this job there; the
PDF is rendered here, after the payment committed, so the ~150 ms of ReportLab are off
the automatic path's critical path (issue 13, CLM-T2). A reader who comes first gets
it rendered on demand (``ensure_pdf``); either way it is rendered once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.settlement.decision_notices import PDF_TASK, ensure_pdf
from claimdesk.jobs.queue import task
from claimdesk.models.review import DecisionNotice


@task(PDF_TASK)
def render_notice_pdf(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    """Idempotent: a notice already rendered is left as it is."""
    notice = session.get(DecisionNotice, int(payload["notice_id"]))
    if notice is not None:
        ensure_pdf(session, notice, actor=Principal.system("settlement-notice-pdf"))
