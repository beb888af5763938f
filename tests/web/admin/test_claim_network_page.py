"""The investigator's page of the network around a claim (SPEC CLM-F3, CLM-F2, GEN-5)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from tests.builders import demo_version, issue_policy, make_person, resident_id
from tests.checks.helpers import report
from tests.claims.helpers import FrozenClock, World, build_world, local


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-06-10T10:00:00"))
    return build_world(db, client)


def test_investigator_sees_the_shared_phone_as_a_table(world: World, db: Session):
    # SPEC CLM-F3 CLM-F2 GEN-5
    stranger = make_person(
        db, name="赵六", id_number=resident_id(birth="19700101", seq="777"), phone="13812345678"
    )
    policy = issue_policy(
        db, version_id=demo_version(db, "MED-MILLION").id, policyholder_id=stranger.id
    )
    db.commit()
    mine = report(world, policy_number=world.policies["MED-MILLION"].number)  # type: ignore[attr-defined]
    theirs = report(world, policy_number=policy.number, phone="13812345678")
    url = f"/admin/claims/{mine['id']}/network"
    for who in ("handler", "supervisor"):
        assert world.client.get(url, headers=world.h[who]).status_code == 403
    page = world.client.get(url, headers=world.h["investigator"])
    assert page.status_code == 200, page.text[:500]
    assert "138****5678" in page.text and "13812345678" not in page.text
    assert theirs["number"] in page.text or f"claim:{theirs['id']}" in page.text
    assert "共用电话" in page.text  # zh-CN first
    assert db.scalars(select(AuditEntry).where(AuditEntry.action == "claim.network_read")).first()


def test_the_links_are_said_in_words_and_lead_to_the_linked_claims(world: World, db: Session):
    # SPEC CLM-F3 (investigators see the network of claimants, phones, accounts...),
    # GEN-6: the page showed the edge codes "insured" and "phone" and the node ids
    # ("person:7", "phone:3fa2…") instead of words, and a linked claim was no link.
    stranger = make_person(
        db, name="赵六", id_number=resident_id(birth="19700101", seq="777"), phone="13812345678"
    )
    policy = issue_policy(
        db, version_id=demo_version(db, "MED-MILLION").id, policyholder_id=stranger.id
    )
    db.commit()
    mine = report(world, policy_number=world.policies["MED-MILLION"].number)  # type: ignore[attr-defined]
    theirs = report(world, policy_number=policy.number, phone="13812345678")
    url = f"/admin/claims/{mine['id']}/network"
    page = world.client.get(url, headers=world.h["investigator"]).text
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert "<td>被保险人</td>" in rows and "<td>电话</td>" in rows
    assert "<code>" not in rows and ">insured<" not in rows and ">phone<" not in rows
    assert f'<a href="/claims/{theirs["id"]}">{theirs["number"]}</a>' in rows
    english = world.client.get(f"{url}?lang=en", headers=world.h["investigator"]).text
    assert "<td>Insured</td>" in english and "<td>Phone</td>" in english
