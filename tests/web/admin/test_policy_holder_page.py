"""The policy page's change of policyholder (变更投保人): the form asks the new holder,
a bad ID number is refused beside its field in both languages with nothing written, and
the change run through the page shows old → new while the customers' access moves."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from claimdesk.models.policy import Policy, PolicyChange
from claimdesk.web.kit import local_today
from tests.builders import login_headers, make_org_unit, make_person, make_user, resident_id
from tests.builders import seed_calendar as seed_holidays
from tests.policies.helpers import family_policy
from tests.web.helpers import change_through_pages

CHILD_ID = resident_id(birth="20000101", seq="793")


@pytest.fixture
def family(db):  # type: ignore[no-untyped-def]
    """A parent's policy on their grown child, in force today whatever today is (GEN-3);
    the parent has a portal login."""
    seed_holidays(db, years=(2025, 2026))
    hq = make_org_unit(db)
    parent = make_person(db)
    child = make_person(db, name="王子", id_number=CHILD_ID, phone="13812340793")
    for name in ("agent", "agent2"):
        make_user(db, username=name, roles=["service_agent"], org_unit=hq)
    make_user(db, username="cust", roles=["customer"], person_id=parent.id)
    today = local_today()
    policy = family_policy(db, parent_id=parent.id, child_id=child.id, start=today)
    db.commit()
    return {"policy": policy, "parent": parent, "child": child, "today": today}


def _form(today: dt.date, **holder: str) -> dict[str, str]:
    fields = {"name": "王子", "id_number": CHILD_ID, "phone": "13812340793", "consent": "1"}
    fields.update(consent_method="written", **holder)
    return {
        "kind": "change",
        "description": "变更投保人：父亲转给成年子女",
        "effective_date": today.isoformat(),
        "customer_consent": "1",
        "customer_consent_method": "signed form",
        "insured_relationship": "self",
        **{f"new_policyholder.{name}": value for name, value in fields.items()},
    }


def test_the_page_refuses_a_bad_id_number_beside_its_field(db, client, family):  # type: ignore[no-untyped-def]  # SPEC POL-2, POL-1, GEN-6
    policy = family["policy"]
    agent = login_headers(client, "agent")
    page = client.get(f"/admin/policies/{policy.id}", headers=agent)
    assert page.status_code == 200
    assert 'name="new_policyholder.id_number"' in page.text and "变更投保人时" in page.text
    url = f"/admin/policies/{policy.id}/changes"
    bad = _form(family["today"], id_number=CHILD_ID[:-1] + ("0" if CHILD_ID[-1] != "0" else "1"))
    refused = client.post(url, data=bad, headers=agent)
    assert refused.status_code == 422
    assert 'id="new_policyholder.id_number-error"' in refused.text
    assert "新投保人的身份证号码：身份证号码无效（校验码错误" in refused.text
    english = client.post(f"{url}?lang=en", data=bad, headers=agent)
    assert english.status_code == 422
    assert "New policyholder, ID number: invalid resident ID number" in english.text
    assert db.query(PolicyChange).count() == 0


def test_a_change_of_holder_through_the_page_moves_the_portal_access(db, client, family):  # type: ignore[no-untyped-def]  # SPEC POL-2, POL-1, SEC-4, GEN-5
    policy, parent, child = family["policy"], family["parent"], family["child"]
    agent, agent2 = login_headers(client, "agent"), login_headers(client, "agent2")
    customer = login_headers(client, "cust")
    assert client.get(f"/api/v1/policies/{policy.id}", headers=customer).status_code == 200
    asked = client.post(
        f"/admin/policies/{policy.id}/changes",
        data=_form(family["today"]),
        headers=agent,
        follow_redirects=False,
    )
    assert asked.status_code == 303, asked.text
    change = db.query(PolicyChange).one()
    assert change.payload["policyholder"]["person_id"] == child.id
    change_through_pages(client, change.id, agent=agent, approver=agent2)
    db.expire_all()
    assert db.get(Policy, policy.id).policyholder_id == child.id
    shown = client.get(f"/admin/policies/{policy.id}?lang=zh-CN", headers=agent).text
    # GEN-6: a Chinese page's brackets are full width, an English page's ASCII.
    old_new = rf"王建国（{parent.id}） → 王子（{child.id}）"
    # POL-2: the staff see when the policy came to name the new holder (switched_at).
    handed = r" · 变更生效于 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}"
    assert re.search(rf'id="change-{change.id}-policyholder">投保人：{old_new}{handed}<', shown), (
        shown
    )
    assert re.search(rf'id="policyholders"><li>王建国（{parent.id}）：持有自', shown)
    english = client.get(f"/admin/policies/{policy.id}?lang=en", headers=agent).text
    handed_en = r" · handed over on \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}"
    old_new_en = rf"王建国 \({parent.id}\) → 王子 \({child.id}\)"
    assert re.search(
        rf'id="change-{change.id}-policyholder">Policyholder: {old_new_en}{handed_en}<', english
    )
    # SEC-4: the old holder's portal no longer finds the policy (not found, as any other's).
    assert client.get(f"/api/v1/policies/{policy.id}", headers=customer).status_code == 404
    listed: Any = client.get("/api/v1/policies", headers=customer).json()
    assert policy.id not in [p["id"] for p in listed["items"]]


def test_the_policy_pages_write_dates_as_people_do(db, client, family):  # type: ignore[no-untyped-def]  # SPEC GEN-2
    # The period and the change's effective date printed as ISO text (2026-12-07).
    policy, today = family["policy"], family["today"]
    agent = login_headers(client, "agent")
    zh_day = f"{today.year}年{today.month}月{today.day}日"
    page = client.get(f"/admin/policies/{policy.id}", headers=agent).text
    assert zh_day in page and f"<dd>{today.isoformat()} –" not in page
    listed = client.get("/admin/policies?lang=en", headers=agent).text
    en_day = f"{today.day} {today.strftime('%b')} {today.year}"
    assert f"<td>{en_day} –" in listed, listed
