"""Demo data makes every service report non-empty and loads once (SVC-3, SVC-5, GEN-7)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.models.sales import SalesAgent, SalesChannel
from claimdesk.models.service import Complaint
from claimdesk.service import reports
from claimdesk.service.demo import load_demo_service


def test_demo_fills_every_report_and_is_idempotent(db: Session) -> None:
    # SPEC GEN-7 SVC-3 SVC-5 SAL-1 SAL-2
    actor = Principal.system("demo")
    assert load_demo_service(db, actor) is True
    assert load_demo_service(db, actor) is False
    assert db.scalar(select(func.count()).select_from(Complaint)) == 3
    assert db.scalar(select(func.count()).select_from(SalesChannel)) == 5
    assert db.scalar(select(func.count()).select_from(SalesAgent)) == 2
    start, end = dt.date(2026, 9, 1), dt.date(2026, 11, 30)
    complaints = reports.complaints_report(db, date_from=start, date_to=end)
    assert complaints.total == 3 and len(complaints.by_cause) == 3
    satisfaction = reports.satisfaction_report(db, date_from=start, date_to=end)
    assert {row.service_type for row in satisfaction} >= {"consultation", "health_consultation"}
    deadlines = reports.deadlines_report(
        db, date_from=start, date_to=end, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    )
    names = {row.name for row in deadlines}
    assert {
        "service.consultation_answer",
        "complaint.decision",
        "complaint.acknowledgement",
    } <= names
    consult = [r for r in deadlines if r.name == "service.consultation_answer"]
    assert sum(r.met for r in consult) == 1 and sum(r.missed for r in consult) == 1
