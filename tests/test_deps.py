"""The request pipeline's trips through the thread pool (issue 14 item 2): each costs CPU
on every request, so the count is pinned. # SPEC SEC-8"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import anyio.to_thread
import pytest
from fastapi import Depends, Response
from pydantic import BaseModel, field_serializer

from claimdesk.deps import DB
from claimdesk.routing import OneTripRoute
from tests.builders import login_headers, make_user

# The one trip of a plain ``def`` route (claimdesk.routing.OneTripRoute).
ONE_TRIP = "_in_one_trip.<locals>.run"


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the functions run in the thread pool, in order."""
    made: list[str] = []
    original = anyio.to_thread.run_sync

    async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        target = getattr(func, "func", func)
        made.append(getattr(target, "__qualname__", repr(target)))
        return await original(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    yield made


def test_me_makes_one_trip_the_token_check(db, client, trips) -> None:  # SPEC SEC-8
    make_user(db, username="alice", roles=["claims_handler"])
    db.commit()
    headers = login_headers(client, "alice")
    trips.clear()
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    assert trips == ["_check_in_session"]


def test_no_credentials_no_trip(client, trips) -> None:  # SPEC SEC-8
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert trips == []


def test_health_makes_one_trip(client, trips) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert len(trips) == 1


def test_health_reports_an_unreachable_database(app, client, trips) -> None:
    # The check exists to say so: 503, not a 500 or a hang (SQLite / a test's
    # connection: the session path, in its one trip).
    from sqlalchemy.exc import OperationalError

    def unreachable() -> Any:
        raise OperationalError("SELECT 1", {}, ConnectionError("database down"))

    app.state.sessionmaker = unreachable
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
    assert len(trips) == 1


def test_a_revoked_token_is_refused_after_the_one_trip(db, client, trips) -> None:  # SPEC SEC-8
    make_user(db, username="alice", roles=["claims_handler"])
    db.commit()
    headers = login_headers(client, "alice")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code in (200, 204)
    trips.clear()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert trips == ["_check_in_session"]


def test_a_revoked_token_on_a_write_is_checked_once(db, client, trips) -> None:  # SPEC SEC-8
    # The CSRF guard and the route's permission both ask for the principal: the refused
    # token is checked once, and the answer is still 401. (The route is a plain ``def``:
    # where the check ran in the session, its transaction ends in a trip of its own.)
    make_user(db, username="alice", roles=["claims_handler"])
    db.commit()
    headers = login_headers(client, "alice")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code in (200, 204)
    trips.clear()
    response = client.post("/api/v1/claims", headers=headers, json={})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert trips.count("_check_in_session") == 1


def test_every_api_post_takes_the_session(app) -> None:  # type: ignore[no-untyped-def]  # SPEC GEN-6
    # The idempotency guard claims the key in the request's session (deps.request_session)
    # and the route's edge (deps.get_db) commits it with the work: a creating POST of the
    # API without a session of its own would leave the key to the middleware alone.
    from claimdesk.deps import get_db
    from claimdesk.routing import walk

    posts = [
        route
        for route in walk(app.routes)
        if "POST" in getattr(route, "methods", ()) and route.path.startswith("/api/v1/")
    ]
    assert len(posts) > 50
    without = [r.path for r in posts if not any(d.call is get_db for d in r.dependant.dependencies)]
    assert without == []


def test_an_async_route_opens_no_session(db, client, monkeypatch) -> None:  # SPEC SEC-8
    # /auth/me is an ``async def`` that takes no session: the guards and the permission
    # check take the request only, so no Session is made for it.
    import claimdesk.deps as deps

    make_user(db, username="alice", roles=["claims_handler"])
    db.commit()
    headers = login_headers(client, "alice")
    made: list[object] = []
    original = deps.request_session
    monkeypatch.setattr(
        deps, "request_session", lambda request: made.append(1) or original(request)
    )
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert made == []


def test_a_plain_def_route_makes_one_trip_that_also_commits(
    db, client, trips
) -> None:  # SPEC SEC-4
    # FastAPI would run the endpoint, validate its response and commit at the edge in
    # three trips; claimdesk.routing.OneTripRoute does all three in one.
    from sqlalchemy import select

    from claimdesk.models.user import User

    make_user(db, username="admin", roles=["administrator"])
    db.commit()
    headers = login_headers(client, "admin")
    trips.clear()
    body = {"username": "new.handler", "password": "Second-Pass-42", "roles": ["adjuster"]}
    created = client.post("/api/v1/users", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["username"] == "new.handler"
    assert trips == ["_check_in_session", ONE_TRIP]
    db.expire_all()
    assert db.scalars(select(User.id).where(User.username == "new.handler")).one()
    trips.clear()
    listed = client.get("/api/v1/users", headers=headers)
    assert listed.status_code == 200
    assert trips == ["_check_in_session", ONE_TRIP]


def test_a_list_route_with_its_own_guard_and_paging_makes_one_trip(
    db, client, trips
) -> None:  # SPEC SEC-4
    # _desk_or_own (either permission opens the route) and the paging parameters were
    # plain ``def`` dependencies: FastAPI ran each in a trip of its own before the
    # endpoint's. They are async now and only build an object.
    make_user(db, username="desk", roles=["service_agent"])
    db.commit()
    headers = login_headers(client, "desk")
    trips.clear()
    listed = client.get("/api/v1/service/records?limit=5", headers=headers)
    assert listed.status_code == 200, listed.text
    assert listed.json()["limit"] == 5
    assert trips == ["_check_in_session", ONE_TRIP]
    trips.clear()
    refused = client.get("/api/v1/service/records?limit=0", headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "limit"
    assert trips == ["_check_in_session"]


def test_an_error_in_the_trip_commits_nothing(db, client) -> None:  # SPEC SEC-4
    from sqlalchemy import select

    from claimdesk.models.user import User

    make_user(db, username="admin", roles=["administrator"])
    db.commit()
    headers = login_headers(client, "admin")
    body = {"username": "new.handler", "password": "Second-Pass-42", "roles": ["no-such-role"]}
    refused = client.post("/api/v1/users", json=body, headers=headers)
    assert refused.status_code in (404, 409, 422), refused.text
    db.expire_all()
    assert db.scalars(select(User.id).where(User.username == "new.handler")).first() is None


class _Unencodable(BaseModel):
    """Validates, then refuses to be written as JSON (as a serializer's bug would)."""

    username: str

    @field_serializer("username")
    def _refuse(self, username: str) -> str:
        raise ValueError("cannot encode")


@pytest.mark.parametrize(
    ("response_model", "answer"),
    [
        # No response model: FastAPI's JSONResponse refuses NaN (allow_nan=False).
        (None, {"value": float("nan")}),
        # A response model that validates but fails to serialise.
        (_Unencodable, {"username": "ghost"}),
    ],
    ids=["json-refuses-nan", "serializer-raises"],
)
def test_an_answer_that_cannot_be_encoded_commits_nothing(  # SPEC GEN-6
    app, client, db, response_model: type[BaseModel] | None, answer: dict[str, Any]
) -> None:
    # The trip encodes the answer into bytes before it commits: an answer that cannot be
    # sent is a 500 with the work rolled back, never a 500 after the write landed.
    # (DB, Depends and Response are imported at the top: FastAPI resolves the local
    # endpoints' annotations in this module's globals.)
    from sqlalchemy import select

    from claimdesk.models.user import User

    def writes_then_answers(session: DB) -> Any:
        make_user(session, username="ghost", roles=["claims_handler"])
        session.flush()
        return answer

    route = OneTripRoute(
        "/api/v1/__unencodable",
        writes_then_answers,
        methods=["POST"],
        response_model=response_model,
    )
    app.router.routes.insert(0, route)
    response = client.post("/api/v1/__unencodable")
    assert response.status_code == 500, response.text
    assert response.json()["error"]["code"] == "internal_error"
    db.expire_all()
    assert db.scalars(select(User.id).where(User.username == "ghost")).first() is None


def test_the_trip_answers_as_fastapi_would(app, client, db) -> None:  # SPEC GEN-6
    # Status code, a header a dependency set and an empty body for 204: the answer built
    # in the trip is the one FastAPI built after it.
    def sets_header(response: Response) -> None:
        response.headers["x-set-by"] = "dependency"

    def created(session: DB, _: None = Depends(sets_header)) -> dict[str, int]:
        return {"id": 7}

    def nothing(session: DB) -> None:
        return None

    app.router.routes.insert(
        0, OneTripRoute("/__created", created, methods=["POST"], status_code=201)
    )
    app.router.routes.insert(
        0, OneTripRoute("/__nothing", nothing, methods=["POST"], status_code=204)
    )
    answer = client.post("/__created")
    assert (answer.status_code, answer.json(), answer.headers["x-set-by"]) == (
        201,
        {"id": 7},
        "dependency",
    )
    empty = client.post("/__nothing")
    assert (empty.status_code, empty.content) == (204, b"")
