"""The pages' upload forms follow the service's rule on which claims take a file
(claims.intake.acceptance.takes_upload): the staff page offers, on a decided or ended
claim, only the staff's evidence; the portal offers the customer nothing there; and a
material posted anyway is refused by the same service with the same named error.
# SPEC CLM-A2 CLM-F1 CLM-T3 GEN-6"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.claim import MaterialFile
from tests.claims.helpers import PDF, FrozenClock, World, build_world, claim_in_state, local
from tests.web.claims.claim_pages import ClaimPages
from tests.web.helpers import form_token

PHONE = "13812345678"  # the world's customer (tests.builders.make_person)


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    return build_world(db, client)


def _files(db: Session, cid: int) -> int:
    return int(db.scalar(select(func.count()).where(MaterialFile.claim_id == cid)) or 0)


@pytest.mark.parametrize("state", ("closed", "withdrawn"))
def test_staff_page_offers_only_evidence_on_an_ended_claim(
    world: World, client: TestClient, db: Session, state: str
) -> None:
    # SPEC CLM-F1 (evidence after the decision), CLM-A2, GEN-6
    cid = claim_in_state(db, world, state)
    web = ClaimPages(client, db)
    web.login("handler")
    assert "upload_file" in web.offered(cid)
    form = web.open(cid, "upload_file")
    assert form.fields["purpose"].options == ["evidence", "certificate", "adjuster_report"]
    web.do(
        cid,
        "upload_file",
        {"purpose": "evidence"},
        files={"file": ("e.pdf", PDF, "application/pdf")},
    )
    assert _files(db, cid) == 1
    # A material posted anyway meets the service's refusal, shown in place.
    refused = web.submit(
        cid,
        "upload_file",
        {"purpose": "material", "material_code": "claim_form"},
        files={"file": ("m.pdf", PDF, "application/pdf")},
    )
    assert "不再接收理赔材料" in refused.text or "takes no more claim materials" in refused.text
    assert "HX-Redirect" not in refused.headers
    assert _files(db, cid) == 1


def test_staff_page_offers_materials_on_an_open_claim(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-A2: nothing changes while the claim is open
    cid = claim_in_state(db, world, "reported")
    web = ClaimPages(client, db)
    web.login("handler")
    form = web.open(cid, "upload_file")
    assert form.fields["purpose"].options[0] == "material"
    assert "claim_form" in form.fields["material_code"].options


@pytest.mark.parametrize("state", ("paid", "decided", "closed", "rejected", "withdrawn"))
def test_portal_shows_no_upload_form_and_refuses_a_post(
    world: World, client: TestClient, db: Session, state: str
) -> None:
    # SPEC CLM-A2 GEN-6: the customer's materials stop once the claim is decided or ended
    cid = claim_in_state(db, world, state)
    web = ClaimPages(client, db)
    web.login_customer("customer", PHONE)
    page = client.get(f"/portal/claims/{cid}").text
    assert 'id="upload-form"' not in page
    refused = client.post(
        f"/portal/claims/{cid}/upload",
        data={
            "csrf_token": form_token(client, f"/portal/claims/{cid}"),
            "material_code": "claim_form",
        },
        files={"file": ("m.pdf", PDF, "application/pdf")},
    )
    assert refused.status_code == 409, refused.text
    assert re.search(r'id="claim-error">[^<]*不再接收理赔材料', refused.text), refused.text
    assert _files(db, cid) == 0


def test_portal_shows_the_upload_form_on_an_open_claim(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-A2, CLM-Q1 (online channel for every step)
    cid = claim_in_state(db, world, "awaiting_materials")
    web = ClaimPages(client, db)
    web.login_customer("customer", PHONE)
    assert 'id="upload-form"' in client.get(f"/portal/claims/{cid}").text
