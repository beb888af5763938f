"""Management pages of web engineer C (products, policies, sales, fraud holds, mass
events, users and org units, the holiday calendar, thresholds): who may open them, each
form's happy path through the same services as the API, and a refusal shown in place
with nothing changed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from claimdesk.models.policy import Policy, PolicyChange
from claimdesk.models.product import ProductVersion
from tests.builders import (
    demo_version,
    issue_policy,
    login_headers,
    make_org_unit,
    make_person,
    make_user,
    seed_calendar,
)
from tests.web.helpers import change_through_pages


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    person = make_person(db)
    users = {}
    for name, roles in (
        ("admin", ["administrator"]),
        ("agent", ["service_agent"]),
        ("agent2", ["service_agent"]),
        ("seller", ["sales_agent"]),
        ("surv", ["surveyor"]),
        ("fraud", ["fraud_investigator"]),
        ("rev1", ["reviewer_1"]),
        ("auditor", ["compliance_auditor"]),
    ):
        users[name] = make_user(db, username=name, roles=roles, org_unit=hq)
    make_user(db, username="cust", roles=["customer"], person_id=person.id)
    db.commit()
    return {"hq": hq, "person": person, "users": users}


def _register_agent(db: Any, user: Any, *, until: str = "2099-12-31") -> Any:
    # Until 2099, not 2030: the pages sell from today's date, whatever it is (GEN-3).
    import datetime as dt

    from claimdesk.auth.principal import Principal
    from claimdesk.sales import service as sales

    system = Principal.system("test")
    channel = sales.create_channel(
        db,
        actor=system,
        code=f"CH-{user.id}",
        name="直销",
        kind="direct_team",
        modes=["face_to_face"],
    )
    org = sales.create_organisation(db, actor=system, name="直销团队", channel_id=channel.id)
    return sales.register_agent(
        db,
        actor=system,
        user_id=user.id,
        organisation_id=org.id,
        licence_number=f"LIC-{user.id}",
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date.fromisoformat(until),
    )


def _ok(client: Any, path: str, who: str) -> Any:
    response = client.get(path, headers=login_headers(client, who))
    assert response.status_code == 200, (path, who, response.text[:500])
    return response


def _refused(client: Any, path: str, who: str) -> None:
    response = client.get(path, headers=login_headers(client, who))
    assert response.status_code == 403, (path, who, response.status_code)


# --- products (PRD-1, PRD-2) ---------------------------------------------------------


def test_product_pages_roles_and_lifecycle(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC PRD-1, PRD-2, SEC-4
    admin = login_headers(client, "admin")
    created = client.post(
        "/admin/products",
        data={"code": "TEST-MED", "name": "测试医疗", "line": "health", "for_adults": "1"},
        headers=admin,
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    product_id = int(created.headers["location"].rsplit("/", 1)[1])
    for who in ("admin", "agent", "surv"):
        _ok(client, "/admin/products", who)
        _ok(client, f"/admin/products/{product_id}", who)
    _refused(client, "/admin/products", "cust")
    # a surveyor reads but may not create
    assert (
        client.post(
            "/admin/products",
            data={"code": "X1", "name": "x", "line": "health"},
            headers=login_headers(client, "surv"),
        ).status_code
        == 403
    )

    assert (
        'id="form-new-version"' in client.get(f"/admin/products/{product_id}", headers=admin).text
    )
    drafted = client.post(
        f"/admin/products/{product_id}/versions", headers=admin, follow_redirects=False
    )
    assert drafted.status_code == 303
    version = db.query(ProductVersion).filter_by(product_id=product_id).one()
    page = _ok(client, f"/admin/products/{product_id}/versions/{version.id}?lang=en", "admin")
    assert 'id="problems"' in page.text and 'id="form-publish"' in page.text
    # publishing an empty draft is refused and every missing element is listed in place
    refused = client.post(
        f"/admin/products/{product_id}/versions/{version.id}/publish?lang=en", headers=admin
    )
    assert refused.status_code == 422
    box = refused.text.split('id="publish-error"', 1)[1].split("</div>", 1)[0]
    for field in (
        "insured_liabilities",
        "exclusions",
        "sum_insured",
        "period_months",
        "premium_rate",
    ):
        assert field in box, field
    db.expire_all()
    assert db.get(ProductVersion, version.id).status == "draft"


def bad_terms_message(text: str) -> str:
    found = re.search(r'id="terms-error"[^>]*>([^<]*)<', text)
    assert found is not None, text[:500]
    return found.group(1)


def test_product_draft_edit_and_publish(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC PRD-1, PRD-3, PRD-5
    published = demo_version(db)
    db.commit()
    admin = login_headers(client, "admin")
    product_id = published.product_id
    new = client.post(
        f"/admin/products/{product_id}/versions", headers=admin, follow_redirects=False
    )
    assert new.status_code == 303
    draft_id = int(new.headers["location"].rsplit("/", 1)[1])
    page = client.get(new.headers["location"], headers=admin)
    form = dict(re.findall(r'<input id="f-(\w+)" name="\w+" type="\w+" value="([^"]*)"', page.text))
    coverages = re.search(r'<textarea id="f-coverages"[^>]*>([^<]*)</textarea>', page.text)
    assert coverages is not None
    import html

    fields = {
        "effective_date": "",
        "insured_liabilities": "住院医疗费用",
        "exclusions": "既往症",
        "sum_insured": form["sum_insured"],
        "period_months": form["period_months"],
        "premium_rate": form["premium_rate"],
        "refund_rule": "pro_rata_days",
        "terms": "免赔额: 您先自己承担的部分",
        "coverages": html.unescape(coverages.group(1)),
    }
    bad = client.post(
        f"/admin/products/{product_id}/versions/{draft_id}/edit",
        data={**fields, "sum_insured": "-5"},
        headers=admin,
    )
    assert bad.status_code == 422 and 'id="sum_insured-error"' in bad.text
    bad_terms = client.post(
        f"/admin/products/{product_id}/versions/{draft_id}/edit",
        data={**fields, "terms": "no colon here"},
        headers=admin,
    )
    assert bad_terms.status_code == 422 and 'id="terms-error"' in bad_terms.text
    saved = client.post(
        f"/admin/products/{product_id}/versions/{draft_id}/edit",
        data=fields,
        headers=admin,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    shown = client.get(f"/admin/products/{product_id}/versions/{draft_id}", headers=admin)
    assert "您先自己承担的部分" in shown.text and 'id="compliant"' in shown.text
    # SPEC GEN-6: the editor is filled in the page's punctuation — 免赔额：… on a Chinese
    # page (never an ASCII colon in Chinese text), "term: explanation" on an English one;
    # the line is read back either way.
    terms = re.compile(r'<textarea id="f-terms"[^>]*>([^<]*)</textarea>')
    found = terms.search(shown.text)
    assert found is not None and found.group(1) == "免赔额：您先自己承担的部分"
    english = client.get(f"/admin/products/{product_id}/versions/{draft_id}?lang=en", headers=admin)
    found = terms.search(english.text)
    assert found is not None and found.group(1) == "免赔额: 您先自己承担的部分"
    assert "每行一条：术语：解释" not in shown.text  # the label does not stack two colons
    again = client.post(
        f"/admin/products/{product_id}/versions/{draft_id}/edit",
        data={**fields, "terms": "免赔额：您先自己承担的部分", "regions": "110000，310000、440000"},
        headers=admin,
        follow_redirects=False,
    )
    assert again.status_code == 303, again.text
    # (?lang=en above was remembered in the language cookie: back to Chinese)
    shown = client.get(
        f"/admin/products/{product_id}/versions/{draft_id}?lang=zh-CN", headers=admin
    )
    found = terms.search(shown.text)
    assert found is not None and found.group(1) == "免赔额：您先自己承担的部分"
    # Codes typed with Chinese commas are three codes, listed back as the page lists.
    regions = re.search(
        r'<input id="f-regions" name="regions" type="\w+" value="([^"]*)"', shown.text
    )
    assert regions is not None and regions.group(1) == "110000、310000、440000"
    assert bad_terms_message(bad_terms.text) == "条款通俗解释：每行应为“术语：通俗解释”"
    done = client.post(
        f"/admin/products/{product_id}/versions/{draft_id}/publish",
        data={"confirm": "yes"},
        headers=admin,
        follow_redirects=False,
    )
    assert done.status_code == 303
    db.expire_all()
    assert db.get(ProductVersion, draft_id).status == "published"
    assert db.get(ProductVersion, published.id).status == "retired"


# --- policies (POL-1..POL-6) ---------------------------------------------------------


def test_the_issue_page_asks_and_shows_the_insureds_relationship(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC POL-1, CLM-F3
    import datetime as dt

    from claimdesk.web.kit import local_today
    from tests.builders import resident_id

    version = demo_version(db)
    _register_agent(db, staff["users"]["seller"])
    parent = make_person(db, name="王父", id_number=resident_id(birth="19550101", seq="791"))
    db.commit()
    seller = login_headers(client, "seller")
    form = {
        "product_version_id": str(version.id),
        "policyholder_id": str(staff["person"].id),
        "insured_id": str(parent.id),
        "period_start": (local_today() + dt.timedelta(days=1)).isoformat(),
        "premium": "365.00",
        "channel": "direct",
    }
    page = client.get("/admin/policies/new", headers=seller)
    assert 'name="insured_relationship"' in page.text and "被保险人是投保人的" in page.text
    # Two people and no relation: refused on the field, nothing issued.
    bad = client.post("/admin/policies", data=form, headers=seller)
    assert bad.status_code == 422 and 'id="insured_relationship-error"' in bad.text
    assert "配偶、子女、父母" in bad.text
    assert db.query(Policy).count() == 0
    issued = client.post(
        "/admin/policies",
        data={**form, "insured_relationship": "parent"},
        headers=seller,
        follow_redirects=False,
    )
    assert issued.status_code == 303, issued.text
    policy_id = int(issued.headers["location"].rsplit("/", 1)[1])
    assert db.get(Policy, policy_id).insured_relationship == "parent"
    shown = client.get(f"/admin/policies/{policy_id}", headers=seller)
    assert re.search(r'id="insured-relationship">父母<', shown.text), shown.text[:200]


def test_a_change_on_the_policy_page_sets_the_insureds_relationship(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC POL-2, POL-1, GEN-5, GEN-6
    import datetime as dt

    from claimdesk.web.kit import local_today
    from tests.builders import resident_id

    # In force from tomorrow, whatever today is (GEN-3): the page offers changes only then.
    today = local_today()
    start = today + dt.timedelta(days=1)
    version = demo_version(db)
    mother = make_person(db, name="王母", id_number=resident_id(birth="19560101", seq="792"))
    policy = issue_policy(
        db,
        version_id=version.id,
        policyholder_id=staff["person"].id,
        insured_id=mother.id,
        insured_relationship="parent",
        period_start=start.isoformat(),
        issued_at=f"{today.isoformat()}T09:00:00+08:00",
    )
    policy.insured_relationship = None  # two people, issued before migration 0041
    db.commit()
    agent, agent2 = login_headers(client, "agent"), login_headers(client, "agent2")
    page = _ok(client, f"/admin/policies/{policy.id}", "agent")
    assert 'id="f-insured_relationship"' in page.text and "批改时：被保险人是投保人的" in page.text
    form = {
        "kind": "change",
        "description": "补录投保人与被保险人关系",
        "effective_date": (start + dt.timedelta(days=30)).isoformat(),
        "customer_consent": "1",
        "customer_consent_method": "signed form",
        "insured_relationship": "self",
    }
    # Two people cannot be "self": refused on the field, in place, in both languages.
    url = f"/admin/policies/{policy.id}/changes"
    bad = client.post(url, data=form, headers=agent)
    assert bad.status_code == 422 and 'id="insured_relationship-error"' in bad.text
    assert "不能是“本人”" in bad.text
    english = client.post(f"{url}?lang=en", data=form, headers=agent)
    assert english.status_code == 422 and "it cannot be self" in english.text
    assert db.query(PolicyChange).count() == 0
    asked = client.post(
        url, data={**form, "insured_relationship": "parent"}, headers=agent, follow_redirects=False
    )
    assert asked.status_code == 303, asked.text
    change = db.query(PolicyChange).one()
    assert change.payload == {"insured_relationship": "parent"}
    change_through_pages(client, change.id, agent=agent, approver=agent2)
    db.expire_all()
    assert db.get(Policy, policy.id).insured_relationship == "parent"
    shown = _ok(client, f"/admin/policies/{policy.id}?lang=zh-CN", "agent")
    assert re.search(r'id="insured-relationship">父母<', shown.text)
    assert re.search(
        rf'id="change-{change.id}-relationship">被保险人是投保人的：未登记 → 父母<', shown.text
    ), shown.text
    english = _ok(client, f"/admin/policies/{policy.id}?lang=en", "agent")
    assert re.search(
        rf"id=\"change-{change.id}-relationship\">The insured is the policyholder's: "
        r"Not recorded → Father or mother<",
        english.text,
    ), english.text


def test_policy_pages_issue_search_change(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC POL-1, POL-2, POL-3, SEC-4, GEN-5
    version = demo_version(db)
    _register_agent(db, staff["users"]["seller"])
    db.commit()
    seller = login_headers(client, "seller")
    person = staff["person"]
    import datetime as dt

    from claimdesk.web.kit import local_today

    start = local_today() + dt.timedelta(days=1)
    inside = start + dt.timedelta(days=30)
    form = {
        "product_version_id": str(version.id),
        "policyholder_id": str(person.id),
        "period_start": start.isoformat(),
        "premium": "365.00",
        "channel": "direct",
    }
    bad = client.post("/admin/policies", data={**form, "premium": "abc"}, headers=seller)
    assert bad.status_code == 422 and 'id="premium-error"' in bad.text
    bad_share = client.post(
        "/admin/policies", data={**form, "beneficiaries": "1, 子女"}, headers=seller
    )
    assert bad_share.status_code == 422 and 'id="beneficiaries-error"' in bad_share.text
    assert db.query(Policy).count() == 0
    issued = client.post("/admin/policies", data=form, headers=seller, follow_redirects=False)
    assert issued.status_code == 303, issued.text
    policy_id = int(issued.headers["location"].rsplit("/", 1)[1])
    number = db.get(Policy, policy_id).number

    for who in ("agent", "seller"):
        _ok(client, f"/admin/policies/{policy_id}", who)
    # SPEC CLM-F2: a surveyor reads only the policies of the claims assigned to them.
    unassigned = client.get(f"/admin/policies/{policy_id}", headers=login_headers(client, "surv"))
    assert unassigned.status_code == 404
    _ok(client, "/admin/policies/new", "seller")
    _refused(client, "/admin/policies/new", "agent")
    _refused(client, "/admin/policies", "admin")  # administrators hold no policy permission
    found = _ok(client, f"/admin/policies?number={number}", "agent")
    assert f"/admin/policies/{policy_id}" in found.text
    by_id = _ok(client, f"/admin/policies?id_number=110105198503124515&date={inside}", "agent")
    assert number in by_id.text
    from claimdesk.models.audit import AuditEntry

    assert db.query(AuditEntry).filter(AuditEntry.action.like("%person%")).count() >= 1

    agent, agent2 = login_headers(client, "agent"), login_headers(client, "agent2")
    refused = client.post(
        f"/admin/policies/{policy_id}/changes",
        data={
            "kind": "termination",
            "description": "退保",
            "effective_date": inside.isoformat(),
            "customer_consent_method": "signed form",
            "initiator": "policyholder",
        },
        headers=agent,
    )
    assert refused.status_code == 422 and 'id="customer_consent-error"' in refused.text
    assert db.query(PolicyChange).count() == 0
    asked = client.post(
        f"/admin/policies/{policy_id}/changes",
        data={
            "kind": "termination",
            "description": "退保",
            "effective_date": inside.isoformat(),
            "customer_consent": "1",
            "customer_consent_method": "signed form",
            "initiator": "policyholder",
        },
        headers=agent,
        follow_redirects=False,
    )
    assert asked.status_code == 303, asked.text
    change = db.query(PolicyChange).one()
    page = client.get(f"/admin/policies/{policy_id}?lang=en", headers=agent)
    assert "2 working days" in page.text or "working day" in page.text
    assert (
        client.post(
            f"/admin/policies/changes/{change.id}/review",
            data={"lawful": "yes", "note": "合法"},
            headers=agent,
            follow_redirects=False,
        ).status_code
        == 303
    )
    approved = client.post(
        f"/admin/policies/changes/{change.id}/approve", headers=agent2, follow_redirects=False
    )
    assert approved.status_code == 303, approved.text
    assert (
        client.post(
            f"/admin/policies/changes/{change.id}/complete", headers=agent, follow_redirects=False
        ).status_code
        == 303
    )
    db.expire_all()
    assert db.get(Policy, policy_id).status == "terminated"


def test_policy_dispute_and_renewal(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC POL-4, POL-5, GEN-4
    version = demo_version(db)
    policy = issue_policy(db, version_id=version.id, policyholder_id=staff["person"].id)
    db.commit()
    agent = login_headers(client, "agent")
    empty = client.post(
        f"/admin/policies/{policy.id}/disputes",
        data={"applicant": "王建国", "dispute_description": ""},
        headers=agent,
    )
    assert empty.status_code == 422 and 'id="dispute_description-error"' in empty.text
    opened = client.post(
        f"/admin/policies/{policy.id}/disputes",
        data={"applicant": "王建国", "dispute_description": "对条款有异议"},
        headers=agent,
        follow_redirects=False,
    )
    assert opened.status_code == 303
    page = client.get(f"/admin/policies/{policy.id}?lang=en", headers=agent)
    assert "对条款有异议" in page.text and "15" in page.text
    from claimdesk.models.policy import PolicyDispute

    dispute = db.query(PolicyDispute).one()
    wrong = client.post(
        f"/admin/policies/disputes/{dispute.id}/steps",
        data={"step": "perform", "text": "x"},
        headers=agent,
    )
    assert wrong.status_code == 409 and f'id="dispute-{dispute.id}-refused"' in wrong.text
    renewed = client.post(
        f"/admin/policies/{policy.id}/renew",
        data={"premium": ""},
        headers=agent,
        follow_redirects=False,
    )
    assert renewed.status_code == 303, renewed.text
    assert renewed.headers["location"] != f"/admin/policies/{policy.id}"
    again = client.post(f"/admin/policies/{policy.id}/renew", data={}, headers=agent)
    assert again.status_code == 409 and 'id="renew-refused"' in again.text


# --- sales (SAL-1..SAL-3) ------------------------------------------------------------


def test_sales_pages(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC SAL-1, SAL-2, SAL-3, SEC-4
    from claimdesk.models.sales import ImprovementAction, SalesChannel, TrainingRecord

    lapsed = _register_agent(db, staff["users"]["seller"], until="2021-01-01")
    db.commit()
    for path in ("/admin/sales", f"/admin/sales/agents/{lapsed.id}", "/admin/sales/evaluations"):
        _ok(client, path, "admin")
        _ok(client, path, "auditor")
        _refused(client, path, "agent")
    overview = _ok(client, "/admin/sales?lang=en", "admin")
    assert 'class="lapsed"' in overview.text and "Lapsed" in overview.text
    admin = login_headers(client, "admin")
    no_modes = client.post(
        "/admin/sales/channels",
        data={"code": "WEB", "name": "网销", "kind": "internet"},
        headers=admin,
    )
    assert no_modes.status_code == 422 and 'id="modes-error"' in no_modes.text
    assert db.query(SalesChannel).filter_by(code="WEB").count() == 0
    made = client.post(
        "/admin/sales/channels",
        data={"code": "WEB", "name": "网销", "kind": "internet", "modes": ["online"]},
        headers=admin,
        follow_redirects=False,
    )
    assert made.status_code == 303 and db.query(SalesChannel).filter_by(code="WEB").count() == 1
    # auditors read but may not write
    assert (
        client.post(
            "/admin/sales/channels", data={"code": "X"}, headers=login_headers(client, "auditor")
        ).status_code
        == 403
    )

    bad_hours = client.post(
        f"/admin/sales/agents/{lapsed.id}/trainings",
        data={"course": "合规", "hours": "0", "completed_on": "2026-01-05", "passed": "1"},
        headers=admin,
    )
    assert bad_hours.status_code == 422 and 'id="hours-error"' in bad_hours.text
    assert (
        client.post(
            f"/admin/sales/agents/{lapsed.id}/trainings",
            data={"course": "合规", "hours": "8", "completed_on": "2026-01-05", "passed": "1"},
            headers=admin,
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert db.query(TrainingRecord).count() == 1
    bad_score = client.post(
        f"/admin/sales/agents/{lapsed.id}/assessments",
        data={
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "results": "101",
            "service_quality": "80",
            "satisfaction": "80",
            "compliance": "80",
        },
        headers=admin,
    )
    assert bad_score.status_code == 422 and 'id="results-error"' in bad_score.text

    channel = db.query(SalesChannel).filter_by(code="WEB").one()
    evaluation = client.post(
        "/admin/sales/evaluations",
        data={
            "method": "mystery_shopping",
            "evaluated_on": "2026-02-01",
            "summary": "暗访",
            "channel_id": str(channel.id),
            "dimension": "compliance",
            "severity": "high",
            "finding": "未说明免责条款",
            "action_text": "重新培训",
            "action_due_on": "2026-03-01",
        },
        headers=admin,
        follow_redirects=False,
    )
    assert evaluation.status_code == 303, evaluation.text
    no_target = client.post(
        "/admin/sales/evaluations",
        data={"method": "survey", "evaluated_on": "2026-02-01", "summary": "x"},
        headers=admin,
    )
    assert no_target.status_code == 422 and 'id="evaluation-refused"' in no_target.text
    action = db.query(ImprovementAction).one()
    empty = client.post(f"/admin/sales/actions/{action.id}/done", data={"note": ""}, headers=admin)
    assert empty.status_code == 422 and f'id="action-{action.id}-error"' in empty.text
    assert (
        client.post(
            f"/admin/sales/actions/{action.id}/done",
            data={"note": "已培训"},
            headers=admin,
            follow_redirects=False,
        ).status_code
        == 303
    )
    db.expire_all()
    assert db.get(ImprovementAction, action.id).status == "done"


# --- users, roles, org units (SEC-4, SEC-8) ------------------------------------------


def test_users_and_org_units(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC SEC-4, SEC-8, GEN-5
    from claimdesk.models.org import OrgUnit
    from claimdesk.models.user import User

    for path in ("/admin/users", f"/admin/users/{staff['users']['agent'].id}"):
        _ok(client, path, "admin")
        _ok(client, path, "auditor")
        _refused(client, path, "agent")
    _ok(client, "/admin/org-units", "agent")  # every staff member reads the org units
    _refused(client, "/admin/org-units", "cust")
    admin = login_headers(client, "admin")
    no_roles = client.post(
        "/admin/users", data={"username": "newbie", "password": "Str0ng-pass-123"}, headers=admin
    )
    assert no_roles.status_code == 422 and 'id="user-refused"' in no_roles.text
    assert db.query(User).filter_by(username="newbie").count() == 0
    made = client.post(
        "/admin/users",
        data={
            "username": "newbie",
            "display_name": "新人",
            "password": "Str0ng-pass-123",
            "roles": ["surveyor"],
        },
        headers=admin,
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    user_id = int(made.headers["location"].rsplit("/", 1)[1])
    no_reason = client.post(
        f"/admin/users/{user_id}/roles", data={"roles": ["assessor"]}, headers=admin
    )
    assert no_reason.status_code == 422 and 'id="roles-refused"' in no_reason.text
    assert (
        client.post(
            f"/admin/users/{user_id}/roles",
            data={"roles": ["assessor"], "reason": "调岗"},
            headers=admin,
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/admin/users/{user_id}/deactivate",
            data={"reason": "离职", "confirm": "yes"},
            headers=admin,
            follow_redirects=False,
        ).status_code
        == 303
    )
    db.expire_all()
    from claimdesk.models.user import UserRole

    user = db.get(User, user_id)
    assert user is not None and not user.is_active
    assert [r.role for r in db.query(UserRole).filter_by(user_id=user_id)] == ["assessor"]
    # the last administrator cannot lock everyone out; the refusal is shown in place
    last = client.post(
        f"/admin/users/{staff['users']['admin'].id}/deactivate",
        data={"reason": "test", "confirm": "yes"},
        headers=admin,
    )
    assert last.status_code in (409, 422) and 'id="status-refused"' in last.text
    assert (
        client.post(
            f"/admin/users/{user_id}/reactivate",
            data={"reason": "返聘"},
            headers=admin,
            follow_redirects=False,
        ).status_code
        == 303
    )

    bad_unit = client.post(
        "/admin/org-units",
        data={"code": "SH", "name": "上海分公司", "kind": "outpost"},
        headers=admin,
    )
    assert bad_unit.status_code == 422 and 'id="kind-error"' in bad_unit.text
    assert (
        client.post(
            "/admin/org-units",
            data={
                "code": "SH",
                "name": "上海分公司",
                "kind": "branch",
                "region_code": "310000",
                "parent_id": str(staff["hq"].id),
            },
            headers=admin,
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert db.query(OrgUnit).filter_by(code="SH").count() == 1
    assert (
        client.post(
            "/admin/org-units",
            data={"code": "X", "name": "x", "kind": "branch"},
            headers=login_headers(client, "agent"),
        ).status_code
        == 403
    )


# --- holiday calendar (GEN-3) --------------------------------------------------------


def test_calendar_pages(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC GEN-3, GEN-5
    from claimdesk.models.calendar import CalendarDay

    page = _ok(client, "/admin/calendar?year=2026&lang=en", "agent")  # all staff read it
    assert 'id="day-2026-10-01"' in page.text and "Adjusted working day" in page.text
    # Day names in the page's language, the worked weekend as a date people read (GEN-2).
    assert "National Day" in page.text and "国庆节" not in page.text
    assert "Day off (in exchange for working 4 Jan 2026)" in page.text
    chinese = _ok(client, "/admin/calendar?year=2026&lang=zh-CN", "agent")
    assert "国庆节" in chinese.text and "休息日（由 2026年1月4日 调休）" in chinese.text
    assert 'id="form-day"' not in page.text
    _refused(client, "/admin/calendar", "cust")
    missing = _ok(client, "/admin/calendar?year=2031", "agent")
    assert 'id="year-error"' in missing.text and "2031" in missing.text
    admin = login_headers(client, "admin")
    assert 'id="form-day"' in client.get("/admin/calendar?year=2026", headers=admin).text
    outside = client.post(
        "/admin/calendar/days",
        data={"day": "2031-05-06", "kind": "holiday", "name": "x"},
        headers=admin,
    )
    assert outside.status_code >= 400 and 'id="day-refused"' in outside.text
    corrected = client.post(
        "/admin/calendar/days",
        data={"day": "2026-05-06", "kind": "holiday", "name": "劳动节", "reason": "国务院通知"},
        headers=admin,
        follow_redirects=False,
    )
    assert corrected.status_code == 303
    assert db.get(CalendarDay, __import__("datetime").date(2026, 5, 6)).kind == "holiday"
    shown = client.get("/admin/calendar?year=2026", headers=admin)
    assert "administrator" in shown.text or "管理员" in shown.text
    bad_year = client.post("/admin/calendar/import", data={"year": "20x6"}, headers=admin)
    assert bad_year.status_code == 422 and 'id="import-error"' in bad_year.text
    imported = client.post(
        "/admin/calendar/import",
        data={"year": "2026", "reason": "恢复"},
        headers=admin,
        follow_redirects=False,
    )
    assert imported.status_code == 303
    db.expire_all()
    assert db.get(CalendarDay, __import__("datetime").date(2026, 5, 6)) is None
    assert (
        client.post(
            "/admin/calendar/import", data={"year": "2026"}, headers=login_headers(client, "agent")
        ).status_code
        == 403
    )


# --- thresholds, fraud holds, mass events --------------------------------------------


def test_thresholds_page(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC CLM-V1, CLM-R4, CLM-P4
    page = _ok(client, "/admin/thresholds?lang=en", "admin")
    assert "Up to this amount (CNY) one review tier" in page.text and "¥10,000.00" in page.text
    assert 'id="thresholds-form"' in page.text  # administrators add versions on the page
    assert 'id="thresholds-form"' not in _ok(client, "/admin/thresholds", "rev1").text
    _refused(client, "/admin/thresholds", "agent")


def test_fraud_holds_and_events(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC CLM-F1, CLM-Z2, SEC-4
    from claimdesk.models.event import MassEvent

    _ok(client, "/admin/fraud-holds", "fraud")
    _refused(client, "/admin/fraud-holds", "rev1")
    _refused(client, "/admin/fraud-holds", "agent")
    _ok(client, "/admin/events", "surv")  # every claims reader sees the events
    _refused(client, "/admin/events", "seller")  # no claims:read
    rev = login_headers(client, "rev1")
    form = {
        "name": "台风“海燕”",
        "event_type": "typhoon",
        "region": "浙江",
        "starts_on": "2026-09-01",
        "ends_on": "2026-08-01",
        "guide_zh": "请拨打热线",
        "guide_en": "Call the hotline",
        "deferrable_materials": ["invoices"],
    }
    backwards = client.post("/admin/events", data=form, headers=rev)
    assert backwards.status_code == 422 and 'id="ends_on-error"' in backwards.text
    assert db.query(MassEvent).count() == 0
    assert (
        client.post("/admin/events", data=form, headers=login_headers(client, "surv")).status_code
        == 403
    )
    made = client.post(
        "/admin/events",
        data={**form, "ends_on": "", "hotline": "95500", "deferrable_materials": []},
        headers=rev,
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    event_id = int(made.headers["location"].rsplit("/", 1)[1])
    detail = _ok(client, f"/admin/events/{event_id}", "rev1")
    assert 'id="guide-link"' in detail.text and 'id="form-team"' in detail.text
    nobody = client.post(f"/admin/events/{event_id}/team", data={"username": "ghost"}, headers=rev)
    assert nobody.status_code == 404 and 'id="username-error"' in nobody.text
    assert (
        client.post(
            f"/admin/events/{event_id}/team",
            data={"username": "surv", "duty": "查勘"},
            headers=rev,
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert "查勘" in client.get(f"/admin/events/{event_id}", headers=rev).text
    # the public guide needs no login and shows no staff data
    client.cookies.clear()
    guide = client.get(f"/events/{event_id}/guide?lang=zh-CN")
    assert guide.status_code == 200 and "请拨打热线" in guide.text and "95500" in guide.text
    assert "查勘" not in guide.text and "surv" not in guide.text
    assert client.get("/events/999999/guide").status_code == 404


def test_policy_list_is_paged(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC SEC-4, issue 12 (no list stops silently)
    version = demo_version(db)
    seller_user = staff["users"]["seller"]
    _register_agent(db, seller_user)  # a sales agent lists the policies they sold
    numbers = [
        issue_policy(
            db, version_id=version.id, policyholder_id=staff["person"].id, agent=seller_user
        ).number
        for _ in range(53)
    ]
    db.commit()
    seller = login_headers(client, "seller")
    first = client.get("/admin/policies", headers=seller)
    assert first.status_code == 200
    assert "1–50" in first.text and "53" in first.text and 'id="pager-next"' in first.text
    assert numbers[-1] in first.text and numbers[0] not in first.text  # newest first
    second = client.get("/admin/policies?offset=50", headers=seller)
    assert second.status_code == 200 and 'id="pager-prev"' in second.text
    assert numbers[0] in second.text and numbers[-1] not in second.text
    assert client.get("/admin/policies?limit=abc", headers=seller).status_code == 422


def test_user_list_is_paged(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC SEC-4, issue 12 (no list stops silently)
    for n in range(60):
        make_user(db, username=f"clerk{n:02d}", roles=["service_agent"], org_unit=staff["hq"])
    db.commit()
    admin = login_headers(client, "admin")
    first = client.get("/admin/users", headers=admin)
    assert first.status_code == 200 and 'id="pager-next"' in first.text
    assert "/admin/users/" in first.text and "clerk59" not in first.text  # by id, 50 a page
    second = client.get("/admin/users?offset=50", headers=admin)
    assert (
        second.status_code == 200 and "clerk59" in second.text and 'id="pager-prev"' in second.text
    )
    assert client.get("/admin/users?offset=-1", headers=admin).status_code == 422


def test_a_sales_agent_reads_their_own_qualification_and_training(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC SAL-2, SEC-4
    import datetime as dt
    from decimal import Decimal

    from claimdesk.auth.principal import Principal
    from claimdesk.sales import service as sales

    seller = staff["users"]["seller"]
    agent = _register_agent(db, seller, until="2099-12-31")
    sales.add_training(
        db,
        actor=Principal.system("test"),
        agent_id=agent.id,
        course="反洗钱培训",
        hours=Decimal("4"),
        completed_on=dt.date(2026, 3, 1),
        passed=True,
    )
    other = _register_agent(db, staff["users"]["surv"])
    db.commit()
    headers = login_headers(client, "seller")
    mine = client.get("/admin/sales/me?lang=zh-CN", headers=headers)
    assert mine.status_code == 200, mine.text
    assert "我的资格与培训" in mine.text
    assert f"LIC-{seller.id}" in mine.text and "反洗钱培训" in mine.text
    # Read-only, and no link to the sales overview the agent may not open.
    assert 'id="form-training"' not in mine.text
    assert 'href="/admin/sales">' not in mine.text
    assert client.get("/admin/sales", headers=headers).status_code == 403
    assert client.get(f"/admin/sales/agents/{other.id}", headers=headers).status_code == 403
    # A login with the role but no agent record is told so, not shown someone else's.
    make_user(db, username="seller2", roles=["sales_agent"], org_unit=staff["hq"])
    db.commit()
    missing = client.get("/admin/sales/me?lang=en", headers=login_headers(client, "seller2"))
    assert missing.status_code == 404
    assert (
        "sales agent not found" in missing.text.lower() and "Sales agent not found" in missing.text
    )


def test_a_persons_name_is_xingming_a_things_name_mingcheng(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC GEN-6
    # The users' table and form head a person's name 姓名; a unit's name stays 名称
    users = client.get("/admin/users?lang=zh-CN", headers=login_headers(client, "admin")).text
    head = re.search(r"<thead>.*?</thead>", users, re.S)
    assert head is not None and '<th scope="col">姓名</th>' in head.group(0)
    assert "名称" not in head.group(0)
    assert re.search(r'<label[^>]*for="f-display_name"[^>]*>\s*姓名', users), users
    english = client.get("/admin/users?lang=en", headers=login_headers(client, "admin")).text
    assert '<th scope="col">Full name</th>' in english
    units = client.get("/admin/org-units?lang=zh-CN", headers=login_headers(client, "agent")).text
    assert '<th scope="col">名称</th>' in units
