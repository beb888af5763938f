"""Security incident pages (SEC-7): the list with countdowns, the report form, the
incident page with the form of its stage, the time limits page; refusals in place with
nothing changed; a reporter who is not an administrator sees no stage forms."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.security_incident import SecurityIncident, SecurityIncidentTimeLimit
from tests.security.helpers import build_staff
from tests.web.helpers import form_token, staff_login

BASE = "/admin/security-incidents"


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(SecurityIncident)) or 0


def test_admin_reports_and_works_an_incident_through_the_pages(
    db: Session, client, monkeypatch
) -> None:  # SPEC SEC-7 GEN-6
    build_staff(db, client, monkeypatch, "2026-09-21 09:00")
    staff_login(client, "admin")

    home = client.get(BASE)
    assert home.status_code == 200
    assert 'href="/admin/security-incidents"' in home.text  # in the navigation
    assert "安全事件" in home.text and "暂无安全事件" in home.text

    # A bad form comes back with the message beside the field; nothing is saved.
    token = form_token(client, f"{BASE}/new")
    form = {
        "csrf_token": token,
        "title": "官网被篡改",
        "description": "首页出现非法内容",
        "severity": "",
        "affected_systems": "官网 www",
        "detected_at": "2026-09-21T08:40",
    }
    refused = client.post(BASE, data=form)
    assert refused.status_code == 422
    assert 'id="severity-error"' in refused.text and "severity" in refused.text
    assert 'value="官网被篡改"' in refused.text  # what was typed is kept
    assert _count(db) == 0

    created = client.post(BASE, data={**form, "severity": "high"}, follow_redirects=False)
    assert created.status_code == 303
    path = created.headers["location"]
    page = client.get(path)
    assert "SI202609210001" in page.text and 'id="form-containment"' in page.text
    assert "发现后报告" in page.text and "事件控制" in page.text  # the clocks

    listing = client.get(BASE)
    assert "SI202609210001" in listing.text
    # high: containment within 8 h of the 09:00 report → 17:00, 8 h left.
    assert "2026年9月21日 17:00" in listing.text and "剩余 8 小时 0 分钟" in listing.text
    rows = client.get(f"{BASE}/rows")
    assert rows.text.lstrip().startswith("<tbody") and 'hx-trigger="every 60s"' in rows.text

    token = form_token(client, path)
    client.post(
        f"{path}/containment-actions",
        data={
            "csrf_token": token,
            "kind": "isolate",
            "description": "下线官网",
            "performed_at": "",
        },
    )
    contained = client.post(f"{path}/contain", data={"csrf_token": token}, follow_redirects=False)
    assert contained.status_code == 303
    page = client.get(path)
    assert 'id="form-root-cause"' in page.text and "下线官网" in page.text

    # Root cause without its category: refused in place, state unchanged.
    refused = client.post(
        f"{path}/root-cause", data={"csrf_token": token, "category": "", "root_cause": "弱口令"}
    )
    assert refused.status_code == 422 and 'id="category-error"' in refused.text
    db.expire_all()
    assert db.scalars(select(SecurityIncident.state)).one() == "contained"


def test_time_limits_page_shows_defaults_and_saves_a_change(
    db: Session, client, monkeypatch
) -> None:  # SPEC SEC-7
    build_staff(db, client, monkeypatch, "2026-09-21 09:00")
    staff_login(client, "admin")
    page = client.get(f"{BASE}/time-limits")
    assert page.status_code == 200
    cell = re.search(r'data-limit="critical-contain">([^<]*)', page.text)
    assert cell and cell.group(1).strip() == "2 小时"
    token = form_token(client, f"{BASE}/time-limits")
    form = {"csrf_token": token, "severity": "critical", "stage": "contain", "rule_type": "hours"}
    refused = client.post(f"{BASE}/time-limits", data={**form, "n": "zero"})
    assert refused.status_code == 422 and 'id="n-error"' in refused.text
    assert db.scalar(select(func.count()).select_from(SecurityIncidentTimeLimit)) == 0
    saved = client.post(f"{BASE}/time-limits", data={**form, "n": "3"}, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(f"{BASE}/time-limits?lang=en")
    cell = re.search(r'data-limit="critical-contain">([^<]*)', page.text)
    assert cell and cell.group(1).strip() == "3 hours"
    assert "default: 2 hours" in page.text


def test_a_reporter_sees_own_incidents_and_no_stage_forms(
    db: Session, client, monkeypatch
) -> None:  # SPEC SEC-7 SEC-4
    staff = build_staff(db, client, monkeypatch, "2026-09-21 09:00")
    from tests.security.helpers import API, incident_body, ok

    theirs = ok(client.post(API, json=incident_body(), headers=staff.h["admin"]), 201)["id"]
    mine = ok(
        client.post(API, json=incident_body(title="U盘遗失"), headers=staff.h["surveyor"]), 201
    )
    staff_login(client, "surveyor")
    listing = client.get(f"{BASE}?lang=en")
    assert listing.status_code == 200 and "Security incidents" in listing.text
    assert mine["number"] in listing.text and "SI202609210001" not in listing.text
    assert 'href="/admin/security-incidents/time-limits"' not in listing.text
    own = client.get(f"{BASE}/{mine['id']}")
    assert own.status_code == 200 and "U盘遗失" in own.text
    assert 'id="form-containment"' not in own.text and 'id="form-contain"' not in own.text
    assert client.get(f"{BASE}/{theirs}").status_code == 404
    assert client.get(f"{BASE}/time-limits").status_code == 403
    token = form_token(client, f"{BASE}/{mine['id']}")
    refused = client.post(f"{BASE}/{mine['id']}/contain", data={"csrf_token": token})
    assert refused.status_code == 403
    db.expire_all()
    assert db.get(SecurityIncident, mine["id"]).state == "reported"  # type: ignore[union-attr]


def test_every_code_label_of_the_pages_is_translated() -> None:
    # SPEC SEC-7 GEN-6: codes shown by these pages (severity, state, stage, kind ...)
    # are translated like every other label (test_i18n reads templates and _() calls).
    from claimdesk.i18n import reload_translations, translations
    from claimdesk.security import limits, service, workflow
    from claimdesk.web.admin.security import LABELS

    reload_translations()
    catalogue = translations("zh-CN")
    codes = (
        *limits.SEVERITIES,
        *limits.STAGES,
        *workflow.STATES,
        *service.CONTAINMENT_KINDS,
        *service.ROOT_CAUSE_CATEGORIES,
        *service.REVIEW_OUTCOMES,
        *(limits.clock_name(stage) for stage in limits.STAGES),
        "rework",
    )
    assert [c for c in codes if c not in LABELS] == []
    assert [m for m in LABELS.values() if catalogue.gettext(m) == m] == []
