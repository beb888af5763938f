"""Background work of idempotency keys: expired keys are deleted (CLM-P5, GEN-6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.idempotency.service import purge_expired
from claimdesk.jobs.queue import periodic


@periodic("idempotency.purge_expired", every=dt.timedelta(hours=1))
def purge(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    purge_expired(session, now=now)
