"""The local time zone of the deployment (GEN-2): instants are stored in UTC and shown,
and cut into local dates, in the zone of the ``timezone`` setting (Asia/Shanghai).

The one place outside the pure rules that names a zone. ``claimdesk.rules`` may not read
settings (import contract), so the deadline engine keeps its own constant
(``rules.deadlines.LOCAL_TZ``: China's statutory calendar counts in Beijing time); the
settings validator refuses a zone that is not a real IANA zone.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from claimdesk.config import get_settings


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    """The zone of the ``timezone`` setting (cached per name, so a test that changes the
    setting and resets the settings cache sees the new zone)."""
    return _zone(get_settings().timezone)


def local_date(instant: dt.datetime) -> dt.date:
    """The local calendar date of an aware instant."""
    return instant.astimezone(local_zone()).date()
