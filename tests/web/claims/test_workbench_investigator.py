"""The workbench names the investigator of each held claim (SPEC CLM-F1, CLM-F2): the
investigator's own work queue (their held claims and the unassigned), a supervisor's
search; in zh-CN and English; no column where the page holds no held claim.
# SPEC CLM-F1 CLM-F2 GEN-6"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.models.claim import Claim
from tests.claims.helpers import FrozenClock, World, add_staff, build_world, claim_in_state, local
from tests.web.helpers import staff_login


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    w = build_world(db, client)
    add_staff(db, w, "investigator2", ["fraud_investigator"])
    return w


def _held(db: Session, w: World, given_to: str | None) -> int:
    cid = claim_in_state(db, w, "suspended")
    db.get_one(Claim, cid).investigator_id = None if given_to is None else w.users[given_to]
    db.commit()
    return cid


def _page(client: TestClient, who: str, query: str) -> str:
    client.headers.clear()
    client.cookies.clear()
    staff_login(client, who)
    page = client.get(f"/workbench{query}")
    assert page.status_code == 200, page.text
    return page.text


def _investigators(text: str) -> dict[int, str]:
    """Each listed claim's investigator cell, as text."""
    rows = re.findall(r'<tr class="urgency-\w+" data-claim="(\d+)">(.*?)</tr>', text, re.S)
    found = {}
    for cid, row in rows:
        cell = re.search(r"<td data-investigator>(.*?)</td>", row, re.S)
        if cell:
            found[int(cid)] = re.sub(r"<[^>]+>", "", cell.group(1)).strip()
    return found


def test_the_investigators_queue_names_who_holds_each_claim(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-F1 CLM-F2: their own claims ("you") and the unassigned; not a colleague's
    mine = _held(db, world, "investigator")
    nobody = _held(db, world, None)
    theirs = _held(db, world, "investigator2")
    english = _page(client, "investigator", "?queue=work&lang=en")
    assert '<th scope="col">Investigator</th>' in english
    assert _investigators(english) == {mine: "investigator (you)", nobody: "Unassigned"}
    chinese = _page(client, "investigator", "?queue=work")
    assert '<th scope="col">调查员</th>' in chinese
    # GEN-6: the bracket as Chinese writes it, （本人）, not an ASCII one (bug bash)
    assert _investigators(chinese) == {mine: "investigator（本人）", nobody: "未指派"}
    assert theirs not in _investigators(chinese)


def test_a_supervisors_search_names_the_colleague(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-F1: the supervisor sees whose investigation a held claim is, and which
    # held claims nobody has yet; a claim not held has no investigator to show
    theirs = _held(db, world, "investigator2")
    number = db.get_one(Claim, theirs).number
    found = _investigators(_page(client, "supervisor", f"?q={number}&lang=en"))
    assert found == {theirs: "investigator2"}
    open_claim = claim_in_state(db, world, "accepted")
    text = _page(client, "supervisor", f"?q={db.get_one(Claim, open_claim).number}&lang=en")
    assert f'data-claim="{open_claim}"' in text
    assert '<th scope="col">Investigator</th>' not in text and _investigators(text) == {}
