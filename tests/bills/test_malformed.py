"""Malformed bills never produce a server error or a half-written record (SPEC GEN-6,
CLM-T1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.bill import Bill, BillLine
from tests.bills.helpers import API, DAY, bill, report
from tests.claims.helpers import FrozenClock, World, build_world, local

# Each test builds the world first: on the worker's prebuilt one (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("world_db")


def _with(path: list[str | int], value: Any) -> str:
    body: Any = bill()
    node = body
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return json.dumps(body)


MALFORMED: list[tuple[str, str | bytes]] = [
    ("empty body", b""),
    ("not JSON", b"{receipt:"),
    ("not UTF-8", b'{"receipt": "\xff\xfe"}'),
    ("a list", "[]"),
    ("null receipt", json.dumps({"receipt": None})),
    ("items not a list", _with(["receipt", "items"], "x")),
    ("item not an object", _with(["receipt", "items", 0], 7)),
    ("NaN amount", _with(["receipt", "total"], "NaN")),
    ("infinite price", _with(["receipt", "items", 0, "unit_price"], "Infinity")),
    ("huge exponent", '{"receipt": {"total": 1e400}}'),
    ("overlong name", _with(["receipt", "items", 0, "name"], "药" * 10_000)),
    ("date as number", _with(["receipt", "issue_date"], 20260929)),
    ("settlement time garbage", _with(["settlement", "setl_time"], "yesterday")),
    ("too many items", _with(["receipt", "items"], [bill()["receipt"]["items"][0]] * 501)),
]


@pytest.mark.parametrize("content", [m[1] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_bill_is_a_named_4xx_and_writes_nothing(
    content: str | bytes, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-6, CLM-T1
    w: World = build_world(db, client)
    clock = FrozenClock(monkeypatch, local(f"{DAY}T10:00:00"))
    cid = report(w, clock)
    response = client.post(
        f"{API}/{cid}/bills",
        content=content,
        headers={**w.h["customer"], "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text
    error = response.json()["error"]
    assert error["code"] and error["message"] and error["field"]
    assert db.scalar(select(func.count()).select_from(Bill)) == 0
    assert db.scalar(select(func.count()).select_from(BillLine)) == 0
