"""The staff pages of a fraud investigation, by role: the claim page offers clearing and
confirming a flag exactly to whom the service lets decide it (the investigator given
the claim, anyone on an unassigned one, a fraud supervisor's override;
claims.fraud.service.resolve_refusal), and the fraud holds page names each held claim's
investigator and filters the unassigned and the reader's own, listing an investigator
their own and the unassigned only.
# SPEC CLM-F1 CLM-F2 SEC-4 GEN-6"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.i18n import gettext
from claimdesk.models.claim import Claim, FraudFlag
from tests.claims.helpers import (
    FrozenClock,
    World,
    add_staff,
    build_world,
    claim_in_state,
    local,
)
from tests.web.claims.claim_pages import ClaimPages

DECISIONS = ("clear_fraud", "confirm_fraud")
# Whether each role is offered the decisions on a claim given to "investigator"
# (the service's answers: tests/claims/intake/test_investigator_decisions.py).
OFFERED_GIVEN = {"investigator": True, "investigator2": False, "lead": True, "supervisor": False}
HOLDS = "/admin/fraud-holds"


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    w = build_world(db, client)
    add_staff(db, w, "investigator2", ["fraud_investigator"])
    add_staff(db, w, "lead", ["fraud_investigator", "reviewer_1"])
    return w


def _held(db: Session, w: World, given_to: str | None = "investigator") -> int:
    """A held claim with an open flag, given to ``given_to`` (assignment is API-tested)."""
    cid = claim_in_state(db, w, "suspended")
    db.add(
        FraudFlag(
            claim_id=cid,
            source="person",
            description="发票可疑",
            flagged_by_id=w.users["handler"],
            flagged_at=local("2026-09-29T09:00:00"),
        )
    )
    db.get_one(Claim, cid).investigator_id = None if given_to is None else w.users[given_to]
    db.commit()
    return cid


@pytest.mark.parametrize("who", sorted(OFFERED_GIVEN))
def test_the_decisions_are_offered_exactly_to_whom_the_service_lets_decide(
    world: World, client: TestClient, db: Session, who: str
) -> None:
    # SPEC CLM-F1 CLM-F2: page and service agree, role by role; unassigned, every
    # investigator is offered them
    given = _held(db, world)
    unassigned = _held(db, world, given_to=None)
    web = ClaimPages(client, db)
    web.login(who)
    on_given = set(web.offered(given)) & set(DECISIONS)
    assert on_given == (set(DECISIONS) if OFFERED_GIVEN[who] else set())
    on_unassigned = set(web.offered(unassigned)) & set(DECISIONS)
    assert on_unassigned == (set(DECISIONS) if who != "supervisor" else set())


def test_a_colleagues_decision_posted_anyway_is_refused_and_nothing_changes(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-F1 SEC-4: the form posted without being offered (an old tab, a crafted
    # request) meets the service's refusal
    cid = _held(db, world)
    web = ClaimPages(client, db)
    web.login("investigator2")
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.page(cid)).group(1)  # type: ignore[union-attr]
    flag = db.scalars(select(FraudFlag.id).where(FraudFlag.claim_id == cid)).one()
    refused = client.post(
        f"/claims/{cid}/actions/clear_fraud",
        data={"csrf_token": token, "flag_id": str(flag), "note": "无问题"},
    )
    assert refused.status_code in (403, 409), refused.text
    db.expire_all()
    assert db.get_one(Claim, cid).state == "suspended"
    assert db.get_one(FraudFlag, flag).status == "open"
    web.login("investigator")
    web.do(cid, "clear_fraud", {"note": "经核查无欺诈"})
    db.expire_all()
    assert db.get_one(Claim, cid).state == "accepted"


def _holds(client: TestClient, query: str = "") -> dict[int, str]:
    """The holds page's rows: claim id → the investigator cell's text."""
    page = client.get(f"{HOLDS}{query}")
    assert page.status_code == 200, page.text
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page.text, re.S):
        claim = re.search(r'<a href="/claims/(\d+)">', row)
        cell = re.search(r"<td data-investigator>(.*?)</td>", row, re.S)
        if claim and cell:
            found[int(claim.group(1))] = re.sub(r"<[^>]+>", "", cell.group(1)).strip()
    return found


# Which held claims (given to investigator, to investigator2, to the lead, to nobody)
# each reader's holds page lists, by filter.
LISTED = {
    ("investigator", ""): {"mine", "unassigned"},
    ("investigator", "?assigned=mine"): {"mine"},
    ("investigator", "?assigned=unassigned"): {"unassigned"},
    ("investigator2", ""): {"theirs", "unassigned"},
    ("lead", ""): {"mine", "theirs", "leads", "unassigned"},
    ("lead", "?assigned=mine"): {"leads"},
    ("lead", "?assigned=unassigned"): {"unassigned"},
    ("lead", "?assigned=nonsense"): {"mine", "theirs", "leads", "unassigned"},
}


@pytest.mark.parametrize(("who", "query"), sorted(LISTED))
def test_the_holds_page_names_the_investigator_and_filters(
    world: World, client: TestClient, db: Session, who: str, query: str
) -> None:
    # SPEC CLM-F1 CLM-F2: the assignee on every row; the unassigned and one's own
    held = {
        "mine": _held(db, world),
        "theirs": _held(db, world, given_to="investigator2"),
        "leads": _held(db, world, given_to="lead"),
        "unassigned": _held(db, world, given_to=None),
    }
    web = ClaimPages(client, db)
    web.login(who)
    rows = _holds(client, query + ("&" if query else "?") + "lang=en")
    assert set(rows) == {held[k] for k in LISTED[(who, query)]}
    names = {
        "mine": "investigator",
        "theirs": "investigator2",
        "leads": "lead",
        "unassigned": "Unassigned",
    }
    for key, cid in held.items():
        if cid in rows:
            assert rows[cid].startswith(names[key]), rows[cid]
            assert rows[cid].endswith("(you)") == (key != "unassigned" and names[key] == who)


def test_the_holds_page_is_worded_in_chinese(world: World, client: TestClient, db: Session) -> None:
    # SPEC GEN-6: the filters and the column in zh-CN
    _held(db, world, given_to=None)
    web = ClaimPages(client, db)
    web.login("lead")
    page = client.get(HOLDS)
    assert page.status_code == 200
    for words in ("调查员", "未指派", "指派给我的", "全部挂起案件", "已挂起天数"):
        assert words in page.text
    # How long a claim has been held, not the ageing of a receivable (账龄).
    assert "账龄" not in page.text


def test_the_holds_page_counts_a_hold_s_age_on_the_claims_clock(
    world: World, client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-F1: how long a claim has been held, counted on the clock its flag was
    # raised by (it used the wall clock: a frozen or faked date gave any age at all)
    cid = _held(db, world, given_to=None)
    FrozenClock(monkeypatch, local("2026-10-09T10:00:00"))
    ClaimPages(client, db).login("investigator")
    page = client.get(HOLDS)
    assert page.status_code == 200
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page.text, re.S) if f"/claims/{cid}" in r)
    age = re.search(r'<td data-age><span class="due (\w+)">(\d+)</span>', row)
    assert age is not None and age.groups() == ("near", "10"), row


def test_the_holds_page_names_the_rule_in_words(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-F1 CLM-F3 GEN-6: which rule raised the flag, in words — the list printed
    # its code with the SPEC ID in it ("check:duplicate_receipt",
    # "CLM-S2.survey_inconsistent")
    cid = _held(db, world, given_to=None)
    for code in ("check:duplicate_receipt", "CLM-S2.survey_inconsistent"):
        db.add(
            FraudFlag(
                claim_id=cid,
                source="rule",
                description="规则命中",
                rule_code=code,
                flagged_by_id=world.users["handler"],
                flagged_at=local("2026-09-29T09:00:00"),
            )
        )
    db.commit()
    ClaimPages(client, db).login("investigator")
    zh = client.get(f"{HOLDS}?lang=zh-CN")
    assert zh.status_code == 200
    assert "重复票据" in zh.text and "查勘发现不一致" in zh.text
    assert "check:" not in zh.text and "CLM-S2" not in zh.text
    en = client.get(f"{HOLDS}?lang=en")
    assert "Duplicate receipt" in en.text and "Survey found an inconsistency" in en.text


def _flag_in_both_languages(db: Session, world: World) -> int:
    cid = _held(db, world, given_to=None)
    db.add(
        FraudFlag(
            claim_id=cid,
            source="rule",
            # As the checks write it: "中文 / English" (checks.service._act)
            description="同一票据已在其他案件中使用 / receipt already used on another claim",
            rule_code="check:duplicate_receipt",
            flagged_by_id=world.users["handler"],
            flagged_at=local("2026-09-29T09:00:00"),
        )
    )
    db.commit()
    return cid


def test_the_holds_page_gives_a_flag_in_the_readers_language(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-F1 GEN-4: the description the system wrote in both languages reads in the
    # reader's only; what a person typed stays as typed
    _flag_in_both_languages(db, world)
    ClaimPages(client, db).login("investigator")
    zh = client.get(f"{HOLDS}?lang=zh-CN").text
    assert "同一票据已在其他案件中使用" in zh and "receipt already used" not in zh
    assert "发票可疑" in zh
    en = client.get(f"{HOLDS}?lang=en").text
    assert "receipt already used on another claim" in en and "同一票据已在其他案件中使用" not in en
    assert "发票可疑" in en


def test_the_claim_page_gives_a_flag_in_the_readers_language_and_its_rule_in_words(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-F1 GEN-4: one language, and the rule in words where the page printed its
    # code (check:duplicate_receipt)
    cid = _flag_in_both_languages(db, world)
    ClaimPages(client, db).login("investigator")

    def flags(language: str) -> str:
        text = client.get(f"/claims/{cid}?lang={language}").text
        found = text[text.index('id="fraud-flags"') :]
        return found[: found.index("</ul>")]

    zh = flags("zh-CN")
    assert "同一票据已在其他案件中使用" in zh and "receipt already used" not in zh
    assert "重复票据" in zh and "check:" not in zh and "发票可疑" in zh
    en = flags("en")
    assert "receipt already used on another claim" in en and "同一票据" not in en
    assert "Duplicate receipt" in en and "check:" not in en and "发票可疑" in en


def test_the_holds_page_lists_who_raised_the_flags_as_the_language_lists(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-F1 GEN-4: 人工、规则 in Chinese, "Person, Rule" in English (it joined them
    # with ", " in Chinese too)
    _flag_in_both_languages(db, world)  # a person's flag and a rule's on one claim
    ClaimPages(client, db).login("investigator")
    zh = client.get(f"{HOLDS}?lang=zh-CN").text
    person, rule = (gettext(m, "zh-CN") for m in ("Person", "Rule"))
    assert f"{person}、{rule}" in zh or f"{rule}、{person}" in zh, zh
    assert f"{person}, " not in zh and f"{rule}, " not in zh
    en = client.get(f"{HOLDS}?lang=en").text
    assert "Person, Rule" in en or "Rule, Person" in en


def test_the_claim_network_is_reached_from_the_claim_page_and_the_holds_list(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-F3 (investigators see the network around a claim), CLM-F2: the network
    # page had no link anywhere — an investigator reached it only by typing its address
    cid = _held(db, world, given_to=None)
    web = ClaimPages(client, db)
    web.login("investigator")
    network = f'href="/admin/claims/{cid}/network"'
    assert network in web.page(cid)
    holds = client.get(f"{HOLDS}?lang=en")
    assert network in holds.text
    opened = client.get(f"/admin/claims/{cid}/network?lang=en")
    assert opened.status_code == 200 and "Claim network" in opened.text
    web.login("handler")  # not an investigator: no link to a page they may not open
    assert network not in web.page(cid)
