"""A hit's finding key: the same finding with moved figures keeps its key, a finding
naming other claims, receipts or contacts gets another (SPEC CLM-F3, CLM-T4)."""

from __future__ import annotations

import dataclasses

from claimdesk.rules.checks.findings import IDENTITY, finding_key, standing
from claimdesk.rules.checks.rules import RULES
from claimdesk.rules.checks.types import PastClaim
from tests.rules.checks.helpers import D, day, make, policy, receipt, run

GASTRO = "K29:outpatient"


def _bill(total: str):
    return dataclasses.replace(
        receipt(total=total), diagnosis="K29.500", diagnosis_group=GASTRO, setting="outpatient"
    )


def test_every_rule_names_its_identity():  # SPEC CLM-F3
    # A rule without one would key on its whole evidence, moving figures and all.
    assert set(RULES) == set(IDENTITY)


def test_amount_outlier_with_a_moved_median_is_the_same_finding():  # SPEC CLM-F3 CLM-T4
    history = tuple(D(700 + (i % 7) * 50) for i in range(30))
    inp = make(receipts=(_bill("9000.00"),), diagnosis_amounts={GASTRO: history})
    (hit,) = run("amount_outlier", inp)
    # Another month of the book: more bills of the diagnosis, a new median and MAD.
    later = dataclasses.replace(
        inp, diagnosis_amounts={GASTRO: history + tuple(D(1200) for _ in range(12))}
    )
    (again,) = run("amount_outlier", later)
    assert again.evidence["median"] != hit.evidence["median"]
    assert again.evidence != hit.evidence  # keyed by its whole evidence: a second row
    assert finding_key("amount_outlier", again.evidence) == finding_key(
        "amount_outlier", hit.evidence
    )
    # Another receipt is another finding.
    other = dataclasses.replace(_bill("9000.00"), receipt_id=99)
    (elsewhere,) = run("amount_outlier", dataclasses.replace(inp, receipts=(other,)))
    assert finding_key("amount_outlier", elsewhere.evidence) != finding_key(
        "amount_outlier", hit.evidence
    )


def test_claim_frequency_with_another_book_rate_is_the_same_finding():  # SPEC CLM-F3
    visits = tuple(
        PastClaim(60 + i, day("2026-06-10"), None, loss_date=day(on))
        for i, on in enumerate(("2026-05-22", "2026-05-26", "2026-05-29"))
    )
    inp = make(policy=policy(start=day("2026-02-01")), insured_claims=visits, book_rate=D("1"))
    (hit,) = run("claim_frequency", inp)
    (again,) = run("claim_frequency", dataclasses.replace(inp, book_rate=D("1.3")))
    assert again.evidence["book_rate"] != hit.evidence["book_rate"]
    assert again.evidence != hit.evidence
    assert finding_key("claim_frequency", again.evidence) == finding_key(
        "claim_frequency", hit.evidence
    )
    # One more claim in the burst names more claims: another finding.
    more = (*visits, PastClaim(70, day("2026-06-10"), None, loss_date=day("2026-05-31")))
    (grown,) = run("claim_frequency", dataclasses.replace(inp, insured_claims=more))
    assert finding_key("claim_frequency", grown.evidence) != finding_key(
        "claim_frequency", hit.evidence
    )


def test_figures_left_out_and_names_kept_per_rule():  # SPEC CLM-F3
    cluster = {"provider": "某某诊所", "claim_ids": [1, 2], "usual": "0.00", "book_lift": None}
    moved = {**cluster, "usual": "0.08", "book_lift": "1.40", "insureds": 3}
    assert finding_key("provider_cluster", cluster) == finding_key("provider_cluster", moved)
    assert finding_key("provider_cluster", cluster) != finding_key(
        "provider_cluster", {**cluster, "provider": "另一诊所"}
    )
    early = {"receipt_id": 5, "median": "300", "amount": "900", "basis": "diagnosis"}
    assert finding_key("early_claim", early) == finding_key(
        "early_claim", {**early, "median": "320", "basis": "setting"}
    )
    phone = {"kind": "phone", "key_hash": "ab" * 8, "claim_ids": [3], "person_ids": [7]}
    assert finding_key("shared_contact", phone) == finding_key(
        "shared_contact", {**phone, "person_ids": [7, 8]}
    )
    assert finding_key("shared_contact", phone) != finding_key(
        "shared_contact", {**phone, "key_hash": "cd" * 8}
    )
    # A receipt's total and its item lines are two findings of amount_outlier.
    assert finding_key("amount_outlier", {"basis": "item", "receipt_id": 5}) != finding_key(
        "amount_outlier", {"basis": "diagnosis", "receipt_id": 5}
    )
    # A series re-check's hit: one per check, whichever later claim found it.
    assert finding_key("claim_frequency", {"series_of": "claim_frequency"}) == finding_key(
        "claim_frequency",
        {"series_of": "claim_frequency", "found_on_claim_id": 9, "claim_ids": [1]},
    )
    # A rule not listed keys on its whole evidence, as before.
    assert finding_key("new_rule", {"a": 1}) != finding_key("new_rule", {"a": 2})


def test_the_first_found_stands_with_the_first_hold():  # SPEC CLM-F3 CLM-F1 CLM-T4
    # (found on day, id, held or decided): a referral first, then two holds of the same
    # finding recorded before it was keyed. The first found is kept; the first hold is
    # the one whose decision the finding carries; the last found has the newest figures.
    rows = [(3, 30, True), (1, 12, False), (2, 20, True), (1, 11, False)]
    found = standing(rows, order=lambda r: (r[0], r[1]), held_or_decided=lambda r: r[2])
    assert found.kept == (1, 11, False) and found.acted == (2, 20, True)
    assert found.latest == (3, 30, True)
    assert found.others == ((1, 12, False), (2, 20, True), (3, 30, True))
    alone = standing([(1, 11, False)], order=lambda r: r, held_or_decided=lambda r: r[2])
    assert alone.kept == alone.acted == alone.latest == (1, 11, False) and alone.others == ()
