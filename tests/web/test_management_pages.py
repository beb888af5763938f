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
