"""Acts that one click did for good ask for a confirmation first, as publishing a product
version does: deactivating a user (they can no longer log in, their sessions end) and
closing a mass event (CLM-Z2: a closed event stays closed). Without the tick the page
says why, in zh-CN and English, beside the box, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.event import MassEvent
from claimdesk.models.user import User
from tests.builders import login_headers, make_org_unit, make_user, seed_calendar


@pytest.fixture
def staff(db: Session) -> dict[str, Any]:
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    users = {
        name: make_user(db, username=name, roles=roles, org_unit=hq)
        for name, roles in (
            ("admin", ["administrator"]),
            ("rev1", ["reviewer_1"]),
            ("surv", ["surveyor"]),
        )
    }
    db.commit()
    return users


def _audit_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_deactivating_a_user_asks_for_a_confirmation(db: Session, client, staff) -> None:  # type: ignore[no-untyped-def]
    # SPEC SEC-4, GEN-6: one click locked a colleague out; now the box is ticked first
    admin = login_headers(client, "admin")
    surveyor = staff["surv"]
    page = client.get(f"/admin/users/{surveyor.id}", headers=admin)
    assert 'id="status-confirm"' in page.text and 'name="confirm"' in page.text
    audits = _audit_count(db)
    address = f"/admin/users/{surveyor.id}/deactivate"
    chinese = client.post(f"{address}?lang=zh-CN", data={"reason": "离职"}, headers=admin)
    assert chinese.status_code == 422, chinese.text[:500]
    assert "请勾选确认后再停用" in chinese.text
    assert 'aria-describedby="status-refused"' in chinese.text
    english = client.post(f"{address}?lang=en", data={"reason": "离职"}, headers=admin)
    assert english.status_code == 422
    assert "Tick the confirmation to deactivate" in english.text
    assert 'value="离职"' in english.text  # the reason typed is kept
    db.expire_all()
    assert db.get(User, surveyor.id).is_active  # type: ignore[union-attr]
    assert _audit_count(db) == audits
    # A missing reason is still named first, as the API names it.
    no_reason = client.post(f"{address}?lang=en", data={"confirm": "yes"}, headers=admin)
    assert no_reason.status_code == 422 and "Reason" in no_reason.text
    confirmed = client.post(
        address, data={"reason": "离职", "confirm": "yes"}, headers=admin, follow_redirects=False
    )
    assert confirmed.status_code == 303, confirmed.text[:500]
    db.expire_all()
    assert not db.get(User, surveyor.id).is_active  # type: ignore[union-attr]
    # Reactivating asks for no confirmation (nothing is lost) and shows no box.
    again = client.get(f"/admin/users/{surveyor.id}", headers=admin)
    assert 'id="status-confirm"' not in again.text
    back = client.post(
        f"/admin/users/{surveyor.id}/reactivate",
        data={"reason": "返聘"},
        headers=admin,
        follow_redirects=False,
    )
    assert back.status_code == 303


def _event(client, headers: dict[str, str]) -> int:  # type: ignore[no-untyped-def]
    made = client.post(
        "/admin/events",
        data={
            "name": "台风“海燕”",
            "event_type": "typhoon",
            "region": "浙江",
            "starts_on": "2026-09-01",
            "ends_on": "",
            "guide_zh": "请拨打热线",
            "guide_en": "Call the hotline",
        },
        headers=headers,
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text[:500]
    return int(made.headers["location"].rsplit("/", 1)[1])


def test_closing_a_mass_event_asks_for_a_confirmation(db: Session, client, staff) -> None:  # type: ignore[no-untyped-def]
    # SPEC CLM-Z2, GEN-6: a closed event stays closed; one click did it
    rev = login_headers(client, "rev1")
    event_id = _event(client, rev)
    page = client.get(f"/admin/events/{event_id}", headers=rev)
    assert 'id="close-confirm"' in page.text
    audits = _audit_count(db)
    address = f"/admin/events/{event_id}/close"
    chinese = client.post(f"{address}?lang=zh-CN", data={"reason": "灾情结束"}, headers=rev)
    assert chinese.status_code == 422, chinese.text[:500]
    assert 'id="close-refused"' in chinese.text and "请勾选确认后再关闭" in chinese.text
    english = client.post(f"{address}?lang=en", data={"reason": "灾情结束"}, headers=rev)
    assert english.status_code == 422
    assert "Tick the confirmation to close the event" in english.text
    assert "灾情结束" in english.text  # the reason typed is kept
    db.expire_all()
    event = db.get(MassEvent, event_id)
    assert event is not None and event.status == "active" and event.closed_at is None
    assert _audit_count(db) == audits
    confirmed = client.post(
        address, data={"reason": "灾情结束", "confirm": "yes"}, headers=rev, follow_redirects=False
    )
    assert confirmed.status_code == 303, confirmed.text[:500]
    db.expire_all()
    assert db.get(MassEvent, event_id).status == "closed"  # type: ignore[union-attr]
    # A second close is refused and, before, showed nothing on the page: now it says why.
    twice = client.post(
        f"{address}?lang=en", data={"reason": "再关", "confirm": "yes"}, headers=rev
    )
    assert twice.status_code == 409 and 'id="close-refused"' in twice.text
