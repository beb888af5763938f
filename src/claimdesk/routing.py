"""The app's routes, flat and found by their first path segments (issue 14).

FastAPI 0.165 includes routers lazily: every request walks the include tree (the API
router and its 26 domain routers, the pages router and its areas), asks each level
whether its routes changed, and scans the routes in order with a regular expression each,
twice (once to match, once to hand the request over). A request for a route near the end
of the list paid about 0.5 ms of CPU for finding it.

Here the included routers are built out once, at start-up, into plain routes — each with
its full path and the dependencies, responses and tags of every level above it, exactly
what the include would have given it — and :class:`SegmentRoutes` holds them, indexed by
the literal segments their path begins with. A request only tries the routes whose
literal beginning is its own, in the original order, so the first route that matches is
the same one as before, and a method mismatch still answers 405 (a partial match).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.datastructures import Default, DefaultPlaceholder
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import ResponseValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, APIRouter, iter_route_contexts
from fastapi.utils import is_body_allowed_for_status_code
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, NoMatchFound, Route
from starlette.types import Receive, Scope, Send

from claimdesk.deps import commit_in_trip

# How many leading literal segments index a route: /api/v1/<area> for the API,
# /admin/<area> for the admin pages.
DEPTH = 3
# Where the chosen route waits between matches() and handle(): FastAPI's router calls the
# one right after the other on the same scope.
_SELECTED = "claimdesk.selected_route"

Key = tuple[str, ...]


def _route_path(scope: Scope) -> str:
    """The path the routes match against (Starlette's rule for a root_path)."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if not root_path or not path.startswith(root_path):
        return path
    if path == root_path:
        return ""
    return path[len(root_path) :] if path[len(root_path)] == "/" else path


def _literal_key(route: BaseRoute) -> Key:
    """The literal segments a route's path begins with (up to DEPTH), or () when the route
    could match any path (a type this index does not know)."""
    if not isinstance(route, Route | Mount):
        return ()
    key: list[str] = []
    for segment in route.path.split("/")[1:]:
        if "{" in segment or len(key) == DEPTH:
            break
        key.append(segment)
    if isinstance(route, Mount) and key and key[-1] == "":
        key.pop()  # a Mount's path has no trailing slash of its own; be safe
    return tuple(key)


class SegmentRoutes(BaseRoute):
    """Routes in their original order, tried only where their literal path beginning is
    the request's (see the module docstring)."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = list(routes)
        keys = [_literal_key(route) for route in self.routes]
        prefixes = {key[:length] for key in keys for length in range(len(key) + 1)}
        # For every beginning a route has: the routes (in order) whose whole literal key
        # is a beginning of it. A request's longest beginning found here gives exactly
        # the routes whose key is a beginning of the request's path.
        self._table: dict[Key, list[BaseRoute]] = {
            prefix: [
                r for r, key in zip(self.routes, keys, strict=True) if key == prefix[: len(key)]
            ]
            for prefix in prefixes
        }

    def candidates(self, path: str) -> list[BaseRoute]:
        segments = tuple(path.split("/")[1 : DEPTH + 1])
        for length in range(len(segments), -1, -1):
            found = self._table.get(segments[:length])
            if found is not None:
                return found
        return []

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        partial: tuple[BaseRoute, Scope] | None = None
        for route in self.candidates(_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match == Match.FULL:
                return match, {**child_scope, _SELECTED: route}
            if match == Match.PARTIAL and partial is None:
                partial = (route, child_scope)
        if partial is not None:
            route, child_scope = partial
            return Match.PARTIAL, {**child_scope, _SELECTED: route}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute | None = scope.pop(_SELECTED, None)
        if route is None:  # handed a request this group did not match: find it now
            match, child_scope = self.matches(scope)
            if match == Match.NONE:
                raise RuntimeError("SegmentRoutes.handle without a matching route")
            route = child_scope.pop(_SELECTED)
            scope.update(child_scope)
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)


class OneTripRoute(APIRoute):
    """An APIRoute whose plain ``def`` endpoint makes one trip through the thread pool:
    FastAPI runs the endpoint in one trip, validates its response in another and the
    request's edge commits in a third (0.1-0.2 ms of CPU apiece, issue 14). Here one
    trip runs the endpoint, validates its response against the route's response model
    (a ResponseValidationError as FastAPI raises it), encodes it into the response's
    bytes as FastAPI would (status code, headers a dependency set, an empty body where
    the status allows none), and only then commits the request's session
    (deps.commit_in_trip). FastAPI then meets a finished Response and the edge a session
    with nothing left to commit. The work is committed only once the endpoint returned
    and its answer is bytes that can be sent: an answer that fails to validate or to
    encode rolls the work back (500), it never reports an error for a write that landed.
    ``endpoint`` stays the function written."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        call = self.dependant.call
        if (
            inspect.isfunction(call)
            and not inspect.iscoroutinefunction(call)
            and not inspect.isgeneratorfunction(call)
            and not inspect.isasyncgenfunction(call)
        ):
            own = self.dependant.response_param_name
            if own is None:
                # The Response FastAPI hands the dependencies (status code, headers they
                # set): the trip builds the answer, so it takes that one too.
                self.dependant.response_param_name = _SUB_RESPONSE
            self.dependant.call = _in_one_trip(call, _Encoding.of(self), own_response=own)
        return super().get_route_handler()


# The parameter under which the trip receives FastAPI's shared Response when the endpoint
# takes none of its own (never a Python identifier an endpoint could declare).
_SUB_RESPONSE = "claimdesk.sub_response"


class _Encoding:
    """How FastAPI turns a route's return value into a Response (fastapi.routing's
    get_request_handler and serialize_response), for a plain ``def`` endpoint."""

    __slots__ = ("dump_json", "field", "options", "response_class", "status_code")

    def __init__(
        self,
        field: Any,
        status_code: int | None,
        response_class: type[Response],
        dump_json: bool,
        options: dict[str, Any],
    ) -> None:
        self.field = field
        self.status_code = status_code
        self.response_class = response_class
        self.dump_json = dump_json
        self.options = options

    @classmethod
    def of(cls, route: APIRoute) -> _Encoding:
        declared = route.response_class
        actual = declared.value if isinstance(declared, DefaultPlaceholder) else declared
        field = route.response_field
        return cls(
            field,
            route.status_code,
            actual,
            # FastAPI's fast path: bytes straight from pydantic when no class was set.
            field is not None and isinstance(declared, DefaultPlaceholder),
            {
                "include": route.response_model_include,
                "exclude": route.response_model_exclude,
                "by_alias": route.response_model_by_alias,
                "exclude_unset": route.response_model_exclude_unset,
                "exclude_defaults": route.response_model_exclude_defaults,
                "exclude_none": route.response_model_exclude_none,
            },
        )

    def response(self, content: Any, sub_response: Response) -> Response:
        field = self.field
        if field is not None:
            value, errors = field.validate(content, {}, loc=("response",))
            if errors:
                raise ResponseValidationError(errors=errors, body=content)
            if self.dump_json:
                encoded = field.serialize_json(value, **self.options)
            else:
                encoded = field.serialize(value, **self.options)
        else:
            encoded = jsonable_encoder(content)
        # fastapi.routing._build_response_args: the route's status code, unless a
        # dependency or the endpoint set one on the shared Response.
        args: dict[str, Any] = {}
        status_code = sub_response.status_code or self.status_code
        if status_code is not None:
            args["status_code"] = status_code
        if self.dump_json:
            response = Response(content=encoded, media_type="application/json", **args)
        else:
            response = self.response_class(encoded, **args)
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        response.headers.raw.extend(sub_response.headers.raw)
        return response


def _in_one_trip(
    endpoint: Callable[..., Any], encoding: _Encoding, *, own_response: str | None
) -> Callable[..., Any]:
    def run(values: dict[str, Any]) -> Any:
        if own_response is None:
            sub_response: Response = values.pop(_SUB_RESPONSE)
        else:
            sub_response = values[own_response]
        result = endpoint(**values)
        if not isinstance(result, Response):
            # Encoded here, before the commit: a failure to encode rolls the work back.
            result = encoding.response(result, sub_response)
        for value in values.values():
            if isinstance(value, Session):
                commit_in_trip(value)
        return result

    @functools.wraps(endpoint)
    async def in_one_trip(**values: Any) -> Any:
        return await run_in_threadpool(run, values)

    return in_one_trip


def _is_guard(depends: Any) -> bool:
    """A dependency that only checks the request: ``async def guard(request) -> None``
    given in a ``dependencies=[...]`` list (its value goes to no parameter), cached per
    request as FastAPI caches it, no permission attached (the role x endpoint test reads
    those off the route's own dependencies)."""
    call = getattr(depends, "dependency", None)
    if (
        not inspect.iscoroutinefunction(call)
        or not getattr(depends, "use_cache", False)
        or getattr(depends, "scope", None) is not None
        or hasattr(call, "required_permission")
    ):
        return False
    parameters = list(inspect.signature(call).parameters.values())
    return (
        len(parameters) == 1
        and parameters[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        and parameters[0].annotation in (Request, "Request")
    )


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _asked_by_the_route(route: APIRoute) -> Iterator[Any]:
    """The dependencies a route's parameters ask for, and what any dependency asks for
    (not the route's ``dependencies=[...]`` list itself: the guards come from there)."""
    for sub in route.dependant.dependencies:
        if sub.name is not None:
            yield sub.call
        yield from _calls(sub)


_FOLDED: dict[tuple[object, ...], Callable[[Request], Coroutine[Any, Any, None]]] = {}


def _folded_guards(dependencies: list[Any], original: APIRoute) -> list[Any]:
    """The leading guards of a route (the app's request_guards, the API's or the pages'
    CSRF guard) as one dependency that awaits each in the same order: FastAPI solves
    every dependency anew on every request (sub-dependencies, cache key, scope checks;
    about 0.02 ms of CPU apiece, issue 14), and these only take the request. Not done
    where the route's own dependencies also ask for one of them (FastAPI's cache would
    have run it once)."""
    run = 0
    while run < len(dependencies) and _is_guard(dependencies[run]):
        run += 1
    if run < 2:
        return dependencies
    guards = tuple(depends.dependency for depends in dependencies[:run])
    rest = (depends.dependency for depends in dependencies[run:])
    if any(call in guards for call in (*rest, *_asked_by_the_route(original))):
        return dependencies
    folded = _FOLDED.get(guards)
    if folded is None:

        async def folded_guards(request: Request) -> None:
            for guard in guards:
                await guard(request)

        folded_guards.__qualname__ = "guards(" + ", ".join(g.__name__ for g in guards) + ")"
        folded = _FOLDED[guards] = folded_guards
    return [Depends(folded), *dependencies[run:]]


def _built_out(context: Any) -> APIRoute:
    """A plain route equal to what including its router gave it (``context`` holds the
    effective path, dependencies, responses, tags, ... of that inclusion)."""
    original: APIRoute = context.original_route
    form_limits = original.form_limits or None
    # A streaming endpoint's item type is found again from its annotation.
    streams = context.stream_item_type is not None
    return OneTripRoute(
        context.path,
        original.endpoint,
        response_model=Default(None) if streams else context.response_model,
        status_code=context.status_code,
        tags=list(context.tags),
        dependencies=_folded_guards(list(context.dependencies), original),
        summary=context.summary,
        description=context.description,
        response_description=context.response_description,
        responses=dict(context.responses),
        deprecated=context.deprecated,
        name=context.name,
        methods=set(context.methods),
        operation_id=context.operation_id,
        response_model_include=context.response_model_include,
        response_model_exclude=context.response_model_exclude,
        response_model_by_alias=context.response_model_by_alias,
        response_model_exclude_unset=context.response_model_exclude_unset,
        response_model_exclude_defaults=context.response_model_exclude_defaults,
        response_model_exclude_none=context.response_model_exclude_none,
        include_in_schema=context.include_in_schema,
        response_class=context.response_class,
        # Shared by every app of the process (built_out_routes): no app's
        # dependency_overrides apply to them; claimdesk uses none.
        dependency_overrides_provider=None,
        callbacks=context.callbacks,
        openapi_extra=context.openapi_extra,
        generate_unique_id_function=context.generate_unique_id_function,
        strict_content_type=context.strict_content_type,
        max_body_size=context.max_body_size,
        form_limits=form_limits,
    )


# Building the routes out costs about 1.6 s (FastAPI analyses every endpoint's signature
# for the include's context and again for the plain route), and what comes out depends
# only on the routers, their prefixes and the app-wide dependencies — the same for every
# app claimdesk creates —, so a process builds them once and every app it creates (the
# tests create hundreds) shares them.
# Keyed by the identities of the routers and dependencies; each entry keeps them alive,
# so that no identity is reused while its entry exists.
_BUILT: dict[tuple[object, ...], tuple[tuple[object, ...], list[APIRoute]]] = {}


def built_out_routes(
    included: Sequence[BaseRoute], *, sources: tuple[object, ...]
) -> list[APIRoute]:
    """The routes of the inclusions ``included``, every one built out (once per the
    routers, prefixes and app-wide dependencies in ``sources``)."""
    key = tuple(id(source) for source in sources)
    cached = _BUILT.get(key)
    if cached is not None:
        return cached[1]
    flat: list[APIRoute] = []
    for context in iter_route_contexts(included):
        if not isinstance(context.original_route, APIRoute):
            kind = type(context.original_route).__name__
            raise TypeError(f"an included {kind} cannot be built out")
        flat.append(_built_out(context))
    _BUILT[key] = (sources, flat)
    return flat


def walk(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route of ``routes``, a :class:`SegmentRoutes` opened."""
    for route in routes:
        if isinstance(route, SegmentRoutes):
            yield from walk(route.routes)
        else:
            yield route


def index_routes(app: FastAPI, *, include: Sequence[tuple[APIRouter, str]]) -> None:
    """Include the routers in ``include`` (router, prefix) into ``app`` as FastAPI does,
    then replace the inclusions with their routes built out, in one
    :class:`SegmentRoutes`; the OpenAPI document lists them as before."""
    before = len(app.router.routes)
    for router, prefix in include:
        app.include_router(router, prefix=prefix)
    included = app.router.routes[before:]
    del app.router.routes[before:]
    sources = (
        *(part for router, prefix in include for part in (router, prefix)),
        *(depends.dependency for depends in app.router.dependencies),
    )
    app.router.routes.append(SegmentRoutes(built_out_routes(included, sources=sources)))
    _document_index(app)


def _document_index(app: FastAPI) -> None:
    """FastAPI's own ``openapi()`` with the grouped routes opened (its documented way of
    replacing the schema: ``app.openapi = ...``)."""
    cached: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        routes = list(walk(app.routes))
        key = tuple(id(route) for route in routes)
        if app.openapi_schema is None or cached.get("key") != key:
            app.openapi_schema = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                summary=app.summary,
                description=app.description,
                terms_of_service=app.terms_of_service,
                contact=app.contact,
                license_info=app.license_info,
                routes=routes,
                webhooks=app.webhooks.routes,
                tags=app.openapi_tags,
                servers=app.servers,
                separate_input_output_schemas=app.separate_input_output_schemas,
                external_docs=app.openapi_external_docs,
            )
            cached["key"] = key
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
