"""Rings and provider clusters shown by the claim itself — before the automatic payment,
which takes a fraction of a second (SPEC CLM-F3, CLM-F1, CLM-T2; issue 13): a phone or
account registered on the records of unrelated people with no claim yet, a family's
phone through one policyholder left alone, a cluster at the stored minimum of five
unrelated insureds at a clinic with no history, a large hospital's ordinary week."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.checks import network, receipts, service
from claimdesk.models.claim import Claim
from claimdesk.models.person import Person
from claimdesk.models.policy import Policy
from claimdesk.rules.checks.types import ProviderVisit
from tests.builders import add_bank_account, demo_version, issue_policy, make_person, resident_id
from tests.checks.helpers import ReceiptBook, only_checks, report
from tests.claims.helpers import World

ORGANISER = "13755550000"


def _run(db: Session, claim_id: int) -> service.RunResult:
    result = service.run_checks(db, claim_id=claim_id, actor=service.system_actor())
    db.commit()
    return result


def _person(db: Session, n: int, *, phone: str, birth: str = "19750101") -> Person:
    return make_person(
        db, name=f"路人{n}", id_number=resident_id(birth=birth, seq=f"8{n:02d}"), phone=phone
    )


def _policy(
    db: Session, holder: Person, insured: Person | None = None, relationship: str | None = None
) -> str:
    version = demo_version(db, "MED-MILLION")
    policy = issue_policy(
        db,
        version_id=version.id,
        policyholder_id=holder.id,
        insured_id=None if insured is None else insured.id,
        insured_relationship=relationship,
    )
    db.commit()
    return str(policy.number)


def test_a_rings_first_claim_is_held_on_the_organisers_phone_on_their_records(
    world: World, db: Session
):  # SPEC CLM-F3 CLM-F1: three recruits, each on a policy of their own, the organiser's
    # phone on all three records; nobody has claimed yet.
    only_checks(db, shared_contact={"action": "hold"})
    people = [_person(db, n, phone=ORGANISER) for n in range(3)]
    numbers = [_policy(db, p) for p in people]
    first = report(world, policy_number=numbers[0], phone=ORGANISER)
    result = _run(db, first["id"])
    assert [h.check_code for h in result.new_hits] == ["shared_contact"] and result.held
    evidence = result.new_hits[0].evidence
    assert evidence["registered_person_ids"] == [people[1].id, people[2].id]
    assert evidence["claim_ids"] == [] and evidence["kind"] == "phone"
    assert db.get_one(Claim, first["id"]).state == "suspended"
    # The investigators' network draws the same records around the claim (no claim yet).
    graph, drawn = network.build_graph(db, claim_id=first["id"])
    assert drawn == {p.id for p in people}
    phone_node = f"phone:{(people[0].phone_hash or '')[:16]}"
    assert {n for n in graph.neighbors(phone_node)} == {f"person:{p.id}" for p in people}


def test_one_account_number_registered_for_two_unrelated_people_holds_the_first_claim(
    world: World, db: Session
):  # SPEC CLM-F3 CLM-F1: the payouts of two recruits go to one account, in each one's name.
    only_checks(db, shared_contact={"action": "hold"})
    people = [_person(db, 10 + n, phone=f"1375555001{n}") for n in range(2)]
    numbers = [_policy(db, p) for p in people]
    for p in people:
        add_bank_account(
            db, person_id=p.id, holder_name=p.name, account_number="6222020200001234562"
        )
    db.commit()
    result = _run(db, report(world, policy_number=numbers[0], phone="13755550010")["id"])
    assert [h.evidence["kind"] for h in result.new_hits] == ["bank_account"] and result.held
    assert result.new_hits[0].evidence["registered_person_ids"] == [people[1].id]
    assert result.new_hits[0].evidence["other_holder_person_ids"] == [people[1].id]


def test_a_husbands_account_for_his_wifes_payouts_is_no_hit(world: World, db: Session):
    # SPEC CLM-F3: separate policies, no holder in common; the husband's account, in his
    # name, is on his record and on his wife's for her payouts — a family, not a ring.
    only_checks(db, shared_contact={"action": "hold"})
    wife, husband = (_person(db, 30 + n, phone=f"1375555003{n}") for n in range(2))
    numbers = [_policy(db, p) for p in (wife, husband)]
    for p in (wife, husband):
        add_bank_account(
            db, person_id=p.id, holder_name=husband.name, account_number="6222020200007654326"
        )
    db.commit()
    result = _run(db, report(world, policy_number=numbers[0], phone="13755550030")["id"])
    assert [h.check_code for h in result.new_hits] == []
    assert not result.held


def test_a_familys_phone_through_one_policyholder_is_no_hit(world: World, db: Session):
    # SPEC CLM-F3: a parent bought the children's separate policies and gave one phone on
    # every record; the children share no policy with each other, only the holder.
    only_checks(db, shared_contact={"action": "hold"})
    phone = "13755550020"
    parent = _person(db, 20, phone=phone)
    children = [_person(db, 21 + n, phone=phone, birth=f"200{n}0101") for n in range(3)]
    own = _policy(db, parent)
    theirs = [_policy(db, parent, child, "child") for child in children]
    for number in (*theirs, own, theirs[0]):  # each claims, the first child twice
        result = _run(db, report(world, policy_number=number, phone=phone)["id"])
        assert result.new_hits == [] and not result.held
    # The same phone on two strangers' records besides the family: a ring again.
    strangers = [_person(db, 30 + n, phone=phone) for n in range(2)]
    for s in strangers:
        _policy(db, s)
    result = _run(db, report(world, policy_number=theirs[1], phone=phone)["id"])
    assert result.held
    assert result.new_hits[0].evidence["registered_person_ids"] == [s.id for s in strangers]


def test_a_couples_own_phone_on_separate_policies_is_no_hit(world: World, db: Session):
    # SPEC CLM-F3 (issue 13's honest look-alikes): husband and wife each bought their own
    # policy and gave one household number on both records; both claim. Nothing links
    # them through the policies — the number is one of theirs and shared by one other.
    only_checks(db, shared_contact={"action": "hold"})
    phone = "13755550040"
    husband, wife = _person(db, 40, phone=phone), _person(db, 41, phone=phone)
    his, hers = _policy(db, husband), _policy(db, wife)
    for number in (his, hers, his):
        result = _run(db, report(world, policy_number=number, phone=phone)["id"])
        assert result.new_hits == [] and not result.held
    # The wife hands in the next claim of her husband's with her own mobile.
    hers_only = "13755550041"
    wife.phone = hers_only
    db.commit()
    husband2 = _person(db, 42, phone="13755550042")
    policy2 = _policy(db, husband2)
    wife2 = _person(db, 43, phone=hers_only)
    _run(db, report(world, policy_number=_policy(db, wife2), phone=hers_only)["id"])
    result = _run(db, report(world, policy_number=policy2, phone=hers_only)["id"])
    assert result.new_hits == [] and not result.held
    # Off: the administrator counts every shared phone again.
    only_checks(db, shared_contact={"action": "hold", "parameters": {"household_phone_others": 0}})
    result = _run(db, report(world, policy_number=his, phone=phone)["id"])
    assert result.held and result.new_hits[0].evidence["person_ids"] == [wife.id]


def test_a_go_betweens_number_on_nobodys_record_is_still_a_hit(world: World, db: Session):
    # SPEC CLM-F3: the organiser's phone given as the contact phone of two strangers'
    # claims, on neither's record: a hit at the second claim, as before.
    only_checks(db, shared_contact={"action": "hold"})
    first, second = _person(db, 44, phone="13755550044"), _person(db, 45, phone="13755550045")
    _run(db, report(world, policy_number=_policy(db, first), phone=ORGANISER)["id"])
    result = _run(db, report(world, policy_number=_policy(db, second), phone=ORGANISER)["id"])
    assert result.held and result.new_hits[0].evidence["person_ids"] == [first.id]


def _strangers_claims(world: World, db: Session, n: int, start: int) -> list[int]:
    ids = []
    for i in range(n):
        person = _person(db, start + i, phone=f"137555501{start + i:02d}")
        ids.append(report(world, policy_number=_policy(db, person), phone=person.phone or "")["id"])
    return ids


def test_a_cluster_is_caught_at_the_stored_minimum_of_five(
    world: World, db: Session, book: ReceiptBook
):  # SPEC CLM-F3: a clinic never seen before, five unrelated insureds within 3 days.
    only_checks(db, provider_cluster={"action": "refer"})
    stored = service.configs(db)
    assert next(c for c in stored if c.code == "provider_cluster").parameters["min_insureds"] == 5
    others = _strangers_claims(world, db, 4, 40)
    mine = report(world, policy_number=world.policies["MED-MILLION"].number)["id"]  # type: ignore[attr-defined]
    for n, cid in enumerate([*others[:3], mine]):
        book.add(claim_id=cid, number=str(n), issuer="新开门诊部", on=f"2026-06-0{n % 3 + 1}")
    assert _run(db, mine).new_hits == []  # four: below the minimum
    book.add(claim_id=others[3], number="9", issuer="新开门诊部", on="2026-06-03")
    hits = _run(db, mine).new_hits
    assert [h.check_code for h in hits] == ["provider_cluster"]
    assert hits[0].evidence["insureds"] == 5 and hits[0].evidence["usual"] == "0.00"


class _BusyHospital(ReceiptBook):
    """The book's receipts, and a large hospital's history: 3 unrelated insureds a day."""

    def visits(
        self, session: Session, provider: str, start: dt.date, end: dt.date
    ) -> Sequence[ProviderVisit]:
        found = list(super().visits(session, provider, start, end))
        if provider != "北京协和医院":
            return found
        day0 = dt.date(2026, 6, 1)
        for back in range(4, 91):
            on = day0 - dt.timedelta(days=back)
            if start <= on <= end:
                found.extend(
                    ProviderVisit(
                        -back * 10 - i, -back * 10 - i, provider, on, 900_000 + back * 10 + i
                    )
                    for i in range(3)
                )
        return found


def test_a_large_hospitals_ordinary_week_is_no_cluster(
    world: World, db: Session
):  # SPEC CLM-F3: eight insureds in 3 days at a hospital that sees ~21 a week.
    busy = _BusyHospital()
    receipts.register_receipt_source(busy)
    try:
        only_checks(db, provider_cluster={"action": "refer"})
        others = _strangers_claims(world, db, 7, 60)
        mine = report(world, policy_number=world.policies["MED-MILLION"].number)["id"]  # type: ignore[attr-defined]
        for n, cid in enumerate([*others, mine]):
            busy.add(claim_id=cid, number=str(n), issuer="北京协和医院", on=f"2026-06-0{n % 3 + 1}")
        assert _run(db, mine).new_hits == []
        # The same eight at a clinic with no history are a cluster.
        for n, cid in enumerate([*others, mine]):
            busy.add(claim_id=cid, number=f"c{n}", issuer="新开门诊部", on=f"2026-06-0{n % 3 + 1}")
        assert [h.evidence["provider"] for h in _run(db, mine).new_hits] == ["新开门诊部"]
    finally:
        receipts.register_receipt_source(None)


def test_a_family_of_three_on_the_childs_mobile_and_the_childs_spouse_is_no_hit(
    world: World, db: Session
):  # SPEC CLM-F3 POL-1 (issue 13's honest look-alikes): the child bought both parents'
    # policies (the insured is the holder's parent) and their records carry the child's
    # mobile; the child's spouse, on a policy of their own, gave the same household
    # number. Four people, two families: a household, not a ring. Before the relation was
    # read, the spouse's claim saw three unrelated records and was held.
    only_checks(db, shared_contact={"action": "hold"})
    phone = "13755550060"
    child = _person(db, 60, phone=phone, birth="19850101")
    spouse = _person(db, 61, phone=phone, birth="19860101")
    parents = [_person(db, 62 + n, phone=phone, birth="19560101") for n in range(2)]
    theirs = [_policy(db, child, parent, "parent") for parent in parents]
    own, spouses = _policy(db, child), _policy(db, spouse)
    for number in (spouses, *theirs, own, spouses):
        result = _run(db, report(world, policy_number=number, phone=phone)["id"])
        assert result.new_hits == [] and not result.held
    # Counted as people again (a family of one each), the spouse's claim is held on the
    # same facts: it is the relation on the forms that tells the family from a ring.
    for number in theirs:
        policy = db.scalars(select(Policy).where(Policy.number == number)).one()
        policy.insured_relationship = "other"
    db.commit()
    result = _run(db, report(world, policy_number=spouses, phone=phone)["id"])
    assert result.held
    assert result.new_hits[0].evidence["person_ids"] == sorted([child.id, *(p.id for p in parents)])


def test_an_organiser_who_buys_the_recruits_policies_as_other_is_still_a_ring(
    world: World, db: Session
):  # SPEC CLM-F3 CLM-F1 POL-1: the organiser is the policyholder of three strangers'
    # policies ("other": no family relation declared) with his phone on their records.
    # He is their beneficiary too. Buying for them, or being paid on their deaths, does
    # not make them one family: the first claim is held.
    only_checks(db, shared_contact={"action": "hold"})
    organiser = _person(db, 70, phone="13755550070")
    recruits = [_person(db, 71 + n, phone=ORGANISER) for n in range(3)]
    version = demo_version(db, "MED-MILLION")
    numbers = []
    for recruit in recruits:
        policy = issue_policy(
            db,
            version_id=version.id,
            policyholder_id=organiser.id,
            insured_id=recruit.id,
            insured_relationship="other",
            beneficiaries=[{"person_id": organiser.id, "relationship": "朋友", "share": "100"}],
        )
        numbers.append(str(policy.number))
    db.commit()
    result = _run(db, report(world, policy_number=numbers[0], phone=ORGANISER)["id"])
    assert [h.check_code for h in result.new_hits] == ["shared_contact"] and result.held
    evidence = result.new_hits[0].evidence
    assert evidence["registered_person_ids"] == [recruits[1].id, recruits[2].id]
    assert evidence["families"] == 2
