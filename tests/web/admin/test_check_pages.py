"""The automatic checks page: each check's settings in words; an administrator turns a
check off, switches hold and refer, changes its thresholds — a new version, audited —
and a refusal is said beside its field with nothing written (SPEC CLM-F3, CLM-F1, GEN-5,
GEN-6)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.checks import service
from claimdesk.models.audit import AuditEntry
from claimdesk.models.check import CheckConfigVersion
from claimdesk.rules.checks.rules import RULES
from claimdesk.web.admin.checks import _parameter
from tests.builders import login_headers, make_user
from tests.claims.helpers import FrozenClock, World, build_world, local

PAGE = "/admin/checks"


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-06-10T10:00:00"))
    w = build_world(db, client)
    make_user(db, username="admin", roles=["administrator"])
    db.commit()
    w.h["admin"] = login_headers(client, "admin")
    return w


def _current(db: Session, code: str) -> CheckConfigVersion:
    db.expire_all()
    return next(row for row in service.configs(db) if row.code == code)


def test_every_check_in_words_and_the_form_for_administrators(world: World) -> None:
    # SPEC CLM-F3: every check named, on/off, hold or refer, its thresholds
    page = world.client.get(f"{PAGE}?lang=en", headers=world.h["admin"])
    assert page.status_code == 200, page.text
    for title in (
        "Duplicate receipt",
        "Claim soon after the start",
        "Amount far outside the usual",
    ):
        assert title in page.text
    assert "Send it to a person with the reason" in page.text
    assert (
        'id="form-early_claim"' in page.text and 'data-param="days_after_waiting">60<' in page.text
    )
    zh = world.client.get(f"{PAGE}?lang=zh-CN", headers=world.h["admin"]).text
    assert "重复票据" in zh and "等待期结束后天数" in zh and "转人工处理" in zh
    main = zh.split("<main", 1)[1]
    assert "初始设置" in main and "CLM-" not in main and "defaults" not in main
    # A tier-1 reviewer reads the checks but gets no form (CLM-F2)
    reviewer = world.client.get(PAGE, headers=world.h["supervisor"])
    assert (
        reviewer.status_code == 200
        and '<form method="post" action="/admin/checks' not in reviewer.text
    )
    assert world.client.get(PAGE, headers=world.h["handler"]).status_code == 403


def test_administrator_switches_a_check_to_hold_and_changes_its_threshold(
    world: World, db: Session
) -> None:
    # SPEC CLM-F3, CLM-F1: a new version with the action and the threshold, audited
    response = world.client.post(
        f"{PAGE}/early_claim",
        data={
            "enabled": "on",
            "action": "hold",
            "days_after_waiting": "45",
            "reason": "新产品观察期",
        },
        headers=world.h["admin"],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    row = _current(db, "early_claim")
    # Version 1 seeded by 0025, 2 written by 0032 (the window from the waiting period's end);
    # a parameter left out of the form keeps its default.
    wanted = {"days_after_waiting": 45, "amount_ratio": "1.5", "min_samples": 10}
    assert (row.version, row.action, row.enabled, row.parameters) == (3, "hold", True, wanted)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "check.config_changed")).one()
    assert entry.reason == "新产品观察期"
    details = entry.details if isinstance(entry.details, dict) else json.loads(entry.details)
    assert details["before"]["parameters"] == {**wanted, "days_after_waiting": 60}
    page = world.client.get(f"{PAGE}?lang=en&saved=early_claim", headers=world.h["admin"]).text
    assert 'id="check-saved"' in page and "Earlier versions (2)" in page


def test_administrator_turns_a_check_off_and_sets_a_list(world: World, db: Session) -> None:
    # SPEC CLM-F3: off is a version too; a list of limits is typed comma-separated
    off = world.client.post(
        f"{PAGE}/just_under_limit",
        data={"action": "refer", "limits": "5000， 20000", "reason": "调整限额"},
        headers=world.h["admin"],
        follow_redirects=False,
    )
    assert off.status_code == 303, off.text
    row = _current(db, "just_under_limit")
    assert row.enabled is False and row.parameters["limits"] == ["5000", "20000"]
    page = world.client.get(f"{PAGE}?lang=en", headers=world.h["admin"]).text
    assert 'id="check-just_under_limit"' in page
    assert (
        page.split('id="check-just_under_limit"', 1)[1].split(">", 1)[0].count('data-enabled="off"')
        == 1
    )


@pytest.mark.parametrize(
    ("data", "field", "words_en", "words_zh"),
    [
        (
            {"days_after_waiting": "0"},
            "days_after_waiting",
            "Days after the waiting period must be between 1 and 730",
            "等待期结束后天数须在",
        ),
        ({"days_after_waiting": "3.5"}, "days_after_waiting", "whole number", "整数"),
        ({"reason": "x"}, "reason", "Reason for the change", "修改原因"),
    ],
)
def test_refusal_beside_its_field(
    world: World, db: Session, data: dict[str, str], field: str, words_en: str, words_zh: str
) -> None:
    # SPEC CLM-F3, GEN-6: named in words, no code, nothing written
    form = {
        "enabled": "on",
        "action": "refer",
        "days_after_waiting": "30",
        "reason": "观察期调整",
        **data,
    }
    for lang, words in (("en", words_en), ("zh-CN", words_zh)):
        refused = world.client.post(
            f"{PAGE}/early_claim?lang={lang}", data=form, headers=world.h["admin"]
        )
        assert refused.status_code == 422, refused.text
        shown = refused.text.split(f'id="early_claim-{field}-error"', 1)[1].split("</p>", 1)[0]
        assert words in shown, shown
        assert "early_claim" not in shown and "parameters." not in shown
    assert _current(db, "early_claim").version == 2  # 0025's seed, 0032's new version
    assert (
        world.client.post(f"{PAGE}/no_such_check", data=form, headers=world.h["admin"]).status_code
        == 404
    )


def test_a_list_reads_as_the_language_lists_it_and_is_read_back(world: World, db: Session) -> None:
    # SPEC GEN-4 GEN-6 CLM-F3: 5000、10000 in Chinese, "5000, 10000" in English; the
    # Chinese form's value sent back unchanged is understood
    zh = world.client.get(f"{PAGE}?lang=zh-CN", headers=world.h["admin"]).text
    assert 'data-param="limits">5000、10000<' in zh
    en = world.client.get(f"{PAGE}?lang=en", headers=world.h["admin"]).text
    assert 'data-param="limits">5000, 10000<' in en
    limits = next(p for p in RULES["just_under_limit"].params if p.name == "limits")
    assert _parameter(limits, "5000、10000") == ["5000", "10000"]
    assert _parameter(limits, "5000, 10000") == ["5000", "10000"]
