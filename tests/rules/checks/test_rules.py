"""The automatic checks as pure rules, hits and non-hits at the edges (SPEC CLM-F3)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from claimdesk.rules.checks.types import (
    CheckInput,
    ContactLink,
    GroupVisit,
    ItemPrice,
    LineUse,
    PastClaim,
    ProviderVisit,
    Receipt,
    ReceiptLine,
)
from tests.rules.checks.helpers import D, claim, day, insured, line, make, policy, receipt, run

# -- duplicate_receipt -----------------------------------------------------------------------


def test_same_receipt_on_another_claim_of_any_policy_is_a_hit():  # SPEC CLM-F3
    mine = receipt(rid=20)  # presented after the other (9)
    other = receipt(rid=9, claim_id=7)
    hits = run("duplicate_receipt", make(receipts=(mine,), same_receipts=(other,)))
    assert [h.evidence["other_claim_ids"] for h in hits] == [[7]]
    assert "11010125" in hits[0].reason_zh and "another claim" in hits[0].reason_en


def test_same_receipt_only_on_this_claim_is_no_hit():  # SPEC CLM-F3
    mine = receipt()
    assert run("duplicate_receipt", make(receipts=(mine,), same_receipts=(mine,))) == []


def test_a_line_reused_under_a_new_receipt_is_a_hit_from_the_floor_up():  # SPEC CLM-F3
    mine = receipt(rid=20, lines=(line("CT检查", amount="100.00"),))
    reused = LineUse(7, 9, "北京协和医院", day("2026-06-01"), "250101001", "CT检查", D("100.00"))
    hits = run("duplicate_receipt", make(receipts=(mine,), line_uses=(reused,)))
    assert [h.evidence["line_no"] for h in hits] == [1]
    # A cheaper line than the floor (a registration fee) repeats honestly.
    assert (
        run(
            "duplicate_receipt",
            make(receipts=(mine,), line_uses=(reused,)),
            min_line_amount="100.01",
        )
        == []
    )


def test_a_line_on_another_day_is_not_reuse():  # SPEC CLM-F3
    mine = receipt(lines=(line(amount="300.00"),))
    other_day = LineUse(7, 9, "北京协和医院", day("2026-06-02"), "250101001", "血常规", D("300.00"))
    assert run("duplicate_receipt", make(receipts=(mine,), line_uses=(other_day,))) == []


# -- duplicate_receipt across insureds -------------------------------------------------------


def _copy(claim_id: int, receipt_id: int, *amounts: str, on: str = "2026-06-01") -> tuple:  # type: ignore[type-arg]
    return tuple(
        LineUse(claim_id, receipt_id, "北京协和医院", day(on), f"code{i}", f"项目{i}", D(a))
        for i, a in enumerate(amounts)
    )


def _receipt_of(*amounts: str):
    items = tuple(
        line(f"项目{i}", code=f"code{i}", amount=a, no=i + 1) for i, a in enumerate(amounts)
    )
    return receipt(rid=20, lines=items)  # presented after the others (9, 10)


def test_lines_copied_from_another_insureds_receipt_take_several_lines():  # SPEC CLM-F3
    mine = _receipt_of("25.00", "30.00", "60.00", "12.50")
    three = _copy(7, 9, "25.00", "30.00", "60.00", "99.00")  # 3 of its lines equal, 115 together
    hits = run("duplicate_receipt", make(receipts=(mine,), provider_lines=three))
    assert [(h.evidence["other_receipt_id"], h.evidence["lines"]) for h in hits] == [(9, 3)]
    assert hits[0].evidence["other_claim_ids"] == [7] and "another claim" in hits[0].reason_en
    # Two equal lines (a consultation and a blood count: the hospital's price list) are not.
    two = _copy(7, 9, "25.00", "30.00", "61.00")
    assert run("duplicate_receipt", make(receipts=(mine,), provider_lines=two)) == []
    # Nor are three cheap ones below the amount floor, nor lines of another day.
    copied = make(receipts=(mine,), provider_lines=three)
    assert run("duplicate_receipt", copied, min_line_amount="115.01") == []
    other_day = _copy(7, 9, "25.00", "30.00", "60.00", on="2026-06-02")
    assert run("duplicate_receipt", make(receipts=(mine,), provider_lines=other_day)) == []


def test_a_short_receipt_copied_whole_onto_another_claim_is_a_hit():  # SPEC CLM-F3
    # Issue 13's benchmark: a consultation and a test (¥165.45) copied onto a friend's
    # claim under a new receipt number — two lines, under min_shared_lines (3), but every
    # line of one bill equal to every line of the other: the same provider, day and total.
    mine = _receipt_of("62.76", "102.69")
    whole = _copy(7, 9, "62.76", "102.69")
    [hit] = run("duplicate_receipt", make(receipts=(mine,), provider_lines=whole))
    assert (hit.evidence["other_receipt_id"], hit.evidence["lines"]) == (9, 2)
    assert hit.evidence["amount"] == "165.45" and hit.evidence["other_claim_ids"] == [7]
    # The administrator's setting: 3 lines at least, or 0 (off).
    for value in (3, 0):
        inp = make(receipts=(mine,), provider_lines=whole)
        assert run("duplicate_receipt", inp, whole_receipt_min_lines=value) == []
    # Not the whole bill: a line of theirs not on mine, or of mine not on theirs.
    more = _copy(7, 9, "62.76", "102.69", "30.00")
    assert run("duplicate_receipt", make(receipts=(mine,), provider_lines=more)) == []
    extra = _receipt_of("62.76", "102.69", "30.00")
    assert run("duplicate_receipt", make(receipts=(extra,), provider_lines=whole)) == []
    # Under the amount floor (a registration and a blood count at the price list).
    cheap = _receipt_of("25.00", "30.00")
    same = _copy(7, 9, "25.00", "30.00")
    assert run("duplicate_receipt", make(receipts=(cheap,), provider_lines=same)) == []


def test_lines_split_over_two_receipts_or_equal_twice_count_once():  # SPEC CLM-F3
    mine = _receipt_of("25.00", "30.00", "60.00")
    split = _copy(7, 9, "25.00", "30.00") + _copy(8, 10, "60.00")
    assert run("duplicate_receipt", make(receipts=(mine,), provider_lines=split)) == []
    # One line of mine matches one line of theirs, not every equal line of theirs.
    once = _receipt_of("25.00", "30.00")
    repeated = _copy(7, 9, "25.00", "30.00") + _copy(7, 9, "25.00")
    assert run("duplicate_receipt", make(receipts=(once,), provider_lines=repeated)) == []


def test_cheap_lines_of_the_insureds_own_receipt_billed_again_are_a_hit():  # SPEC CLM-F3
    # Every line under the single-line floor (¥100), five of them copied: the same visit.
    mine = _receipt_of("28.45", "81.45", "27.68", "12.74", "13.62", "15.91")
    own = _copy(50, 9, "28.45", "81.45", "27.68", "12.74", "13.62")
    past = (PastClaim(50, day("2026-05-01"), D("163.94")),)
    inp = make(receipts=(mine,), provider_lines=own, insured_claims=past)
    assert [h.evidence["lines"] for h in run("duplicate_receipt", inp)] == [5]


def _at(hour: int) -> dt.datetime:
    return dt.datetime(2026, 6, 10, hour, tzinfo=dt.UTC)


def test_the_original_is_not_held_for_a_later_copy_of_its_receipt():  # SPEC CLM-F3 CLM-F1
    # Issue 13's benchmark: the honest first claimant's run came after the copy's bill
    # had arrived, and held the original. The claim reported and billed later holds the
    # copy.
    mine = receipt(rid=5)
    copy = receipt(rid=9, claim_id=7)
    first = make(claim=claim(received_at=_at(9)), receipts=(mine,), same_receipts=(copy,))
    [hit] = run("duplicate_receipt", dataclasses.replace(first, claims_received={7: _at(11)}))
    assert hit.on_claim_ids == (7,) and hit.evidence["original_claim_id"] == 1
    assert "other_claim_ids" not in hit.evidence and "came first" in hit.reason_en
    # Reported before this claim: this claim holds the copy — its own hit.
    [hit] = run("duplicate_receipt", dataclasses.replace(first, claims_received={7: _at(8)}))
    assert hit.on_claim_ids == () and hit.evidence["other_claim_ids"] == [7]
    # Reported later, but its bill presented first: the orders disagree — held too.
    overtaken = dataclasses.replace(
        first, receipts=(receipt(rid=12),), claims_received={7: _at(11)}
    )
    assert [h.evidence["other_claim_ids"] for h in run("duplicate_receipt", overtaken)] == [[7]]
    # An order not known (no report times): held, as before.
    assert [h.on_claim_ids for h in run("duplicate_receipt", first)] == [()]


def test_reused_and_copied_lines_hold_the_later_claim_only():  # SPEC CLM-F3
    mine = dataclasses.replace(_receipt_of("25.00", "30.00", "160.00"), receipt_id=5)
    theirs = _copy(7, 9, "25.00", "30.00", "160.00")
    later = make(
        claim=claim(received_at=_at(9)),
        receipts=(mine,),
        provider_lines=theirs,
        line_uses=theirs,
        claims_received={7: _at(12)},
    )
    hits = run("duplicate_receipt", later)
    # The ¥160 line reused, and three lines copied: both the later claim's, not this one's.
    assert sorted(h.on_claim_ids for h in hits) == [(7,), (7,)]
    assert {"line_no", "lines"} <= {k for h in hits for k in h.evidence}
    earlier = dataclasses.replace(later, claims_received={7: _at(8)})
    assert [h.on_claim_ids for h in run("duplicate_receipt", earlier)] == [(), ()]


# -- outside_period --------------------------------------------------------------------------


def test_loss_on_the_last_covered_day_is_inside_the_day_after_is_outside():  # SPEC CLM-F3
    assert run("outside_period", make(claim=claim(loss_date=day("2026-12-31")))) == []
    hits = run("outside_period", make(claim=claim(loss_date=day("2027-01-01"))))
    assert [h.evidence["kind"] for h in hits] == ["outside_period"]


def test_waiting_period_edge_and_renewal():  # SPEC CLM-F3
    # 30 days of waiting from 01-01: 01-30 is inside, 01-31 the first covered day.
    inside = make(claim=claim(loss_date=day("2026-01-30")))
    assert [h.evidence["kind"] for h in run("outside_period", inside)] == ["waiting_period"]
    assert run("outside_period", make(claim=claim(loss_date=day("2026-01-31")))) == []
    renewed = make(claim=claim(loss_date=day("2026-01-30")), policy=policy(renewal=True))
    assert run("outside_period", renewed) == []


def test_a_receipt_dated_before_the_policy_is_a_hit():  # SPEC CLM-F3
    hits = run("outside_period", make(receipts=(receipt(on="2025-12-28"),)))
    assert hits[0].evidence["field"] == "receipt:1:issued_on"


def test_a_loss_on_or_after_the_termination_date_is_outside_the_cover():  # SPEC CLM-F3 POL-3
    # Surrendered with effect from 2026-06-01: cover ended on 05-31, inside the period
    surrendered = policy(terminated_on=day("2026-06-01"))
    assert (
        run("outside_period", make(claim=claim(loss_date=day("2026-05-31")), policy=surrendered))
        == []
    )
    (hit,) = run(
        "outside_period", make(claim=claim(loss_date=day("2026-06-01")), policy=surrendered)
    )
    assert hit.evidence["kind"] == "outside_period"
    assert hit.evidence["terminated_on"] == "2026-06-01"
    assert "termination took effect (1 Jun 2026)" in hit.reason_en
    assert "解除生效（2026年6月1日）之后" in hit.reason_zh
    # A termination dated after the period's end changes nothing.
    late = policy(terminated_on=day("2027-03-01"))
    assert run("outside_period", make(claim=claim(loss_date=day("2026-12-31")), policy=late)) == []


# -- sex_age_mismatch ------------------------------------------------------------------------


def test_obstetric_item_on_a_male_insured_is_a_hit():  # SPEC CLM-F3
    r = receipt(lines=(line("产前检查", code="1234"),))
    hits = run("sex_age_mismatch", make(receipts=(r,)))
    assert hits[0].evidence["list_item"] == "obstetric" and hits[0].evidence["gender"] == "M"
    assert run("sex_age_mismatch", make(receipts=(r,), insured=insured(gender="F"))) == []


def test_prostate_item_on_a_female_insured_is_a_hit():  # SPEC CLM-F3
    r = receipt(lines=(line("前列腺特异性抗原测定", code="250403"),))
    assert run("sex_age_mismatch", make(receipts=(r,), insured=insured(gender="F")))
    assert run("sex_age_mismatch", make(receipts=(r,))) == []


def test_national_code_prefix_alone_matches():  # SPEC CLM-F3
    r = receipt(lines=(line("手术费", code="331201001"),))  # 3312: female genital surgery
    assert run("sex_age_mismatch", make(receipts=(r,)))[0].evidence["list_item"] == "gynecological"


def test_paediatric_item_up_to_14_not_at_15():  # SPEC CLM-F3
    r = receipt(on="2026-06-01", lines=(line("小儿推拿", code=None),))
    child = insured(birth_date=day("2011-06-01"))  # 15 on the day
    assert run("sex_age_mismatch", make(receipts=(r,), insured=child))
    fourteen = insured(birth_date=day("2011-06-02"))  # still 14 on the day
    assert run("sex_age_mismatch", make(receipts=(r,), insured=fourteen)) == []


# -- early_claim -----------------------------------------------------------------------------


def test_early_claim_counts_from_the_end_of_the_waiting_period():  # SPEC CLM-F3
    # Policy from 2026-01-01, 30-day waiting period: the first covered day is 2026-01-31.
    # Timing alone (amount_ratio 0): days 0..59 after it are early, the 60th is not.
    first = make(claim=claim(loss_date=day("2026-01-31")))
    hit = run("early_claim", first, days_after_waiting=60, amount_ratio="0")[0]
    assert hit.evidence["days_after_start"] == 30
    assert hit.evidence["days_after_waiting_period"] == 0
    day_59 = make(claim=claim(loss_date=day("2026-03-31")))
    assert run("early_claim", day_59, days_after_waiting=60, amount_ratio="0")
    day_60 = make(claim=claim(loss_date=day("2026-04-01")))
    assert run("early_claim", day_60, days_after_waiting=60, amount_ratio="0") == []
    # Inside the waiting period is outside_period's hit, not this one's.
    waiting = make(claim=claim(loss_date=day("2026-01-20")))
    assert run("early_claim", waiting, days_after_waiting=60, amount_ratio="0") == []
    # A renewal is no new policy.
    renewed = make(claim=claim(loss_date=day("2026-02-10")), policy=policy(renewal=True))
    assert run("early_claim", renewed, amount_ratio="0") == []


def test_early_claim_weighs_the_amount_against_the_diagnosis():  # SPEC CLM-F3
    history = tuple(D(a) for a in ("600", "640", "660", "700", "720"))  # median 660
    costly = claim(loss_date=day("2026-02-10"), amount=D("990.00"))  # 10 days after waiting
    hit = run("early_claim", make(claim=costly, cause_amounts=history), min_samples=5)
    assert hit and hit[0].evidence["median"] == "660" and "990.00" in hit[0].reason_en
    usual = claim(loss_date=day("2026-02-10"), amount=D("989.99"))  # under 1.5 × the median
    assert run("early_claim", make(claim=usual, cause_amounts=history), min_samples=5) == []
    # Too little history to say what is usual: no hit.
    short = make(claim=costly, cause_amounts=history[:4])
    assert run("early_claim", short, min_samples=5) == []


def _early_bill(total: str, group: str | None, setting: str | None):  # -> Receipt
    return dataclasses.replace(
        receipt(rid=4, total=total, on="2026-02-10"),
        diagnosis=group and group.split(":")[0] + ".500",
        diagnosis_group=group,
        setting=setting,
    )


def test_early_claim_weighs_a_bill_against_its_own_diagnosis_group():  # SPEC CLM-F3
    # Issue 13's benchmark: "illness" (median ¥322, mostly cold visits) × 1.5 caught
    # nearly every bill in the window. A disc herniation visit with an MRI (¥1,000) is
    # usual for its diagnosis; the same visit at twice its prices is not.
    illness = _colds(60)
    herniation = tuple(D(900 + (i % 5) * 20) for i in range(20))  # median 940
    when = claim(loss_date=day("2026-02-10"), amount=D("1000.00"))
    usual = make(
        claim=when,
        receipts=(_early_bill("1000.00", "M51:outpatient", "outpatient"),),
        cause_amounts=illness,
        diagnosis_amounts={"M51:outpatient": herniation},
    )
    assert run("early_claim", usual) == []
    inflated = dataclasses.replace(
        usual, receipts=(_early_bill("1880.00", "M51:outpatient", "outpatient"),)
    )
    [hit] = run("early_claim", inflated)
    assert hit.evidence["basis"] == "diagnosis" and hit.evidence["group"] == "M51:outpatient"
    assert hit.evidence["median"] == "940" and "M51:outpatient" in hit.reason_en
    # Too few of its diagnosis: every bill of its setting; too few of that: no hit.
    rare = dataclasses.replace(
        inflated,
        diagnosis_amounts={"M51:outpatient": herniation[:9]},
        setting_amounts={"outpatient": herniation},
    )
    assert run("early_claim", rare)[0].evidence["basis"] == "setting"
    assert run("early_claim", dataclasses.replace(rare, setting_amounts={})) == []


def test_early_claim_of_a_bill_without_diagnosis_or_of_an_estimate():  # SPEC CLM-F3
    # A bill without a settlement statement: the claim's amount against the loss cause.
    colds = _colds(60)  # median 180
    when = claim(loss_date=day("2026-02-10"), amount=D("270.00"), bills_expected=True)
    bare = make(claim=when, receipts=(_early_bill("270.00", None, None),), cause_amounts=colds)
    assert run("early_claim", bare)[0].evidence["basis"] == "loss_cause"
    # The report of a medical claim, no bill yet: its estimate is not judged.
    estimate = dataclasses.replace(bare, receipts=())
    assert run("early_claim", estimate) == []
    # A line without bills: its claimed amount is all there is.
    lump = dataclasses.replace(estimate, claim=dataclasses.replace(when, bills_expected=False))
    assert run("early_claim", lump)[0].evidence["basis"] == "loss_cause"


# -- just_under_limit ------------------------------------------------------------------------


def _past(*amounts: str) -> tuple[PastClaim, ...]:
    return tuple(PastClaim(50 + i, day("2026-05-01"), D(a)) for i, a in enumerate(amounts))


def test_three_amounts_within_5_percent_under_a_limit_is_a_hit():  # SPEC CLM-F3
    inp = make(claim=claim(amount=D("4990.00")), insured_claims=_past("4750.00", "4999.00"))
    hits = run("just_under_limit", inp, limits=["5000"], within_pct="5", min_count=3)
    assert hits[0].evidence["count"] == 3 and hits[0].evidence["limit"] == "5000"


def test_just_outside_the_band_or_too_few_is_no_hit():  # SPEC CLM-F3
    below = make(claim=claim(amount=D("4990.00")), insured_claims=_past("4749.99", "4999.00"))
    assert run("just_under_limit", below, limits=["5000"], within_pct="5", min_count=3) == []
    over = make(claim=claim(amount=D("5000.01")), insured_claims=_past("4800", "4900"))
    assert run("just_under_limit", over, limits=["5000"], within_pct="5", min_count=3) == []


# -- shared_contact --------------------------------------------------------------------------


def test_phone_shared_with_a_claimant_on_another_policy_is_a_hit():  # SPEC CLM-F3
    link = ContactLink("phone", "ab" * 32, 200, (5,), shares_policy=False)
    hits = run("shared_contact", make(contacts=(link,)))
    assert hits[0].evidence["person_ids"] == [200]
    assert len(hits[0].evidence["key_hash"]) == 16  # a prefix of the keyed hash, no number


def test_phone_shared_within_one_policy_is_no_hit():  # SPEC CLM-F3
    family = ContactLink("phone", "ab" * 32, 200, (5,), shares_policy=True)
    assert run("shared_contact", make(contacts=(family,))) == []
    one = ContactLink("bank_account", "cd" * 32, 200, (5,), shares_policy=False)
    assert run("shared_contact", make(contacts=(one,)), min_other_people=2) == []


def _on_records(
    n: int, kind: str = "phone", *, related: bool = False, other_holder: bool = False
) -> tuple[ContactLink, ...]:
    """The contact registered on the records of n other people who have no claim yet."""
    return tuple(
        ContactLink(
            kind,
            "ef" * 32,
            300 + i,
            (),
            shares_policy=related,
            registered=True,
            other_holder=other_holder,
        )
        for i in range(n)
    )


def test_a_ring_shows_at_its_first_claim_on_a_phone_registered_for_strangers():
    # SPEC CLM-F3 CLM-F1 (issue 13): the organiser's phone on the records of the people
    # he bought policies for is there before any of them claims.
    hits = run("shared_contact", make(contacts=_on_records(2)))
    assert hits and hits[0].evidence["registered_person_ids"] == [300, 301]
    assert hits[0].evidence["claim_ids"] == [] and "registered" in hits[0].reason_en
    # One other record with the phone is a spouse's or a parent's phone: no signal alone.
    assert run("shared_contact", make(contacts=_on_records(1))) == []
    assert run("shared_contact", make(contacts=_on_records(2)), min_registered_phone=3) == []
    assert run("shared_contact", make(contacts=_on_records(5)), min_registered_phone=0) == []


def test_one_account_number_in_two_holders_names_is_a_hit_at_the_first_record():
    # SPEC CLM-F3: an account belongs to one person; its number registered in another
    # holder's name on an unrelated person's record is a ring's payout account.
    hits = run("shared_contact", make(contacts=_on_records(1, "bank_account", other_holder=True)))
    assert hits[0].evidence["kind"] == "bank_account"
    assert hits[0].evidence["other_holder_person_ids"] == [300]
    assert "another holder's name" in hits[0].reason_en and "不同户名" in hits[0].reason_zh
    off = run(
        "shared_contact",
        make(contacts=_on_records(1, "bank_account", other_holder=True)),
        min_registered_account=0,
    )
    assert off == []


def test_one_persons_account_on_one_other_record_is_a_family_not_a_ring():
    # SPEC CLM-F3: the husband's account, in his name, on the wife's record for her
    # payouts: two records, one holder — no hit; on two strangers' records it is.
    assert run("shared_contact", make(contacts=_on_records(1, "bank_account"))) == []
    hits = run("shared_contact", make(contacts=_on_records(2, "bank_account")))
    assert hits[0].evidence["registered_person_ids"] == [300, 301]
    assert hits[0].evidence["other_holder_person_ids"] == []


def test_a_family_phone_registered_through_one_policyholder_is_no_hit():  # SPEC CLM-F3
    # The parent's phone on the children's separate policies: related through the holder.
    family = _on_records(4, related=True)
    assert run("shared_contact", make(contacts=family)) == []
    # Only other claimants count as "used by"; a registered record needs its own minimum.
    used_only = (ContactLink("phone", "ab" * 32, 200, (5,), shares_policy=False),)
    assert run("shared_contact", make(contacts=used_only), min_registered_phone=1)


def test_a_households_own_phone_shared_with_one_claimant_is_no_hit():
    # SPEC CLM-F3 (issue 13's honest look-alikes): a couple on two separate policies
    # with one phone on both records, or an older parent whose record carries the
    # child's mobile — someone's own number, shared by one other person: no ring.
    spouse = ContactLink("phone", "ab" * 32, 200, (5,), shares_policy=False, registered=True)
    assert run("shared_contact", make(contacts=(spouse,))) == []
    # The spouse hands in the claim with their own phone: on their record, not ours.
    assert run("shared_contact", make(contacts=(spouse,))) == []
    # From the spouse's side: our number, given on their claims only, on our record.
    mine = ContactLink("phone", "ab" * 32, 200, (5,), shares_policy=False, claimant_registered=True)
    assert run("shared_contact", make(contacts=(mine,))) == []
    # Off (0), or a number on nobody's record — a go-between's contact phone on the
    # claims of strangers — it is a hit at the first other claimant, as before.
    assert run("shared_contact", make(contacts=(spouse,)), household_phone_others=0)
    stranger = ContactLink("phone", "ab" * 32, 200, (5,), shares_policy=False)
    assert run("shared_contact", make(contacts=(stranger,)))
    # Two other people on one household number is more than a household of this size.
    second = dataclasses.replace(stranger, person_id=201, claim_ids=(6,))
    hits = run("shared_contact", make(contacts=(spouse, second)))
    assert hits and hits[0].evidence["person_ids"] == [200, 201]
    assert run("shared_contact", make(contacts=(spouse, second)), household_phone_others=2) == []
    # A relative on the claimant's policies is not counted among the sharers.
    child = ContactLink("phone", "ab" * 32, 202, (), shares_policy=True, registered=True)
    assert run("shared_contact", make(contacts=(spouse, child))) == []


def test_the_people_of_one_family_count_once():
    # SPEC CLM-F3 POL-1 (issue 13): an older couple on their adult child's mobile, the
    # child having bought both parents' policies (the insured is the holder's parent):
    # one family of three. For the child's spouse, on a policy of their own with the
    # same household number, that is one other family — a household, not a ring.
    parents_and_child = tuple(
        ContactLink(
            "phone", "ab" * 32, pid, (5 + i,), shares_policy=False, registered=True, family=300
        )
        for i, pid in enumerate((300, 301, 302))
    )
    assert run("shared_contact", make(contacts=parents_and_child)) == []
    # Counted as people (no family linked on the forms) the same three are a hit, by
    # use and by their records.
    apart = tuple(dataclasses.replace(link, family=None) for link in parents_and_child)
    hits = run("shared_contact", make(contacts=apart))
    assert hits and hits[0].evidence["person_ids"] == [300, 301, 302]
    assert hits[0].evidence["families"] == 3
    # A ring's recruits are one family each: a stranger beside the family makes two other
    # families on the number — a hit, whose evidence names every person.
    stranger = ContactLink("phone", "ab" * 32, 310, (9,), shares_policy=False, registered=True)
    hits = run("shared_contact", make(contacts=(*parents_and_child, stranger)))
    assert hits and hits[0].evidence["families"] == 2
    assert hits[0].evidence["person_ids"] == [300, 301, 302, 310]
    assert "used by 4 other claimants" in hits[0].reason_en  # the words name the people


def test_a_family_on_the_registered_minimum_counts_once():  # SPEC CLM-F3 POL-1
    # The organiser's phone on records of two people is a ring (minimum 2) — unless the
    # forms link them as one family (a parent and the child whose policy they bought).
    family = tuple(dataclasses.replace(link, family=300) for link in _on_records(2))
    assert run("shared_contact", make(contacts=family)) == []
    assert run("shared_contact", make(contacts=_on_records(2)))
    # An account in another holder's name stays a hit even within one family's records.
    renamed = tuple(
        dataclasses.replace(link, family=300)
        for link in _on_records(1, "bank_account", other_holder=True)
    )
    assert run("shared_contact", make(contacts=renamed))


def test_a_household_number_does_not_excuse_an_account():  # SPEC CLM-F3
    # CLM-T2 pays the insured on their own account: an account on another claimant's
    # record is not a household's phone, whatever the phone parameter says.
    account = ContactLink(
        "bank_account", "cd" * 32, 200, (5,), shares_policy=False, registered=True
    )
    assert run("shared_contact", make(contacts=(account,)), household_phone_others=5)


# -- provider_cluster ------------------------------------------------------------------------


def test_provider_cluster_default_is_five_unrelated_insureds():  # SPEC CLM-F3
    mine = receipt(on="2026-06-01")
    assert run("provider_cluster", make(receipts=(mine,), provider_visits=_visits(4)))
    assert run("provider_cluster", make(receipts=(mine,), provider_visits=_visits(3))) == []


def test_a_clinics_first_crowd_is_not_its_usual_for_the_next():  # SPEC CLM-F3
    # Issue 13's replay: 17 insureds at a new clinic within 5 days, then 17 more a week
    # later. Spread over the days seen (7), the first crowd made the usual 17 a week.
    mine = receipt(on="2026-06-12")
    first = tuple(
        ProviderVisit(100 + i, 500 + i, "北京协和医院", day("2026-06-01"), policy_id=900 + i)
        for i in range(17)
    )
    crowd = make(receipts=(mine,), provider_visits=first + _visits(6, on="2026-06-12"))
    hits = run("provider_cluster", crowd)
    # 17 parties over at least 90 days: 1.32 a week — 7 in the window is a cluster.
    assert hits and hits[0].evidence["usual"] == "1.32" and hits[0].evidence["insureds"] == 7
    assert run("provider_cluster", crowd, min_history_days=1) == []


def test_series_rules_name_the_other_claims_of_the_scheme():  # SPEC CLM-F3
    from claimdesk.rules.checks.rules import RULES

    series = {code for code, rule in RULES.items() if rule.series}
    assert series == {"just_under_limit", "shared_contact", "provider_cluster", "claim_frequency"}
    link = ContactLink("phone", "ab" * 32, 200, (5, 6), shares_policy=False)
    assert run("shared_contact", make(contacts=(link,)))[0].evidence["claim_ids"] == [5, 6]


def _visits(n: int, on: str = "2026-06-02") -> tuple[ProviderVisit, ...]:
    return tuple(
        ProviderVisit(100 + i, 500 + i, "北京协和医院", day(on), policy_id=900 + i)
        for i in range(n)
    )


def test_provider_cluster_edge():  # SPEC CLM-F3
    mine = receipt(on="2026-06-01")
    # 4 others + this claim = 5 unrelated insureds within 3 days.
    assert run(
        "provider_cluster",
        make(receipts=(mine,), provider_visits=_visits(4)),
        window_days=3,
        min_insureds=5,
    )
    assert (
        run(
            "provider_cluster",
            make(receipts=(mine,), provider_visits=_visits(3)),
            window_days=3,
            min_insureds=5,
        )
        == []
    )
    late = _visits(4, on="2026-06-05")  # 4 days after: outside the window
    assert (
        run(
            "provider_cluster",
            make(receipts=(mine,), provider_visits=late),
            window_days=3,
            min_insureds=5,
        )
        == []
    )


def test_one_family_on_one_policy_counts_once():  # SPEC CLM-F3
    mine = receipt(on="2026-06-01")
    family = tuple(
        ProviderVisit(100 + i, 500 + i, "北京协和医院", day("2026-06-01"), policy_id=900)
        for i in range(6)
    )
    assert (
        run(
            "provider_cluster",
            make(receipts=(mine,), provider_visits=family),
            window_days=3,
            min_insureds=3,
        )
        == []
    )


# -- claim_frequency -------------------------------------------------------------------------

# A renewed policy: the insured was covered (past the waiting period) the whole year before.
_LAST_YEAR = policy(policy_id=9, start=day("2025-01-01"), end=day("2025-12-31"))
_RENEWED = {"policy": policy(renewal=True), "insured_policies": (_LAST_YEAR,)}


def _treated(first: int, *days: str) -> tuple[PastClaim, ...]:
    """Past claims reported on 2026-06-10, treated on the given days."""
    return tuple(
        PastClaim(first + i, day("2026-06-10"), None, loss_date=day(on))
        for i, on in enumerate(days)
    )


def _monthly(first: int, count: int, start: str = "2025-06-05") -> tuple[PastClaim, ...]:
    """``count`` visits spread evenly over the year before 2026-04-20."""
    begin, gap = day(start), 300 // count
    return _treated(
        first, *((begin + dt.timedelta(days=i * gap)).isoformat() for i in range(count))
    )


def test_claim_frequency_tail_is_the_negative_binomial():  # SPEC CLM-F3
    from claimdesk.rules.checks.rules import _tail

    # Shape 1: geometric, P(N >= k) = q^k with q = scale / (1 + scale).
    assert abs(_tail(3, 1.0, 1.0) - 0.5**3) < 1e-12
    # A huge shape at a fixed mean is Poisson(0.5): 1 - e^-0.5 (1 + 0.5 + 0.125).
    assert abs(_tail(3, 1e7, 0.5 / 1e7) - 0.0143877) < 1e-6
    assert _tail(0, 2.0, 0.3) == 1.0


def test_claim_frequency_heavy_user_with_a_heavy_history_is_no_hit():  # SPEC CLM-F3
    # A chronic patient: 12 visits over the year before, then 4 within a month — their
    # ordinary rate (about 8 a year), not a burst.
    burst = _treated(60, "2026-05-10", "2026-05-18", "2026-05-25")
    heavy = make(insured_claims=_monthly(10, 12) + burst, **_RENEWED)
    assert run("claim_frequency", heavy) == []
    # The same month after a year with one visit is improbable at that insured's rate.
    ordinary = make(insured_claims=_monthly(10, 1) + burst, **_RENEWED)
    hits = run("claim_frequency", ordinary)
    assert [h.evidence["count"] for h in hits] == [4]
    assert hits[0].evidence["history_claims"] == 1


def test_claim_frequency_ordinary_insured_hit_at_the_fourth_visit():  # SPEC CLM-F3
    # One visit in the year before; a burst of visits in May. The third is still within
    # chance for them, the fourth is not — and the hit names only the burst's claims (the
    # series re-check refers those), with the expected count and its probability.
    history = _monthly(10, 1)
    visits = _treated(60, "2026-05-12", "2026-05-20", "2026-05-26")
    third = make(insured_claims=history + visits[:2], **_RENEWED)
    assert run("claim_frequency", third) == []
    fourth = make(insured_claims=history + visits, **_RENEWED)
    (hit,) = run("claim_frequency", fourth)
    ev = hit.evidence
    assert ev["count"] == 4 and ev["claim_ids"] == [60, 61, 62]
    assert ev["history_claims"] == 1 and ev["history_years"] == "1.00"
    assert ev["first_treatment"] == "2026-05-12" and ev["last_treatment"] == "2026-06-01"
    # Rate (0.5 × book 1 + 1) / (0.5 + 1 year) = 1 a year; 30 days expect 0.08.
    assert ev["rate_per_year"] == "1.00" and ev["expected"] == "0.08"
    assert D(ev["probability"]) < D("0.0001") <= D("0.0001") == D(ev["significance"])
    assert "预计 0.08 次" in hit.reason_zh and "0.08 expected" in hit.reason_en
    # A lower significance asks for more: the fourth visit passes at 1 in a million.
    assert run("claim_frequency", fourth, significance="0.000001") == []
    # Fewer than min_claims never hit, however improbable.
    assert run("claim_frequency", fourth, min_claims=5) == []


def test_claim_frequency_a_surrendered_policy_covers_no_day_after_its_termination():
    # SPEC CLM-F3, POL-3 (rules.cover): the insured's rate is their claims over the days
    # they were covered; last year's policy surrendered on 2025-10-01 covered nothing from
    # then to the renewal's start — those days used to count, understating the rate.
    # Lookback 2025-04-12 .. 2026-04-11: 172 days before the surrender, 101 this year.
    history = _monthly(10, 1)
    visits = _treated(60, "2026-05-12", "2026-05-20", "2026-05-26")
    surrendered = dataclasses.replace(_LAST_YEAR, terminated_on=day("2025-10-01"))
    whole = run("claim_frequency", make(insured_claims=history + visits, **_RENEWED))
    cut = run(
        "claim_frequency",
        make(
            insured_claims=history + visits,
            policy=policy(renewal=True),
            insured_policies=(surrendered,),
        ),
    )
    assert [h.evidence["history_years"] for h in whole] == ["1.00"]
    (hit,) = cut
    assert hit.evidence["history_years"] == "0.75"  # 273 / 365
    # (0.5 × book 1 + 1) / (0.5 + 0.75): a higher rate than the whole year's 1.00.
    assert hit.evidence["rate_per_year"] == "1.20"
    # This policy's own termination ends its days too (the claim's policy is one of them).
    ended = policy(renewal=True, terminated_on=day("2026-03-01"))
    (short,) = run(
        "claim_frequency",
        make(insured_claims=history + visits, policy=ended, insured_policies=(_LAST_YEAR,)),
    )
    assert short.evidence["history_years"] == "0.88"  # (264 + 59) / 365


def _patients(count: int, visits: int, gap: int = 3) -> tuple[GroupVisit, ...]:
    """``count`` other insureds, each with ``visits`` treatments ``gap`` days apart in
    the year before (a physiotherapy course, dialysis)."""
    return tuple(
        GroupVisit(
            900 + p * 100 + i, 500 + p, day("2026-01-05") + dt.timedelta(days=p * 7 + i * gap)
        )
        for p in range(count)
        for i in range(visits)
    )


def _course(*groups: tuple[str, ...]) -> tuple[PastClaim, ...]:
    """The ordinary insured's year and three visits in May naming the given groups."""
    visits = _treated(60, "2026-05-12", "2026-05-20", "2026-05-26")
    named = tuple(
        dataclasses.replace(v, diagnosis_groups=g) for v, g in zip(visits, groups, strict=True)
    )
    return _monthly(10, 1) + named


def _physio(group: str | None = "M54:outpatient") -> Receipt:
    """This claim's receipt, naming ``group`` (None: no settlement statement)."""
    return dataclasses.replace(receipt(), diagnosis_group=group)


def test_claim_frequency_a_course_as_frequent_as_its_diagnosis_is_no_hit():
    # SPEC CLM-F3 (issue 13's honest look-alikes): four physiotherapy visits in a month,
    # every one naming M54 (腰痛), when at least 3 other patients of M54 had as many in a
    # month of the year before: the diagnosis's usual course, not a burst.
    m54 = ("M54:outpatient",)
    course = make(
        receipts=(_physio(),),
        insured_claims=_course(m54, m54, m54),
        diagnosis_visits={"M54:outpatient": _patients(3, 6)},
        **_RENEWED,
    )
    assert run("claim_frequency", course) == []
    # Off (0), or fewer other patients with as many visits, it is the burst it was.
    assert run("claim_frequency", course, pattern_min_insureds=0)
    fewer = dataclasses.replace(course, diagnosis_visits={"M54:outpatient": _patients(2, 6)})
    assert run("claim_frequency", fewer)
    assert run("claim_frequency", fewer, pattern_min_insureds=2) == []
    # Patients seen once a fortnight do not make four visits in three weeks usual (a
    # visit a week: the pace is compared, in whole visits a week).
    sparse = dataclasses.replace(
        course, diagnosis_visits={"M54:outpatient": _patients(5, 6, gap=15)}
    )
    assert run("claim_frequency", sparse)


def test_claim_frequency_a_burst_of_several_diagnoses_is_still_a_hit():  # SPEC CLM-F3
    # The planted kind: visits for a cold, a sprain, gastritis — one visit naming
    # another diagnosis than the rest ends the excuse; a visit naming none is neutral.
    m54, j06 = ("M54:outpatient",), ("J06:outpatient",)
    patients = {"M54:outpatient": _patients(5, 8)}
    mixed = make(
        receipts=(_physio(),),
        insured_claims=_course(m54, j06, m54),
        diagnosis_visits=patients,
        **_RENEWED,
    )
    assert run("claim_frequency", mixed)
    unnamed = dataclasses.replace(mixed, insured_claims=_course((), m54, ()))
    assert run("claim_frequency", unnamed) == []
    # Only this claim names the diagnosis: one visit is no course.
    alone = dataclasses.replace(mixed, insured_claims=_course((), (), ()))
    assert run("claim_frequency", alone)
    # This claim without a statement, two of the others naming M54: a course.
    quiet = dataclasses.replace(
        mixed, receipts=(_physio(None),), insured_claims=_course(m54, (), m54)
    )
    assert run("claim_frequency", quiet) == []


def _series(first: int, group: str, days: list[str]) -> tuple[PastClaim, ...]:
    """The ordinary insured's year and visits on the given days naming ``group``."""
    visits = _treated(first, *days)
    named = tuple(dataclasses.replace(v, diagnosis_groups=(group,)) for v in visits)
    return _monthly(10, 1) + named


def _every(start: str, gap: int, count: int) -> list[str]:
    return [(day(start) + dt.timedelta(days=i * gap)).isoformat() for i in range(count)]


def test_claim_frequency_a_long_course_is_compared_by_its_pace_not_its_count():
    # SPEC CLM-F3 (issue 13: 54 honest physiotherapy visits held at 2,000 claims). Ten
    # sessions every third day up to this claim (2 a week), against 3 other patients of
    # M54 whose courses were shorter — 6 sessions, also every third day: the same
    # treatment stopped earlier. Counted by visits no other patient had 10 in a month.
    m54 = "M54:outpatient"
    course = make(
        receipts=(_physio(),),
        insured_claims=_series(60, m54, _every("2026-05-05", 3, 9)),
        diagnosis_visits={m54: _patients(3, 6, gap=3)},
        **_RENEWED,
    )
    assert run("claim_frequency", course) == []
    assert run("claim_frequency", course, pattern_min_insureds=0)[0].evidence["count"] == 10
    # The same ten visits one a day (7 a week) are no course those patients had.
    daily = dataclasses.replace(course, insured_claims=_series(60, m54, _every("2026-05-23", 1, 9)))
    assert run("claim_frequency", daily)[0].evidence["count"] == 10
    # Patients with two visits each are no series, however close the two.
    pairs = dataclasses.replace(course, diagnosis_visits={m54: _patients(5, 2, gap=1)})
    assert run("claim_frequency", pairs)


def test_claim_frequency_pace_is_in_whole_visits_a_week():
    # SPEC CLM-F3: every third day is 2.33 visits a week, every fourth 1.75: both twice
    # a week as a course is prescribed — while weekly patients (1 a week) are not at
    # this course's pace.
    m54 = "M54:outpatient"
    course = make(
        receipts=(_physio(),),
        insured_claims=_series(60, m54, _every("2026-05-05", 3, 9)),
        diagnosis_visits={m54: _patients(3, 6, gap=4)},
        **_RENEWED,
    )
    assert run("claim_frequency", course) == []
    weekly = dataclasses.replace(course, diagnosis_visits={m54: _patients(5, 6, gap=7)})
    assert run("claim_frequency", weekly)


def test_claim_frequency_counts_the_other_patients_unnamed_visits_within_a_course():
    # SPEC CLM-F3: the window counts this insured's visits named or not, so the other
    # patients' visits are counted alike — those naming no diagnosis between two of
    # theirs naming it at most a period apart (a statement missing), not those around
    # two visits further apart (a cold between two courses).
    m54 = "M54:outpatient"

    def patient(p: int, named: list[int], unnamed: list[int]) -> tuple[GroupVisit, ...]:
        first = day("2026-01-05") + dt.timedelta(days=40 * p)
        return tuple(
            GroupVisit(900 + p * 100 + i, 500 + p, first + dt.timedelta(days=d), named=n)
            for i, (d, n) in enumerate([(d, True) for d in named] + [(d, False) for d in unnamed])
        )

    # Every other session of their courses has a statement: 0, 6, 12 named, 3, 9 not.
    half = tuple(v for p in range(3) for v in patient(p, [0, 6, 12], [3, 9]))
    course = make(
        receipts=(_physio(),),
        insured_claims=_series(60, m54, _every("2026-05-05", 3, 9)),
        diagnosis_visits={m54: half},
        **_RENEWED,
    )
    assert run("claim_frequency", course) == []
    only_named = tuple(v for v in half if v.named)
    assert run("claim_frequency", dataclasses.replace(course, diagnosis_visits={m54: only_named}))
    # Two visits of M54 45 days apart with five other visits between are not a course.
    apart = tuple(v for p in range(3) for v in patient(p, [0, 45], [1, 2, 3, 4, 5]))
    assert run("claim_frequency", dataclasses.replace(course, diagnosis_visits={m54: apart}))


def test_claim_frequency_a_planted_burst_of_varied_diagnoses_is_still_a_hit():
    # SPEC CLM-F3 (the benchmark's planted kind: one insured, six claims in 38 days,
    # each a diagnosis of its own): however often each diagnosis's patients are
    # treated, visits for several diagnoses are no course of one.
    groups = ("J06:outpatient", "K29:outpatient", "I10:outpatient", "E11:outpatient")
    days = ["2026-04-25", "2026-05-04", "2026-05-12", "2026-05-20", "2026-05-27"]
    visits = _treated(60, *days)
    named = tuple(
        dataclasses.replace(v, diagnosis_groups=(g,) if g else ())
        for v, g in zip(visits, (*groups, None), strict=True)
    )
    frequent = {g: _patients(5, 12, gap=1) for g in (*groups, "M54:outpatient")}
    burst = make(
        receipts=(_physio(),),
        insured_claims=_monthly(10, 1) + named,
        diagnosis_visits=frequent,
        **_RENEWED,
    )
    (hit,) = run("claim_frequency", burst)
    assert hit.evidence["count"] >= 4
    # The same days, every visit naming M54 and its patients as frequent: a course.
    one = dataclasses.replace(burst, insured_claims=_series(60, "M54:outpatient", days))
    assert run("claim_frequency", one) == []


def test_claim_frequency_short_history_is_shrunk_to_the_book():  # SPEC CLM-F3
    # A new policy (2026-02-01, 30 days' waiting): 0.14 years covered before the history
    # ends (one period before the window), no claim. Its rate is mostly the book's.
    new = policy(start=day("2026-02-01"))
    visits = _treated(60, "2026-05-22", "2026-05-26", "2026-05-29")
    inp = make(policy=new, insured_claims=visits, book_rate=D("1"))
    (hit,) = run("claim_frequency", inp)
    ev = hit.evidence
    assert ev["history_claims"] == 0 and ev["history_years"] == "0.14"
    # (0.5 × 1 + 0) / (0.5 + 0.14) = 0.78 a year: near the book's 1, not 0.
    assert ev["rate_per_year"] == "0.78" and ev["book_rate"] == "1.00"
    # In a book four times as busy the same month is within chance for a newcomer …
    busy = dataclasses.replace(inp, book_rate=D("4"))
    assert run("claim_frequency", busy) == []
    assert run("claim_frequency", busy, significance="0.5")[0].evidence["rate_per_year"] == "3.14"
    # … while a quiet year of their own outweighs the book (its prior is half a year).
    quiet = make(insured_claims=visits, book_rate=D("4"), **_RENEWED)
    assert run("claim_frequency", quiet)[0].evidence["rate_per_year"] == "1.33"
    # The book's rate moves a little from day to day; the same burst checked again on a
    # later day is the same evidence (recorded and referred once).
    again = dataclasses.replace(inp, book_rate=D("1.0049"))
    assert run("claim_frequency", again)[0].evidence == hit.evidence
    # No book yet: one claim per insured-year.
    nobook = run("claim_frequency", dataclasses.replace(inp, book_rate=None))
    assert nobook[0].evidence["book_rate"] == "1.00"


def test_claim_frequency_burst_does_not_count_as_its_own_history():  # SPEC CLM-F3
    # Visits over six weeks: a 30-day window holds four of them; the two before it fall
    # in the period just before the window, which the history leaves out — the burst's
    # first visits are not the insured's usual.
    visits = _treated(60, "2026-04-20", "2026-04-25", "2026-05-06", "2026-05-12", "2026-05-20")
    (hit,) = run("claim_frequency", make(insured_claims=visits, **_RENEWED))
    assert hit.evidence["history_claims"] == 0 and hit.evidence["count"] == 4


def test_claim_frequency_counts_treatments_not_the_day_of_the_report():  # SPEC CLM-F3
    # Issue 13's benchmark: an insured handing in a year's receipts at once made five
    # reports on one day for visits months apart — not five claims in one window.
    year = _treated(80, "2025-09-01", "2025-11-15", "2026-01-20", "2026-03-30")
    assert run("claim_frequency", make(insured_claims=year, **_RENEWED)) == []
    # Late claims of visits inside one season count there, whenever they are reported.
    late = tuple(
        PastClaim(90 + i, day("2026-09-30"), None, loss_date=day("2026-05-20") + dt.timedelta(i))
        for i in range(4)
    )
    hits = run("claim_frequency", make(insured_claims=late, **_RENEWED))
    assert hits and hits[0].evidence["claim_ids"] == [90, 91, 92, 93]


def test_claim_frequency_window_edge_and_the_busiest_window():  # SPEC CLM-F3
    # This claim was treated 2026-06-01: a window of 30 days holding it starts 2026-05-03
    # at the earliest, so visits on 2026-05-02 are outside any of them.
    old = _treated(70, *(["2026-05-02"] * 4))
    assert run("claim_frequency", make(insured_claims=old, **_RENEWED)) == []
    edge = _treated(70, *(["2026-05-03"] * 4))
    assert run("claim_frequency", make(insured_claims=edge, **_RENEWED))
    # Two visits 25 days before and two 25 days after: no 30-day window holds all five.
    spread = _treated(100, "2026-05-07", "2026-05-08", "2026-06-26", "2026-06-27")
    hits = run("claim_frequency", make(insured_claims=spread, **_RENEWED), significance="0.01")
    assert [h.evidence["count"] for h in hits] == [3]


# -- amount_outlier --------------------------------------------------------------------------


def test_amount_far_above_the_usual_is_a_hit_with_its_statistics():  # SPEC CLM-F3
    history = tuple(D(700 + (i % 7) * 50) for i in range(40))
    hits = run("amount_outlier", make(claim=claim(amount=D("20000.00")), cause_amounts=history))
    assert hits[0].evidence["median"] == "850" and hits[0].evidence["samples"] == 40


def test_amount_outlier_needs_the_minimum_sample():  # SPEC CLM-F3
    history = tuple(D(700 + (i % 7) * 50) for i in range(29))
    inp = make(claim=claim(amount=D("20000.00")), cause_amounts=history)
    assert run("amount_outlier", inp, min_samples=30) == []
    assert run("amount_outlier", inp, min_samples=29)


def test_equal_history_falls_back_to_the_mean_deviation():  # SPEC CLM-F3
    history = (D("800"),) * 20 + (D("900"),) * 10  # MAD is 0
    bill = dataclasses.replace(
        receipt(total="5000.00"), diagnosis="K29.500", diagnosis_group=GASTRO, setting="outpatient"
    )
    inp = make(receipts=(bill,), diagnosis_amounts={GASTRO: history})
    assert run("amount_outlier", inp, min_samples=30)[0].evidence["mad"] == "0"


# No deadline: two cores shared by many test runs make timings meaningless here.
@settings(deadline=None)
@given(st.lists(st.integers(min_value=100, max_value=10000), min_size=30, max_size=60))
def test_an_amount_at_the_median_is_never_an_outlier(amounts):  # SPEC CLM-F3
    import statistics

    history = tuple(D(a) for a in amounts)
    median = statistics.median(history)
    inp = make(claim=claim(amount=median), cause_amounts=history)
    assert run("amount_outlier", inp) == []


def test_provider_cluster_is_measured_against_the_providers_usual_traffic():
    # SPEC CLM-F3 (many unrelated insureds at one provider): issue 13's benchmark found
    # every large hospital "clustered" — 15 insureds in a week is an ordinary week there.
    mine = receipt(on="2026-06-01")
    steady = tuple(
        ProviderVisit(
            1000 + i,
            5000 + i,
            "北京协和医院",
            day("2026-06-01") + dt.timedelta(days=d),
            policy_id=9000 + i,
        )
        for i, d in enumerate(d for d in range(-90, 91) for _ in range(2))
    )
    # 2 a day all around: 15 parties in the ±3-day window is the usual 14, not 3 times it.
    assert (
        run(
            "provider_cluster",
            make(receipts=(mine,), provider_visits=steady),
            window_days=3,
            min_insureds=15,
        )
        == []
    )
    # A clinic with 2 patients in the quarter and 16 in the window: a cluster.
    quiet = (
        ProviderVisit(1, 1, "北京协和医院", day("2026-04-01"), policy_id=1),
        ProviderVisit(2, 2, "北京协和医院", day("2026-05-01"), policy_id=2),
    )
    hits = run(
        "provider_cluster",
        make(receipts=(mine,), provider_visits=quiet + _visits(15, on="2026-06-02")),
        window_days=3,
        min_insureds=15,
    )
    assert hits and hits[0].evidence["insureds"] == 16
    # 2 parties before the window (04-01 to 05-29), at least 90 days: 0.16 a window.
    assert hits[0].evidence["usual"] == "0.16"


def test_provider_cluster_baseline_is_the_past_it_has_seen():  # SPEC CLM-F3
    # When a claim is checked, the days after its treatment are hardly claimed yet, and a
    # young book has a few weeks of history, and says so (min_history_days: its age): 2 a
    # day over the 20 days before the window is the usual ~14 a window — 15 in the window
    # is no cluster, 43 is.
    mine = receipt(on="2026-06-01")
    past = tuple(
        ProviderVisit(
            1000 + i, 5000 + i, "北京协和医院", day("2026-05-29") - dt.timedelta(days=d), 9000 + i
        )
        for i, d in enumerate(d for d in range(1, 21) for _ in range(2))
    )
    ordinary = make(receipts=(mine,), provider_visits=past + _visits(14))
    assert run("provider_cluster", ordinary, window_days=3, min_history_days=20) == []
    crowd = make(receipts=(mine,), provider_visits=past + _visits(42))
    hits = run("provider_cluster", crowd, window_days=3, min_history_days=20)
    assert hits[0].evidence["usual"] == "14.00"
    # Left at 90 days, the same young book would make the hospital look quiet (3.11).
    assert run("provider_cluster", ordinary, window_days=3)[0].evidence["usual"] == "3.11"


# -- amount_outlier by diagnosis (主诊断 of the settlement statement) ---------------------------

COLD = "J06:outpatient"
GASTRO = "K29:outpatient"


def _colds(n: int) -> tuple:
    return tuple(D(120 + (i % 9) * 15) for i in range(n))


def test_a_receipt_is_compared_with_receipts_of_its_diagnosis():  # SPEC CLM-F3
    # A gastroscopy with biopsy (¥1,050) is far above a cold but usual for chronic
    # gastritis: compared with its diagnosis, no hit; the loss cause ("illness", colds
    # mostly) would have held it.
    illness = _colds(60)
    gastritis = tuple(D(600 + (i % 10) * 60) for i in range(40))
    visit = receipt(total="1050.00")
    visit = dataclasses.replace(
        visit, diagnosis="K29.500", diagnosis_group=GASTRO, setting="outpatient"
    )
    inp = make(
        claim=claim(amount=D("1050.00")),
        receipts=(visit,),
        cause_amounts=illness,
        diagnosis_amounts={GASTRO: gastritis},
    )
    assert run("amount_outlier", inp) == []
    assert run("amount_outlier", dataclasses.replace(inp, receipts=()))  # by cause: a hit


def test_a_cold_billed_at_thousands_is_a_hit_naming_the_diagnosis():  # SPEC CLM-F3
    visit = dataclasses.replace(
        receipt(rid=3, total="2400.00"),
        diagnosis="J06.900",
        diagnosis_group=COLD,
        setting="outpatient",
    )
    inp = make(receipts=(visit,), diagnosis_amounts={COLD: _colds(40)})
    [hit] = run("amount_outlier", inp)
    assert hit.evidence["basis"] == "diagnosis" and hit.evidence["receipt_id"] == 3
    assert hit.evidence["diagnosis"] == "J06.900" and hit.evidence["samples"] == 40
    assert "J06.900" in hit.reason_zh and "门诊" in hit.reason_zh
    assert "J06.900" in hit.reason_en and "outpatient" in hit.reason_en


def test_too_few_of_the_diagnosis_falls_back_to_the_loss_cause():  # SPEC CLM-F3
    visit = dataclasses.replace(receipt(total="2400.00"), diagnosis="J06.900", diagnosis_group=COLD)
    inp = make(
        claim=claim(amount=D("2400.00")),
        receipts=(visit,),
        diagnosis_amounts={COLD: _colds(19)},
        cause_amounts=_colds(40),
    )
    [hit] = run("amount_outlier", inp, min_samples=20)
    assert hit.evidence["basis"] == "loss_cause" and hit.evidence["loss_cause"] == "illness"
    # SPEC GEN-6: the cause in words, not its code, in the Chinese reason
    assert "同类出险原因（疾病，" in hit.reason_zh and "illness" not in hit.reason_zh
    assert hit.evidence["samples"] == 40
    enough = run("amount_outlier", inp, min_samples=19)
    assert [h.evidence["basis"] for h in enough] == ["diagnosis"]
    # Too few of either: nothing is measured.
    few = dataclasses.replace(inp, cause_amounts=_colds(19))
    assert run("amount_outlier", few, min_samples=20) == []


def test_a_receipt_without_a_diagnosis_is_measured_by_the_loss_cause():  # SPEC CLM-F3
    inp = make(
        claim=claim(amount=D("2400.00")),
        receipts=(receipt(total="2400.00"),),
        cause_amounts=_colds(40),
    )
    assert [h.evidence["basis"] for h in run("amount_outlier", inp)] == ["loss_cause"]


def test_too_few_of_the_diagnosis_compares_with_every_bill_of_the_setting():  # SPEC CLM-F3
    # A rare stay (coronary stent, ¥15,000) among few of its kind: compared with every
    # inpatient stay, not with the loss cause's outpatient colds.
    stay = dataclasses.replace(
        receipt(rid=5, total="15000.00"),
        diagnosis="I25.103",
        diagnosis_group="I25:inpatient",
        setting="inpatient",
    )
    stays = tuple(D(6000 + (i % 10) * 1000) for i in range(40))
    inp = make(
        claim=claim(amount=D("15000.00")),
        receipts=(stay,),
        diagnosis_amounts={"I25:inpatient": stays[:3]},
        setting_amounts={"inpatient": stays},
        cause_amounts=_colds(60),
    )
    assert run("amount_outlier", inp) == []
    billed = dataclasses.replace(stay, total=D("150000.00"))
    [hit] = run("amount_outlier", dataclasses.replace(inp, receipts=(billed,)))
    assert hit.evidence["basis"] == "setting" and hit.evidence["setting"] == "inpatient"
    assert "住院" in hit.reason_zh and "inpatient" in hit.reason_en


def test_a_stay_without_a_statement_is_compared_with_stays_by_its_lines():  # SPEC CLM-F3
    # Issue 13's benchmark: 8 honest stays billed without a settlement statement were
    # compared with the loss cause (colds, ¥120-240) and held. Their receipts bill
    # bed-days and nursing: the receipt source reads the setting from them
    # (rules.bills.setting_of_lines, setting_from "lines") and the stay meets stays.
    stay = dataclasses.replace(
        receipt(total="13000.00", lines=(line("普通病房床位费", amount="480.00"),)),
        setting="inpatient",
        setting_from="lines",
    )
    stays = tuple(D(8000 + (i % 10) * 800) for i in range(40))
    inp = make(
        claim=claim(amount=D("13000.00"), bills_expected=True),
        receipts=(stay,),
        setting_amounts={"inpatient": stays},
        cause_amounts=_colds(60),
    )
    assert run("amount_outlier", inp) == []
    assert (
        run("early_claim", dataclasses.replace(inp, claim=claim(loss_date=day("2026-02-10")))) == []
    )
    # A stay billed far above every stay is still out, and says how its setting was read.
    far = dataclasses.replace(inp, receipts=(dataclasses.replace(stay, total=D("150000.00")),))
    [hit] = run("amount_outlier", far)
    assert hit.evidence["basis"] == "setting" and hit.evidence["setting_from"] == "lines"
    assert "bed and nursing lines" in hit.reason_en and "床位费" in hit.reason_zh
    # The same bill without a setting (no stay line): the loss cause, as before.
    bare = dataclasses.replace(
        inp, receipts=(dataclasses.replace(stay, setting=None, setting_from=None),)
    )
    assert [h.evidence["basis"] for h in run("amount_outlier", bare)] == ["loss_cause"]
    # A setting from the statement adds nothing to the evidence (hits keep their keys).
    stated = dataclasses.replace(
        far, receipts=(dataclasses.replace(far.receipts[0], setting_from="statement"),)
    )
    assert "setting_from" not in run("amount_outlier", stated)[0].evidence


def test_a_costly_minority_visit_type_is_usual_not_far_out():  # SPEC CLM-F3
    # Issue 13's benchmark: disc herniation visits with an MRI (~¥1,000, 45 %) against
    # those without (~¥380): the MAD alone saw only the majority's spread (z 7-9); the
    # interquartile range spans both types.
    visits = tuple(D(370 + (i % 5) * 5) for i in range(33)) + tuple(
        D(950 + (i % 5) * 20) for i in range(27)
    )
    mri = dataclasses.replace(
        receipt(total="1040.00"),
        diagnosis="M51.202",
        diagnosis_group="M51:outpatient",
        setting="outpatient",
    )
    inp = make(receipts=(mri,), diagnosis_amounts={"M51:outpatient": visits})
    assert run("amount_outlier", inp) == []
    inflated = dataclasses.replace(mri, total=D("9000.00"))
    assert run("amount_outlier", dataclasses.replace(inp, receipts=(inflated,)))


def test_the_estimate_of_a_claim_whose_bills_are_to_come_is_not_judged():  # SPEC CLM-F3
    # Issue 13's benchmark: 82 honest inpatient stays held on the report's estimate
    # (¥6,000-15,000) against the loss cause's median visit (¥322). A medical claim is
    # paid on its bills: until one arrives there is nothing to judge.
    estimate = claim(amount=D("13836.43"), bills_expected=True)
    inp = make(claim=estimate, cause_amounts=_colds(60))
    assert run("amount_outlier", inp) == []
    # A line without bills (a critical-illness sum): the claimed amount is compared.
    lump = dataclasses.replace(inp, claim=dataclasses.replace(estimate, bills_expected=False))
    [hit] = run("amount_outlier", lump)
    assert hit.evidence["basis"] == "loss_cause"
    # The bill, when it arrives, is judged (here: against its setting, usual for a stay).
    stay = dataclasses.replace(
        receipt(total="13836.43"), diagnosis="K35.800", diagnosis_group="K35:inpatient"
    )
    stay = dataclasses.replace(stay, setting="inpatient")
    stays = tuple(D(8000 + (i % 10) * 800) for i in range(40))
    billed = dataclasses.replace(inp, receipts=(stay,), setting_amounts={"inpatient": stays})
    assert run("amount_outlier", billed) == []
    far = dataclasses.replace(billed, receipts=(dataclasses.replace(stay, total=D("150000")),))
    assert [h.evidence["basis"] for h in run("amount_outlier", far)] == ["setting"]


def test_a_bill_of_a_known_setting_is_never_compared_with_the_loss_cause():  # SPEC CLM-F3
    # The loss cause mixes visits (colds, ¥120-240) and stays: a stay whose statement
    # names its setting, with too few stays to compare, is not measured against the
    # colds (it was: every such stay "far out"). Without a statement the loss cause is
    # the only group left.
    stay = dataclasses.replace(receipt(total="13000.00"), setting="inpatient")
    inp = make(
        claim=claim(amount=D("13000.00"), bills_expected=True),
        receipts=(stay,),
        setting_amounts={"inpatient": (D(9000),)},
        cause_amounts=_colds(60),
    )
    assert run("amount_outlier", inp) == []
    bare = dataclasses.replace(inp, receipts=(dataclasses.replace(stay, setting=None),))
    [hit] = run("amount_outlier", bare)
    assert hit.evidence["basis"] == "loss_cause" and "neither diagnosis" in hit.reason_en


# -- amount_outlier by item (the usual price of a national item code) ------------------------

CBC = "002501010010000-250101001"
CONSULT = "001102000010000-110200001"


def _usual(price: str, n: int = 40, quantity: int = 1) -> tuple[ItemPrice, ...]:
    """Earlier lines of one item: prices spread 0.9-1.15 times ``price`` (providers)."""
    return tuple(
        ItemPrice(
            claim_id=500 + i,
            unit_price=(D(price) * D(90 + i % 26) / 100).quantize(D("0.01")),
            amount=(D(price) * D(90 + i % 26) / 100 * quantity).quantize(D("0.01")),
        )
        for i in range(n)
    )


def _item_line(code: str, unit: str, quantity: str = "1", no: int = 1) -> ReceiptLine:
    return ReceiptLine(
        no, code, "血常规", (D(unit) * D(quantity)).quantize(D("0.01")), D(quantity), D(unit)
    )


def _bill_of(*lines: ReceiptLine) -> CheckInput:
    total = sum((x.amount for x in lines), D("0.00"))
    bill = dataclasses.replace(receipt(rid=7, total=str(total)), lines=lines)
    # No statement (no diagnosis, no setting) and no loss-cause history: the item
    # comparison is the only one that can speak.
    return make(receipts=(bill,), item_prices={CBC: _usual("25.00"), CONSULT: _usual("60.00")})


def test_a_line_far_above_its_items_usual_price_is_a_hit_naming_the_item():  # SPEC CLM-F3
    # A blood count at ¥250 where it is usually ¥25, beside an honest consultation.
    inp = _bill_of(_item_line(CONSULT, "61.00"), _item_line(CBC, "250.00", no=2))
    [hit] = run("amount_outlier", inp)
    assert hit.evidence["basis"] == "item" and hit.evidence["receipt_id"] == 7
    [out] = hit.evidence["lines"]
    assert (out["item_code"], out["line_no"], out["measure"]) == (CBC, 2, "unit_price")
    assert out["value"] == "250.00" and out["samples"] == 40
    assert D(out["ratio"]) > 9 and D(out["z"]) > 5
    assert "血常规" in hit.reason_zh and CBC in hit.reason_zh and "250.00" in hit.reason_zh
    assert CBC in hit.reason_en and f"median {out['median']}" in hit.reason_en


def test_honest_prices_of_an_item_are_no_hit():  # SPEC CLM-F3
    # The dearest honest price (1.15 times the list price) and a cheaper one.
    inp = _bill_of(_item_line(CONSULT, "69.00"), _item_line(CBC, "22.50", no=2))
    assert run("amount_outlier", inp) == []


def test_a_bill_scaled_line_by_line_is_one_hit_with_its_lines_furthest_first():  # SPEC CLM-F3
    inp = _bill_of(_item_line(CONSULT, "120.00"), _item_line(CBC, "75.00", no=2))
    [hit] = run("amount_outlier", inp)
    assert [x["item_code"] for x in hit.evidence["lines"]] == [CBC, CONSULT]  # 3× before 2×
    assert "1 more line" in hit.reason_en and "另有 1 项" in hit.reason_zh


def test_an_item_needs_both_the_ratio_and_the_robust_z():  # SPEC CLM-F3
    inp = _bill_of(_item_line(CBC, "40.00"))  # 1.6 times the usual, z far above 5
    assert run("amount_outlier", inp)
    assert run("amount_outlier", inp, item_ratio="1.7") == []
    assert run("amount_outlier", inp, item_z_threshold="30") == []


def test_an_item_with_too_few_earlier_lines_is_not_compared():  # SPEC CLM-F3
    inp = _bill_of(_item_line(CBC, "250.00"))
    assert run("amount_outlier", inp, item_min_samples=41) == []
    assert run("amount_outlier", inp, item_min_samples=40)
    # A line without an item code, or of an item never billed before: nothing to compare.
    unknown = _bill_of(dataclasses.replace(_item_line(CBC, "250.00"), item_code=None))
    assert run("amount_outlier", unknown) == []
    assert run("amount_outlier", _bill_of(_item_line("999", "250.00"))) == []


def test_a_quantity_far_above_the_usual_is_a_hit_on_the_amount():  # SPEC CLM-F3
    # The usual price, thirty times over (a count of one is usual).
    [hit] = run("amount_outlier", _bill_of(_item_line(CBC, "25.00", quantity="30")))
    [out] = hit.evidence["lines"]
    assert out["measure"] == "amount" and out["value"] == "750.00"
    assert "金额" in hit.reason_zh and "amount 750.00" in hit.reason_en


def test_a_fixed_price_is_judged_by_the_ratio_alone():  # SPEC CLM-F3
    fixed = tuple(ItemPrice(500 + i, D("25.00"), D("25.00")) for i in range(30))
    bill = dataclasses.replace(receipt(total="50.00"), lines=(_item_line(CBC, "50.00"),))
    inp = make(receipts=(bill,), item_prices={CBC: fixed})
    [hit] = run("amount_outlier", inp)
    assert hit.evidence["lines"][0]["z"] is None
    # A tenth above a fixed price is not "far above".
    near = dataclasses.replace(bill, lines=(_item_line(CBC, "27.50"),))
    assert run("amount_outlier", dataclasses.replace(inp, receipts=(near,))) == []


def test_the_item_comparison_speaks_beside_the_receipts_own():  # SPEC CLM-F3
    # A cold with a statement, far above its diagnosis group, and its blood count far
    # above the item's usual: two findings, each with its basis.
    visit = dataclasses.replace(
        receipt(rid=3, total="2400.00"),
        diagnosis="J06.900",
        diagnosis_group=COLD,
        setting="outpatient",
        lines=(_item_line(CBC, "250.00"),),
    )
    inp = make(
        receipts=(visit,), diagnosis_amounts={COLD: _colds(40)}, item_prices={CBC: _usual("25")}
    )
    assert [h.evidence["basis"] for h in run("amount_outlier", inp)] == ["diagnosis", "item"]
