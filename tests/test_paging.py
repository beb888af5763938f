"""Lists page through one helper and say when there is more (issue 11: no silent caps).

SPEC GEN-6 (a refusal names the field and the rule in zh-CN and English), CLM-V4 (the
handler's queue), POL (the policies list)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.paging import MAX_LIMIT, PageLimitOutOfRange, PageRequest, from_rows
from tests.claims.helpers import FrozenClock, World, build_world, local


def test_page_cut_from_rows_says_whether_there_is_more() -> None:
    # SPEC GEN-6: a list never ends silently at the page size
    first = from_rows(list(range(5)), PageRequest(limit=2)).page(str)
    assert (first.items, first.has_more, first.next_offset) == (["0", "1"], True, 2)
    last = from_rows(list(range(5)), PageRequest(limit=2, offset=4)).page(str)
    assert (last.items, last.has_more, last.next_offset) == (["4"], False, None)


def test_limit_above_the_maximum_is_refused() -> None:
    # SPEC GEN-6
    with pytest.raises(PageLimitOutOfRange):
        PageRequest(limit=MAX_LIMIT + 1)


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-10-08 09:00"))
    return build_world(db, client)


def _report(w: World) -> int:
    payload = {
        "channel": "hotline",
        "policy_number": w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "contact_phone": "13912345678",
        "loss_date": "2026-09-28",
        "loss_place": "北京市朝阳区",
        "loss_cause": "illness",
        "loss_overview": "住院治疗",
        "estimated_amount": "4000.00",
    }
    r = w.client.post("/api/v1/claims", json=payload, headers=w.h["handler"])
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_queue_pages_through_every_claim(world: World) -> None:
    # SPEC CLM-V4: the queue continues where the page ended, nothing skipped or repeated
    ids = {_report(world) for _ in range(3)}
    seen: list[int] = []
    offset: Any = 0
    while offset is not None:
        r = world.client.get(
            "/api/v1/claims/queue",
            params={"limit": 2, "offset": offset},
            headers=world.h["handler"],
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= 2
        seen += [c["id"] for c in body["items"]]
        offset = body["next_offset"]
    assert sorted(seen) == sorted(ids)


def test_policies_list_counts_the_whole_list(world: World) -> None:
    # SPEC GEN-6: the total says how many there are beyond the page
    r = world.client.get("/api/v1/policies?limit=1", headers=world.h["handler"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 2 and len(body["items"]) == 1
    assert body["has_more"] is True and body["next_offset"] == 1


@pytest.mark.parametrize(("query", "field"), [("limit=500", "limit"), ("offset=-1", "offset")])
def test_bad_paging_is_refused_naming_the_field(world: World, query: str, field: str) -> None:
    # SPEC GEN-6
    zh = world.client.get(f"/api/v1/policies?{query}&lang=zh-CN", headers=world.h["handler"])
    en = world.client.get(f"/api/v1/policies?{query}&lang=en", headers=world.h["handler"])
    assert zh.status_code == en.status_code == 422
    assert zh.json()["error"]["field"] == en.json()["error"]["field"] == field
    assert zh.json()["error"]["message"] != en.json()["error"]["message"]
