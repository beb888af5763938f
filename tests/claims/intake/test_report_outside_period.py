"""A loss dated outside the policy period is reported all the same — the insurer must
receive and answer every report, and declines a loss outside the cover by a written
decision — but the handler is shown it at once: the report's answer and the claim carry
an intake flag, and the report's audit entry records it. A date of loss after today is
refused and writes nothing (SPEC CLM-R2, CLM-R3, GEN-6)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.claims.intake.report import loss_outside_period
from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim
from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1/claims"
FLAG = "loss_outside_policy_period"


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-28T10:00:00").astimezone(dt.UTC))
    return build_world(db, client)


def _report(world: World, who: str = "handler", lang: str = "", **changes: Any) -> Any:
    payload = {
        "channel": "hotline",
        "policy_number": world.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "loss_date": "2026-09-27",
        "loss_place": "北京",
        "loss_cause": "illness",
        "loss_overview": "报案",
        **changes,
    }
    return world.client.post(f"{API}{lang}", json=payload, headers=world.h[who])


def test_a_loss_years_before_the_policy_is_recorded_and_flagged(world: World, db: Session) -> None:
    # SPEC CLM-R2, CLM-R3: recorded with its number (not refused), flagged for the handler
    response = _report(world, loss_date="2019-05-01")
    assert response.status_code == 201, response.text
    reported = response.json()
    assert reported["number"].startswith("BA20260928")
    (flag,) = reported["intake_flags"]
    assert flag["code"] == FLAG
    assert flag["details"] == {
        "loss_date": "2019-05-01",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    }
    assert (
        "出险日期 2019年5月1日 不在保单的保险期间（2026年1月1日 至 2026年12月31日）内"
        in (flag["message"])
    )
    # Read back: the same flag, from the claim and its policy.
    cid = reported["id"]
    read = world.client.get(f"{API}/{cid}", headers=world.h["handler"]).json()
    assert read["intake_flags"] == [flag]
    # On the trail with the report (GEN-5).
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.report", AuditEntry.entity_id == str(cid)
        )
    ).one()
    assert json.loads(entry.details)[FLAG] == flag["details"]


def test_a_loss_after_the_policys_end_is_flagged_too_and_one_inside_is_not(
    world: World,
) -> None:
    # SPEC CLM-R2: both ends of the period are covered days (GEN-2)
    assert _report(world, loss_date="2026-01-01").json()["intake_flags"] == []
    assert _report(world, loss_date="2025-12-31").json()["intake_flags"][0]["code"] == FLAG


def test_a_loss_on_or_after_a_surrender_is_flagged_naming_the_termination(
    world: World, db: Session
) -> None:
    # SPEC CLM-R2, POL-3: a termination ends cover the day it takes effect — inside the
    # period, the loss is outside the cover all the same (rules.cover, as the check)
    medical = world.policies["MED-MILLION"]  # type: ignore[attr-defined]
    medical.terminated_on = dt.date(2026, 9, 1)
    db.flush()
    assert _report(world, loss_date="2026-08-31").json()["intake_flags"] == []
    response = _report(world, loss_date="2026-09-01")
    assert response.status_code == 201, response.text
    (flag,) = response.json()["intake_flags"]
    assert flag["code"] == FLAG
    assert flag["details"] == {
        "loss_date": "2026-09-01",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "terminated_on": "2026-09-01",
    }
    assert "在保单解除生效日 2026年9月1日 当日或之后" in flag["message"]
    read = world.client.get(f"{API}/{response.json()['id']}", headers=world.h["handler"]).json()
    assert read["intake_flags"] == [flag]
    english = loss_outside_period(
        dt.date(2026, 9, 1),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        terminated_on=dt.date(2026, 9, 1),
    )
    assert english is not None
    assert "on or after the day the policy's termination took effect, 1 Sep 2026" in (
        english.message("en")
    )


def test_the_customer_reporting_sees_no_internal_flag(world: World) -> None:
    # SPEC CLM-R2: the flag is the handler's; the customer is answered by the decision
    response = _report(world, who="customer", loss_date="2020-02-02")
    assert response.status_code == 201, response.text
    assert response.json()["intake_flags"] == []
    cid = response.json()["id"]
    staff = world.client.get(f"{API}/{cid}", headers=world.h["handler"]).json()
    assert staff["intake_flags"][0]["code"] == FLAG


def test_a_loss_after_today_is_refused_and_writes_nothing(world: World, db: Session) -> None:
    # SPEC GEN-6: today is the local day of the app clock (28 Sep 2026 in Shanghai)
    before = db.scalar(select(func.count()).select_from(Claim))
    for lang, words in (
        ("", "出险日期：不能晚于今天"),
        ("?lang=en", "Date of loss: cannot be after today"),
    ):
        refused = _report(world, lang=lang, loss_date="2026-09-29")
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert (error["code"], error["field"]) == ("loss_date_in_future", "loss_date")
        assert words in error["message"]
    assert db.scalar(select(func.count()).select_from(Claim)) == before


def test_the_flag_says_it_in_the_readers_language() -> None:
    # SPEC CLM-R2, GEN-2: the dates as people write them, in either language
    flag = loss_outside_period(
        dt.date(2019, 5, 1), period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31)
    )
    assert flag is not None
    assert flag.message("en").startswith(
        "The date of loss, 1 May 2019, is outside the policy period (1 Jan 2026 to 31 Dec 2026)."
    )
    assert "报案已登记" in flag.message("zh-CN")
    inside = dt.date(2026, 12, 31)
    assert loss_outside_period(inside, period_start=inside, period_end=inside) is None


def _by_id_number(world: World, loss_date: str, **changes: Any) -> Any:
    return _report(
        world,
        policy_number=None,
        insured_id_number=world.insured_id_number,
        **{
            "loss_date": loss_date,
            **changes,
        },
    )


def test_by_id_number_a_loss_after_the_cover_ended_is_recorded_on_that_policy(
    world: World, db: Session
) -> None:
    # SPEC CLM-R2: no policy in force on the date of loss — the report is still taken,
    # on the policy whose cover ended last before it (not the one starting after), flagged
    medical = world.policies["MED-MILLION"]  # type: ignore[attr-defined]
    home = world.policies["HOME-PROP"]  # type: ignore[attr-defined]
    medical.period_start, medical.period_end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    home.period_start, home.period_end = dt.date(2026, 9, 1), dt.date(2027, 8, 31)
    db.flush()
    response = _by_id_number(world, "2026-08-15")
    assert response.status_code == 201, response.text
    reported = response.json()
    assert reported["policy_number"] == medical.number
    (flag,) = reported["intake_flags"]
    assert flag["code"] == FLAG
    assert flag["details"]["period_end"] == "2025-12-31"
    # A policy terminated before the loss ended its cover that day: it counts as ended.
    home.period_start, home.period_end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    home.terminated_on = dt.date(2026, 3, 1)
    db.flush()
    assert _by_id_number(world, "2026-08-15").json()["policy_number"] == home.number


def test_by_id_number_a_loss_before_every_policy_is_recorded_on_the_first(
    world: World, db: Session
) -> None:
    # SPEC CLM-R2: nothing ended before the loss — the policy starting first after it
    home = world.policies["HOME-PROP"]  # type: ignore[attr-defined]
    home.period_start = dt.date(2026, 2, 1)
    db.flush()
    response = _by_id_number(world, "2025-12-20")
    assert response.status_code == 201, response.text
    assert response.json()["policy_number"] == world.policies["MED-MILLION"].number  # type: ignore[attr-defined]
    assert response.json()["intake_flags"][0]["code"] == FLAG


def test_by_id_number_policies_as_near_to_the_loss_are_for_the_reporter_to_choose(
    world: World, db: Session
) -> None:
    # SPEC CLM-R2, GEN-6: both policies start on 1 Jan 2026 — the API asks for the number
    # (nothing written), and with it the report is taken and flagged. The tie has its own
    # code: policy_ambiguous stays for several policies *in force* on the date.
    before = db.scalar(select(func.count()).select_from(Claim))
    for lang, words in (
        ("", "有多张保单与出险日同样接近"),
        ("?lang=en", "several are equally near to it"),
    ):
        refused = _by_id_number(world, "2025-06-01", lang=lang)
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert (error["code"], error["field"]) == ("policy_nearest_tied", "insured_id_number")
        assert words in error["message"]
    assert db.scalar(select(func.count()).select_from(Claim)) == before
    number = world.policies["HOME-PROP"].number  # type: ignore[attr-defined]
    chosen = _report(world, policy_number=number, loss_date="2025-06-01", loss_cause="fire")
    assert chosen.status_code == 201, chosen.text
    assert chosen.json()["intake_flags"][0]["code"] == FLAG
