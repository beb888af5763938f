"""The claim page offers "Record materials sent by post" exactly when the service takes
a parcel, in every state of the claim: a missing item can be posted after acceptance
too (a request for more materials, CLM-A3), and a decided or ended claim takes only the
green channel's deferred items (CLM-Z2). The page used to offer it only while the claim
was reported or awaiting materials, while the API took it on any open claim.
# SPEC CLM-Z1 CLM-Z2 GEN-6"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.claims import workflow
from tests.claims.helpers import FrozenClock, World, build_world, claim_in_state, local
from tests.web.claims.claim_pages import ClaimPages

STATES = [s for s in workflow.STATES if s != workflow.WITHDRAWN]


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    return build_world(db, client)


def _post(w: World, cid: int, items: list[str], number: str) -> int:
    body = {"carrier": "顺丰", "tracking_number": number, "sent_on": "2026-09-29", "items": items}
    response = w.client.post(f"/api/v1/claims/{cid}/mailings", json=body, headers=w.h["handler"])
    return response.status_code


@pytest.mark.parametrize("state", STATES)
def test_the_mailing_form_is_offered_exactly_when_the_service_takes_it(
    world: World, client: TestClient, db: Session, state: str
) -> None:
    # SPEC CLM-Z1: page and API agree in every state
    cid = claim_in_state(db, world, state)
    web = ClaimPages(client, db)
    web.login("handler")
    form_items = []
    if "record_mailing" in web.offered(cid):
        form = web.open(cid, "record_mailing")
        form_items = [n.split("__", 1)[1] for n in form.fields if n.startswith("item__")]
        assert form_items, "offered with nothing to post"
    # Every item the form lists is taken by the API; with none listed, the API refuses
    # every item of the checklist (the claim is decided with nothing deferred).
    missing = ["claim_form", "id_card", "medical_record", "invoice"]
    status = _post(world, cid, form_items or missing, "SF0000000001")
    assert status == (201 if form_items else 409), (state, form_items, status)
    if state in workflow.OPEN_STATES:
        assert form_items  # an open claim with missing items always takes a parcel


def test_a_parcel_posted_after_acceptance_is_recorded_and_received_from_the_page(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-Z1 CLM-A3: a missing item posted once the claim is surveyed
    cid = claim_in_state(db, world, "surveyed")
    web = ClaimPages(client, db)
    web.login("handler")
    form = web.open(cid, "record_mailing")
    first = next(n for n in form.fields if n.startswith("item__"))
    web.do(
        cid,
        "record_mailing",
        {"carrier": "EMS", "tracking_number": "EMS12345678", "sent_on": "2026-09-29", first: True},
    )
    web.do(cid, "receive_mailing")
    page = web.page(cid)
    assert f'data-code="{first.split("__", 1)[1]}" class="missing"' not in page
