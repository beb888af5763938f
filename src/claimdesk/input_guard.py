"""Refuse input no database column can hold, before any endpoint sees it (GEN-6).

PostgreSQL refuses the NUL character in text, and psycopg cannot encode a lone UTF-16
surrogate; a value like that used to surface as a 500 wherever text reached a
statement — including the unauthenticated login form and token endpoint. JSON numbers
beyond a signed 64-bit integer overflow both SQLite and PostgreSQL. Checking every
route's schema separately would miss the next new field, so this ASGI middleware checks
the raw request once: path, query string, headers, and JSON or URL-encoded form bodies
(multipart text fields too; uploaded file contents are bytes and are left alone). The
refusal is the standard 422 ``validation_failed`` error naming the field and the rule in
zh-CN and English; pages get it rendered as an error page.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claimdesk.errors import NotFound, ValueOutOfRange
from claimdesk.field_labels import field_words
from claimdesk.responses import error_response, language

# NUL, and the surrogate code points (not characters; UTF-8 cannot encode them).
_REFUSED = re.compile("[\x00\ud800-\udfff]")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Bodies larger than this are not inspected here (the upload limit applies to them).
_MAX_INSPECTED = 8 * 1024 * 1024

RULE_ZH = {
    "text": "含有不允许的字符（如 NUL 空字符）",
    "integer": f"整数超出可存储范围（须在 {-(2**63)} 到 {2**63 - 1} 之间）",
}
RULE_EN = {
    "text": "contains a character that is not allowed (such as NUL)",
    "integer": f"integer out of the range that can be stored ({-(2**63)} to {2**63 - 1})",
}


def refused_text(value: str) -> bool:
    return _REFUSED.search(value) is not None


def _walk_json(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(field path, rule) of every refused value in a parsed JSON document."""
    if isinstance(value, str):
        if refused_text(value):
            yield ".".join(path) or "body", "text"
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            yield ".".join(path) or "body", "integer"
    elif isinstance(value, dict):
        for key, item in value.items():
            if refused_text(key):
                yield ".".join((*path, repr(key)[1:-1])), "text"
            yield from _walk_json(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_json(item, (*path, str(index)))


def _pairs(pairs: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    for key, value in pairs:
        if refused_text(key) or refused_text(value):
            yield (key if not refused_text(key) else repr(key)[1:-1]), "text"


def _query(raw: bytes) -> Iterator[tuple[str, str]]:
    text = raw.decode("latin-1")
    yield from _pairs(parse_qsl(text, keep_blank_values=True, errors="surrogateescape"))


def _form(raw: bytes) -> Iterator[tuple[str, str]]:
    text = raw.decode("latin-1")
    yield from _pairs(parse_qsl(text, keep_blank_values=True, errors="surrogateescape"))


_MULTIPART_NAME = re.compile(rb'name="([^"]*)"')
_MULTIPART_FILENAME = re.compile(rb'filename="([^"]*)"')


def _multipart(raw: bytes, content_type: str) -> Iterator[tuple[str, str]]:
    """Text fields and file names of a multipart body (file contents are not text)."""
    match = re.search(r"boundary=\"?([^\";]+)", content_type)
    if not match:
        return
    boundary = b"--" + match.group(1).encode("latin-1")
    for part in raw.split(boundary)[1:]:
        head, _, body = part.partition(b"\r\n\r\n")
        name_match = _MULTIPART_NAME.search(head)
        name = name_match.group(1).decode("utf-8", "replace") if name_match else "body"
        file_match = _MULTIPART_FILENAME.search(head)
        if b"\x00" in head or refused_text(name):
            yield repr(name)[1:-1], "text"
        elif file_match is not None:
            if refused_text(file_match.group(1).decode("utf-8", "surrogateescape")):
                yield name, "text"
        elif b"\x00" in body:
            yield name, "text"


def _body_problems(raw: bytes, content_type: str) -> Iterator[tuple[str, str]]:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        try:
            document = json.loads(raw)
        except ValueError:
            return  # the endpoint reports unparseable JSON itself
        yield from _walk_json(document, ())
    elif kind == "application/x-www-form-urlencoded":
        yield from _form(raw)
    elif kind == "multipart/form-data":
        yield from _multipart(raw, content_type)


def _scope_problems(scope: Scope) -> Iterator[tuple[str, str]]:
    if refused_text(scope.get("path", "")):
        yield "path", "text"
    yield from _query(scope.get("query_string", b""))
    for name, value in scope.get("headers", []):
        if b"\x00" in value:
            yield name.decode("latin-1"), "text"


def refusal(field: str, rule: str, language: str) -> dict[str, Any]:
    """The standard validation error (validation.describe_validation_error's shape)."""
    label = field_words(field, language)
    zh = language == "zh-CN"
    message = f"{label}：{RULE_ZH[rule]}" if zh else f"{label}: {RULE_EN[rule]}"
    return {
        "code": "validation_failed",
        "message": message,
        "field": field,
        "details": [{"field": field, "type": f"refused_{rule}", "message": message}],
    }


class InputGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = next(_scope_problems(scope), None)
        if problem is not None:
            await self._refuse(scope, receive, send, problem)
            return
        headers = dict(scope.get("headers", []))
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        length = headers.get(b"content-length", b"")
        inspect = bool(content_type) and (not length.isdigit() or int(length) <= _MAX_INSPECTED)
        if not inspect or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
            if len(body) > _MAX_INSPECTED:
                # A large streamed body (no Content-Length) is not held in memory here:
                # what was read is replayed and the rest streams on, uninspected.
                body = b""
                break
        problem = next(_body_problems(body, content_type), None) if body else None
        if problem is not None:
            await self._refuse(scope, receive, send, problem)
            return

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, problem: tuple[str, str]
    ) -> None:
        request = Request(scope, receive)
        field, rule = problem
        response = error_response(request, 422, refusal(field, rule, language(request)))
        await response(scope, receive, send)


# -- integer parameters -------------------------------------------------------------------

INT32_MAX = 2**31 - 1  # ids are INTEGER columns on PostgreSQL


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_int(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_is_int(arg) for arg in typing.get_args(annotation))
    return False


def _as_int(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:
        return None  # FastAPI's own validation names the parameter


async def check_int_params(request: Request) -> None:
    """An app-wide dependency: every integer path or query parameter of every route must
    fit an INTEGER column. An id outside 1..2^31-1 names no record: 404, before any
    statement binds it (PostgreSQL would refuse the value with a server error). Any
    other integer outside the 32-bit range is a 422 naming the parameter. ``async``: pure
    checks, so it costs no trip through the thread pool."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    for field in dependant.path_params:
        value = _as_int(str(request.path_params.get(field.alias, "")))
        if value is None or not _is_int(field.field_info.annotation):
            continue
        is_id = field.alias == "id" or field.alias.endswith("_id")
        if is_id and not 1 <= value <= INT32_MAX:
            raise NotFound(what=field.alias, field=field.alias)
        if not -INT32_MAX - 1 <= value <= INT32_MAX:
            raise ValueOutOfRange(field=field.alias)
    for field in dependant.query_params:
        if not _is_int(field.field_info.annotation):
            continue
        for raw in request.query_params.getlist(field.alias):
            value = _as_int(raw)
            if value is not None and not -INT32_MAX - 1 <= value <= INT32_MAX:
                raise ValueOutOfRange(field=field.alias)
