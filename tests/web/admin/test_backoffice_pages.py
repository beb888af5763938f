"""The back-office pages as their users read them (bug bash of 2026-12-07): sales,
products, checks, thresholds, fraud holds, users and the dashboards' exports — each test
names what a user met before the fix."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from claimdesk.auth.principal import Principal
from claimdesk.sales import service as sales
from tests.builders import login_headers, make_org_unit, make_user, seed_calendar

SYSTEM = Principal.system("test")


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    users = {}
    for name, roles in (
        ("admin", ["administrator"]),
        ("seller", ["sales_agent"]),
        ("fraud", ["fraud_investigator"]),
        ("auditor", ["compliance_auditor"]),
    ):
        users[name] = make_user(db, username=name, roles=roles, org_unit=hq)
    db.commit()
    return {"hq": hq, "users": users}


def _channel_and_org(db: Any, code: str = "DIRECT") -> tuple[Any, Any]:
    channel = sales.create_channel(
        db, actor=SYSTEM, code=code, name="直销团队", kind="direct_team", modes=["face_to_face"]
    )
    org = sales.create_organisation(db, actor=SYSTEM, name="北京直销部", channel_id=channel.id)
    return channel, org


# --- sales (SAL-1..SAL-3) ------------------------------------------------------------


def test_evaluations_are_paged(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC SAL-3
    # The page showed the latest 100 evaluations and stopped there, saying nothing.
    channel, _org = _channel_and_org(db)
    for day in range(51):
        sales.create_evaluation(
            db,
            actor=SYSTEM,
            method="survey",
            evaluated_on=dt.date(2026, 1, 1) + dt.timedelta(days=day),
            summary=f"评估 {day}",
            channel_id=channel.id,
        )
    db.commit()
    headers = login_headers(client, "auditor")
    first = client.get("/admin/sales/evaluations?lang=en", headers=headers)
    assert first.status_code == 200
    assert len(re.findall(r'<article id="evaluation-', first.text)) == 50
    assert 'id="pager-next"' in first.text and "of 51" in first.text
    second = client.get("/admin/sales/evaluations?lang=en&offset=50", headers=headers)
    assert len(re.findall(r'<article id="evaluation-', second.text)) == 1
    assert "评估 0" in second.text
