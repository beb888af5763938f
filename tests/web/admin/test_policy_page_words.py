"""The policy page says what each button acts on and names things as people do (SPEC
POL-2, POL-4, GEN-6): "批准此批改 / Approve this change" rather than a bare 通过/Approve, a
rejection only with its reason and a ticked confirmation (nothing written without them),
names with their person number in Chinese brackets on Chinese pages — 王建国（3）, not
王建国 (3) — and the terms of a renewal by their policy numbers, not the internal ids."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.policy import Policy, PolicyChange
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
    policy = issue_policy(db, version_id=demo_version(db).id, policyholder_id=person.id)
    db.commit()
    agent = login_headers(client, "agent")
    for kind, initiator in (("change", ""), ("termination", "policyholder")):
        asked = client.post(
            f"/admin/policies/{policy.id}/changes",
            data={
                "kind": kind,
                "description": "变更联系电话" if kind == "change" else "退保",
                "effective_date": policy.period_start.isoformat(),
                "customer_consent": "1",
                "customer_consent_method": "signed form",
                "initiator": initiator,
                "contact.phone": "13912345678" if kind == "change" else "",
            },
            headers=agent,
            follow_redirects=False,
        )
        assert asked.status_code == 303, asked.text
    change, termination = db.scalars(select(PolicyChange).order_by(PolicyChange.id)).all()
    reviewed = client.post(
        f"/admin/policies/changes/{change.id}/review",
        data={"lawful": "yes", "note": "合法"},
        headers=agent,
        follow_redirects=False,
    )
    assert reviewed.status_code == 303, reviewed.text
    return {
        "policy": policy,
        "person": person,
        "change": change.id,
        "termination": termination.id,
        "agent": agent,
        "agent2": login_headers(client, "agent2"),
    }


def _status(db: Session, change_id: int) -> str:
    db.expire_all()
    return db.get(PolicyChange, change_id).status  # type: ignore[union-attr]


def test_the_buttons_say_what_they_approve_and_reject(
    db: Session, client: Any, world: dict[str, Any]
) -> None:
    # SPEC POL-2 GEN-6: approval of a change, not a claim's 通过 or 拒赔
    url = f"/admin/policies/{world['policy'].id}"
    chinese = client.get(url, headers=world["agent2"]).text
    change, termination = world["change"], world["termination"]
    assert re.search(rf'id="approve-{change}">批准此批改</button>', chinese), chinese
    assert re.search(rf'id="reject-{termination}".*?驳回此解除</button>', chinese, re.S)
    assert "驳回此批改" in chinese and "驳回理由" in chinese
    assert ">通过<" not in chinese and ">拒赔<" not in chinese
    english = client.get(f"{url}?lang=en", headers=world["agent2"]).text
    assert re.search(rf'id="approve-{change}">Approve this change</button>', english)
    assert "Reject this change" in english and "Reject this termination" in english
    assert ">Approve<" not in english and ">Reject<" not in english


def test_a_rejection_needs_the_confirmation_beside_its_reason(
    db: Session, client: Any, world: dict[str, Any]
) -> None:
    # SPEC POL-2 GEN-6: a rejection ends the request; without the tick nothing is written
    route = f"/admin/policies/changes/{world['change']}/reject"
    refused = client.post(
        route, data={"note": "客户撤回"}, headers=world["agent2"], follow_redirects=False
    )
    assert refused.status_code == 422, refused.text[:400]
    assert "请勾选确认后再驳回" in refused.text
    assert "客户撤回" in refused.text  # the reason typed is kept
    assert _status(db, world["change"]) == "reviewed"
    empty = client.post(
        route, data={"note": " ", "confirm": "yes"}, headers=world["agent2"], follow_redirects=False
    )
    assert empty.status_code == 422, empty.text[:400]
    # The one wording of an empty text (GEN-6), where the page once said 必填; the field
    # named as its label reads (驳回理由), where the refusal once said 备注 / Note.
    refused_at = f'id="change-{world["change"]}-refused">'
    assert f"{refused_at}驳回理由：不能为空<" in empty.text
    assert "备注" not in empty.text
    english = client.post(
        f"{route}?lang=en",
        data={"note": "", "confirm": "yes"},
        headers=world["agent2"],
        follow_redirects=False,
    )
    assert f"{refused_at}Reason for rejection: may not be empty<" in english.text
    assert '">Reason for rejection</label>' in english.text
    # The API's refusal of a too long reason names it so too.
    too_long = client.post(
        f"/api/v1/policies/changes/{world['change']}/reject?lang=zh-CN",
        json={"note": "长" * 2001},
        headers=world["agent2"],
    )
    assert too_long.status_code == 422, too_long.text
    assert too_long.json()["error"]["message"].startswith("驳回理由"), too_long.text
    assert _status(db, world["change"]) == "reviewed"
    done = client.post(
        route,
        data={"note": "客户撤回", "confirm": "yes"},
        headers=world["agent2"],
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:400]
    assert _status(db, world["change"]) == "rejected"


def test_names_and_numbers_in_brackets_as_the_page_s_language_writes_them(
    db: Session, client: Any, world: dict[str, Any]
) -> None:
    # SPEC GEN-6: Chinese pages use （）; English pages ( )
    url = f"/admin/policies/{world['policy'].id}"
    person = world["person"]
    chinese = client.get(url, headers=world["agent"]).text
    assert f"{person.name}（{person.id}）" in chinese
    assert f"{person.name} ({person.id})" not in chinese
    english = client.get(f"{url}?lang=en", headers=world["agent"]).text
    assert f"{person.name} ({person.id})" in english


def test_the_terms_of_a_renewal_are_named_by_their_policy_numbers(
    db: Session, client: Any, world: dict[str, Any]
) -> None:
    # SPEC POL-4 GEN-6: people know a policy by its number; the id only links
    old = world["policy"]
    renewed = client.post(
        f"/admin/policies/{old.id}/renew", data={}, headers=world["agent"], follow_redirects=False
    )
    assert renewed.status_code == 303, renewed.text[:400]
    db.expire_all()
    new = db.scalars(select(Policy).where(Policy.previous_policy_id == old.id)).one()
    assert new.number != str(new.id)
    page = client.get(f"/admin/policies/{old.id}", headers=world["agent"]).text
    assert f'<a href="/admin/policies/{new.id}" id="renewed-by">{new.number}</a>' in page
    page = client.get(f"/admin/policies/{new.id}", headers=world["agent"]).text
    assert f'<a href="/admin/policies/{old.id}" id="previous-term">{old.number}</a>' in page
    api = client.get(f"/api/v1/policies/{new.id}", headers=world["agent"]).json()
    assert (api["previous_policy_id"], api["previous_policy_number"]) == (old.id, old.number)
