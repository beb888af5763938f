"""A trial run of a claim action (?validate=1, while typing) loads the claim exactly as
the action does — through the row filter, locked FOR UPDATE — so its verdict is the one
the submission would get at that moment; a refresh, which runs no handler, reads it
unlocked. Nothing of a trial is written. # SPEC GEN-6 CLM-F2"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.claims import repository as claims_repository
from claimdesk.models.claim import Claim
from claimdesk.web.claims import pages
from tests.claims.helpers import World, build_world
from tests.web.claims.test_workbench import _pages_client, _report
from tests.web.helpers import HIDDEN

pytestmark = pytest.mark.usefixtures("world_db")


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    seen: list[bool] = []

    def recording(session: Session, actor: Any, claim_id: int, *, for_update: bool = False) -> Any:
        seen.append(for_update)
        return claims_repository.get_claim(
            session, actor=actor, claim_id=claim_id, for_update=for_update
        )

    monkeypatch.setattr(pages, "claim_for", recording)
    return seen


def _post(web: TestClient, cid: int, query: str, loads: list[bool]) -> Any:
    token = HIDDEN.search(web.get(f"/claims/{cid}").text).group(1)  # type: ignore[union-attr]
    loads.clear()  # the claim page's own read
    form = {"csrf_token": token, "reason": "客户撤案"}
    return web.post(f"/claims/{cid}/actions/withdraw{query}", data=form)


def test_a_trial_run_loads_the_claim_as_the_action_does(
    client: TestClient, db: Session, loads: list[bool]
) -> None:
    # SPEC GEN-6: the same load path (locked) for the trial and the submission
    world: World = build_world(db, client)
    cid = int(_report(world)["id"])
    web = _pages_client(world, "handler")
    trial = _post(web, cid, "?validate=1", loads)
    assert trial.status_code == 200 and 'role="status"' in trial.text  # would be accepted
    assert loads == [True]
    assert db.scalars(select(Claim.state).where(Claim.id == cid)).one() == "reported"
    _post(web, cid, "?refresh=1", loads)
    assert loads == [False]  # a refresh runs no handler
    done = _post(web, cid, "", loads)
    assert done.status_code == 200 and done.headers["HX-Redirect"] == f"/claims/{cid}?done=withdraw"
    assert loads[0] is True
    # SPEC GEN-6: the page it reloads says what was done, in the reader's words
    shown = web.get(done.headers["HX-Redirect"] + "&lang=zh-CN").text
    assert re.search(r'id="action-done">已完成：[^<]+<', shown), shown[:300]
    assert 'id="action-done"' not in web.get(f"/claims/{cid}?done=no_such_action").text


def test_the_trial_and_the_action_agree_once_the_claim_has_moved(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-6: once another move has changed the claim (withdrawn through the API),
    # the trial refuses as the submission does, with the same refusal
    world: World = build_world(db, client)
    cid = int(_report(world)["id"])
    web = _pages_client(world, "handler")
    token = HIDDEN.search(web.get(f"/claims/{cid}").text).group(1)  # type: ignore[union-attr]
    moved = web.post(
        f"/api/v1/claims/{cid}/transitions/withdraw",
        json={"reason": "客户来电撤案"},
        headers=world.h["handler"],
    )
    assert moved.status_code == 200, moved.text
    form = {"csrf_token": token, "reason": "客户撤案"}
    trial = web.post(f"/claims/{cid}/actions/withdraw?validate=1", data=form)
    submitted = web.post(f"/claims/{cid}/actions/withdraw", data=form)
    assert trial.status_code == submitted.status_code != 200
    assert "HX-Redirect" not in submitted.headers
    assert db.scalars(select(Claim.state).where(Claim.id == cid)).one() == "withdrawn"
