"""The report's lean write path (issue 14 item 2): workflow.open_claim writes the claim,
its transition, clocks, checklist, message and audit entries as one statement per table,
and what it writes is what the table's move writes — the clocks' deadlines, the claim's
next_due_at, the audit entries in order, the checks run queued for the claim's data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from claimdesk import db as db_module
from claimdesk.auth.principal import Principal
from claimdesk.checks import repository as checks_repository
from claimdesk.claims import workflow
from claimdesk.claims.errors import IllegalTransition
from claimdesk.claims.intake import report
from claimdesk.clocks import service as clocks
from claimdesk.errors import PermissionDenied
from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim, ClaimTransition, Material
from claimdesk.models.job import Job, OutboxMessage
from claimdesk.products import service as products
from tests.claims.helpers import FrozenClock, World, build_world, local

NOW = local("2026-09-28T10:00:00").astimezone(dt.UTC)


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


def _handler(world: World) -> Principal:
    return Principal.build(
        user_id=world.users["handler"], username="handler", roles={"claims_handler"}
    )


def _data(world: World, **changes: object) -> report.ReportIn:
    values: dict[str, object] = {
        "channel": "hotline",
        "policy_number": world.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "loss_date": dt.date(2026, 9, 27),
        "loss_place": "北京",
        "loss_cause": "illness",
        "loss_overview": "住院",
        "estimated_amount": Decimal("3000.00"),
        "contact_phone": "13812345678",
        "received_at": NOW - dt.timedelta(minutes=20),
    }
    values.update(changes)
    return report.ReportIn(**values)  # type: ignore[arg-type]


@contextmanager
def _counted(db: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    bind = db.connection()

    def count(*args: object) -> None:
        seen.append(str(args[2])[:60].replace("\n", " "))

    event.listen(bind, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", count)


def test_report_writes_what_the_tables_move_writes(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-R3 GEN-4 GEN-5 CLM-F3: entry clock stopped at entry, review clocks from
    # receipt, next_due_at their earliest deadline, every step audited in order, the
    # customer told once, the automatic checks queued for the claim's data.
    FrozenClock(monkeypatch, NOW)
    before = db.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0)))
    reported = report.report(db, actor=_handler(world), data=_data(world))
    db.commit()
    claim = db.get(Claim, reported.claim.id, populate_existing=True)
    assert claim is not None and claim.state == workflow.REPORTED
    stored = list(clocks.clocks_for(db, subject_type="claim", subject_id=claim.id))
    assert [c.name for c in stored] == ["claim.report_entry", "claim.review", "claim.determination"]
    assert [c.id for c in stored] == [c.id for c in reported.clocks]
    received = NOW - dt.timedelta(minutes=20)
    assert all(c.started_at == received for c in stored)
    entry = stored[0]
    assert entry.stopped_at == NOW and entry.due_at == received + dt.timedelta(hours=1)
    for clock in stored:  # the deadline start_clock computes from the rule and calendar
        rule = workflow.CLOCKS[clock.name].rule
        plan = clocks.ClockPlan()
        expected = clocks.plan_start(
            db, plan=plan, name=clock.name, rule=rule, started_at=received, basis=""
        )
        assert (clock.due_at, clock.due_provisional) == (
            expected.due_at,
            expected.due_provisional,
        )
    running = [c.due_at for c in stored if c.stopped_at is None]
    assert claim.next_due_at == min(running)
    moves = db.scalars(select(ClaimTransition).where(ClaimTransition.claim_id == claim.id)).all()
    assert [(m.action, m.from_state, m.to_state) for m in moves] == [("report", "", "reported")]
    # The checklist, written without ORM objects, holds what Material's defaults give.
    checklist = db.scalars(
        select(Material).where(Material.claim_id == claim.id).order_by(Material.id)
    ).all()
    assert [m.code for m in checklist] == [m.code for m in reported.checklist] and checklist
    assert {(m.origin, m.received, m.paper_count, m.received_at) for m in checklist} == {
        ("checklist", False, 0, None)
    }
    assert all(not m.received and m.paper_count == 0 for m in reported.checklist)
    # The entries of this report, in the order the move made its steps.
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.seq > before).order_by(AuditEntry.seq)
    ).all()
    assert [(e.action, e.entity_id) for e in entries] == [
        ("clock.started", str(entry.id)),
        ("clock.stopped", str(entry.id)),
        ("clock.started", str(stored[1].id)),
        ("clock.started", str(stored[2].id)),
        ("claim.report", str(claim.id)),
    ]
    messages = db.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == f"claim:{claim.id}:claim.reported")
    ).all()
    assert len(messages) == 1 and claim.number in messages[0].body
    version = checks_repository.data_version(db, claim=claim)
    jobs = db.scalars(select(Job).where(Job.dedupe_key == f"checks.run:{claim.id}:{version}")).all()
    assert len(jobs) == 1


@pytest.mark.parametrize("phone", ["13812345678", None])
def test_report_is_a_few_statements(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch, backend: str, phone: str | None
) -> None:
    # Issue 14 item 2: one statement per table written (on PostgreSQL the claim with its
    # transition, checklist and clocks, the number with the cache keys), the response
    # from what was written (nothing read back). Before: about 30.
    FrozenClock(monkeypatch, NOW)
    data = _data(world, contact_phone=phone)
    report.report(db, actor=_handler(world), data=data)  # warms the caches
    db.commit()
    with _counted(db) as seen:
        report.report(db, actor=_handler(world), data=data)
        db.commit()
    # PostgreSQL: the policy with the cache keys and the number; the claim with its
    # transition, checklist and clocks and its audit entries' seqs (one statement); the
    # customer's message, by SMS or to the portal (jobs.outbox, deduplicated);
    # the audit entries with the checks job (one statement at commit: checks.hooks,
    # jobs.queue.enqueue_with_audit; they were two). SQLite: the number, the transition and the
    # checklist on their own, SQLAlchemy inserts rows whose ids it returns in order one
    # by one (the claim's three clocks), and the audit seqs are read. (+ the
    # savepoint/commit of the test's transaction)
    writes = [
        s for s in seen if s.split()[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
    ]
    limit = (3 if backend == "postgresql" else 11) + 1
    assert len(writes) <= limit, "\n".join(seen)
    assert not [s for s in writes if s.startswith("UPDATE")], seen


@pytest.mark.postgres_only
def test_the_claims_statement_stays_within_psycopgs_query_cache(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 14 item 2: psycopg converts a query's text once and keeps it only up to 4,096
    # characters and 50 parameters (psycopg._queries); past either, the report's largest
    # statement is parsed again on every report. A column added to claims, clocks,
    # transitions or materials counts here.
    FrozenClock(monkeypatch, NOW)
    seen: list[tuple[str, dict[str, object]]] = []
    bind = db.connection()

    def keep(
        _conn: object, _cursor: object, statement: str, parameters: object, *_: object
    ) -> None:
        seen.append((statement, parameters))

    event.listen(bind, "before_cursor_execute", keep)
    try:
        report.report(db, actor=_handler(world), data=_data(world))
    finally:
        event.remove(bind, "before_cursor_execute", keep)
    (claim,) = [(text, params) for text, params in seen if "INSERT INTO claims" in text]
    assert len(claim[0]) <= 4096 and len(claim[1]) <= 50


def test_open_claim_makes_only_an_opening_move(world: World, db: Session) -> None:
    # SPEC section 3: open_claim makes the table's move with no source state, with
    # transition's checks; nothing is written when it refuses.
    claim = Claim(number="BA-test", state=workflow.REPORTED)
    with pytest.raises(IllegalTransition):
        workflow.open_claim(db, claim=claim, action="accept", actor=_handler(world), at=NOW)
    nobody = Principal.build(user_id=world.users["surveyor"], username="s", roles={"surveyor"})
    with pytest.raises(PermissionDenied):
        workflow.open_claim(db, claim=claim, action="report", actor=nobody, at=NOW)
    assert db.scalar(select(Claim.id).where(Claim.number == "BA-test")) is None


def test_version_terms_are_kept_for_sold_versions_only(world: World, db: Session) -> None:
    # PRD-2: a sold version never changes, so its terms are cached on its key; a changed
    # key (another database under the same URL, a retired version) reads them again.
    version_id = world.policies["MED-MILLION"].product_version_id  # type: ignore[attr-defined]
    first = products.version_terms(db, version_id=version_id, key=("published", 1))
    assert first.coverages and first.line
    assert products.version_terms(db, version_id=version_id, key=("published", 1)) is first
    again = products.version_terms(db, version_id=version_id, key=("published", 2))
    assert again is not first and again == first


def test_a_claim_built_without_attribute_events_writes_the_same_row(db: Session) -> None:
    # SPEC SEC-1 CLM-R3: the report's claim is built by db.new_object (no ORM attribute
    # events): its row holds what Claim(...) would write, the keyed hashes of the
    # claimant's name and the contact phone (set by listeners on Claim) included.
    values: dict[str, object] = {
        "number": "BA20260928000001",
        "state": workflow.REPORTED,
        "policy_id": 1,
        "coverage_codes": ["MED"],
        "line": "medical",
        "channel": "hotline",
        "claimant_name": "李四",
        "contact_phone": "13812345678",
        "loss_date": dt.date(2026, 9, 27),
        "loss_place": "北京",
        "loss_cause": "illness",
        "loss_overview": "住院",
        "received_at": NOW,
        "entered_at": NOW,
        "created_at": NOW,
    }
    built = db_module.new_object(Claim, **values)
    written = db_module._row_of(Claim, built)
    assert written == db_module._row_of(Claim, Claim(**values))
    assert written["claimant_name_hash"] and written["contact_phone_hash"]
    with pytest.raises(TypeError):
        db_module.new_object(Claim, policy=None)
