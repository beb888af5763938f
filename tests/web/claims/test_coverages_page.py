"""Confirming the coverages claimed on the claim page (before acceptance)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.coverages_world import accident_world, report_unsure
from tests.claims.helpers import World
from tests.web.claims.claim_pages import ClaimPages, timeline_actions


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return accident_world(db, client)


def test_handler_confirms_the_coverages_on_the_page(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-A1 (the checklist follows the coverages claimed)
    cid = report_unsure(world)["id"]
    web = ClaimPages(client, db)
    web.login("handler")
    assert "set_coverages" in web.offered(cid)
    form = web.open(cid, "set_coverages")
    ticked = {
        name for name, f in form.fields.items() if name.startswith("coverage__") and f.checked
    }
    assert ticked == {"coverage__death", "coverage__disability", "coverage__acc_medical"}
    refused = web.refused(cid, "set_coverages", {n: False for n in ticked}, form=form)
    assert refused.errors  # none ticked: at least one coverage is needed
    web.do(
        cid,
        "set_coverages",
        {"coverage__death": False, "coverage__disability": False, "reason": "客户确认仅门诊"},
        form=form,
    )
    page = web.page(cid)
    assert "claim.coverages_set" in timeline_actions(page)
    form = web.open(cid, "set_coverages")
    assert {n for n, f in form.fields.items() if n.startswith("coverage__") and f.checked} == {
        "coverage__acc_medical"
    }
