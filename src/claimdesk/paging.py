"""One paging helper for the API lists and the pages (issue 11): a list never stops
silently at a fixed cap; every page says whether there is more and where it continues.

- ``PageRequest``: limit (1..200, default 50) and offset, validated with a refusal that
  names the field in zh-CN and English (GEN-6);
- ``page_request``: the FastAPI dependency reading ``?limit=&offset=``;
- ``fetch``: runs a select for one page (one row past the limit tells whether there is
  more) and, unless told not to, counts the whole list;
- ``Page[T]``: the response shape ``{items, limit, offset, total, next_offset, has_more}``.

It sits at the top of the package, outside ``web/`` and the domains, so API routes, page
modules and services all import it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from claimdesk.errors import ValidationFailed

MAX_LIMIT = 200
DEFAULT_LIMIT = 50

T = TypeVar("T")
R = TypeVar("R")


class PageLimitOutOfRange(ValidationFailed):
    code = "page_limit_out_of_range"
    message_zh = "{field}：每页条数须在 1 到 {maximum} 之间"
    message_en = "{field}: a page holds 1 to {maximum} items"


class PageOffsetNegative(ValidationFailed):
    code = "page_offset_negative"
    message_zh = "{field}：起始位置不能为负数"
    message_en = "{field}: the offset cannot be negative"


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise PageLimitOutOfRange(field="limit", maximum=MAX_LIMIT)
        if self.offset < 0:
            raise PageOffsetNegative(field="offset")


async def page_request(
    limit: Annotated[int, Query(description=f"items per page, 1..{MAX_LIMIT}")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(description="items to skip")] = 0,
) -> PageRequest:
    """``?limit=&offset=`` of a list route (the refusal names the field, zh/en). async:
    it only builds an object, and a plain def would cost a trip through the thread
    pool on every list request (issue 14)."""
    return PageRequest(limit=limit, offset=offset)


# A list route's paging parameter: ``paging: Paging``.
Paging = Annotated[PageRequest, Depends(page_request)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    # The whole list's length; None where counting would cost more than the page.
    total: int | None
    # Where the next page starts; None on the last page.
    next_offset: int | None
    has_more: bool


@dataclass(frozen=True)
class Slice(Generic[R]):
    """One page of rows before they are turned into response items."""

    rows: list[R]
    request: PageRequest
    total: int | None
    has_more: bool

    def page(self, item: Callable[[R], T]) -> Page[T]:
        return self.page_of([item(row) for row in self.rows])

    def page_of(self, items: list[T]) -> Page[T]:
        return Page[Any](
            items=items,
            limit=self.request.limit,
            offset=self.request.offset,
            total=self.total,
            next_offset=self.request.offset + len(self.rows) if self.has_more else None,
            has_more=self.has_more,
        )


def from_rows(rows: Sequence[R], request: PageRequest, *, total: int | None = None) -> Slice[R]:
    """A page cut from rows read up to ``offset + limit + 1`` (one past the page tells
    whether there is more)."""
    window = list(rows[request.offset : request.offset + request.limit + 1])
    return Slice(
        rows=window[: request.limit],
        request=request,
        total=total,
        has_more=len(window) > request.limit,
    )


def fetch(
    session: Session, query: Select[Any], request: PageRequest, *, count: bool = True
) -> Slice[Any]:
    """One page of ``query`` (which must be ordered by something unique, e.g. ending with
    the id, so pages neither repeat nor skip rows) and, with ``count``, the total."""
    window = list(session.scalars(query.offset(request.offset).limit(request.limit + 1)))
    total = None
    if count:
        counted = select(func.count()).select_from(query.order_by(None).subquery())
        total = session.scalar(counted) or 0
    return Slice(
        rows=window[: request.limit],
        request=request,
        total=total,
        has_more=len(window) > request.limit,
    )
