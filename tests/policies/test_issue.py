"""Issuing policies (POL-1), product rules at sale (PRD-2, PRD-6), row-level reading,
the contract PDF and the look-up claims use (CLM-R2)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from claimdesk.models.person import Person
from claimdesk.models.policy import Policy
from claimdesk.policies import service
from claimdesk.products import service as products
from tests.builders import (
    demo_version,
    issue_policy,
    login_headers,
    make_user,
    qualify_agent,
    resident_id,
)
from tests.policies.helpers import SYSTEM, person

TOMORROW = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date() + dt.timedelta(days=1)


@pytest.fixture
def sale(db, client):
    """A sales agent, a policyholder, an insured and two beneficiaries, the demo catalogue."""
    version = demo_version(db)
    holder = person(db, "李投保", "101")
    insured = person(db, "李被保", "102", birth="19900101")
    b1 = person(db, "李甲", "103")
    b2 = person(db, "李乙", "104")
    agent = make_user(db, username="agent1", roles=["sales_agent"])
    qualify_agent(db, agent)
    db.commit()
    body = {
        "product_version_id": version.id,
        "policyholder_id": holder.id,
        "insured_id": insured.id,
        "insured_relationship": "child",
        "period_start": TOMORROW.isoformat(),
        "premium": "568.00",
        "channel": "internet",
        "region_code": "310115",
        "beneficiaries": [
            {"person_id": b1.id, "relationship": "配偶", "share": "60.00"},
            {"person_id": b2.id, "relationship": "子女", "share": "40.00"},
        ],
    }
    return {
        "version": version,
        "holder": holder,
        "insured": insured,
        "agent": agent,
        "body": body,
        "headers": login_headers(client, "agent1"),
    }


def test_issue_records_everything_pol1_names(client, sale):
    # SPEC POL-1
    response = client.post("/api/v1/policies", json=sale["body"], headers=sale["headers"])
    assert response.status_code == 201, response.text
    policy = response.json()
    assert policy["number"].startswith("P")
    assert policy["product"]["code"] == "MED-MILLION" and policy["product"]["version"] == 1
    assert policy["policyholder"]["name"] == "李投保"
    assert policy["insured"]["name"] == "李被保"
    assert [(b["name"], b["share"]) for b in policy["beneficiaries"]] == [
        ("李甲", "60.00"),
        ("李乙", "40.00"),
    ]
    assert policy["period_start"] == TOMORROW.isoformat()
    assert policy["period_end"] == service.term_end(start=TOMORROW, months=12).isoformat()
    assert policy["premium"] == "568.00" and policy["channel"] == "internet"
    assert policy["agent_user_id"] == sale["agent"].id
    assert policy["status"] == "in_force" and policy["incontestable"] is False


def _bad(body, **changes):
    return {**body, **changes}


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (
            lambda s: {
                "beneficiaries": [
                    {**s["body"]["beneficiaries"][0], "share": "59.99"},
                    s["body"]["beneficiaries"][1],
                ]
            },
            "beneficiaries",
            "beneficiary_shares_invalid",
        ),
        (
            lambda s: {
                "beneficiaries": [
                    s["body"]["beneficiaries"][0],
                    {**s["body"]["beneficiaries"][0], "share": "40.00"},
                ]
            },
            "beneficiaries[1].person_id",
            "duplicate_beneficiary",
        ),
        (
            lambda s: {"period_start": (TOMORROW - dt.timedelta(days=5)).isoformat()},
            "period_start",
            "invalid_policy_period",
        ),
        (
            lambda s: {"period_end": (TOMORROW + dt.timedelta(days=30)).isoformat()},
            "period_end",
            "invalid_policy_period",
        ),
        (lambda s: {"region_code": "31"}, "region_code", "validation_failed"),
        (lambda s: {"premium": "-1"}, "premium", "validation_failed"),
        (lambda s: {"channel": "pigeon"}, "channel", "validation_failed"),
        (lambda s: {"policyholder_id": 999999}, "policyholder_id", "not_found"),
    ],
)
def test_bad_issue_input_is_refused_naming_the_field(db, client, sale, change, field, code):
    # SPEC POL-1 GEN-6
    before = db.scalar(select(func.count()).select_from(Policy))
    response = client.post(
        "/api/v1/policies", json=_bad(sale["body"], **change(sale)), headers=sale["headers"]
    )
    assert response.status_code in (404, 422), response.text
    error = response.json()["error"]
    assert error["field"] == field
    if code:
        assert error["code"] == code
    assert db.scalar(select(func.count()).select_from(Policy)) == before


def test_product_limits_are_enforced(db, client, sale):
    # SPEC PRD-6
    from claimdesk.products.schemas import VersionIn

    draft = products.add_version(db, actor=SYSTEM, product_id=sale["version"].product_id)
    content = products.version_content(version=draft).model_dump()
    content["limits"] = {
        "regions": ["310000"],
        "channels": ["bank"],
        "customer_groups": ["employees"],
    }
    products.update_draft(
        db, actor=SYSTEM, version_id=draft.id, data=VersionIn.model_validate(content)
    )
    products.publish_version(db, actor=SYSTEM, version_id=draft.id)
    db.commit()
    body = {**sale["body"], "product_version_id": draft.id}
    refused = client.post("/api/v1/policies", json=body, headers=sale["headers"])
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "channel"
    # The channels in words, not codes (GEN-6, issue 12)
    assert refused.json()["error"]["message"] == "渠道：产品限定为 银行，“互联网” 不在范围内"
    english = client.post("/api/v1/policies?lang=en", json=body, headers=sale["headers"])
    assert english.json()["error"]["message"] == (
        "Channel: the product is limited to Bank; 'Internet' is outside"
    )
    body["channel"] = "bank"
    refused = client.post("/api/v1/policies", json=body, headers=sale["headers"])
    assert refused.json()["error"]["field"] == "customer_group"
    body["customer_group"] = "employees"
    body["region_code"] = "440300"
    refused = client.post("/api/v1/policies", json=body, headers=sale["headers"])
    assert refused.json()["error"]["field"] == "region_code"
    body["region_code"] = "310104"  # inside Shanghai (310000)
    assert client.post("/api/v1/policies", json=body, headers=sale["headers"]).status_code == 201


def test_only_a_published_version_can_be_sold_and_policies_keep_their_version(db, client, sale):
    # SPEC PRD-2 POL-1
    first = client.post("/api/v1/policies", json=sale["body"], headers=sale["headers"]).json()
    draft = products.add_version(db, actor=SYSTEM, product_id=sale["version"].product_id)
    db.commit()
    refused = client.post(
        "/api/v1/policies",
        headers=sale["headers"],
        json={**sale["body"], "product_version_id": draft.id},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "product_version_not_on_sale"
    products.publish_version(db, actor=SYSTEM, version_id=draft.id)
    db.commit()
    # v1 is retired now: not for sale, but the policy sold under it keeps it.
    old = client.post("/api/v1/policies", json=sale["body"], headers=sale["headers"])
    assert old.status_code == 422
    kept = client.get(f"/api/v1/policies/{first['id']}", headers=sale["headers"]).json()
    assert kept["product"]["version"] == 1


def test_policyholder_identity_is_verified(db, client, sale):
    # SPEC POL-1
    forged = Person(
        name="假证",
        id_type="resident_id",
        id_number="110101198001011230",
        id_number_hash="x" * 64,
        id_number_last4="1230",
    )
    passport = Person(
        name="护照",
        id_type="passport",
        id_number="E12345678",
        id_number_hash="y" * 64,
        id_number_last4="5678",
    )
    db.add_all([forged, passport])
    db.commit()
    bad = client.post(
        "/api/v1/policies",
        headers=sale["headers"],
        json={**sale["body"], "policyholder_id": forged.id},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_id_number"
    assert bad.json()["error"]["field"] == "policyholder_id"
    other = client.post(
        "/api/v1/policies",
        headers=sale["headers"],
        json={**sale["body"], "policyholder_id": passport.id},
    )
    assert other.json()["error"]["code"] == "unsupported_id_type"


def test_adult_product_refuses_a_minor_insured(db, client, sale):
    # SPEC PRD-6 POL-1
    child = person(db, "小明", "105", birth="20150101")
    db.commit()
    refused = client.post(
        "/api/v1/policies", headers=sale["headers"], json={**sale["body"], "insured_id": child.id}
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "insured_not_adult"


def test_customers_read_only_their_own_policies(db, client, sale):
    # SPEC SEC-4
    mine = client.post("/api/v1/policies", json=sale["body"], headers=sale["headers"]).json()
    stranger = person(db, "陌生人", "106")
    make_user(db, username="cust1", roles=["customer"], person_id=sale["insured"].id)
    make_user(db, username="cust2", roles=["customer"], person_id=stranger.id)
    db.commit()
    own = login_headers(client, "cust1")
    other = login_headers(client, "cust2")
    assert client.get(f"/api/v1/policies/{mine['id']}", headers=own).status_code == 200
    assert client.get(f"/api/v1/policies/{mine['id']}", headers=other).status_code == 404
    assert [p["id"] for p in client.get("/api/v1/policies", headers=own).json()["items"]] == [
        mine["id"]
    ]
    assert client.get("/api/v1/policies", headers=other).json()["items"] == []
    assert client.post("/api/v1/policies", json=sale["body"], headers=own).status_code == 403


def test_lookup_by_number_or_by_insured_id_and_date_of_loss(db, client, sale):
    # SPEC CLM-R2
    policy = client.post("/api/v1/policies", json=sale["body"], headers=sale["headers"]).json()
    make_user(db, username="handler9", roles=["claims_handler"])
    db.commit()
    headers = login_headers(client, "handler9")
    by_number = client.get(
        "/api/v1/policies/lookup", params={"number": policy["number"]}, headers=headers
    )
    assert [p["id"] for p in by_number.json()] == [policy["id"]]
    inside = (TOMORROW + dt.timedelta(days=40)).isoformat()
    by_id = client.get(
        "/api/v1/policies/lookup",
        headers=headers,
        params={"id_number": resident_id(birth="19900101", seq="102"), "date_of_loss": inside},
    )
    assert by_id.status_code == 200, by_id.text
    assert [p["id"] for p in by_id.json()] == [policy["id"]]
    before = client.get(
        "/api/v1/policies/lookup",
        headers=headers,
        params={
            "id_number": resident_id(birth="19900101", seq="102"),
            "date_of_loss": (TOMORROW - dt.timedelta(days=2)).isoformat(),
        },
    )
    assert before.status_code == 404
    assert before.json()["error"]["code"] == "no_policy_found"
    missing = client.get(
        "/api/v1/policies/lookup",
        headers=headers,
        params={"id_number": resident_id(birth="19900101", seq="102")},
    )
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "date_of_loss"


def test_contract_pdf_embeds_the_chinese_font(db, client, sale, tmp_path):
    # SPEC POL-1
    from pypdf import PdfReader

    policy = client.post("/api/v1/policies", json=sale["body"], headers=sale["headers"]).json()
    response = client.get(f"/api/v1/policies/{policy['id']}/contract.pdf", headers=sale["headers"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "百万医疗保险 保险合同",
        policy["number"],
        "李投保",
        "李被保",
        "李甲",
        "60.00%",
        "免赔额",
        "先由您自己承担",
        "¥568.00",
        "¥3,000,000.00",
        "责任免除",
    ):
        assert expected in text, expected
    # SPEC GEN-2: the period and the issue date as people write them (2027年1月1日), not ISO.
    assert re.search(r"自 \d{4}年\d{1,2}月\d{1,2}日 零时起", text), text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), text
    path = tmp_path / "contract.pdf"
    path.write_bytes(response.content)
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        embedded = [line for line in fonts.splitlines() if "WenQuanYi" in line]
        assert embedded and all(line.split()[-5] == "yes" for line in embedded), fonts
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(path),
                str(tmp_path / "page"),
            ],
            check=True,
        )
        shutil.copy(next(tmp_path.glob("page*.png")), Path("/tmp/claimdesk-contract-page1.png"))


def test_issue_is_audited(db, client, sale):
    # SPEC GEN-5
    from claimdesk.models.audit import AuditEntry

    policy = client.post("/api/v1/policies", json=sale["body"], headers=sale["headers"]).json()
    actions = set(
        db.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity_type == "policy", AuditEntry.entity_id == str(policy["id"])
            )
        )
    )
    assert "policy.issue" in actions
    assert issue_policy  # builder used by the flow tests


def test_agent_with_lapsed_qualification_cannot_sell(db, client, sale):
    # SPEC SAL-2 POL-1: the lapsed agent is refused, naming the field; nothing is written.
    from sqlalchemy import func, select

    from claimdesk.models.policy import Policy
    from claimdesk.models.sales import SalesAgent

    agent = db.scalars(select(SalesAgent).where(SalesAgent.user_id == sale["agent"].id)).one()
    agent.licence_valid_until = TOMORROW - dt.timedelta(days=400)
    db.commit()
    before = db.scalar(select(func.count()).select_from(Policy))
    response = client.post("/api/v1/policies", json=sale["body"], headers=sale["headers"])
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "agent_user_id"
    assert db.scalar(select(func.count()).select_from(Policy)) == before


def test_issue_records_the_insureds_relationship_to_the_policyholder(client, sale):
    # SPEC POL-1: the form's 投保人与被保险人关系 — the insured is the holder's child here.
    response = client.post("/api/v1/policies", json=sale["body"], headers=sale["headers"])
    assert response.status_code == 201, response.text
    assert response.json()["insured_relationship"] == "child"
    # One person as holder and insured: "self", whether given or not.
    own = {**sale["body"], "insured_id": sale["holder"].id}
    del own["insured_relationship"]
    response = client.post("/api/v1/policies", json=own, headers=sale["headers"])
    assert response.status_code == 201, response.text
    assert response.json()["insured_relationship"] == "self"


@pytest.mark.parametrize(
    ("change", "code", "zh", "en"),
    [
        (
            {"insured_relationship": None},
            "insured_relationship_missing",
            "配偶、子女、父母",
            "spouse",
        ),
        ({"insured_relationship": "self"}, "insured_relationship_self_for_other", "本人", "self"),
        (
            {"insured_relationship": "spouse", "insured_id": "holder"},
            "insured_relationship_not_self",
            "同一人",
            "spouse",
        ),
        ({"insured_relationship": "cousin"}, None, None, None),
    ],
)
def test_a_wrong_relationship_is_refused_naming_the_field(client, sale, change, code, zh, en):
    # SPEC POL-1: two people need a relation (spouse/child/parent/other), one person is
    # "self"; an unknown word is refused by the schema — each names the field.
    body = {**sale["body"], **change}
    if body["insured_id"] == "holder":
        body["insured_id"] = sale["holder"].id
    refused = client.post("/api/v1/policies", json=body, headers=sale["headers"])
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "insured_relationship"
    if code is None:
        return
    assert error["code"] == code and zh in error["message"]
    english = client.post("/api/v1/policies?lang=en", json=body, headers=sale["headers"])
    assert english.json()["error"]["field"] == "insured_relationship"
    assert en in english.json()["error"]["message"]
