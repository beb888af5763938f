"""The claims domain's clock: one seam so a test can freeze 'now'."""

from __future__ import annotations

import datetime as dt

from claimdesk.models.base import utcnow


def now() -> dt.datetime:
    return utcnow()
