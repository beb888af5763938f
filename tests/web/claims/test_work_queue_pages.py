"""The workbench's queues as pages (issue 12): a tab per queue of the user's roles with
its count, a paid claim found in the service agent's callbacks and then in the claims
supervisor's closing queue, paging links instead of a silent cap, and a supervisor
assigning several ticked claims at once (all or nothing, audited per claim)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import API, Settlement, build_settlement, ok
from tests.claims.test_work_queues import _paid, _report
from tests.web.helpers import HIDDEN, staff_login


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def _as(s: Settlement, username: str) -> TestClient:
    s.w.client.headers.clear()
    s.w.client.cookies.clear()
    staff_login(s.w.client, username)
    return s.w.client


def _count(page: str, key: str) -> int:
    found = re.search(rf'id="count-{key}">(\d+)<', page)
    assert found, f"no {key} tab"
    return int(found.group(1))


def test_paid_claim_is_found_in_the_agent_callbacks_then_the_supervisor_closing_tab(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-X2, CLM-X1, issue 12 (paid claims no longer drop out of every queue)
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = _paid(s, clock)
    number = db.scalar(select(Claim.number).where(Claim.id == cid))
    api_agent = dict(s.w.h["agent"])
    web = _as(s, "agent")
    page = web.get("/workbench").text
    # The agent opens on the callbacks due: the first queue with something in it.
    assert 'id="tab-callbacks" aria-current="page"' in page and _count(page, "callbacks") == 1
    assert f'href="/claims/{cid}"' in page and number in page
    assert 'id="tab-closing"' not in page  # not the agent's work
    callback = ok(web.get(f"{API}/{cid}/callbacks", headers=api_agent))[0]
    ok(
        web.post(
            f"{API}/{cid}/callbacks/{callback['id']}/complete",
            json={"outcome": "reached", "satisfaction": 5},
            headers=api_agent,
        )
    )
    web = _as(s, "reviewer1")
    page = web.get("/workbench?queue=closing").text
    assert _count(page, "closing") == 1 and f'href="/claims/{cid}"' in page


def test_queue_pages_link_to_the_next_page_instead_of_stopping(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # issue 12 (paging on every queue: the queue stopped silently at 500)
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    ids = [_report(s)["id"] for _ in range(3)]
    web = _as(s, "handler")
    first = web.get("/workbench?queue=work&limit=2").text
    assert _count(first, "work") == 3
    assert len(re.findall(r'href="/claims/(\d+)"', first)) == 2
    next_href = re.search(r'href="([^"]+)" rel="next"', first)
    assert next_href, "no link to the next page"
    second = web.get(next_href.group(1).replace("&amp;", "&")).text
    shown = set(re.findall(r'href="/claims/(\d+)"', first + second))
    assert shown == {str(i) for i in ids}
    assert 'rel="prev"' in second and 'rel="next"' not in second
    refused = web.get("/workbench?queue=work&limit=abc")
    assert refused.status_code == 200 and 'id="queue-error"' in refused.text


def test_supervisor_assigns_ticked_claims_at_once_or_not_at_all(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # issue 12 (a supervisor assigns several claims at once), GEN-6 (a refusal writes
    # nothing), GEN-5 (each claim's assignment audited), CLM-S1 (the contact clock starts)
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    accepted = [_report(s)["id"] for _ in range(2)]
    reported = _report(s)["id"]
    for claim in db.scalars(select(Claim).where(Claim.id.in_(accepted))):
        claim.state = "accepted"  # type: ignore[assignment]
    db.commit()
    web = _as(s, "reviewer1")
    page = web.get("/workbench").text
    token = HIDDEN.search(page).group(1)  # type: ignore[union-attr]
    surveyor = s.w.users["surveyor"]
    # One claim not yet accepted: refused, naming it, and nobody is assigned.
    refused = web.post(
        "/workbench/assign",
        data={
            "csrf_token": token,
            "claim_ids": [*map(str, accepted), str(reported)],
            "assignee": f"surveyor:{surveyor}",
        },
    )
    assert refused.status_code == 409 and 'role="alert"' in refused.text
    db.expire_all()
    assert db.scalars(select(Claim.surveyor_id).where(Claim.id.in_(accepted))).all() == [
        None,
        None,
    ]
    done = web.post(
        "/workbench/assign",
        data={
            "csrf_token": token,
            "claim_ids": [str(i) for i in accepted],
            "assignee": f"surveyor:{surveyor}",
            "reason": "本周查勘排班",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and "assigned=2" in done.headers["location"]
    db.expire_all()
    assert set(db.scalars(select(Claim.surveyor_id).where(Claim.id.in_(accepted)))) == {surveyor}
    audited = db.scalars(
        select(AuditEntry.entity_id).where(AuditEntry.action == "claim.assign_surveyor")
    ).all()
    assert sorted(int(i) for i in audited) == sorted(accepted)
    # Handlers: any open claim; one audit entry per claim.
    handler = s.w.users["handler"]
    done = web.post(
        "/workbench/assign",
        data={
            "csrf_token": token,
            "claim_ids": [str(reported)],
            "assignee": f"claims_handler:{handler}",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    db.expire_all()
    assert db.scalar(select(Claim.handler_id).where(Claim.id == reported)) == handler
    assert db.scalar(
        select(AuditEntry.action).where(
            AuditEntry.action == "claim.handler_assigned", AuditEntry.entity_id == str(reported)
        )
    )


def test_only_a_supervisor_may_assign(s: Settlement) -> None:
    # SPEC SEC-4 (least privilege)
    web = _as(s, "handler")
    token = HIDDEN.search(web.get("/workbench").text).group(1)  # type: ignore[union-attr]
    response = web.post(
        "/workbench/assign",
        data={"csrf_token": token, "claim_ids": ["1"], "assignee": "surveyor:1"},
    )
    assert response.status_code == 403
    assert 'id="assign-form"' not in web.get("/workbench").text


def test_workbench_search_by_name_and_part_of_a_number(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC SEC-1 (look-up by keyed hash), GEN-6 (a refused search says why, in place)
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    claim = _report(s, name="王五", claimant_relationship="spouse")
    web = _as(s, "handler")
    for q in ("王 五", "李四", claim["number"][-6:]):
        page = web.get("/workbench", params={"q": q}).text
        assert f'href="/claims/{claim["id"]}"' in page, q
    page = web.get("/workbench", params={"q": "赵钱"}).text
    assert 'id="queue-empty"' in page
    refused = web.get("/workbench", params={"q": "x"}).text
    assert 'id="queue-error"' in refused
