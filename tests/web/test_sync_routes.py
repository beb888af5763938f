"""One rule for routes that touch the database: they are plain ``def`` (FastAPI runs them in
the thread pool). Blocking database work inside an ``async def`` route stalls every request
of its worker; a form is read on the event loop by ``web.submitted_form`` instead."""

from __future__ import annotations

import inspect

from fastapi.dependencies.models import Dependant

from claimdesk.deps import get_db
from tests.test_access_matrix import _walk


def _uses_db(dependant: Dependant) -> bool:
    return any(d.call is get_db or _uses_db(d) for d in dependant.dependencies)


def _takes_db(dependant: Dependant) -> bool:
    # The endpoint itself takes the session (its dependencies resolve theirs in the pool).
    return any(d.call is get_db for d in dependant.dependencies)


def test_no_route_that_uses_the_database_is_async(app) -> None:  # type: ignore[no-untyped-def]
    checked = [r for r in _walk(app.routes) if hasattr(r, "dependant") and _uses_db(r.dependant)]
    offenders = [
        f"{sorted(route.methods)} {route.path} ({route.endpoint.__module__})"
        for route in checked
        if inspect.iscoroutinefunction(route.endpoint) and _takes_db(route.dependant)
    ]
    assert len(checked) > 100  # the walk sees the app's routes, not an empty list
    assert offenders == []
