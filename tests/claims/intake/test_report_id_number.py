"""A report found by the insured's ID number checks the number first (CLM-R2, POL-1:
GB 11643 — 18 characters, a real birth date, the check digit): a typing error is named
as such, beside the field, and nothing is looked up; several policies found are listed
to choose from."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.intake import report
from claimdesk.errors import InvalidIdNumber
from claimdesk.models.audit import AuditEntry
from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1/claims"


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-28T10:00:00").astimezone(dt.UTC))
    return build_world(db, client)


def _report(world: World, **changes: Any) -> Any:
    payload = {
        "channel": "hotline",
        "claimant_name": "李四",
        "loss_date": "2026-09-27",
        "loss_place": "北京",
        "loss_cause": "illness",
        "loss_overview": "报案",
        **changes,
    }
    return world.client.post(API, json=payload, headers=world.h["handler"])


def _lookups(db: Session) -> int:
    return len([a for a in db.scalars(select(AuditEntry.action)) if "lookup" in a])


@pytest.mark.parametrize(
    ("number", "zh", "en"),
    [
        ("1234567", "应为 18 位，实际 7 位", "18 characters"),
        ("11010119850312456A", "末位应为数字或 X", "digit or X"),
        ("110101198502304561", "出生日期 19850230 不是有效日期", "not a valid date"),
    ],
)
def test_a_number_failing_gb_11643_is_named_before_any_look_up(
    world: World, db: Session, number: str, zh: str, en: str
) -> None:
    # SPEC CLM-R2, POL-1 (GB 11643), GEN-6 (field and rule named, nothing written)
    before = _lookups(db)
    response = _report(world, insured_id_number=number)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_id_number", "insured_id_number")
    assert zh in error["message"] and "找不到" not in error["message"]
    with pytest.raises(InvalidIdNumber) as refused:
        report.policies_for_report(
            db, actor=Principal.system("test"), id_number=number, loss_date=dt.date(2026, 9, 27)
        )
    assert en in refused.value.message("en") and refused.value.field == "insured_id_number"
    assert _lookups(db) == before  # no look-up (and no audited read) for a bad number


def test_a_wrong_check_digit_says_so(world: World) -> None:
    # SPEC POL-1 (the check digit of GB 11643), CLM-R2
    good = world.insured_id_number
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    error = _report(world, insured_id_number=wrong).json()["error"]
    assert error["field"] == "insured_id_number"
    assert f"校验码错误（应为 {good[17]}）" in error["message"]


def test_several_policies_are_listed_to_choose_from(world: World, db: Session) -> None:
    # SPEC CLM-R2 (found by the insured's ID number and the date of loss)
    found = report.policies_for_report(
        db,
        actor=Principal.system("test"),
        id_number=world.insured_id_number,
        loss_date=dt.date(2026, 9, 27),
    )
    numbers = sorted(p.number for p in world.policies.values())  # type: ignore[attr-defined]
    assert [p.number for p in found] == numbers
    # The API, which cannot show a list, asks for the number instead of guessing.
    error = _report(world, insured_id_number=world.insured_id_number).json()["error"]
    assert (error["code"], error["field"]) == ("policy_ambiguous", "insured_id_number")


def test_the_check_runs_in_the_service_too(world: World, db: Session) -> None:
    # SPEC POL-1, GEN-6: every caller of the look-up gets the check, not only the API
    with pytest.raises(InvalidIdNumber) as refused:
        report.policies_for_report(
            db, actor=Principal.system("test"), id_number="12345", loss_date=dt.date(2026, 9, 27)
        )
    assert refused.value.field == "insured_id_number"
