"""Staff pages over a TestClient: each role's landing queue, offered actions, the audited
ID search, refused actions changing nothing, and markup that fits a 375 px phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim
from tests.claims.helpers import World, build_world
from tests.web.helpers import HIDDEN, staff_login

# Each test builds the world first: on the worker's prebuilt one (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("world_db")


def _report(world: World, estimate: str = "3000") -> dict:  # type: ignore[type-arg]
    response = world.client.post(
        "/api/v1/claims",
        headers=world.h["handler"],
        json={
            "channel": "hotline",
            "policy_number": world.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
            "claimant_name": "李四",
            "loss_date": "2026-03-02",
            "loss_place": "北京",
            "loss_cause": "illness",
            "loss_overview": "住院",
            "estimated_amount": estimate,
            "coverage_codes": ["medical"],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _pages_client(world: World, username: str) -> TestClient:
    world.client.headers.clear()
    world.client.cookies.clear()
    staff_login(world.client, username)
    return world.client


def test_handler_lands_on_queue_with_countdown(client: TestClient, db: Session) -> None:
    # SPEC issue 6 (each role lands on its queue, ordered by due time, countdown), GEN-4
    world = build_world(db, client)
    claim = _report(world)
    page = _pages_client(world, "handler").get("/")
    assert page.status_code == 200
    assert claim["number"] in page.text
    assert re.search(r'class="countdown (ok|amber|red)"', page.text)


def test_assessor_queue_does_not_list_new_reports(client: TestClient, db: Session) -> None:
    # SPEC CLM-F2 (every role sees what its work needs)
    world = build_world(db, client)
    claim = _report(world)
    page = _pages_client(world, "assessor").get("/workbench")
    assert claim["number"] not in page.text
    assert 'id="queue-empty"' in page.text


def test_claim_page_offers_only_permitted_actions(client: TestClient, db: Session) -> None:
    # SPEC SEC-4 (least privilege), issue 6 (only the actions the role may take now)
    world = build_world(db, client)
    claim = _report(world)
    handler_page = _pages_client(world, "handler").get(f"/claims/{claim['id']}")
    assert 'id="open-receive_material"' in handler_page.text
    # Materials are missing: accepting is not offered (the service would refuse it).
    assert 'id="open-accept"' not in handler_page.text
    adjuster_page = _pages_client(world, "adjuster").get(f"/claims/{claim['id']}")
    assert adjuster_page.status_code == 200
    assert 'id="open-receive_material"' not in adjuster_page.text
    refused = world.client.get(f"/claims/{claim['id']}/actions/receive_material")
    assert refused.status_code == 403


def test_refused_action_shows_error_in_place_and_changes_nothing(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-6 (error names the rule, nothing written), CLM-A3 (receipt of materials)
    world = build_world(db, client)
    claim = _report(world)
    web = _pages_client(world, "handler")
    page = web.get(f"/claims/{claim['id']}")
    token = HIDDEN.search(page.text).group(1)  # type: ignore[union-attr]
    response = web.post(
        f"/claims/{claim['id']}/actions/receive_material",
        data={"csrf_token": token, "code": "no_such_material", "count": "1"},
    )
    assert response.status_code == 200  # htmx swaps the form with the error in place
    assert 'role="alert"' in response.text
    assert db.scalars(select(Claim.state).where(Claim.id == claim["id"])).one() == "reported"


def test_id_number_search_is_audited(client: TestClient, db: Session) -> None:
    # SPEC SEC-1 (keyed-hash look-up), SEC-5/GEN-5 (the read of identity data is audited)
    world = build_world(db, client)
    claim = _report(world)
    web = _pages_client(world, "handler")
    page = web.get(f"/workbench?q={world.insured_id_number}")
    assert claim["number"] in page.text
    actions = list(db.scalars(select(AuditEntry.action)))
    assert any("lookup" in a or "search" in a for a in actions), actions


def test_pages_fit_a_phone(client: TestClient, db: Session) -> None:
    # SPEC issue 6 (375 px layout, labelled fields). The 300 ms budget of the pages is
    # measured by `python -m bench pages`, not here: a timed assertion in a test only
    # measures how busy the machine running the suite is.
    world = build_world(db, client)
    claim = _report(world)
    web = _pages_client(world, "handler")
    for path in ("/workbench", f"/claims/{claim['id']}"):
        page = web.get(path)
        assert page.status_code == 200
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in page.text
        # No fixed widths wider than a phone in the markup.
        assert not re.search(r'style="[^"]*width:\s*(\d{4}|[4-9]\d\d)px', page.text)
        # Every visible input has a label pointing at it.
        ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page.text))
        labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', page.text))
        assert ids <= labelled, ids - labelled


def test_validation_while_typing_changes_nothing(client: TestClient, db: Session) -> None:
    # SPEC GEN-6 (a trial submission writes nothing), issue 6 (validates as you type)
    world = build_world(db, client)
    claim = _report(world)
    web = _pages_client(world, "handler")
    page = web.get(f"/claims/{claim['id']}")
    token = HIDDEN.search(page.text).group(1)  # type: ignore[union-attr]
    response = web.post(
        f"/claims/{claim['id']}/actions/withdraw?validate=1",
        data={"csrf_token": token, "reason": "客户撤案"},
    )
    assert response.status_code == 200
    assert 'role="status"' in response.text  # would be accepted
    assert db.scalars(select(Claim.state).where(Claim.id == claim["id"])).one() == "reported"


def test_a_loss_outside_the_policy_period_is_marked_on_the_queue_row(
    client: TestClient, db: Session
) -> None:
    # SPEC CLM-R2: the intake flag the claim page shows is on the handler's queue row
    # too, read with the queue (no statement added for it)
    from claimdesk.timing import HEADER, parse

    world = build_world(db, client)
    inside = _report(world)
    web = _pages_client(world, "handler")

    def workbench() -> tuple[str, int]:
        response = web.get("/workbench?queue=work")
        assert response.status_code == 200
        return response.text, int(parse(response.headers[HEADER])["db"]["desc"].split()[0])

    _, before = workbench()
    outside = world.client.post(
        "/api/v1/claims",
        headers=world.h["handler"],
        json={
            "channel": "hotline",
            "policy_number": world.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
            "claimant_name": "李四",
            "loss_date": "2025-06-01",
            "loss_place": "北京",
            "loss_cause": "illness",
            "loss_overview": "住院",
            "coverage_codes": ["medical"],
        },
    ).json()
    page, after = workbench()
    assert after == before

    def row(number: str) -> str:
        return page.split(f">{number}</a>")[1].split("</td>")[0]

    assert 'data-flag="loss_outside_policy_period"' in row(outside["number"])
    assert "保险期间外出险" in row(outside["number"])
    assert "data-flag=" not in row(inside["number"])
    flags = web.get(f"/claims/{outside['id']}").text
    assert 'id="intake-flag-loss_outside_policy_period"' in flags  # the claim page agrees


def test_a_loss_after_the_policys_termination_is_marked_on_the_queue_row(
    client: TestClient, db: Session
) -> None:
    # SPEC CLM-R2, POL-3: the queue's column follows the intake flag's rule (rules.cover):
    # a loss on or after the day a surrender took effect is outside the cover too, and
    # the badge names the termination and its day
    world = build_world(db, client)
    before, on = _report(world), None
    policy = world.policies["MED-MILLION"]  # type: ignore[attr-defined]
    policy.terminated_on = dt.date(2026, 3, 2)  # the reports' date of loss
    db.flush()
    on = _report(world)
    web = _pages_client(world, "handler")
    page = web.get("/workbench?queue=work").text

    def row(number: str) -> str:
        return page.split(f">{number}</a>")[1].split("</td>")[0]

    # Both losses are on 2026-03-02, the termination's effective date: both rows marked,
    # as the claim page's flag says, whichever came first — and the mark says the policy
    # was terminated, with the day, not "outside the policy period" (POL-3).
    for claim in (before, on):
        mark = row(claim["number"])
        assert 'data-flag="loss_outside_policy_period"' in mark
        assert 'data-terminated-on="2026-03-02"' in mark
        assert "保单已于 2026年3月2日 解除" in mark and "保险期间外出险" not in mark
        flags = web.get(f"/claims/{claim['id']}").text
        assert 'id="intake-flag-loss_outside_policy_period"' in flags
    english = web.get("/workbench?queue=work&lang=en").text
    mark = english.split(f">{on['number']}</a>")[1].split("</td>")[0]
    assert "Policy terminated from 2 Mar 2026" in mark and "Outside the policy period" not in mark
    policy.terminated_on = dt.date(2026, 3, 3)  # took effect the day after: covered
    db.flush()
    page = web.get("/workbench?queue=work").text
    assert "data-flag=" not in row(on["number"])
