"""Management pages of web engineer C (products, policies, sales, fraud holds, mass
events, users and org units, the holiday calendar, thresholds): who may open them, each
form's happy path through the same services as the API, and a refusal shown in place
with nothing changed."""

from __future__ import annotations

import re

import pytest

from claimdesk.models.policy import Policy, PolicyChange
from claimdesk.models.product import Product, ProductVersion
from tests.builders import (
    demo_version,
    issue_policy,
    login_headers,
    make_org_unit,
    make_person,
    make_user,
    seed_calendar,
)


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    person = make_person(db)
    users = {}
    for name, roles in (("admin", ["administrator"]), ("agent", ["service_agent"]),
                        ("agent2", ["service_agent"]), ("seller", ["sales_agent"]),
                        ("surv", ["surveyor"]), ("fraud", ["fraud_investigator"]),
                        ("rev1", ["reviewer_1"]), ("auditor", ["compliance_auditor"])):
        users[name] = make_user(db, username=name, roles=roles, org_unit=hq)
    make_user(db, username="cust", roles=["customer"], person_id=person.id)
    db.commit()
    return {"hq": hq, "person": person, "users": users}


def _register_agent(db, user, *, until="2030-12-31"):  # type: ignore[no-untyped-def]
    import datetime as dt

    from claimdesk.auth.principal import Principal
    from claimdesk.sales import service as sales

    system = Principal.system("test")
    channel = sales.create_channel(db, actor=system, code=f"CH-{user.id}", name="直销",
                                   kind="direct_team", modes=["face_to_face"])
    org = sales.create_organisation(db, actor=system, name="直销团队", channel_id=channel.id)
    return sales.register_agent(db, actor=system, user_id=user.id, organisation_id=org.id,
                                licence_number=f"LIC-{user.id}", valid_from=dt.date(2020, 1, 1),
                                valid_until=dt.date.fromisoformat(until))


def _ok(client, path, who):  # type: ignore[no-untyped-def]
    response = client.get(path, headers=login_headers(client, who))
    assert response.status_code == 200, (path, who, response.text[:500])
    return response


def _refused(client, path, who):  # type: ignore[no-untyped-def]
    response = client.get(path, headers=login_headers(client, who))
    assert response.status_code == 403, (path, who, response.status_code)


# --- products (PRD-1, PRD-2) ---------------------------------------------------------


def test_product_pages_roles_and_lifecycle(db, client, staff):  # SPEC PRD-1, PRD-2, SEC-4
    admin = login_headers(client, "admin")
    created = client.post("/admin/products", data={"code": "TEST-MED", "name": "测试医疗",
                                                   "line": "health", "for_adults": "1"},
                          headers=admin, follow_redirects=False)
    assert created.status_code == 303, created.text
    product_id = int(created.headers["location"].rsplit("/", 1)[1])
    for who in ("admin", "agent", "surv"):
        _ok(client, "/admin/products", who)
        _ok(client, f"/admin/products/{product_id}", who)
    _refused(client, "/admin/products", "cust")
    # a surveyor reads but may not create
    assert client.post("/admin/products", data={"code": "X1", "name": "x", "line": "health"},
                       headers=login_headers(client, "surv")).status_code == 403

    assert 'id="form-new-version"' in client.get(f"/admin/products/{product_id}",
                                                 headers=admin).text
    drafted = client.post(f"/admin/products/{product_id}/versions", headers=admin,
                          follow_redirects=False)
    assert drafted.status_code == 303
    version = db.query(ProductVersion).filter_by(product_id=product_id).one()
    page = _ok(client, f"/admin/products/{product_id}/versions/{version.id}?lang=en", "admin")
    assert 'id="problems"' in page.text and 'id="form-publish"' in page.text
    # publishing an empty draft is refused and every missing element is listed in place
    refused = client.post(f"/admin/products/{product_id}/versions/{version.id}/publish?lang=en",
                          headers=admin)
    assert refused.status_code == 422
    box = refused.text.split('id="publish-error"', 1)[1].split("</div>", 1)[0]
    for field in ("insured_liabilities", "exclusions", "sum_insured", "period_months",
                  "premium_rate"):
        assert field in box, field
    db.expire_all()
    assert db.get(ProductVersion, version.id).status == "draft"  # type: ignore[union-attr]


def test_product_draft_edit_and_publish(db, client, staff):  # SPEC PRD-1, PRD-3, PRD-5
    published = demo_version(db)
    db.commit()
    admin = login_headers(client, "admin")
    product_id = published.product_id
    new = client.post(f"/admin/products/{product_id}/versions", headers=admin,
                      follow_redirects=False)
    assert new.status_code == 303
    draft_id = int(new.headers["location"].rsplit("/", 1)[1])
    page = client.get(new.headers["location"], headers=admin)
    form = dict(re.findall(r'<input id="f-(\w+)" name="\w+" type="\w+" value="([^"]*)"', page.text))
    coverages = re.search(r'<textarea id="f-coverages"[^>]*>([^<]*)</textarea>', page.text)
    assert coverages is not None
    import html

    fields = {"effective_date": "", "insured_liabilities": "住院医疗费用",
              "exclusions": "既往症", "sum_insured": form["sum_insured"],
              "period_months": form["period_months"], "premium_rate": form["premium_rate"],
              "refund_rule": "pro_rata_days", "terms": "免赔额: 您先自己承担的部分",
              "coverages": html.unescape(coverages.group(1))}
    bad = client.post(f"/admin/products/{product_id}/versions/{draft_id}/edit",
                      data={**fields, "sum_insured": "-5"}, headers=admin)
    assert bad.status_code == 422 and 'id="sum_insured-error"' in bad.text
    bad_terms = client.post(f"/admin/products/{product_id}/versions/{draft_id}/edit",
                            data={**fields, "terms": "no colon here"}, headers=admin)
    assert bad_terms.status_code == 422 and 'id="terms-error"' in bad_terms.text
    saved = client.post(f"/admin/products/{product_id}/versions/{draft_id}/edit", data=fields,
                        headers=admin, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    shown = client.get(f"/admin/products/{product_id}/versions/{draft_id}", headers=admin)
    assert "您先自己承担的部分" in shown.text and 'id="compliant"' in shown.text
    done = client.post(f"/admin/products/{product_id}/versions/{draft_id}/publish",
                       headers=admin, follow_redirects=False)
    assert done.status_code == 303
    db.expire_all()
    assert db.get(ProductVersion, draft_id).status == "published"  # type: ignore[union-attr]
    assert db.get(ProductVersion, published.id).status == "retired"  # type: ignore[union-attr]


# --- policies (POL-1..POL-6) ---------------------------------------------------------


def test_policy_pages_issue_search_change(db, client, staff):  # SPEC POL-1, POL-2, POL-3, SEC-4, GEN-5
    version = demo_version(db)
    _register_agent(db, staff["users"]["seller"])
    db.commit()
    seller = login_headers(client, "seller")
    person = staff["person"]
    import datetime as dt

    from claimdesk.dashboards.kit import local_today

    start = local_today() + dt.timedelta(days=1)
    inside = start + dt.timedelta(days=30)
    form = {"product_version_id": str(version.id), "policyholder_id": str(person.id),
            "period_start": start.isoformat(), "premium": "365.00", "channel": "direct"}
    bad = client.post("/admin/policies", data={**form, "premium": "abc"}, headers=seller)
    assert bad.status_code == 422 and 'id="premium-error"' in bad.text
    bad_share = client.post("/admin/policies", data={**form, "beneficiaries": "1, 子女"},
                            headers=seller)
    assert bad_share.status_code == 422 and 'id="beneficiaries-error"' in bad_share.text
    assert db.query(Policy).count() == 0
    issued = client.post("/admin/policies", data=form, headers=seller, follow_redirects=False)
    assert issued.status_code == 303, issued.text
    policy_id = int(issued.headers["location"].rsplit("/", 1)[1])
    number = db.get(Policy, policy_id).number  # type: ignore[union-attr]

    for who in ("agent", "surv", "seller"):
        _ok(client, f"/admin/policies/{policy_id}", who)
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
    refused = client.post(f"/admin/policies/{policy_id}/changes",
                          data={"kind": "termination", "description": "退保",
                                "effective_date": inside.isoformat(),
                                "customer_consent_method": "signed form",
                                "initiator": "policyholder"}, headers=agent)
    assert refused.status_code in (409, 422) and 'id="change-refused"' in refused.text \
        or 'id="customer_consent-error"' in refused.text
    assert db.query(PolicyChange).count() == 0
    asked = client.post(f"/admin/policies/{policy_id}/changes",
                        data={"kind": "termination", "description": "退保",
                              "effective_date": inside.isoformat(), "customer_consent": "1",
                              "customer_consent_method": "signed form",
                              "initiator": "policyholder"}, headers=agent, follow_redirects=False)
    assert asked.status_code == 303, asked.text
    change = db.query(PolicyChange).one()
    page = client.get(f"/admin/policies/{policy_id}?lang=en", headers=agent)
    assert "2 working days" in page.text or "working day" in page.text
    assert client.post(f"/admin/policies/changes/{change.id}/review",
                       data={"lawful": "yes", "note": "合法"}, headers=agent,
                       follow_redirects=False).status_code == 303
    approved = client.post(f"/admin/policies/changes/{change.id}/approve", headers=agent2,
                           follow_redirects=False)
    assert approved.status_code == 303, approved.text
    assert client.post(f"/admin/policies/changes/{change.id}/complete", headers=agent,
                       follow_redirects=False).status_code == 303
    db.expire_all()
    assert db.get(Policy, policy_id).status == "terminated"  # type: ignore[union-attr]


def test_policy_dispute_and_renewal(db, client, staff):  # SPEC POL-4, POL-5, GEN-4
    version = demo_version(db)
    policy = issue_policy(db, version_id=version.id, policyholder_id=staff["person"].id)
    db.commit()
    agent = login_headers(client, "agent")
    empty = client.post(f"/admin/policies/{policy.id}/disputes",
                        data={"applicant": "王建国", "dispute_description": ""}, headers=agent)
    assert empty.status_code == 422 and 'id="dispute_description-error"' in empty.text
    opened = client.post(f"/admin/policies/{policy.id}/disputes",
                         data={"applicant": "王建国", "dispute_description": "对条款有异议"},
                         headers=agent, follow_redirects=False)
    assert opened.status_code == 303
    page = client.get(f"/admin/policies/{policy.id}?lang=en", headers=agent)
    assert "对条款有异议" in page.text and "15" in page.text
    from claimdesk.models.policy import PolicyDispute

    dispute = db.query(PolicyDispute).one()
    wrong = client.post(f"/admin/policies/disputes/{dispute.id}/steps",
                        data={"step": "perform", "text": "x"}, headers=agent)
    assert wrong.status_code == 409 and f'id="dispute-{dispute.id}-refused"' in wrong.text
    renewed = client.post(f"/admin/policies/{policy.id}/renew", data={"premium": ""},
                          headers=agent, follow_redirects=False)
    assert renewed.status_code == 303, renewed.text
    assert renewed.headers["location"] != f"/admin/policies/{policy.id}"
    again = client.post(f"/admin/policies/{policy.id}/renew", data={}, headers=agent)
    assert again.status_code == 409 and 'id="renew-refused"' in again.text
