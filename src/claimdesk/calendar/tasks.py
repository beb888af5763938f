"""Background work of the holiday calendar (GEN-3): load what the holidays package
publishes, so no administrator action is needed once a year's arrangement ships in the
package; the clocks counted provisionally are recomputed and audited by the load."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.calendar.service import sync_from_package
from claimdesk.jobs.queue import periodic
from claimdesk.rules.deadlines import local_date


@periodic("calendar.sync_package", every=dt.timedelta(hours=24))
def sync_package_calendar(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    """Daily: last, this and next year from the package when it publishes them."""
    sync_from_package(session, on=local_date(now))
