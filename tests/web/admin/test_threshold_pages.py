"""The thresholds page: administrators add a version of the review tiers, the major-case
amount and the small-payment limit from a stated time, audited, with the history shown;
a refused version is said beside its field in words and writes nothing (SPEC CLM-V1,
CLM-R4, CLM-P4, GEN-5, GEN-6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.claims.settlement.review import tiers_for
from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim
from claimdesk.models.org import OrgUnit
from claimdesk.models.threshold import ClaimThresholdVersion
from claimdesk.thresholds import service
from tests.builders import login_headers, make_user
from tests.claims.helpers import FrozenClock, World, build_world, local

NOW = "2026-10-08 09:00"
PAGE = "/admin/thresholds"


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local(NOW))
    service.clear_cache()
    w = build_world(db, client)
    hq = db.scalars(select(OrgUnit)).first()
    make_user(db, username="admin", roles=["administrator"], org_unit=hq)
    db.commit()
    w.h["admin"] = login_headers(client, "admin")
    return w


def form(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "review_tier1_max": "10,000.00",
        "review_tier2_max": "100000.00",
        "major_amount": "500000.00",
        "small_payment_max": "5000.00",
        "skip_survey_max_amount": "5000.00",
        "skip_survey_lines": ["health"],
        "automatic_max_amount": "5000.00",
        "automatic_lines": ["medical"],
        "sample_share": "5",
        "effective_from": "",
        "reason": "董事会决议 2026-17",
    }
    return {**body, **changes}


def test_page_shows_the_values_in_force_in_words(world: World) -> None:
    # SPEC CLM-V1, CLM-R4, CLM-P4: the amounts in force, named by what they govern
    page = world.client.get(f"{PAGE}?lang=en", headers=world.h["admin"])
    assert page.status_code == 200, page.text
    assert "¥10,000.00" in page.text and "¥100,000.00" in page.text
    assert "Up to this amount (CNY) one review tier" in page.text
    assert 'id="thresholds-form"' in page.text and 'id="thresholds-history"' in page.text
    visible = page.text.split("<main", 1)[1]
    assert "CLM-" not in visible  # the seeded version's reason cites SPEC: not shown
    assert "Initial settings" in visible and "Theft" in visible and "theft" not in visible
    zh = world.client.get(f"{PAGE}?lang=zh-CN", headers=world.h["admin"])
    assert "不超过此金额（元）一级核赔" in zh.text


def test_staff_read_but_only_an_administrator_changes(world: World) -> None:
    # SPEC CLM-V1, SEC-4: the form only for administrators; a post by others is refused
    supervisor = world.client.get(PAGE, headers=world.h["supervisor"])
    assert supervisor.status_code == 200 and 'id="thresholds-form"' not in supervisor.text
    refused = world.client.post(PAGE, data=form(), headers=world.h["supervisor"])
    assert refused.status_code == 403


def test_new_tier1_limit_routes_the_next_claim(world: World, db: Session) -> None:
    # SPEC CLM-V1: 8,000 is one tier by default; two once the page sets tier 1 to 5,000
    created = world.client.post(
        "/api/v1/claims",
        json={
            "channel": "hotline",
            "policy_number": world.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
            "claimant_name": "李四",
            "contact_phone": "13912345678",
            "loss_date": "2026-09-28",
            "loss_place": "北京市朝阳区",
            "loss_cause": "illness",
            "loss_overview": "住院治疗",
            "estimated_amount": "8000.00",
        },
        headers=world.h["handler"],
    )
    assert created.status_code == 201, created.text
    claim = db.get(Claim, created.json()["id"])
    assert claim is not None
    claim.payable_total = Decimal("8000.00")
    assert tiers_for(db, claim, at=local(NOW))[0] == 1
    saved = world.client.post(
        PAGE,
        data=form(review_tier1_max="5000.00"),
        headers=world.h["admin"],
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    db.expire_all()
    assert tiers_for(db, claim, at=local(NOW)) == (2, ["amount>5000.00"])
    audit = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "thresholds.version_created")
    ).all()
    assert len(audit) == 1 and audit[0].reason == "董事会决议 2026-17"
    page = world.client.get(f"{PAGE}?saved=1&lang=en", headers=world.h["admin"])
    assert 'id="thresholds-saved"' in page.text
    assert page.text.count('data-state="in_force"') == 1
    assert 'data-state="superseded"' in page.text and "董事会决议 2026-17" in page.text


def test_a_version_from_a_stated_time_waits_for_it(world: World, db: Session) -> None:
    # SPEC CLM-P4, CLM-R4: a version effective tomorrow (Beijing time) is scheduled
    saved = world.client.post(
        PAGE,
        data=form(
            small_payment_max="8000.00", major_amount="200000.00", effective_from="2026-10-09T00:00"
        ),
        headers=world.h["admin"],
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert service.in_force(db, at=local(NOW)).small_payment_max == Decimal("5000.00")
    later = service.in_force(db, at=local("2026-10-09 00:00"))
    assert (later.small_payment_max, later.major_amount) == (
        Decimal("8000.00"),
        Decimal("200000.00"),
    )
    assert later.effective_from == local("2026-10-09 00:00")
    page = world.client.get(f"{PAGE}?lang=en", headers=world.h["admin"])
    assert 'data-state="scheduled"' in page.text and "¥8,000.00" in page.text


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"review_tier2_max": "10000.00"}, "review_tier2_max", "two review tiers"),
        ({"major_amount": "0"}, "major_amount", "major case"),
        ({"small_payment_max": "abc"}, "small_payment_max", "24 hours"),
        ({"effective_from": "2026-10-01T00:00"}, "effective_from", "Takes effect"),
        ({"skip_survey_lines": []}, "skip_survey_lines", "skip the survey"),
        ({"reason": " "}, "reason", "Reason"),
        ({"automatic_max_amount": "0"}, "automatic_max_amount", "paid automatically"),
        ({"sample_share": "150"}, "sample_share", "checked by a person"),
        ({"automatic_lines": ["property"]}, "automatic_lines", "Coverages paid automatically"),
    ],
)
def test_refusal_beside_its_field_in_words(
    world: World, db: Session, changes: dict[str, Any], field: str, words: str
) -> None:
    # SPEC CLM-V1, GEN-6: the field by its label, no code, nothing written
    before = db.scalar(select(ClaimThresholdVersion.id).order_by(ClaimThresholdVersion.id.desc()))
    refused = world.client.post(f"{PAGE}?lang=en", data=form(**changes), headers=world.h["admin"])
    assert refused.status_code == 422, refused.text
    shown = refused.text.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert words in shown and field not in shown and "CLM-" not in shown, shown
    assert f'name="{field}"' in refused.text
    after = db.scalar(select(ClaimThresholdVersion.id).order_by(ClaimThresholdVersion.id.desc()))
    assert after == before
    zh = world.client.post(f"{PAGE}?lang=zh-CN", data=form(**changes), headers=world.h["admin"])
    shown_zh = zh.text.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert field not in shown_zh and shown_zh != shown


@pytest.mark.parametrize("typed", ["150", "-1", "5.125"])
def test_the_sample_share_is_refused_in_the_percent_it_is_typed_in(
    world: World, db: Session, typed: str
) -> None:
    # SPEC CLM-T3 (a configured share of automatic payments), GEN-6: the page takes the
    # share in percent but refused 150 with the service's "must be between 0 and 1"; the
    # administrator who followed it typed 0.5 and set a sample of 0.5 %.
    before = db.scalar(select(ClaimThresholdVersion.id).order_by(ClaimThresholdVersion.id.desc()))
    for language, words in (("en", "between 0 and 100"), ("zh-CN", "0 到 100 之间的百分比")):
        refused = world.client.post(
            f"{PAGE}?lang={language}", data=form(sample_share=typed), headers=world.h["admin"]
        )
        assert refused.status_code == 422, refused.text
        shown = refused.text.split('id="sample_share-error"', 1)[1].split("</p>", 1)[0]
        assert words in shown and "0 到 1 之间" not in shown and "between 0 and 1," not in shown
    after = db.scalar(select(ClaimThresholdVersion.id).order_by(ClaimThresholdVersion.id.desc()))
    assert after == before
    done = world.client.post(PAGE, data=form(sample_share="12.25"), headers=world.h["admin"])
    assert done.status_code in (200, 303), done.text
    db.expire_all()
    from claimdesk.thresholds import service as thresholds

    thresholds.clear_cache()
    newest = thresholds.versions(db)[-1]
    assert newest.sample_share == Decimal("0.1225")


def test_history_is_newest_first(world: World, db: Session) -> None:
    # SPEC GEN-5: every version kept, with who changed it and why
    for amount, reason in (("6000.00", "第一次"), ("7000.00", "第二次")):
        r = world.client.post(
            PAGE,
            data=form(review_tier1_max=amount, reason=reason),
            headers=world.h["admin"],
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    page = world.client.get(f"{PAGE}?lang=en", headers=world.h["admin"]).text
    history = page.split('id="thresholds-history"', 1)[1]
    assert history.index("第二次") < history.index("第一次")
    assert dt.datetime  # the clock is frozen: no date of today is assumed


def test_automatic_limits_are_a_version_too(world: World, db: Session) -> None:
    # SPEC CLM-T2, CLM-T3: the automatic limit, coverages and sample share on the page
    page = world.client.get(f"{PAGE}?lang=en", headers=world.h["admin"]).text
    assert 'id="automatic"' in page and 'name="sample_share" inputmode="decimal" value="5"' in page
    saved = world.client.post(
        PAGE,
        data=form(
            automatic_max_amount="3,000.00",
            automatic_lines=["medical", "accident_medical"],
            sample_share="12.5",
            reason="试点扩大",
        ),
        headers=world.h["admin"],
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    now = service.in_force(db, at=local(NOW))
    assert now.automatic_max_amount == Decimal("3000.00")
    assert now.automatic_lines == frozenset({"medical", "accident_medical"})
    assert now.sample_share == Decimal("0.125")
    # Unticking every coverage switches the automatic payment off (a version as well)
    off = world.client.post(
        PAGE,
        data={**form(reason="暂停自动赔付"), "automatic_lines": []},
        headers=world.h["admin"],
        follow_redirects=False,
    )
    assert off.status_code == 303, off.text
    assert service.in_force(db, at=local(NOW)).automatic_lines == frozenset()
    page = world.client.get(f"{PAGE}?lang=en", headers=world.h["admin"]).text
    assert "None: the automatic payment is off" in page and "12.5%" in page
