"""Each automatic check through the service on seeded claims; hold suspends (CLM-F1),
refer records a reason without suspending; runs are queued when data arrive and are
idempotent (SPEC CLM-F3, CLM-F1, GEN-5)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.checks import service
from claimdesk.checks.tasks import run_claim_checks
from claimdesk.models.audit import AuditEntry
from claimdesk.models.base import utcnow
from claimdesk.models.check import CheckHit
from claimdesk.models.claim import Claim, FraudFlag
from claimdesk.models.job import Job, OutboxMessage
from claimdesk.models.states import ClaimState
from tests.builders import demo_version, issue_policy, make_person, resident_id
from tests.checks.helpers import API, ReceiptBook, only_checks, report
from tests.claims.helpers import PDF, World


def _number(w: World) -> str:
    return w.policies["MED-MILLION"].number  # type: ignore[attr-defined]


def _run(db: Session, claim_id: int) -> service.RunResult:
    result = service.run_checks(db, claim_id=claim_id, actor=service.system_actor())
    db.commit()
    return result


def _codes(result: service.RunResult) -> list[str]:
    return sorted(h.check_code for h in result.new_hits)


def test_report_queues_one_run_per_data_version(world: World, db: Session):  # SPEC CLM-F3
    claim = report(world, policy_number=_number(world))
    jobs = db.scalars(select(Job).where(Job.kind == "checks.run")).all()
    assert [j.dedupe_key.split(":")[1] for j in jobs] == [str(claim["id"])]  # type: ignore[union-attr]
    # The same data again: no second job.
    assert service.enqueue_checks(db, claim_id=claim["id"]) is False
    # The job's handler runs the checks (the worker's way in).
    run_claim_checks(db, {"claim_id": claim["id"]}, now=utcnow())
    db.commit()  # the job's edge commits; audit entries are written then
    assert db.scalars(select(AuditEntry).where(AuditEntry.action == "claim.checks_run")).first()


def test_a_run_queued_for_data_that_changed_since_is_skipped(world: World, db: Session):
    # SPEC CLM-F3 (checks run when the data arrive, on the data as they are), issue 13's
    # benchmark: the newer data's own run checks everything; the stale one does nothing.
    claim = report(world, policy_number=_number(world))
    old = json.loads(db.scalars(select(Job.payload).where(Job.kind == "checks.run")).one())
    upload = world.client.post(
        f"{API}/claims/{claim['id']}/files",
        files={"file": ("form.pdf", PDF, "application/pdf")},
        data={"material_code": "claim_form"},
        headers=world.h["handler"],
    )
    assert upload.status_code == 201, upload.text
    db.expire_all()
    jobs = db.scalars(select(Job).where(Job.kind == "checks.run").order_by(Job.id)).all()
    # The change queued a run for the new data and dropped the one still queued for the
    # old (a worker that had already taken it finds the data changed: below).
    assert len(jobs) == 1 and json.loads(jobs[0].payload)["data_version"] != old["data_version"]
    runs = select(AuditEntry).where(AuditEntry.action == "claim.checks_run")
    run_claim_checks(db, old, now=utcnow())
    db.commit()
    assert db.scalars(runs).all() == []
    run_claim_checks(db, json.loads(jobs[0].payload), now=utcnow())
    db.commit()
    assert len(db.scalars(runs).all()) == 1


def test_hold_suspends_the_claim_through_the_fraud_service(world: World, db: Session):
    # SPEC CLM-F3 CLM-F1: inside the 30-day waiting period (policy from 2026-01-01).
    only_checks(db, outside_period={"action": "hold", "parameters": {}})
    claim = report(world, policy_number=_number(world), loss_date="2026-01-20")
    result = _run(db, claim["id"])
    assert _codes(result) == ["outside_period"] and result.held
    row = db.get_one(Claim, claim["id"])
    assert row.state == "suspended"
    flag = db.scalars(select(FraudFlag).where(FraudFlag.claim_id == row.id)).one()
    assert flag.rule_code == "check:outside_period" and flag.source == "rule"
    assert "等待期" in flag.description and "waiting period" in flag.description
    assert result.new_hits[0].fraud_flag_id == flag.id
    # Idempotent: the same data found again records and flags nothing more.
    assert _run(db, claim["id"]).new_hits == []
    assert len(db.scalars(select(FraudFlag).where(FraudFlag.claim_id == row.id)).all()) == 1
    # The investigator clears it: the hit's outcome is a false hold (counted per check).
    response = world.client.post(
        f"/api/v1/claims/{row.id}/fraud-flags/{flag.id}/resolve",
        json={"outcome": "cleared", "note": "续保前已告知，核实无误"},
        headers=world.h["investigator"],
    )
    assert response.status_code == 200 and response.json()["state"] == "reported"
    db.expire_all()
    assert db.scalars(select(CheckHit)).one().outcome == "false_hold"


def test_refer_records_the_reason_and_leaves_the_claim_moving(world: World, db: Session):
    # SPEC CLM-F3: a claim 40 days after the start — 10 after the 30-day waiting period —,
    # early_claim on timing alone within 60 days of the waiting period's end, action refer.
    only_checks(
        db,
        early_claim={
            "action": "refer",
            "parameters": {"days_after_waiting": 60, "amount_ratio": "0"},
        },
    )
    claim = report(world, policy_number=_number(world), loss_date="2026-02-10")
    result = _run(db, claim["id"])
    assert _codes(result) == ["early_claim"] and not result.held
    assert db.get_one(Claim, claim["id"]).state == "reported"
    referred = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "claim.check_referred")
    ).one()
    assert "10 天" in (referred.reason or "")
    assert db.scalars(select(FraudFlag)).all() == []
    # The reason reaches a person: the unit's claims supervisor, in the app inbox.
    told = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "claim.check_referred")
    ).all()
    assert [m.recipient for m in told] == [f"user:{world.users['supervisor']}"]
    assert "10 天" in told[0].body


def test_duplicate_receipt_on_another_policy_holds_the_second_claim(
    world: World, db: Session, book: ReceiptBook
):  # SPEC CLM-F3 CLM-F1
    only_checks(db, duplicate_receipt={"action": "hold", "parameters": {}})
    stranger = make_person(
        db, name="赵六", id_number=resident_id(birth="19700101", seq="777"), phone="13700000001"
    )
    version = demo_version(db, "MED-MILLION")
    other_policy = issue_policy(db, version_id=version.id, policyholder_id=stranger.id)
    db.commit()
    first = report(world, policy_number=_number(world))
    second = report(world, policy_number=other_policy.number, phone="13700000001")
    book.add(claim_id=first["id"], number="0000000042")
    book.add(claim_id=second["id"], number="0000000042")
    hits = _run(db, second["id"]).new_hits
    assert [h.evidence["other_claim_ids"] for h in hits] == [[first["id"]]]
    assert db.get_one(Claim, second["id"]).state == "suspended"


def test_the_original_is_not_held_for_a_later_copy_of_its_receipt(
    world: World, db: Session, book: ReceiptBook
):  # SPEC CLM-F3 CLM-F1
    # Issue 13's benchmark: the honest first claimant's run came after the copy's bill
    # had arrived, and held the original. The claim reported and billed later holds the
    # copy: the original goes on, the copy is held — by the original's run.
    only_checks(db, duplicate_receipt={"action": "hold", "parameters": {}})
    first = report(world, policy_number=_stranger(db, 8, phone="13700000018"))
    copy = report(world, policy_number=_number(world), received_at="2026-06-10T09:05:00+08:00")
    book.add(claim_id=first["id"], number="0000000042")
    book.add(claim_id=copy["id"], number="0000000042")
    assert _codes(_run(db, first["id"])) == []
    assert db.get_one(Claim, first["id"]).state != "suspended"
    db.expire_all()
    [hit] = db.scalars(select(CheckHit).where(CheckHit.claim_id == copy["id"])).all()
    assert hit.check_code == "duplicate_receipt"
    assert hit.evidence["other_claim_ids"] == [first["id"]]
    assert db.get_one(Claim, copy["id"]).state == "suspended"
    # The copy's own run finds the same hit: recorded and acted on once.
    assert _codes(_run(db, copy["id"])) == []
    assert db.scalars(select(CheckHit).where(CheckHit.claim_id == first["id"])).all() == []


def test_sex_mismatch_from_the_bill_lines(world: World, db: Session, book: ReceiptBook):
    # SPEC CLM-F3: the insured of build_world is a woman (ID sequence 456: even digit).
    only_checks(db, sex_age_mismatch={"action": "hold", "parameters": {}})
    claim = report(world, policy_number=_number(world))
    book.add(claim_id=claim["id"], number="1", lines=[("前列腺彩超", "300.00")])
    hits = _run(db, claim["id"]).new_hits
    assert hits[0].evidence["list_item"] == "male_genital" and hits[0].evidence["gender"] == "F"


def test_provider_cluster_counts_insureds_of_different_policies(
    world: World, db: Session, book: ReceiptBook
):  # SPEC CLM-F3
    only_checks(
        db,
        provider_cluster={"action": "refer", "parameters": {"window_days": 3, "min_insureds": 3}},
    )
    version = demo_version(db, "MED-MILLION")
    ids = []
    for i in range(2):
        person = make_person(
            db, name=f"路人{i}", id_number=resident_id(seq=f"60{i}"), phone=f"1360000000{i}"
        )
        policy = issue_policy(db, version_id=version.id, policyholder_id=person.id)
        db.commit()
        ids.append(report(world, policy_number=policy.number, phone=f"1360000000{i}")["id"])
    mine = report(world, policy_number=_number(world))["id"]
    for n, cid in enumerate([*ids, mine]):
        book.add(claim_id=cid, number=str(n), issuer="某某诊所", on="2026-06-0" + str(n + 1))
    hits = _run(db, mine).new_hits
    assert hits[0].evidence["insureds"] == 3 and hits[0].evidence["provider"] == "某某诊所"


def test_claim_frequency_and_just_under_limit_over_the_insureds_claims(
    world: World, db: Session
):  # SPEC CLM-F3
    only_checks(
        db,
        claim_frequency={"action": "refer", "parameters": {"significance": "0.5"}},
        just_under_limit={
            "action": "refer",
            "parameters": {"limits": ["5000"], "within_pct": "2", "min_count": 3},
        },
    )
    first = report(world, policy_number=_number(world), amount="4950.00")
    report(world, policy_number=_number(world), amount="4990.00")
    assert _codes(_run(db, first["id"])) == []  # 2 claims: neither rule yet
    third = report(world, policy_number=_number(world), amount="5000.00")
    assert _codes(_run(db, third["id"])) == ["claim_frequency", "just_under_limit"]


def test_claim_frequency_counts_visits_by_their_treatment_dates(world: World, db: Session):
    # SPEC CLM-F3 (an insured's claim frequency): issue 13's benchmark referred honest
    # insureds whose claims were all reported on one day; a season's receipts handed in
    # together are visits months apart.
    only_checks(
        db,
        claim_frequency={
            "action": "refer",
            "parameters": {"period_days": 90, "significance": "0.5"},
        },
    )
    number = _number(world)
    for loss in ("2026-01-10", "2026-02-20"):
        report(world, policy_number=number, loss_date=loss, amount="300.00")
    spread = report(world, policy_number=number, loss_date="2026-05-25", amount="300.00")
    assert _codes(_run(db, spread["id"])) == []
    report(world, policy_number=number, loss_date="2026-05-20", amount="300.00")
    season = report(world, policy_number=number, loss_date="2026-06-01", amount="300.00")
    hits = _run(db, season["id"]).new_hits
    assert [h.check_code for h in hits] == ["claim_frequency"]
    assert _codes(_run(db, season["id"])) == []  # the same evidence is recorded once
    assert hits[0].evidence["count"] == 3
    assert hits[0].evidence["first_treatment"] == "2026-05-20"


def _renewed_insured(world: World, db: Session, seq: str) -> tuple[str, str]:
    """A new insured whose MED-MILLION policy of 2026 renews one of 2025: (last year's
    policy number, this year's)."""
    person = make_person(
        db, name=f"赵{seq}", id_number=resident_id(birth="19800101", seq=seq), phone=None
    )
    version = demo_version(db, "MED-MILLION")
    now = issue_policy(db, version_id=version.id, policyholder_id=person.id)
    # Issued as of today's product version, then moved back a year (the demo product's
    # versions start in 2026): the policy the 2026 one renews.
    before = issue_policy(db, version_id=version.id, policyholder_id=person.id)
    before.period_start, before.period_end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    now.previous_policy_id = before.id
    db.commit()
    return before.number, now.number


def test_claim_frequency_against_the_insureds_own_year(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
):
    # SPEC CLM-F3, CLM-T2: issue 13's benchmark referred honest chronic patients (their
    # busy year is their usual) and let a new insured's burst through until its fifth
    # visit. Through the database: last year's claims on the renewed policy are the
    # insured's history, the renewal its covered days; the book's rate is fixed here
    # (its SQL has its own test) — one claim per insured-year.
    from claimdesk.checks import repository

    monkeypatch.setattr(repository, "book_rate", lambda _session, *, day: Decimal("1"))
    only_checks(db, claim_frequency={"action": "refer", "parameters": {}})  # the defaults
    burst = ("2026-05-12", "2026-05-20", "2026-05-26", "2026-06-01")
    heavy_before, heavy_now = _renewed_insured(world, db, "101")
    for month in range(1, 13):  # a chronic patient: a visit a month last year
        report(world, policy_number=heavy_before, loss_date=f"2025-{month:02d}-15")
    runs = []
    for on in burst:  # each visit checked as it arrives
        runs.append(_codes(_run(db, report(world, policy_number=heavy_now, loss_date=on)["id"])))
    assert runs == [[], [], [], []]

    quiet_before, quiet_now = _renewed_insured(world, db, "102")
    old = report(world, policy_number=quiet_before, loss_date="2025-08-15")["id"]
    _run(db, old)
    quiet = []
    for on in burst[:3]:
        quiet.append(report(world, policy_number=quiet_now, loss_date=on)["id"])
        assert _codes(_run(db, quiet[-1])) == []
    quiet.append(report(world, policy_number=quiet_now, loss_date=burst[3])["id"])
    (hit,) = _run(db, quiet[3]).new_hits  # the fourth visit
    ev = hit.evidence
    assert (ev["count"], ev["history_claims"], ev["history_years"]) == (4, 1, "1.00")
    assert ev["claim_ids"] == quiet[:3] and Decimal(ev["probability"]) < Decimal("0.0001")
    # The series re-check refers the burst's earlier claims, not last year's visit.
    rechecked = [h.claim_id for h in db.scalars(select(CheckHit)) if "series_of" in h.evidence]
    assert sorted(rechecked) == quiet[:3] and old not in rechecked


def test_claim_frequency_counts_no_covered_day_after_a_termination(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
):
    # SPEC CLM-F3, POL-3 (rules.cover): the insured's policies are read with their
    # terminations — last year's policy surrendered with effect from 2025-10-01 covered
    # nothing after, so the lookback (2025-04-12 .. 2026-04-11) holds 172 + 101 covered
    # days, not the whole year the period alone gave (history_years "1.00")
    from claimdesk.checks import repository
    from claimdesk.models.policy import Policy

    monkeypatch.setattr(repository, "book_rate", lambda _session, *, day: Decimal("1"))
    only_checks(db, claim_frequency={"action": "refer", "parameters": {}})
    before, now = _renewed_insured(world, db, "103")
    surrendered = db.scalars(select(Policy).where(Policy.number == before)).one()
    surrendered.status, surrendered.terminated_on = "terminated", dt.date(2025, 10, 1)
    db.commit()
    report(world, policy_number=before, loss_date="2025-08-15")
    for on in ("2026-05-12", "2026-05-20", "2026-05-26"):
        report(world, policy_number=now, loss_date=on)
    fourth = report(world, policy_number=now, loss_date="2026-06-01")["id"]
    facts = repository.gather(db, claim=db.get_one(Claim, fourth))
    assert {p.policy_id: p.terminated_on for p in facts.insured_policies} == {
        surrendered.id: dt.date(2025, 10, 1),
        facts.policy.policy_id: None,
    }
    (hit,) = _run(db, fourth).new_hits
    assert (hit.evidence["history_claims"], hit.evidence["history_years"]) == (1, "0.75")
    assert hit.evidence["rate_per_year"] == "1.20"  # (0.5 × 1 + 1) / (0.5 + 0.75)


def test_book_rate_is_claims_per_covered_insured_year(world: World, db: Session):
    # SPEC CLM-F3: claim_frequency's prior, computed in SQL (SQLite and PostgreSQL date
    # arithmetic) — checked against the same count made here row by row — and cached
    # for the day: a claim reported after it does not move it until the cache is cleared.
    from claimdesk.checks import repository
    from claimdesk.models.policy import Policy

    number = _number(world)
    for loss in ("2025-12-31", "2026-02-01", "2026-05-01"):
        report(world, policy_number=number, loss_date=loss)
    on = dt.date(2026, 6, 10)
    since, last = on - dt.timedelta(days=365), on - dt.timedelta(days=1)

    def by_hand() -> Decimal:
        claims = sum(1 for c in db.scalars(select(Claim)) if since <= c.loss_date <= last)
        days = sum(
            (min(p.period_end, last) - max(p.period_start, since)).days + 1
            for p in db.scalars(select(Policy))
            if p.period_start <= last and p.period_end >= since
        )
        return (Decimal(claims) * 365 / Decimal(days)).quantize(Decimal("0.0001"))

    expected = by_hand()
    assert repository.book_rate(db, day=on) == expected > 0
    report(world, policy_number=number, loss_date="2026-06-01")
    assert repository.book_rate(db, day=on) == expected  # cached for the day
    repository.clear_book_rates()
    assert repository.book_rate(db, day=on) == by_hand() > expected


def test_book_rate_counts_no_covered_day_on_or_after_a_termination(world: World, db: Session):
    # SPEC CLM-F3, POL-3 (rules.cover, in SQL on SQLite and PostgreSQL): the book's days
    # end the day before a termination takes effect. Window 2025-06-10 .. 2026-06-09;
    # every policy runs 2026-01-01 .. 2026-12-31 (160 days in the window) unless said.
    from claimdesk.checks import repository
    from claimdesk.models.policy import Policy

    person = make_person(db, name="钱七", id_number=resident_id(birth="19800101", seq="107"))
    version = demo_version(db, "MED-MILLION")
    first_day = issue_policy(db, version_id=version.id, policyholder_id=person.id)
    later = issue_policy(db, version_id=version.id, policyholder_id=person.id)
    home = world.policies["HOME-PROP"]
    home.terminated_on = dt.date(2026, 3, 1)  # type: ignore[attr-defined]  # 59 days: Jan, Feb
    first_day.terminated_on = dt.date(2026, 1, 1)  # its first day: covers nothing
    later.terminated_on = dt.date(2026, 8, 1)  # after the window: all 160 days
    db.commit()
    assert len(db.scalars(select(Policy)).all()) == 4  # with MED-MILLION's 160
    for loss in ("2026-02-01", "2026-05-01"):
        report(world, policy_number=_number(world), loss_date=loss)
    repository.clear_book_rates()
    on = dt.date(2026, 6, 10)
    covered = 160 + 59 + 0 + 160  # the period alone: 4 × 160 = 640 (rate 1.1406)
    expected = (Decimal(2) * 365 / Decimal(covered)).quantize(Decimal("0.0001"))
    assert repository.book_rate(db, day=on) == expected == Decimal("1.9261")
    repository.clear_book_rates()


def test_amount_outlier_judges_the_bill_not_the_estimate(
    world: World, db: Session, book: ReceiptBook
):
    # SPEC CLM-F3: robust statistics over history, with a minimum sample. Issue 13: a
    # medical claim's report gives an estimate, not a bill — it is not judged; the e-bill
    # is, when it arrives (its run is the checks' run on the new data).
    only_checks(
        db, amount_outlier={"action": "refer", "parameters": {"min_samples": 5, "z_threshold": "5"}}
    )
    for amount in ("700.00", "800.00", "800.00", "900.00", "850.00"):
        report(
            world,
            policy_number=_number(world),
            amount=amount,
            received_at="2026-06-01T09:00:00+08:00",
        )
    usual = report(world, policy_number=_number(world), amount="950.00")
    estimate = report(world, policy_number=_number(world), amount="30000.00")
    assert _codes(_run(db, usual["id"])) == []
    assert _codes(_run(db, estimate["id"])) == []
    assert db.get_one(Claim, estimate["id"]).state != "suspended"
    # The bill arrives (no settlement statement: compared with the loss cause).
    book.add(claim_id=estimate["id"], number="0000000300", lines=[("住院费", "30000.00")])
    [hit] = _run(db, estimate["id"]).new_hits
    assert hit.check_code == "amount_outlier" and hit.evidence["samples"] == 6
    assert hit.evidence["basis"] == "loss_cause" and hit.evidence["amount"] == "30000.00"


def test_amount_outlier_judges_the_claimed_amount_of_a_line_without_bills(
    world: World, db: Session
):  # SPEC CLM-F3: a property loss has no bills to wait for; its claimed amount is judged.
    only_checks(
        db, amount_outlier={"action": "refer", "parameters": {"min_samples": 5, "z_threshold": "5"}}
    )
    number = world.policies["HOME-PROP"].number  # type: ignore[attr-defined]
    for amount in ("7000.00", "8000.00", "8000.00", "9000.00", "8500.00"):
        report(
            world,
            policy_number=number,
            amount=amount,
            loss_cause="fire",
            received_at="2026-06-01T09:00:00+08:00",
        )
    claim = report(world, policy_number=number, amount="900000.00", loss_cause="fire")
    [hit] = _run(db, claim["id"]).new_hits
    assert hit.evidence["basis"] == "loss_cause" and hit.evidence["loss_cause"] == "fire"


def test_hits_are_listed_for_investigators_and_reviewers_only(world: World, db: Session):
    # SPEC CLM-F3 CLM-F2
    only_checks(db, outside_period={"action": "hold", "parameters": {}})
    claim = report(world, policy_number=_number(world), loss_date="2026-01-20")
    _run(db, claim["id"])
    url = f"/api/v1/claims/{claim['id']}/check-hits"
    for who in ("investigator", "supervisor"):
        response = world.client.get(url, headers=world.h[who])
        assert response.status_code == 200, response.text
        assert [h["check_code"] for h in response.json()] == ["outside_period"]
    for who in ("handler", "customer"):
        assert world.client.get(url, headers=world.h[who]).status_code == 403
    assert db.scalars(select(CheckHit)).one().reason_en.startswith("Date of loss 20 Jan 2026")


def test_the_worker_finds_the_checks_job():  # SPEC CLM-F3: runs happen in the worker
    from claimdesk.jobs.queue import handler_for
    from claimdesk.jobs.worker import load_task_modules

    assert "claimdesk.checks.tasks" in load_task_modules()
    assert handler_for("checks.run") is run_claim_checks


def _stranger(db: Session, n: int, *, phone: str) -> str:
    """A person on a policy of their own (MED-MILLION, from 2026-01-01): its number."""
    person = make_person(
        db, name=f"路人{n}", id_number=resident_id(birth="19750101", seq=f"7{n:02d}"), phone=phone
    )
    policy = issue_policy(
        db, version_id=demo_version(db, "MED-MILLION").id, policyholder_id=person.id
    )
    db.commit()
    return policy.number


def test_contact_phone_keeps_its_keyed_hash(world: World, db: Session):
    # SPEC CLM-F3 SEC-1: the report stores the phone encrypted and its blind index, which
    # follows every later change of the phone (the people's phones are hashed alike).
    from claimdesk.crypto.indexes import PURPOSE_PHONE
    from claimdesk.crypto.keyring import blind_index

    claim = db.get_one(
        Claim, report(world, policy_number=_number(world), phone="13911112222")["id"]
    )
    assert claim.contact_phone_hash == blind_index("13911112222", PURPOSE_PHONE)
    claim.contact_phone = "13933334444"
    assert claim.contact_phone_hash == blind_index("13933334444", PURPOSE_PHONE)
    claim.contact_phone = None
    assert claim.contact_phone_hash is None


def test_one_contact_phone_on_claims_of_unrelated_insureds_is_a_hit(
    world: World, db: Session
):  # SPEC CLM-F3 CLM-F1: a ring gives its organiser's phone as every claim's contact.
    only_checks(db, shared_contact={"action": "hold", "parameters": {}})
    organiser = "13799990000"  # on nobody's record: only on the claims
    first = report(world, policy_number=_stranger(db, 1, phone="13700000011"), phone=organiser)
    assert _codes(_run(db, first["id"])) == []  # alone, it is an ordinary claim
    second = report(world, policy_number=_stranger(db, 2, phone="13700000012"), phone=organiser)
    result = _run(db, second["id"])
    assert _codes(result) == ["shared_contact"] and result.held
    assert result.new_hits[0].evidence["claim_ids"] == [first["id"]]
    # The series: the first claim, still open, is held too (once).
    earlier = db.get_one(Claim, first["id"])
    assert earlier.state == "suspended"
    series = db.scalars(select(CheckHit).where(CheckHit.claim_id == first["id"])).one()
    assert series.evidence["found_on_claim_id"] == second["id"]
    assert series.evidence["after_decision"] is False
    assert _run(db, second["id"]).new_hits == []
    assert len(db.scalars(select(CheckHit).where(CheckHit.claim_id == first["id"])).all()) == 1


def test_a_family_phone_on_one_policy_is_no_hit(world: World, db: Session):
    # SPEC CLM-F3: the same contact phone on two claims of the same insured is not a ring.
    only_checks(db, shared_contact={"action": "hold", "parameters": {}})
    first = report(world, policy_number=_number(world), phone="13799990001")
    second = report(world, policy_number=_number(world), phone="13799990001")
    assert _codes(_run(db, first["id"])) == [] and _codes(_run(db, second["id"])) == []


def test_a_decided_claim_of_the_series_is_referred_to_investigators(
    world: World, db: Session
):  # SPEC CLM-F3: the post-payment flag — a claim already decided is not suspended,
    # the fraud investigators get the reason (recovery goes through a correction, CLM-T3).
    only_checks(db, shared_contact={"action": "hold", "parameters": {}})
    organiser = "13799990002"
    first = report(world, policy_number=_stranger(db, 3, phone="13700000013"), phone=organiser)
    paid = db.get_one(Claim, first["id"])
    paid.state = ClaimState.CLOSED  # the first went through and was paid
    db.commit()
    second = report(world, policy_number=_stranger(db, 4, phone="13700000014"), phone=organiser)
    _run(db, second["id"])
    assert db.get_one(Claim, first["id"]).state == "closed"
    series = db.scalars(select(CheckHit).where(CheckHit.claim_id == first["id"])).one()
    assert series.evidence["after_decision"] is True and "re-check" in series.reason_en
    told = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.template == "claim.check_referred",
            OutboxMessage.related_id == str(first["id"]),
        )
    ).all()
    assert [m.recipient for m in told] == [f"user:{world.users['investigator']}"]
    assert db.scalars(select(FraudFlag).where(FraudFlag.claim_id == first["id"])).all() == []


def test_a_series_claim_whose_payment_is_not_yet_exported_is_held(
    world: World, db: Session
):  # SPEC CLM-F3 CLM-F1: approved, its payment instructed but still waiting for the
    # bank file — the later claim's finding suspends it, and no batch exports a
    # suspended claim's payment (payments.service.export_batch): the money never leaves.
    only_checks(db, shared_contact={"action": "hold", "parameters": {}})
    organiser = "13799990003"
    first = report(world, policy_number=_stranger(db, 6, phone="13700000016"), phone=organiser)
    approved = db.get_one(Claim, first["id"])
    approved.state = ClaimState.APPROVED  # decided; the payment waits for the next batch
    db.commit()
    second = report(world, policy_number=_stranger(db, 7, phone="13700000017"), phone=organiser)
    _run(db, second["id"])
    assert db.get_one(Claim, first["id"]).state == "suspended"
    series = db.scalars(select(CheckHit).where(CheckHit.claim_id == first["id"])).one()
    assert series.evidence["after_decision"] is False and series.fraud_flag_id is not None


def test_just_under_limit_series_flags_the_earlier_claims(world: World, db: Session):
    # SPEC CLM-F3: the first claims of a series look ordinary when they arrive; the hit
    # on the third refers the two before it as well.
    only_checks(
        db,
        just_under_limit={
            "action": "refer",
            "parameters": {"limits": ["5000"], "within_pct": "2", "min_count": 3},
        },
    )
    ids = [
        report(world, policy_number=_number(world), amount=a)["id"] for a in ("4950.00", "4990.00")
    ]
    assert [_codes(_run(db, cid)) for cid in ids] == [[], []]
    third = report(world, policy_number=_number(world), amount="4999.00")
    assert _codes(_run(db, third["id"])) == ["just_under_limit"]
    flagged = db.scalars(select(CheckHit.claim_id).where(CheckHit.check_code == "just_under_limit"))
    assert sorted(flagged) == sorted([*ids, third["id"]])


def test_lines_copied_from_another_insureds_receipt_hold_the_claim(
    world: World, db: Session, book: ReceiptBook
):  # SPEC CLM-F3 CLM-F1: a new receipt number, the lines of someone else's receipt.
    only_checks(db, duplicate_receipt={"action": "hold", "parameters": {}})
    lines = [
        ("普通门诊诊查费", "25.00"),
        ("电子胃镜检查", "380.00"),
        ("活检组织病理检查", "180.00"),
    ]
    theirs = report(world, policy_number=_stranger(db, 5, phone="13700000015"))
    mine = report(world, policy_number=_number(world))
    book.add(claim_id=theirs["id"], number="0000000100", lines=lines)
    book.add(claim_id=mine["id"], number="0000000200", lines=[*lines, ("维生素C片", "9.80")])
    hits = _run(db, mine["id"]).new_hits
    assert [(h.evidence["lines"], h.evidence["other_claim_ids"]) for h in hits] == [
        (3, [theirs["id"]])
    ]
    assert db.get_one(Claim, mine["id"]).state == "suspended"
