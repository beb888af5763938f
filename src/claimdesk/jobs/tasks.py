"""Background work owned by the platform itself: the periodic integrity check (SEC-3)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.audit.service import record, verify_chain
from claimdesk.auth.principal import Principal
from claimdesk.jobs.queue import periodic

log = logging.getLogger(__name__)


@periodic("audit.verify", every=dt.timedelta(hours=24))
def verify_audit_chain(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    """Daily proof that the trail is intact; the result itself goes into the trail."""
    result = verify_chain(session)
    if not result.ok:
        log.error("audit chain BROKEN at entry #%s: %s", result.first_broken_seq, result.reason)
    record(
        session,
        actor=Principal.system("integrity-check"),
        action="audit.verified",
        entity_type="audit_chain",
        details={
            "ok": result.ok,
            "entries_checked": result.entries_checked,
            "first_broken_seq": result.first_broken_seq,
            "reason": result.reason,
        },
        at=now,
    )
