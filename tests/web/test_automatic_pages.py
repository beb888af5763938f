"""Straight-through claims on the pages: the customer's e-bill sent from the portal is
paid by the automatic path and the portal says "paid automatically" with the amount, the
payment and the settlement notice; the staff claim page shows which rule set decided and,
for a claim sent to a person, why — in words; the customer never sees those reasons
(SPEC CLM-T1, CLM-T2, CLM-F2, CLM-F3)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.claims.automatic.helpers import (
    DAY,
    PAYABLE,
    RECEIPT,
    Setup,
    drain,
    report,
    small_policy,
    upload,
)
from tests.claims.helpers import FrozenClock, World, build_world, local


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local(f"{DAY}T10:00:00"))


@pytest.fixture
def setup(db: Session, world: World) -> Setup:
    return small_policy(db, world)


def _send_from_portal(world: World, cid: int, receipt: dict[str, Any]) -> None:
    sent = world.client.post(
        f"/portal/claims/{cid}/bills",
        files={"receipt_file": ("receipt.json", json.dumps(receipt).encode(), "application/json")},
        headers=world.h["customer"],
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text


def _e_bill_claim(world: World, clock: FrozenClock, setup: Setup, **receipt: Any) -> int:
    cid = report(world, clock, setup)
    clock.set(f"{DAY}T10:05:00")
    upload(world, cid)
    clock.set(f"{DAY}T10:10:00")
    _send_from_portal(world, cid, {**RECEIPT, **receipt})
    return cid


def test_portal_upload_then_paid_automatically(
    world: World,
    clock: FrozenClock,
    setup: Setup,
    session_factory: sessionmaker[Session],
) -> None:
    # SPEC CLM-T1, CLM-T2: the e-bill from the portal, the worker pays, the customer reads it
    cid = _e_bill_claim(world, clock, setup)
    before = world.client.get(f"/portal/claims/{cid}", headers=world.h["customer"])
    assert 'id="auto-paid"' not in before.text and 'id="ebill-count"' in before.text
    drain(session_factory)
    portal = world.client.get(f"/portal/claims/{cid}?lang=zh-CN", headers=world.h["customer"])
    section = portal.text.split('id="auto-paid"', 1)[1].split("</section>", 1)[0]
    assert "已自动赔付" in section and f"¥{PAYABLE}" in section
    assert "已发出付款指令" in section or "已汇入您的账户" in section
    assert f'href="/portal/claims/{cid}/notice"' in section
    english = world.client.get(f"/portal/claims/{cid}?lang=en", headers=world.h["customer"])
    assert "Your claim was paid automatically" in english.text
    # The settlement notice names the coverage as the product does, in the page's language:
    # the Chinese name while the product gives no English one, then the English one
    # (SPEC GEN-6, PRD-3, CLM-C3).
    notice = f"/portal/claims/{cid}/notice"
    heading = "<h3>{}</h3>"
    shown = world.client.get(f"{notice}?lang=en", headers=world.h["customer"]).text
    assert heading.format("门急诊医疗保险金") in shown
    from sqlalchemy import select

    from claimdesk.models.product import Coverage

    with session_factory() as named:
        for coverage in named.scalars(select(Coverage).where(Coverage.name == "门急诊医疗保险金")):
            coverage.name_en = "Outpatient medical benefit"
        named.commit()
    shown = world.client.get(f"{notice}?lang=en", headers=world.h["customer"]).text
    assert heading.format("Outpatient medical benefit") in shown
    shown = world.client.get(f"{notice}?lang=zh-CN", headers=world.h["customer"]).text
    assert heading.format("门急诊医疗保险金") in shown and "Outpatient" not in shown
    # Staff: which rule set decided, no reasons to give, the conditions that held
    staff = world.client.get(f"/claims/{cid}?lang=en", headers=world.h["supervisor"])
    block = staff.text.split('id="stp"', 1)[1].split("</section>", 1)[0]
    assert 'data-outcome="paid"' in block and "Paid automatically" in block
    assert "Decided by rule set" in block and "RS-" in block
    assert "¥5,000.00" in block and "5.0%" in block and "Medical expenses" in block
    assert 'id="auto-reasons-none"' in block


def test_referred_claim_shows_the_reasons_to_staff_only(
    world: World,
    clock: FrozenClock,
    setup: Setup,
    db: Session,
    session_factory: sessionmaker[Session],
) -> None:
    # SPEC CLM-T2, CLM-F2: over the automatic limit — a person decides, staff read why
    from claimdesk.auth.principal import Principal
    from claimdesk.thresholds import service as thresholds

    current = thresholds.in_force(db, at=local(f"{DAY}T09:00:00"))
    thresholds.create_version(
        db,
        actor=Principal.system("test"),
        values={name: getattr(current, name) for name in thresholds.AMOUNT_FIELDS},
        skip_survey_lines=sorted(current.skip_survey_lines),
        effective_from=None,
        reason="试点：自动赔付上限 500 元",
        automatic_max_amount=Decimal("500.00"),
    )
    db.commit()
    cid = _e_bill_claim(world, clock, setup)
    drain(session_factory)
    staff = world.client.get(f"/claims/{cid}?lang=zh-CN", headers=world.h["supervisor"])
    block = staff.text.split('id="stp"', 1)[1].split("</section>", 1)[0]
    assert 'data-outcome="referred"' in block and "已转人工处理" in block
    reasons = block.split('id="auto-reasons"', 1)[1].split("</ul>", 1)[0]
    assert "<li>" in reasons and "500" in reasons
    portal = world.client.get(f"/portal/claims/{cid}", headers=world.h["customer"])
    assert 'id="auto-paid"' not in portal.text and "auto-reasons" not in portal.text
