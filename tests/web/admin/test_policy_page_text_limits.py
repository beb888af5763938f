"""The policy page takes no longer text than the API (GEN-6): a change's review and
rejection notes and a dispute's applicant are built into the
API's own in-schema, so a text over its limit — which the page's field length (4,000,
200) let through — is refused beside its field, in zh-CN and English, and nothing is
stored."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from claimdesk.field_labels import field_words
from claimdesk.models.policy import PolicyChange, PolicyDispute
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
def world(db: Session, client: Any) -> dict[str, Any]:
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    person = make_person(db)
    for name in ("agent", "agent2"):
        make_user(db, username=name, roles=["service_agent"], org_unit=hq)
    version = demo_version(db)
    policy = issue_policy(db, version_id=version.id, policyholder_id=person.id)
    db.commit()
    agent = login_headers(client, "agent")
    asked = client.post(
        f"/admin/policies/{policy.id}/changes",
        data={
            "kind": "termination",
            "description": "退保",
            "effective_date": policy.period_start.isoformat(),
            "customer_consent": "1",
            "customer_consent_method": "signed form",
            "initiator": "policyholder",
        },
        headers=agent,
        follow_redirects=False,
    )
    assert asked.status_code == 303, asked.text
    opened = client.post(
        f"/admin/policies/{policy.id}/disputes",
        data={"applicant": "王建国", "dispute_description": "对条款有异议"},
        headers=agent,
        follow_redirects=False,
    )
    assert opened.status_code == 303, opened.text
    change = db.query(PolicyChange).one()
    dispute = db.query(PolicyDispute).one()
    return {
        "policy": policy.id,
        "change": change.id,
        "dispute": dispute.id,
        "agent": agent,
        "agent2": login_headers(client, "agent2"),
    }


CASES = [
    # (who, route, field, API limit, the rest of the form)
    ("agent", "/admin/policies/changes/{change}/review", "note", 2000, {"lawful": "yes"}),
    ("agent2", "/admin/policies/changes/{change}/reject", "note", 2000, {}),
    (
        "agent",
        "/admin/policies/{policy}/disputes",
        "applicant",
        100,
        {"dispute_description": "对条款有异议"},
    ),
]


def _stored(db: Session) -> list[Any]:
    db.expire_all()
    rows: list[Any] = []
    for model in (PolicyChange, PolicyDispute):
        for row in db.query(model).order_by(model.id):
            rows.append({c.key: getattr(row, c.key) for c in model.__table__.columns})
    return rows


@pytest.mark.parametrize(("who", "route", "field", "limit", "form"), CASES)
def test_a_text_over_the_apis_limit_is_refused_on_the_policy_page(
    db: Session,
    client: Any,
    world: dict[str, Any],
    who: str,
    route: str,
    field: str,
    limit: int,
    form: dict[str, str],
) -> None:
    # SPEC GEN-6, POL-2, POL-5: the page holds the API's limits, names field and rule
    url = route.format(**world)
    before = _stored(db)
    data = {**form, field: "长" * (limit + 1)}
    chinese = client.post(url, data=data, headers=world[who], follow_redirects=False)
    assert chinese.status_code == 422, chinese.text[:500]
    # A rejection's note is its reason (驳回理由), as the reject form labels it.
    context = "change_rejection" if route.endswith("/reject") else None
    assert f"{field_words(field, 'zh-CN', context)}：最多 {limit} 个字符" in chinese.text
    english = client.post(f"{url}?lang=en", data=data, headers=world[who], follow_redirects=False)
    assert english.status_code == 422
    assert f"{field_words(field, 'en', context)}: at most {limit} characters" in english.text
    assert _stored(db) == before
