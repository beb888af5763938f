"""Role × endpoint access matrix: every API route, every role (SPEC SEC-4, CLM-F2).

Routes are discovered from the live application, so a route another domain adds later
is covered without touching this file. A route that declares no permission fails the
test unless it is listed in PUBLIC_ROUTES: nobody can add an unprotected endpoint.
A permission dependency carries ``required_permission`` (deps.require does this); one
that accepts any of several permissions also carries ``alternative_permissions``.
Each call runs inside a savepoint that is rolled back, so one role's call (a logout,
a deactivation) never changes what the next call sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from claimdesk.app import API_PREFIX
from claimdesk.auth import service as auth_service
from claimdesk.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from claimdesk.crypto.keyring import blind_index
from claimdesk.models.base import utcnow
from claimdesk.models.person import Person
from claimdesk.routing import SegmentRoutes
from tests.builders import make_org_unit, make_user

# (method, path) pairs that need no authentication, with the reason.
PUBLIC_ROUTES: dict[tuple[str, str], str] = {
    ("POST", f"{API_PREFIX}/auth/token"): "obtaining a token is how one authenticates",
    ("POST", f"{API_PREFIX}/auth/token/verify"): (
        "a customer's SMS code for a challenge from /auth/token (SEC-9): how they authenticate"
    ),
    ("GET", f"{API_PREFIX}/openapi.json"): "API description, no data",
    ("GET", f"{API_PREFIX}/docs"): "API documentation page, no data",
    ("GET", f"{API_PREFIX}/public/events/{{event_id}}/guide"): (
        "the public claims guide of a mass event (CLM-Z2): published for everyone"
    ),
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str
    # Every clause must be satisfied; a clause is satisfied by any one of its permissions.
    requirements: tuple[frozenset[Permission], ...]

    @property
    def permissions(self) -> frozenset[Permission]:
        return frozenset().union(*self.requirements)

    def allows(self, granted: frozenset[Permission]) -> bool:
        return all(clause & granted for clause in self.requirements)

    @property
    def url(self) -> str:
        # Fill every path parameter with 1: a 404/422 is a fine answer for an allowed role.
        return re.sub(r"\{[^}]+\}", "1", self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _requirements(dependant: Any) -> tuple[frozenset[Permission], ...]:
    found: set[frozenset[Permission]] = set()
    stack = [dependant]
    while stack:
        node = stack.pop()
        permission = getattr(node.call, "required_permission", None)
        if permission is not None:
            alternatives = getattr(node.call, "alternative_permissions", ())
            found.add(frozenset({permission, *alternatives}))
        stack.extend(node.dependencies)
    return tuple(sorted(found, key=sorted))


def _walk(routes: list[Any]) -> Iterator[Any]:
    # FastAPI 0.165 keeps included routers as _IncludedRouter objects whose
    # effective_candidates() yield the routes with their full path (and further routers);
    # the app holds its own routers' routes built out in a SegmentRoutes.
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from _walk(route.effective_candidates())
        elif isinstance(route, SegmentRoutes):
            yield from _walk(route.routes)
        else:
            yield route


def api_routes(app: Any) -> list[ApiRoute]:
    found = []
    for route in _walk(app.routes):
        path = getattr(route, "path", "")
        if not path.startswith(API_PREFIX):
            continue
        dependant = getattr(route, "dependant", None)
        requirements = _requirements(dependant) if dependant is not None else ()
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if method in {"HEAD", "OPTIONS"}:
                continue
            found.append(ApiRoute(method, path, requirements))
    return found


def _call(client: Any, route: ApiRoute, headers: dict[str, str]) -> Any:
    if route.method in UNSAFE:
        return client.request(route.method, route.url, json={}, headers=headers)
    return client.request(route.method, route.url, headers=headers)


def _make_person(db: Session) -> Person:
    person = Person(
        name="矩阵测试",
        id_type="resident_id",
        id_number="11010519491231002X",
        id_number_hash=blind_index("11010519491231002X", "id_number"),
        id_number_last4="002X",
    )
    db.add(person)
    db.flush()
    return person


def test_any_of_requirement_is_understood():  # SPEC SEC-4
    route = ApiRoute(
        "GET",
        "/x",
        (frozenset({Permission.SELF}), frozenset({Permission.USERS_READ, Permission.AUDIT_READ})),
    )
    assert route.allows(frozenset({Permission.SELF, Permission.AUDIT_READ}))
    assert not route.allows(frozenset({Permission.AUDIT_READ}))
    assert not route.allows(frozenset({Permission.SELF}))


def test_route_discovery_sees_included_routers(app):  # SPEC SEC-4
    paths = {str(r) for r in api_routes(app)}
    # Routers of several domains, nested under /api/v1, are all found.
    assert f"POST {API_PREFIX}/auth/token" in paths
    assert f"POST {API_PREFIX}/users" in paths
    assert f"PUT {API_PREFIX}/users/{{user_id}}/roles" in paths
    assert f"GET {API_PREFIX}/org-units" in paths


def test_every_api_route_requires_a_permission(app):  # SPEC SEC-4
    unprotected = [
        str(r)
        for r in api_routes(app)
        if not r.requirements and (r.method, r.path) not in PUBLIC_ROUTES
    ]
    assert unprotected == [], f"routes without deps.Requires(...): {unprotected}"


def test_unauthenticated_calls_get_401_everywhere(app, client):  # SPEC SEC-4
    wrong = []
    for route in api_routes(app):
        if (route.method, route.path) in PUBLIC_ROUTES:
            continue
        response = _call(client, route, {})
        if response.status_code != 401:
            wrong.append(f"{route} -> {response.status_code}")
    assert wrong == []


def test_a_stale_or_forged_token_gets_401(app, client):  # SPEC SEC-4, SEC-8
    response = client.get(f"{API_PREFIX}/auth/me", headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_matrix(
    role: Role, app, client, db: Session, connection: Connection
):  # SPEC SEC-4, CLM-F2
    unit = make_org_unit(db, code="HQ")
    person_id = _make_person(db).id if role is Role.CUSTOMER else None
    user = make_user(
        db, username=f"matrix_{role.value}", roles=[role.value], org_unit=unit, person_id=person_id
    )
    # A customer's token carries the second factor (SEC-9); staff log in by password.
    method = "password+sms" if role is Role.CUSTOMER else "password"
    issued = auth_service.open_session(
        db, user=user, ip="127.0.0.1", kind="api", auth_method=method, now=utcnow()
    )
    db.commit()
    headers = {"Authorization": f"Bearer {issued.token}"}
    granted = ROLE_PERMISSIONS[role]

    wrong: list[str] = []
    checked = 0
    for route in api_routes(app):
        if (route.method, route.path) in PUBLIC_ROUTES:
            continue
        savepoint = connection.begin_nested()
        try:
            response = _call(client, route, headers)
        finally:
            savepoint.rollback()
        checked += 1
        allowed = route.allows(granted)
        status = response.status_code
        if status >= 500:
            wrong.append(f"{route}: server error {status} {response.text[:200]}")
        elif allowed and status in (401, 403):
            wrong.append(
                f"{route}: holds {sorted(route.permissions)} but got {status} {response.text[:200]}"
            )
        elif not allowed and status != 403:
            wrong.append(
                f"{route}: needs {[sorted(c) for c in route.requirements]} but got {status}"
            )
    assert checked > 0
    assert wrong == [], "\n".join(wrong)
