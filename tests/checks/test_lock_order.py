"""Two checks runs passing copies on to each other's insured (SPEC CLM-F3, CLM-F1), on
PostgreSQL with real commits: the lock order claim → insured → policy, one of each
waited for.

A run takes its claim's row and then its insured's (``checks.repository.lock_insured``,
63baeb6). A run that finds later claims holding a copy of its claim's receipt re-runs
their checks (``service._pass_on``); the later claim is taken without waiting (SKIP
LOCKED), but its re-run used to wait for *that claim's insured*. Two insureds who swap
receipts — X (P) copied on Y (Q), W (Q) copied on V (P) — and the runs of X and W at
once: X's run held P and waited for Q, W's held Q and waited for P. PostgreSQL broke the
deadlock by failing one run. Now a second insured is taken only without waiting too;
held, the later claim's re-run goes to a job of its own, as a held claim's does."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.checks import repository as checks_repository
from claimdesk.checks import service as checks_service
from claimdesk.db import make_engine
from claimdesk.jobs import queue
from claimdesk.jobs.queue import run_one
from claimdesk.jobs.worker import load_task_modules
from claimdesk.models.check import CheckHit
from claimdesk.models.job import Job
from claimdesk.rules.checks.rules import RULES
from claimdesk.rules.checks.types import CheckInput, Hit
from tests.builders import demo_version, issue_policy, make_claim, make_person, resident_id
from tests.claims.helpers import FrozenClock, local
from tests.waits import Rendezvous, run_in_threads

pytestmark = pytest.mark.postgres_only

STEP = 30.0  # a step that never comes fails the test instead of hanging it


def _claims(factory: sessionmaker[Session]) -> dict[str, int]:
    """Two insureds, each with an earlier and a later claim (committed)."""
    with factory() as db:
        p = make_person(db, name="李四", id_number=resident_id(seq="456"), phone="13900000001")
        q = make_person(db, name="王五", id_number=resident_id(seq="789"), phone="13900000002")
        version = demo_version(db)
        policy_p = issue_policy(db, version_id=version.id, policyholder_id=p.id)
        policy_q = issue_policy(db, version_id=version.id, policyholder_id=q.id)
        ids = {
            name: make_claim(db, number=f"BA2026093000000{i}", policy=policy).id
            for i, (name, policy) in enumerate(
                (("x", policy_p), ("v", policy_p), ("w", policy_q), ("y", policy_q)), start=1
            )
        }
        db.commit()
    return ids


def test_two_runs_passing_copies_to_each_others_insured_do_not_deadlock(
    fresh_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-F3 CLM-F1: both runs commit; every copy gets its hit (inline or by job)
    engine = make_engine(fresh_db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    load_task_modules()
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    try:
        ids = _claims(factory)
        # X's receipt is copied on Y, W's on V (the rule stubbed, every other rule quiet:
        # the test is about the locks the runs take, not how the rule finds a copy).
        copies = {ids["x"]: ids["y"], ids["w"]: ids["v"]}
        originals = {later: earlier for earlier, later in copies.items()}

        def duplicate(inp: CheckInput, params: Any) -> list[Hit]:
            cid = inp.claim.claim_id
            if cid in copies:
                return [Hit("duplicate_receipt", "副本", "a copy", {}, (copies[cid],))]
            if cid in originals:
                return [
                    Hit("duplicate_receipt", "重复票据", "a copied receipt", {"of": originals[cid]})
                ]
            return []

        for code, rule in list(RULES.items()):
            quiet = dataclasses.replace(rule, run=lambda inp, params: [])
            stub = dataclasses.replace(rule, run=duplicate)
            monkeypatch.setitem(RULES, code, stub if code == "duplicate_receipt" else quiet)

        # Each run, once it holds its own insured, waits for the other's to hold theirs:
        # then both pass their copy on to the other's insured at once.
        both = Rendezvous(2, seconds=STEP)
        local_calls = threading.local()
        real_lock = checks_repository.lock_insured

        def lock_insured(session: Any, *, person_id: int) -> None:
            real_lock(session, person_id=person_id)
            if not getattr(local_calls, "done", False):
                local_calls.done = True
                both.wait()

        monkeypatch.setattr(checks_repository, "lock_insured", lock_insured)
        failures: list[BaseException] = []

        def run(claim_id: int) -> None:
            try:
                with factory() as session, session.begin():
                    checks_service.run_checks(
                        session, claim_id=claim_id, actor=checks_service.system_actor()
                    )
            except BaseException as error:
                failures.append(error)

        run_in_threads([lambda: run(ids["x"]), lambda: run(ids["w"])], seconds=STEP * 2)
        # Before: one run failed, "deadlock detected" (each held one insured, waited for
        # the other's).
        assert failures == [], [str(f).splitlines()[0] for f in failures]
        monkeypatch.setattr(checks_repository, "lock_insured", real_lock)
        with factory() as session:
            keys = session.scalars(
                select(Job.dedupe_key).where(Job.kind == checks_service.JOB_KIND)
            ).all()
        # The run that tried first found the other's insured held (the other commits only
        # after its own try): that later claim's re-run was queued. The second may have
        # found the first committed and re-run its copy inline.
        passed_on = {k.split(":copy_of:")[0] for k in keys if k and ":copy_of:" in k}
        assert passed_on and passed_on <= {
            f"{checks_service.JOB_KIND}:{ids['y']}",
            f"{checks_service.JOB_KIND}:{ids['v']}",
        }
        follow_ups = queue._FOLLOW_UPS.pop("checks.run", None)
        try:
            for _ in range(20):
                if not run_one(factory):
                    break
        finally:
            if follow_ups is not None:
                queue._FOLLOW_UPS["checks.run"] = follow_ups
        with factory() as session:
            hit_on = {
                claim_id
                for claim_id, code in session.execute(
                    select(CheckHit.claim_id, CheckHit.check_code)
                )
                if code == "duplicate_receipt"
            }
        assert hit_on == {ids["y"], ids["v"]}
    finally:
        engine.dispose()
