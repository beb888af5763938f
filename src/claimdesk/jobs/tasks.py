"""Background work owned by the platform itself: sealing the audit trail and the
periodic integrity check (GEN-5, SEC-3)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.audit.sealer import seal
from claimdesk.audit.service import record, verify_chain
from claimdesk.auth.principal import Principal
from claimdesk.jobs.queue import periodic

log = logging.getLogger(__name__)


@periodic("audit.seal", every=dt.timedelta(seconds=30))
def seal_audit_trail(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    """Chain and sign what writers committed since the last run (one sealer at a time:
    a second worker finds the head locked and skips)."""
    result = seal(session, now=now)
    if result.sealed:
        log.info("audit sealed %d entries up to #%d", result.sealed, result.last_sealed_seq)


@periodic("audit.verify", every=dt.timedelta(hours=24))
def verify_audit_chain(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    """Daily proof that the trail is intact; the result itself goes into the trail."""
    result = verify_chain(session)
    if not result.ok:
        log.error("audit chain BROKEN at entry #%s: %s", result.first_broken_seq, result.reason)
    if result.stale_unsealed:
        log.error("audit: %d entries left unsealed too long", result.stale_unsealed)
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
            "sealed": result.sealed,
            "unsealed": result.unsealed,
            "stale_unsealed": result.stale_unsealed,
        },
        at=now,
    )
