"""The app's routes built out flat and found by their first path segments (issue 14):
every request reaches the route the ordered scan of FastAPI's includes reached."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Match

from claimdesk.routing import SegmentRoutes, index_routes, walk


def _scope(path: str, method: str = "GET", root_path: str = "") -> dict[str, Any]:
    return {"type": "http", "method": method, "path": root_path + path, "root_path": root_path}


def _scan(routes: list[BaseRoute], scope: dict[str, Any]) -> tuple[Match, BaseRoute | None]:
    """What Starlette's router picks: the first full match, else the first partial."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return match, route
        if match == Match.PARTIAL and partial is None:
            partial = route
    return (Match.PARTIAL, partial) if partial is not None else (Match.NONE, None)


def _picked(group: SegmentRoutes, scope: dict[str, Any]) -> tuple[Match, BaseRoute | None]:
    match, child = group.matches(scope)
    return match, child.get("claimdesk.selected_route")


def _example(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "7", path)


def test_every_route_of_the_app_is_found_as_the_ordered_scan_finds_it(app: FastAPI) -> None:
    # SPEC issue 14 (routing cost): same route, same 405 for every path and method.
    groups = [r for r in app.routes if isinstance(r, SegmentRoutes)]
    assert len(groups) == 1
    group = groups[0]
    assert len(group.routes) > 250
    paths = {_example(getattr(r, "path", "/")) for r in group.routes}
    paths |= {"/", "/nowhere", "/api/v1", "/api/v1/nowhere", "/admin", "/claims/new", ""}
    paths |= {p + "/" for p in list(paths)}
    for path in sorted(paths):
        for method in ("GET", "POST", "DELETE"):
            scope = _scope(path, method)
            assert _picked(group, scope) == _scan(group.routes, scope), (method, path)


def test_an_earlier_route_still_wins_where_paths_overlap() -> None:
    # SPEC issue 14: /claims/new is declared before /claims/{claim_id}, and wins.
    app = FastAPI()
    router = APIRouter(prefix="/claims")

    @router.get("/new")
    async def new() -> dict[str, str]:
        return {"route": "new"}

    @router.get("/{claim_id}")
    async def one(claim_id: int) -> dict[str, Any]:
        return {"route": "one", "id": claim_id}

    @router.post("/{claim_id}/notes")
    async def note(claim_id: int) -> dict[str, Any]:
        return {"route": "note", "id": claim_id}

    other = APIRouter()

    @other.get("/{anything}/new")
    async def anything(anything: str) -> dict[str, str]:
        return {"route": "anything"}

    index_routes(app, include=[(router, ""), (other, "")])
    client = TestClient(app)
    assert client.get("/claims/new").json() == {"route": "new"}
    assert client.get("/claims/5").json() == {"route": "one", "id": 5}
    assert client.post("/claims/5/notes").json() == {"route": "note", "id": 5}
    assert client.get("/other/new").json() == {"route": "anything"}
    # A path param in the first segment is tried for every path, in its place.
    assert client.get("/claims/new/new").status_code == 404
    wrong_method = client.get("/claims/5/notes")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "POST"
    assert client.get("/nowhere").status_code == 404


def test_a_root_path_is_taken_off_before_the_segments_are_read() -> None:
    # SPEC issue 14: behind a proxy prefix the same route is found.
    app = FastAPI()
    router = APIRouter(prefix="/api/v1/things")

    @router.get("/{thing_id}")
    async def thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    index_routes(app, include=[(router, "")])
    group = next(r for r in app.routes if isinstance(r, SegmentRoutes))
    match, route = _picked(group, _scope("/api/v1/things/3", root_path="/proxy"))
    assert match == Match.FULL and route is group.routes[0]
    assert TestClient(app, root_path="/proxy").get("/api/v1/things/3").json() == {"id": 3}


def test_the_openapi_document_lists_the_built_out_routes() -> None:
    # SPEC issue 14: the document is the one the includes gave.
    included = FastAPI()
    built_out = FastAPI()
    router = APIRouter(prefix="/things", tags=["things"], responses={404: {"description": "no"}})

    @router.get("/{thing_id}", summary="One thing")
    async def thing(thing_id: int) -> dict[str, int]:
        """A thing."""
        return {"id": thing_id}

    hidden = APIRouter(include_in_schema=False)

    @hidden.get("/page")
    async def page() -> dict[str, str]:
        return {}

    included.include_router(router, prefix="/api")
    included.include_router(hidden)
    index_routes(built_out, include=[(router, "/api"), (hidden, "")])
    assert built_out.openapi() == included.openapi()
    assert [getattr(r, "path", None) for r in walk(built_out.routes)][-2:] == [
        "/api/things/{thing_id}",
        "/page",
    ]
    assert TestClient(built_out).get("/api/v1/openapi.json").status_code == 404
    assert "/api/things/{thing_id}" in TestClient(built_out).get("/openapi.json").json()["paths"]


def test_apps_of_one_process_share_the_built_out_routes() -> None:
    # SPEC issue 14: building every route out is paid once per process, not per app
    # (the test suite creates hundreds of apps); a different prefix is built apart.
    router = APIRouter()

    @router.get("/thing")
    async def thing() -> dict[str, str]:
        return {"ok": "yes"}

    first, second, other = FastAPI(), FastAPI(), FastAPI()
    index_routes(first, include=[(router, "/a")])
    index_routes(second, include=[(router, "/a")])
    index_routes(other, include=[(router, "/b")])
    shared = [list(walk(app.routes))[-1] for app in (first, second, other)]
    assert shared[0] is shared[1] and shared[2] is not shared[0]
    assert getattr(shared[2], "path", None) == "/b/thing"
    assert TestClient(second).get("/a/thing").json() == {"ok": "yes"}
    assert TestClient(other).get("/b/thing").json() == {"ok": "yes"}


def test_the_guards_before_a_route_run_as_one_dependency_in_order() -> None:
    # SPEC issue 14 (dependency solving per request): the app's and the router's
    # request-only guards are solved as one dependency, each still run, in order, and a
    # refusal stops the request where it stopped before; the document is unchanged.
    seen: list[str] = []

    async def first(request: Request) -> None:
        seen.append("first")

    async def second(request: Request) -> None:
        seen.append("second")
        if request.query_params.get("refuse"):
            raise HTTPException(status_code=403)

    def build() -> tuple[FastAPI, APIRouter]:
        app = FastAPI(dependencies=[Depends(first)])
        router = APIRouter(dependencies=[Depends(second)])

        @router.get("/thing")
        async def thing(thing_id: int = 1) -> dict[str, int]:
            seen.append("endpoint")
            return {"id": thing_id}

        @router.get("/asks-again")
        async def asks_again(_: None = Depends(second)) -> dict[str, str]:
            return {}

        return app, router

    included, router = build()
    included.include_router(router)
    built_out, router = build()
    index_routes(built_out, include=[(router, "")])
    routes = {getattr(r, "path", None): r for r in walk(built_out.routes)}
    thing = routes["/thing"].dependant.dependencies  # type: ignore[attr-defined]
    assert [d.call.__qualname__ for d in thing] == ["guards(first, second)"]
    # A route that asks for a guard itself keeps them apart (FastAPI runs it once).
    again = routes["/asks-again"].dependant.dependencies  # type: ignore[attr-defined]
    assert [d.call for d in again][:2] == [first, second]
    client = TestClient(built_out)
    assert client.get("/thing").json() == {"id": 1}
    assert seen == ["first", "second", "endpoint"]
    seen.clear()
    assert client.get("/thing?refuse=1").status_code == 403
    assert seen == ["first", "second"]
    assert built_out.openapi() == included.openapi()
