"""A report's date of loss and coverage list are bounded (GEN-6): a date of loss after
today (Asia/Shanghai, from the app clock) or before 1900 is refused naming the field;
at most 20 coverage codes, duplicates dropped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1/claims"


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    # 28 Sep 2026 00:30 in Shanghai is still 27 Sep in UTC: "today" is the local day.
    FrozenClock(monkeypatch, local("2026-09-28T00:30:00").astimezone(dt.UTC))
    return build_world(db, client)


def _report(world: World, **changes: Any) -> Any:
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
    return world.client.post(API, json=payload, headers=world.h["handler"])


@pytest.mark.parametrize(
    ("loss_date", "code"),
    [
        ("2026-09-29", "loss_date_in_future"),
        ("9999-12-31", "loss_date_in_future"),
        ("1899-12-31", "loss_date_too_early"),
        ("0001-01-01", "loss_date_too_early"),
    ],
)
def test_a_date_of_loss_out_of_bounds_is_refused(world: World, loss_date: str, code: str) -> None:
    # SPEC GEN-6
    response = _report(world, loss_date=loss_date)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, "loss_date")
    assert "出险日期" in error["message"]


@pytest.mark.parametrize("loss_date", ["2026-09-28", "1900-01-01"])
def test_the_bounds_themselves_are_accepted(world: World, loss_date: str) -> None:
    # SPEC GEN-6: today (local) and 1900-01-01; a date before the policy is judged later
    assert _report(world, loss_date=loss_date).status_code == 201


def test_coverage_codes_are_bounded_and_deduplicated(world: World) -> None:
    # SPEC GEN-6: 1,100,000 entries used to be stored
    too_many = _report(world, coverage_codes=["x"] * 21)
    assert too_many.status_code == 422
    assert too_many.json()["error"]["field"] == "coverage_codes"
    plain = _report(world)
    assert plain.status_code == 201, plain.text
    first = plain.json()["coverage_codes"][0]
    doubled = _report(world, coverage_codes=[first, first, first])
    assert doubled.status_code == 201, doubled.text
    assert doubled.json()["coverage_codes"] == [first]
