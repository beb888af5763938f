"""A check's reason stored before its words were fixed (b2d155a) says its days ISO —
"日期 2026-03-01（就诊）在保险期间之外" — and so do the holds and referrals written from it.
What a person reads says them as people write them, at display time (SPEC GEN-2, CLM-F3):
the claim page's flags, the fraud holds list and the API's hit texts; the evidence keeps
ISO days for programs. A receipt number that merely looks like a day is left alone."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.formatting import dates_as_written
from claimdesk.models.check import CheckHit
from claimdesk.models.claim import Claim, FraudFlag
from tests.claims.helpers import FrozenClock, World, build_world, claim_in_state, local
from tests.web.claims.claim_pages import ClaimPages

OLD_ZH = "日期 2026-03-01（就诊）在保险期间之外（2026-04-01～2027-03-31，等待期 30 天）"
OLD_EN = (
    "date 2026-03-01 (treatment) is outside the policy period (2026-04-01 to 2027-03-31, "
    "waiting period 30 days)"
)
NEW_ZH = "日期 2026年3月1日（就诊）在保险期间之外（2026年4月1日～2027年3月31日，等待期 30 天）"
NEW_EN = (
    "date 1 Mar 2026 (treatment) is outside the policy period (1 Apr 2026 to 31 Mar 2027, "
    "waiting period 30 days)"
)


def test_the_days_of_a_stored_text_are_written_as_people_write_them() -> None:
    # SPEC GEN-2
    assert dates_as_written(OLD_ZH, "zh-CN") == NEW_ZH
    assert dates_as_written(OLD_EN, "en") == NEW_EN
    assert dates_as_written(NEW_ZH, "zh-CN") == NEW_ZH  # a text already right is kept
    # Not a day: a longer number, a date that does not exist.
    assert dates_as_written("票据 2026-03-01-0042", "zh-CN") == "票据 2026-03-01-0042"
    assert dates_as_written("2026-02-30", "en") == "2026-02-30"


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    w = build_world(db, client)
    return w


def _held_by_an_old_hit(db: Session, w: World) -> int:
    cid = claim_in_state(db, w, "suspended")
    flag = FraudFlag(
        claim_id=cid,
        source="rule",
        rule_code="check:outside_period",
        description=f"{OLD_ZH} / {OLD_EN}",
        flagged_at=local("2026-09-29T09:00:00"),
    )
    db.add(flag)
    db.flush()
    db.add(
        CheckHit(
            claim_id=cid,
            check_code="outside_period",
            config_version=1,
            action="hold",
            reason_zh=OLD_ZH,
            reason_en=OLD_EN,
            evidence={"date": "2026-03-01", "period_start": "2026-04-01"},
            finding_key="outside_period:old",
            data_version="old",
            found_at=dt.datetime(2026, 9, 29, 1, 0, tzinfo=dt.UTC),
            fraud_flag_id=flag.id,
        )
    )
    db.get_one(Claim, cid).investigator_id = w.users["investigator"]
    db.commit()
    return cid


def test_a_hold_stored_with_iso_days_reads_as_people_write_them(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC GEN-2 CLM-F3 CLM-F1
    cid = _held_by_an_old_hit(db, world)
    web = ClaimPages(client, db)
    web.login("investigator")
    page = web.page(cid)
    assert NEW_ZH in page and "2026-03-01" not in page
    holds = client.get("/admin/fraud-holds").text
    assert NEW_ZH in holds and "2026-03-01" not in holds
    english = client.get(f"/claims/{cid}?lang=en").text
    assert NEW_EN in english and "2026-03-01" not in english
    hits = client.get(f"/api/v1/claims/{cid}/check-hits", headers=world.h["investigator"])
    assert hits.status_code == 200, hits.text
    (hit,) = hits.json()
    assert (hit["reason_zh"], hit["reason_en"]) == (NEW_ZH, NEW_EN)
    assert hit["evidence"]["date"] == "2026-03-01"  # for programs, as stored
