"""Products: compliance check, versions, coverages, materials, terms, limits, export/import."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.db import make_engine
from claimdesk.models.product import Product
from claimdesk.products import repository, service
from claimdesk.products.demo import load_demo_products
from claimdesk.products.schemas import ProductExport
from tests.builders import login_headers, make_user
from tests.wording import names_field

ADMIN = Principal.system("test-admin")

COMPLETE_VERSION = {
    "effective_date": "2026-01-01",
    "insured_liabilities": "住院医疗费用按约定比例赔付。",
    "exclusions": "既往症、整容。",
    "sum_insured": "1000000.00",
    "period_months": 12,
    "premium_rate": "0.000200",
    "terms": {"免赔额": "先由您自己承担的部分。"},
    "limits": {"regions": ["310000"], "channels": ["internet"], "customer_groups": []},
    "coverages": [
        {
            "code": "medical",
            "name": "医疗",
            "type": "medical",
            "parameters": {
                "sum_insured": "1000000.00",
                "deductible": "10000.00",
                "payout_ratio": "1.00",
                "scope": "all_necessary",
            },
            "materials_add": ["incident_proof"],
            "materials_drop": ["expense_invoices"],
        }
    ],
}


@pytest.fixture
def admin(db: Session, client) -> dict[str, str]:
    make_user(db, username="admin1", roles=["administrator"])
    make_user(db, username="handler1", roles=["claims_handler"])
    db.commit()
    return login_headers(client, "admin1")


def _create(client, headers, code="MED-T", version=None, line="health", for_adults=True):
    body = {"code": code, "name": "测试医疗", "line": line, "for_adults": for_adults}
    if version is not None:
        body["version"] = version
    response = client.post("/api/v1/products", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_compliance_names_every_missing_element_and_publish_refuses(client, admin):
    # SPEC PRD-1
    product = _create(client, admin, version={})
    version_id = product["versions"][0]["id"]
    report = client.get(
        f"/api/v1/products/{product['id']}/versions/{version_id}/check", headers=admin
    ).json()
    assert report["compliant"] is False
    fields = {p["field"] for p in report["problems"]}
    assert fields == {
        "insured_liabilities",
        "exclusions",
        "sum_insured",
        "period_months",
        "premium_rate",
        "coverages",
    }
    refused = client.post(
        f"/api/v1/products/{product['id']}/versions/{version_id}/publish", headers=admin
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "product_not_compliant"
    assert {p["field"] for p in error["problems"]} == fields
    assert "保险责任" in error["message"] and "责任免除" in error["message"]
    english = client.post(
        f"/api/v1/products/{product['id']}/versions/{version_id}/publish?lang=en", headers=admin
    ).json()["error"]
    assert "insured liabilities is missing" in english["message"]
    still = client.get(f"/api/v1/products/{product['id']}", headers=admin).json()
    assert still["versions"][0]["status"] == "draft"


def _ci_version(severe, percent="0.20"):
    version = copy.deepcopy(COMPLETE_VERSION)
    version["limits"] = {}
    version["coverages"] = [
        {
            "code": "ci",
            "name": "重疾",
            "type": "critical_illness",
            "parameters": {
                "sum_insured": "300000.00",
                "severe": severe,
                "mild": {"diseases": ["CIM-01"], "percent": percent},
            },
        }
    ]
    return version


def test_adult_critical_illness_needs_core_diseases_and_mild_at_most_20_percent(client, admin):
    # SPEC PRD-1
    product = _create(
        client,
        admin,
        code="CI-T",
        line="critical_illness",
        version=_ci_version(["CI-01", "CI-02", "CI-03", "CI-04", "CI-05"], "0.25"),
    )
    version_id = product["versions"][0]["id"]
    report = client.get(
        f"/api/v1/products/{product['id']}/versions/{version_id}/check", headers=admin
    ).json()
    codes = {p["code"]: p for p in report["problems"]}
    assert set(codes) == {"ci_core_diseases_missing", "ci_mild_over_limit"}
    assert "严重慢性肾衰竭" in codes["ci_core_diseases_missing"]["message"]
    assert codes["ci_mild_over_limit"]["field"] == "coverages[0].parameters.mild.percent"
    # Fixed: all six core diseases and a 20% mild benefit pass and publish.
    fixed = client.put(
        f"/api/v1/products/{product['id']}/versions/{version_id}",
        headers=admin,
        json=_ci_version(["CI-01", "CI-02", "CI-03", "CI-04", "CI-05", "CI-06"]),
    )
    assert fixed.status_code == 200, fixed.text
    published = client.post(
        f"/api/v1/products/{product['id']}/versions/{version_id}/publish", headers=admin
    )
    assert published.status_code == 200, published.text


def test_core_disease_rule_applies_to_adult_products_only(db):
    # SPEC PRD-1
    from claimdesk.products.schemas import ProductIn

    child = service.create_product(
        db,
        actor=ADMIN,
        data=ProductIn.model_validate(
            {
                "code": "CI-KID",
                "name": "少儿重疾",
                "line": "critical_illness",
                "for_adults": False,
                "version": _ci_version(["CI-01"]),
            }
        ),
    )
    version = repository.latest_version(db, product_id=child.id)
    assert version is not None
    assert service.compliance_problems(version=version) == []


def test_indemnity_medical_may_not_pay_above_the_expense(client, admin):
    # SPEC PRD-1
    version = copy.deepcopy(COMPLETE_VERSION)
    version["coverages"][0]["parameters"]["payout_ratio_without_social_insurance"] = "1.20"
    product = _create(client, admin, version=version)
    version_id = product["versions"][0]["id"]
    refused = client.post(
        f"/api/v1/products/{product['id']}/versions/{version_id}/publish", headers=admin
    )
    assert refused.status_code == 422
    problems = refused.json()["error"]["problems"]
    assert [p["code"] for p in problems] == ["indemnity_above_expense"]
    assert problems[0]["field"] == "coverages[0].parameters.payout_ratio_without_social_insurance"


def test_published_version_is_immutable_and_a_change_is_a_new_draft(client, admin):
    # SPEC PRD-2
    product = _create(client, admin, version=COMPLETE_VERSION)
    pid, v1 = product["id"], product["versions"][0]["id"]
    assert (
        client.post(f"/api/v1/products/{pid}/versions/{v1}/publish", headers=admin).status_code
        == 200
    )
    edit = client.put(
        f"/api/v1/products/{pid}/versions/{v1}",
        headers=admin,
        json={**COMPLETE_VERSION, "exclusions": "changed"},
    )
    assert edit.status_code == 409
    assert edit.json()["error"]["code"] == "product_version_not_editable"
    draft = client.post(f"/api/v1/products/{pid}/versions", headers=admin)
    assert draft.status_code == 201
    v2 = draft.json()
    assert v2["version"] == 2 and v2["status"] == "draft"
    assert v2["exclusions"] == COMPLETE_VERSION["exclusions"]  # starts as a copy
    changed = client.put(
        f"/api/v1/products/{pid}/versions/{v2['id']}",
        headers=admin,
        json={**COMPLETE_VERSION, "exclusions": "既往症。"},
    )
    assert changed.status_code == 200
    assert (
        client.post(
            f"/api/v1/products/{pid}/versions/{v2['id']}/publish", headers=admin
        ).status_code
        == 200
    )
    versions = {
        v["version"]: v
        for v in client.get(f"/api/v1/products/{pid}", headers=admin).json()["versions"]
    }
    assert versions[1]["status"] == "retired"
    assert versions[1]["exclusions"] == COMPLETE_VERSION["exclusions"]
    assert versions[2]["status"] == "published"


@pytest.mark.parametrize(
    ("coverage", "field", "code"),
    [
        ({"type": "dental"}, "coverages[0].type", "unknown_coverage_type"),
        (
            {"parameters": {"deductible": "1.00", "payout_ratio": "1", "scope": "all_necessary"}},
            "coverages[0].parameters.sum_insured",
            "invalid_coverage_parameter",
        ),
        (
            {"parameters": {"sum_insured": "1.00", "payout_ratio": "1", "scope": "some"}},
            "coverages[0].parameters.scope",
            "invalid_coverage_parameter",
        ),
        (
            {
                "parameters": {
                    "sum_insured": "1.00",
                    "payout_ratio": "1",
                    "scope": "all_necessary",
                    "colour": "red",
                }
            },
            "coverages[0].parameters.colour",
            "invalid_coverage_parameter",
        ),
        (
            {
                "type": "critical_illness",
                "parameters": {"sum_insured": "1.00", "severe": ["CI-99"]},
            },
            "coverages[0].parameters",
            "invalid_coverage_parameter",
        ),
        ({"materials_add": ["horoscope"]}, "coverages[0].materials_add", "unknown_material"),
    ],
)
def test_bad_coverage_is_refused_naming_the_field_and_changes_nothing(
    db, client, admin, coverage, field, code
):
    # SPEC PRD-3 GEN-6
    version = copy.deepcopy(COMPLETE_VERSION)
    version["coverages"][0].update(coverage)
    before = db.scalar(select(func.count()).select_from(Product))
    response = client.post(
        "/api/v1/products",
        headers=admin,
        json={"code": "BAD-1", "name": "x", "line": "health", "version": version},
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["field"] == field
    assert names_field(error["message"], field)
    assert db.scalar(select(func.count()).select_from(Product)) == before


def test_materials_terms_and_limits_are_kept(client, admin):
    # SPEC PRD-4 PRD-5 PRD-6
    product = _create(client, admin, version=COMPLETE_VERSION)
    version = product["versions"][0]
    coverage = version["coverages"][0]
    assert [m["code"] for m in coverage["materials"]] == [
        "claim_form",
        "identity_proof",
        "medical_record",
        "incident_proof",
    ]
    assert coverage["materials"][0]["label"] == "理赔申请书"
    assert version["terms"] == {"免赔额": "先由您自己承担的部分。"}
    assert version["limits"] == {
        "regions": ["310000"],
        "channels": ["internet"],
        "customer_groups": [],
    }


def test_default_materials_per_coverage_type():
    # SPEC PRD-4
    from claimdesk.products.coverage_types import effective_materials

    assert "death_certificate" in effective_materials("accident_death", [], [])
    assert "disability_assessment" in effective_materials("accident_disability", [], [])
    assert "disability_assessment" not in effective_materials("medical", [], [])
    assert effective_materials("property", [], []) == [
        "claim_form",
        "ownership_proof",
        "loss_list",
        "incident_proof",
        "repair_quote",
    ]


def test_demo_catalogue_is_published_compliant_and_idempotent(db):
    # SPEC PRD-1 PRD-3
    load_demo_products(db, ADMIN)
    load_demo_products(db, ADMIN)
    products = repository.list_products(db)
    assert {p.code for p in products} >= {
        "MED-MILLION",
        "CI-28",
        "ACC-PLUS",
        "HOME-PROP",
        "PUB-LIAB",
    }
    medical = repository.find_product_by_code(db, code="MED-MILLION")
    assert medical is not None and len(medical.versions) == 1
    params = medical.versions[0].coverages[0].parameters
    assert params["sum_insured"] == "3000000.00" and params["deductible"] == "10000.00"
    assert params["payout_ratio_without_social_insurance"] == "0.60"
    assert params["waiting_period_days"] == 30
    ci = repository.find_product_by_code(db, code="CI-28")
    assert ci is not None
    ci_params = ci.versions[0].coverages[0].parameters
    assert len(ci_params["severe"]) == 28 and len(ci_params["mild"]["diseases"]) == 3
    for product in products:
        assert [v.status for v in product.versions] == ["published"]


def test_only_administrators_manage_products(client, admin):
    # SPEC SEC-4
    handler = login_headers(client, "handler1")
    denied = client.post(
        "/api/v1/products", headers=handler, json={"code": "X1", "name": "x", "line": "health"}
    )
    assert denied.status_code == 403
    assert client.get("/api/v1/products", headers=handler).status_code == 200


def _export_without_publication(data: dict) -> dict:
    for version in data["versions"]:
        version.pop("published_at")
    return data


def test_export_import_round_trip_into_another_database(db, fresh_db_url):
    # SPEC PRD-2 (definitions kept in version control)
    load_demo_products(db, ADMIN)
    ci = repository.find_product_by_code(db, code="CI-28")
    assert ci is not None
    service.add_version(db, actor=ADMIN, product_id=ci.id)  # a draft v2 beside v1
    exported = service.export_product(db, actor=ADMIN, product_id=ci.id).model_dump(mode="json")
    assert [v["status"] for v in exported["versions"]] == ["published", "draft"]

    engine = make_engine(fresh_db_url)
    try:
        with Session(engine) as other:
            imported = service.import_product(
                other, actor=ADMIN, data=ProductExport.model_validate(exported)
            )
            other.commit()
            again = service.export_product(other, actor=ADMIN, product_id=imported.id)
            assert _export_without_publication(
                again.model_dump(mode="json")
            ) == _export_without_publication(copy.deepcopy(exported))
            # Importing the same file again changes nothing.
            service.import_product(other, actor=ADMIN, data=ProductExport.model_validate(exported))
            other.commit()
            product = repository.find_product_by_code(other, code="CI-28")
            assert product is not None and len(product.versions) == 2
            # A published version with other content is a conflict, not a silent change.
            tampered = copy.deepcopy(exported)
            tampered["versions"][0]["exclusions"] = "nothing"
            from claimdesk.products.errors import ImportConflict

            with pytest.raises(ImportConflict):
                service.import_product(
                    other, actor=ADMIN, data=ProductExport.model_validate(tampered)
                )
            other.rollback()
    finally:
        engine.dispose()


def test_export_and_import_over_the_api(client, admin):
    # SPEC PRD-2
    product = _create(client, admin, version=COMPLETE_VERSION)
    exported = client.get(f"/api/v1/products/{product['id']}/export", headers=admin)
    assert exported.status_code == 200
    data = exported.json()
    data["code"] = "MED-COPY"
    imported = client.post("/api/v1/products/import", headers=admin, json=data)
    assert imported.status_code == 200, imported.text
    assert (
        imported.json()["versions"][0]["coverages"][0]["parameters"]
        == product["versions"][0]["coverages"][0]["parameters"]
    )


def test_english_names_are_kept_read_back_and_exported(db, client, admin):
    # SPEC PRD-3, GEN-6: a product and each coverage may carry an English name; the API
    # keeps and returns it, a blank one is none (English pages then show the Chinese name),
    # and the product file carries it
    version = copy.deepcopy(COMPLETE_VERSION)
    version["coverages"][0]["name_en"] = "  Medical expenses  "
    body = {"code": "MED-EN", "name": "测试医疗", "name_en": "Test medical", "line": "health"}
    response = client.post("/api/v1/products", json={**body, "version": version}, headers=admin)
    assert response.status_code == 201, response.text
    product = response.json()
    assert product["name_en"] == "Test medical"
    assert product["versions"][0]["coverages"][0]["name_en"] == "Medical expenses"
    blank = client.post(
        "/api/v1/products",
        json={"code": "MED-ZH", "name": "只有中文", "name_en": " ", "line": "health"},
        headers=admin,
    )
    assert blank.status_code == 201 and blank.json()["name_en"] is None
    exported = service.export_product(db, actor=ADMIN, product_id=product["id"])
    assert exported.name_en == "Test medical"
    assert exported.versions[0].coverages[0].name_en == "Medical expenses"


@pytest.mark.parametrize(
    ("where", "field"),
    [("product", "name_en"), ("coverage", "version.coverages.0.name_en")],
)
def test_an_over_long_english_name_is_refused_in_both_languages(db, client, admin, where, field):
    # SPEC GEN-6 (the field and the rule, in the user's language), PRD-3: nothing stored
    version = copy.deepcopy(COMPLETE_VERSION)
    body = {"code": "LONG-EN", "name": "测试医疗", "line": "health", "version": version}
    if where == "product":
        body["name_en"] = "E" * 101
    else:
        version["coverages"][0]["name_en"] = "E" * 101
    before = db.scalar(select(func.count()).select_from(Product))
    chinese = client.post("/api/v1/products", json=body, headers=admin)
    assert chinese.status_code == 422, chinese.text
    error = chinese.json()["error"]
    assert error["field"] == field, error
    assert "英文名称" in error["message"] and "100" in error["message"], error
    english = client.post("/api/v1/products?lang=en", json=body, headers=admin)
    assert english.status_code == 422
    message = english.json()["error"]["message"]
    # "English name", or within a coverage's row "Coverages, line 1, English name" (the
    # label as everywhere, not "english name")
    expected = "English name" if where == "product" else "Coverages, line 1, English name"
    assert message.startswith(expected) and "at most 100 characters" in message, message
    assert db.scalar(select(func.count()).select_from(Product)) == before
