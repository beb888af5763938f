"""The demo loader: one login per role, idempotent (SPEC section 7, SEC-8)."""

from __future__ import annotations

from sqlalchemy import func, select

from claimdesk.auth.permissions import Role
from claimdesk.models.audit import AuditEntry
from claimdesk.models.org import OrgUnit
from claimdesk.models.user import User
from claimdesk.ops.demo import DEMO_PASSWORD, format_logins, load_demo


def _counts(db) -> tuple[int, int, int]:
    db.commit()
    return (
        db.scalar(select(func.count()).select_from(User)) or 0,
        db.scalar(select(func.count()).select_from(OrgUnit)) or 0,
        db.scalar(select(func.count()).select_from(AuditEntry)) or 0,
    )


def test_demo_covers_every_staff_role_and_branch(db):  # SPEC section 7
    result = load_demo(db)
    roles = {login.role for login in result.logins}
    assert set(Role) - {Role.CUSTOMER} <= roles
    assert {u.code for u in db.scalars(select(OrgUnit))} == {"HQ", "BJ", "SH", "GD"}
    surveyors = {login.org_code for login in result.logins if login.role is Role.SURVEYOR}
    assessors = {login.org_code for login in result.logins if login.role is Role.ASSESSOR}
    assert surveyors == assessors == {"BJ", "SH", "GD"}
    # Customers are linked to the first demo people (SPEC SEC-4: they see only their own).
    customers = db.scalars(select(User).where(User.username.in_(["customer1", "customer2"]))).all()
    assert len(customers) == 2 and all(c.person_id for c in customers)
    assert len({c.person_id for c in customers}) == 2
    # SPEC GEN-6: a customer's login is named as the person (the header shows it in any
    # language), not "客户 customer1".
    from claimdesk.models.person import Person

    for c in customers:
        assert c.display_name == db.get(Person, c.person_id).name
        assert c.username not in c.display_name
    table = "\n".join(format_logins(result.logins))
    assert "理赔专员 / Claims handler" in table and DEMO_PASSWORD in table


def test_demo_is_idempotent(db):  # SPEC section 7
    load_demo(db)
    before = _counts(db)
    second = load_demo(db)
    assert second.created_users == [] and second.created_units == []
    assert _counts(db) == before


def test_demo_login_works(db, client):  # SPEC SEC-8
    load_demo(db)
    db.commit()
    response = client.post(
        "/api/v1/auth/token", json={"username": "admin", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200


def test_demo_command_twice(fresh_db_url, monkeypatch):  # SPEC section 7
    from typer.testing import CliRunner

    from claimdesk.cli import app
    from claimdesk.config import reset_settings_cache
    from claimdesk.db import reset_engine_cache

    monkeypatch.setenv("CLAIMDESK_DATABASE_URL", fresh_db_url)
    reset_settings_cache()
    reset_engine_cache()
    try:
        runner = CliRunner()
        first = runner.invoke(app, ["demo", "--no-serve"])
        assert first.exit_code == 0, first.output
        assert "Serving on http://127.0.0.1:8000" in first.output.splitlines()[-1]
        assert "surveyor.gd" in first.output and "查勘员 / Surveyor" in first.output
        # Plain `demo` loads and returns (make run's own serve line starts the server).
        second = runner.invoke(app, ["demo"])
        assert second.exit_code == 0, second.output
        assert "created: 0 org units, 0 users" in second.output
    finally:
        monkeypatch.delenv("CLAIMDESK_DATABASE_URL")
        reset_settings_cache()
        reset_engine_cache()


def test_demo_has_one_security_incident_to_work_through(db):  # SPEC SEC-7
    from claimdesk.models.security_incident import SecurityIncident

    load_demo(db)
    load_demo(db)
    incidents = db.scalars(select(SecurityIncident)).all()
    assert [(i.state, i.severity, i.personal_data_involved) for i in incidents] == [
        ("reported", "high", True)
    ]


def test_demo_staff_names_carry_no_job_title():
    # SPEC GEN-6: a staff member's display name is shown as it is on every page, English
    # ones too; a title written into it ("理赔专员 张伟") read Chinese there. The role is
    # said by the catalogue (ROLE_LABELS) in the page's language.
    from claimdesk.auth.permissions import ROLE_LABELS
    from claimdesk.ops.demo import DEMO_STAFF

    titles = {zh for zh, _en in ROLE_LABELS.values()} | {"理赔主管", "部门经理", "财务", "客服"}
    for _username, _role, _unit, name in DEMO_STAFF:
        assert " " not in name and "（" not in name, name
        assert not any(title in name for title in titles), name


def test_demo_units_and_sales_structure_have_english_names(db):  # SPEC GEN-6
    # English pages name the demo's branches and sales teams in English (migration 0056);
    # a demo database loaded before units had English names gets them on the next load
    from claimdesk.models.sales import SalesChannel, SalesOrganisation

    load_demo(db)
    names = {u.code: u.name_en for u in db.scalars(select(OrgUnit))}
    assert names == {
        "HQ": "Head office",
        "BJ": "Beijing branch",
        "SH": "Shanghai branch",
        "GD": "Guangdong branch",
    }
    assert all(c.name_en for c in db.scalars(select(SalesChannel)))
    assert all(o.name_en for o in db.scalars(select(SalesOrganisation)))
    bj = db.scalars(select(OrgUnit).where(OrgUnit.code == "BJ")).one()
    bj.name_en = None
    db.commit()
    load_demo(db)
    db.refresh(bj)
    assert bj.name_en == "Beijing branch"
