"""The staff page of a claim's e-bills: the handler submits a receipt and its statement
received from a hospital, the lines are listed as the assessment reads them (the read
audited), and a refusal is said beside its file in words (SPEC CLM-T1, GEN-5, GEN-6)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.bill import Bill
from tests.bills.helpers import DAY, RECEIPT, report
from tests.claims.helpers import FrozenClock, World, build_world, local
from tests.web.portal.test_portal_bill_upload import files


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local(f"{DAY}T10:00:00"))


def test_handler_submits_and_the_lines_are_listed(
    world: World, clock: FrozenClock, db: Session
) -> None:
    # SPEC CLM-T1: staff submit the hospital's files; the lines with their classes
    cid = report(world, clock)
    claim_page = world.client.get(f"/claims/{cid}?lang=en", headers=world.h["handler"])
    assert f'href="/claims/{cid}/bills#bill-form"' in claim_page.text
    sent = world.client.post(
        f"/claims/{cid}/bills", files=files(), headers=world.h["handler"], follow_redirects=False
    )
    assert sent.status_code == 303, sent.text
    stored = db.scalars(select(Bill).where(Bill.claim_id == cid)).one()
    assert stored.source == "staff"
    page = world.client.get(f"/claims/{cid}/bills?saved=1&lang=en", headers=world.h["assessor"])
    assert page.status_code == 200 and 'id="bill-saved"' in page.text
    assert "阑尾切除术" in page.text and "Class B (乙)" in page.text and "10%" in page.text
    assert "¥28,000.00" in page.text
    # The assessor holds claims:bills too (docs/bills.md): the form is offered
    assert 'id="bill-form"' in page.text
    reads = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.bills_read", AuditEntry.entity_id == str(cid)
        )
    ).all()
    assert len(reads) >= 1


def test_a_reviewer_reads_but_gets_no_form(world: World, clock: FrozenClock) -> None:
    # SPEC CLM-T1, SEC-4: the upload is for the roles holding claims:bills
    cid = report(world, clock)
    page = world.client.get(f"/claims/{cid}/bills", headers=world.h["supervisor"])
    assert page.status_code == 200 and 'id="bill-form"' not in page.text
    refused = world.client.post(
        f"/claims/{cid}/bills", files=files(), headers=world.h["supervisor"]
    )
    assert refused.status_code == 403


def test_duplicate_receipt_is_refused_beside_the_receipt_file(
    world: World, clock: FrozenClock, db: Session
) -> None:
    # SPEC CLM-T1, GEN-6: the same receipt twice on a claim, said in words
    cid = report(world, clock)
    first = world.client.post(
        f"/claims/{cid}/bills", files=files(), headers=world.h["handler"], follow_redirects=False
    )
    assert first.status_code == 303
    again = world.client.post(
        f"/claims/{cid}/bills?lang=en", files=files(), headers=world.h["handler"]
    )
    assert again.status_code == 409, again.text
    shown = again.text.split('id="receipt_file-error"', 1)[1].split("</p>", 1)[0]
    assert "0012345678" in shown and "already on this claim" in shown
    assert len(db.scalars(select(Bill).where(Bill.claim_id == cid)).all()) == 1


def test_a_wrong_type_is_named_in_words(world: World, clock: FrozenClock) -> None:
    # SPEC CLM-T1, GEN-6: a type error (pydantic) on a line, by line and field name
    cid = report(world, clock)
    receipt: dict[str, Any] = copy.deepcopy(RECEIPT)
    receipt["items"][0]["quantity"] = "one"
    refused = world.client.post(
        f"/claims/{cid}/bills?lang=zh-CN", files=files(receipt=receipt), headers=world.h["handler"]
    )
    assert refused.status_code == 422, refused.text
    shown = refused.text.split('id="receipt_file-error"', 1)[1].split("</p>", 1)[0]
    assert "第 1 行的数量：" in shown and "items" not in shown and "quantity" not in shown


def _hold(world: World, cid: int) -> None:
    held = world.client.post(
        f"/api/v1/claims/{cid}/fraud-flags",
        json={"description": "联系电话与他人共用"},
        headers=world.h["handler"],
    )
    assert held.status_code == 200 and held.json()["state"] == "suspended", held.text


def test_a_claim_held_before_its_assessment_takes_bills_and_files_on_its_pages(
    world: World, clock: FrozenClock, db: Session
) -> None:
    # SPEC CLM-F1, CLM-T1: a hold stops the money, not the evidence — the claim page
    # still links the e-bill upload and offers a file upload, and the bill is taken
    cid = report(world, clock)
    _hold(world, cid)
    claim_page = world.client.get(f"/claims/{cid}?lang=en", headers=world.h["handler"])
    assert f'href="/claims/{cid}/bills#bill-form"' in claim_page.text
    assert 'id="open-upload_file"' in claim_page.text
    page = world.client.get(f"/claims/{cid}/bills", headers=world.h["handler"])
    assert 'id="bill-form"' in page.text
    sent = world.client.post(
        f"/claims/{cid}/bills", files=files(), headers=world.h["handler"], follow_redirects=False
    )
    assert sent.status_code == 303, sent.text
    assert db.scalars(select(Bill).where(Bill.claim_id == cid)).one().source == "staff"


def test_a_claim_held_after_its_assessment_offers_no_bill_but_files(
    world: World, clock: FrozenClock
) -> None:
    # SPEC CLM-F1, CLM-T1: once assessed, a held claim takes no new bill (as before); it
    # takes files, as the upload service always did (a hold stops the money, not the
    # evidence): the page offers what the service takes
    from tests.bills.helpers import API, bill, ok, walk_to_surveyed

    cid = report(world, clock)
    ok(world.client.post(f"{API}/{cid}/bills", json=bill(), headers=world.h["handler"]), 201)
    walk_to_surveyed(world, clock, cid)
    for step in ("assessment/from-bills", "assessment/complete"):
        ok(world.client.post(f"{API}/{cid}/{step}", json={}, headers=world.h["assessor"]))
    _hold(world, cid)
    claim_page = world.client.get(f"/claims/{cid}?lang=en", headers=world.h["handler"])
    assert 'id="bill-upload-link"' not in claim_page.text
    assert 'id="open-upload_file"' in claim_page.text
    page = world.client.get(f"/claims/{cid}/bills", headers=world.h["handler"])
    assert page.status_code == 200 and 'id="bill-form"' not in page.text
