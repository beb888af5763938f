"""The quality sample's verdict on the claim page (SPEC CLM-T3, CLM-V1, CLM-V2, POL-3,
GEN-6): offered to a claims supervisor (tier 1) on a sampled automatic payment not yet
reviewed, and to nobody else; when the policy, as it stands now, did not cover the date
of loss, the form says so above the verdict — the loss date against the termination day
— and that agreeing will be refused; the refusal sits beside the verdict, and the
correction to 0.00 the form then takes recovers the payment."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.auth.principal import Principal
from claimdesk.models.automatic import SampleVerdict
from claimdesk.models.claim import Claim
from claimdesk.models.org import OrgUnit
from claimdesk.models.payment import Recovery
from claimdesk.models.policy import Policy
from claimdesk.models.user import User
from tests.builders import make_user
from tests.claims.automatic.helpers import DAY, PAYABLE, drain, make_e_bill_claim, small_policy
from tests.claims.helpers import FrozenClock, World, build_world, local
from tests.web.claims.claim_pages import ClaimPages
from tests.web.claims.test_claim_forms_pages import error_beside


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local(f"{DAY}T10:00:00"))


@pytest.fixture
def paid(
    db: Session, world: World, clock: FrozenClock, session_factory: sessionmaker[Session]
) -> int:
    """An automatically paid claim (loss 2026-09-28) that the sample (share 100%) selects,
    and a review specialist (tier 2) and department manager (tier 3) of the same unit."""
    from claimdesk.thresholds import service as thresholds

    setup = small_policy(db, world)
    at = local(f"{DAY}T09:00:00")
    now = thresholds.in_force(db, at=at)
    thresholds.create_version(
        db,
        actor=Principal.system("test"),
        values={name: getattr(now, name) for name in thresholds.AMOUNT_FIELDS},
        skip_survey_lines=sorted(now.skip_survey_lines),
        effective_from=None,
        reason="sample everything for the test",
        now=at,
        sample_share=Decimal("1"),
    )
    unit = db.get_one(OrgUnit, db.get_one(User, world.users["supervisor"]).org_unit_id)
    for tier in (2, 3):
        make_user(db, username=f"reviewer{tier}", roles=[f"reviewer_{tier}"], org_unit=unit)
    db.commit()
    cid = make_e_bill_claim(world, clock, setup)
    drain(session_factory)
    return cid


def _terminate(db: Session, cid: int, effective: dt.date) -> None:
    """The policy terminated (POL-3) with effect on ``effective``, recorded after the
    automatic payment."""
    policy = db.get_one(Policy, db.get_one(Claim, cid).policy_id)
    policy.status, policy.terminated_on = "terminated", effective
    db.commit()


def _warning(html: str) -> str:
    """The verdict form's cover warning as read: badge and sentence, tags removed."""
    start = html.index('id="sample_verdict-cover_warning"')
    paragraph = html[start : html.index("</p>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", paragraph.split(">", 1)[1]).split())


@pytest.mark.parametrize(
    ("who", "offered"),
    [("supervisor", True), ("reviewer2", False), ("reviewer3", False)],
    ids=["tier1", "tier2", "tier3"],
)
def test_the_verdict_is_offered_to_tier_1_only_and_warns_before_agreeing(
    client: TestClient, db: Session, paid: int, who: str, offered: bool
) -> None:
    # SPEC CLM-T3, CLM-V1, CLM-V2, POL-3, GEN-6: the termination took effect on the date
    # of loss; tier 1 reads it above the verdict with what agreeing meets; tiers 2 and 3
    # are not offered a verdict the service would refuse them
    _terminate(db, paid, dt.date(2026, 9, 28))
    web = ClaimPages(client, db)
    web.login(who)
    assert ("sample_verdict" in web.offered(paid)) is offered
    if not offered:
        return
    form = web.open(paid, "sample_verdict")
    said = _warning(form.html)
    assert said.startswith("保单已于 2026年9月28日 解除 ")
    assert "出险日期 2026年9月28日 在保单解除生效日（2026年9月28日）当日或之后" in said
    assert "同意自动理赔结果将被拒绝：请选择不同意，核定金额填 0.00" in form.html
    html = form.html
    assert html.index('id="sample_verdict-cover_warning"') < html.index(
        'id="sample_verdict-agrees"'
    )
    english = client.get(f"/claims/{paid}/actions/sample_verdict?lang=en").text
    assert "The date of loss, 28 Sep 2026, is on or after" in _warning(english)
    assert "Agreeing with the automatic payment will be refused" in english


def test_agreeing_is_refused_beside_the_verdict_and_the_correction_to_nothing_is_taken(
    client: TestClient, db: Session, paid: int
) -> None:
    # SPEC CLM-T3, CLM-P5, POL-3, GEN-6: the page's agreement meets the service's 409
    # beside the verdict, naming both days; nothing is written; disagreeing with 0.00
    # then recovers the whole payment and the form is no longer offered
    _terminate(db, paid, dt.date(2026, 9, 28))
    web = ClaimPages(client, db)
    web.login("supervisor")
    refused = web.refused(paid, "sample_verdict", {"agrees": "agree"})
    message = error_beside(refused, "sample_verdict", "agrees")
    assert "出险日期 2026年9月28日 在保单解除生效日 2026年9月28日 当日或之后" in message
    assert db.scalars(select(SampleVerdict)).all() == []
    web.do(
        paid,
        "sample_verdict",
        {"agrees": "disagree", "amount": "0.00", "reason": "出险日保单已解除"},
    )
    verdict = db.scalars(select(SampleVerdict).where(SampleVerdict.claim_id == paid)).one()
    assert (verdict.agrees, verdict.correction) == (False, "recovery")
    assert db.get_one(Recovery, verdict.recovery_id).amount == Decimal(PAYABLE)
    assert "sample_verdict" not in web.offered(paid)


def test_a_covered_loss_opens_the_verdict_without_a_warning_then_agreement_is_taken(
    client: TestClient, db: Session, paid: int
) -> None:
    # SPEC CLM-T3, POL-3: terminated with effect the day after the loss — covered: no
    # warning, and the page's agreement is taken as the API's is
    _terminate(db, paid, dt.date(2026, 9, 29))
    web = ClaimPages(client, db)
    web.login("supervisor")
    form = web.open(paid, "sample_verdict")
    assert "cover_warning" not in form.html
    web.do(paid, "sample_verdict", {"agrees": "agree"})
    verdict = db.scalars(select(SampleVerdict).where(SampleVerdict.claim_id == paid)).one()
    assert verdict.agrees is True and verdict.correction == "none"
