"""Every query of the automatic path (CLM-T2, CLM-T3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.repository import scoped
from claimdesk.jobs.queue import dialect_insert
from claimdesk.models.automatic import AutomaticDecision, AutomaticRuleSet, SampleVerdict
from claimdesk.models.bill import Bill
from claimdesk.models.claim import Claim, FraudFlag, Material, MaterialFile
from claimdesk.models.job import Job
from claimdesk.models.payment import Payment
from claimdesk.models.person import BankAccount
from claimdesk.models.states import PaymentState


def lock_claim(session: Session, *, claim_id: int) -> Claim | None:
    """The claim under its row lock: two workers on one claim take turns (CLM-P5)."""
    return session.scalars(
        select(Claim)
        .where(Claim.id == claim_id)
        .with_for_update(of=Claim)
        .execution_options(populate_existing=True)
    ).one_or_none()


def has_bills(session: Session, *, claim_id: int) -> bool:
    return session.scalar(select(Bill.id).where(Bill.claim_id == claim_id).limit(1)) is not None


def decision_of(session: Session, *, claim_id: int) -> AutomaticDecision | None:
    return session.scalars(
        select(AutomaticDecision).where(AutomaticDecision.claim_id == claim_id)
    ).one_or_none()


def verdict_of(session: Session, *, claim_id: int) -> SampleVerdict | None:
    return session.scalars(
        select(SampleVerdict).where(SampleVerdict.claim_id == claim_id)
    ).one_or_none()


def rule_set(session: Session, *, version: str) -> AutomaticRuleSet | None:
    return session.get(AutomaticRuleSet, version)


def keep_rule_set(
    session: Session, *, version: str, content: dict[str, Any], at: dt.datetime
) -> None:
    """Store a rule set the first time a decision uses it (racing workers: once)."""
    statement = dialect_insert(session, AutomaticRuleSet).values(
        version=version, content=content, first_used_at=at
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["version"]))  # type: ignore[attr-defined]


def checks_job_status(session: Session, *, key: str) -> str | None:
    """queued | done | failed of the checks run on one data version, None if none."""
    return session.scalar(select(Job.status).where(Job.dedupe_key == key))


def open_rechecks(
    session: Session, *, claim_id: int, run_kind: str, series_kind: str
) -> list[tuple[str, str]]:
    """(dedupe key, status) of the claim's checks jobs not done: every checks run still
    queued (any data version, a copy's re-run) and every series re-check queued or
    given up. Their dedupe keys start with ``<kind>:<claim id>:`` (checks.service)."""
    return [
        (str(key), str(status))
        for key, status in session.execute(
            select(Job.dedupe_key, Job.status).where(
                Job.status.in_(("queued", "failed")),
                or_(
                    Job.dedupe_key.startswith(f"{run_kind}:{claim_id}:", autoescape=True),
                    Job.dedupe_key.startswith(f"{series_kind}:{claim_id}:", autoescape=True),
                ),
            )
        )
    ]


def fraud_flag_count(session: Session, *, claim_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(FraudFlag).where(FraudFlag.claim_id == claim_id)
        )
        or 0
    )


def materials_of(session: Session, *, claim_id: int) -> list[Material]:
    return list(
        session.scalars(select(Material).where(Material.claim_id == claim_id).order_by(Material.id))
    )


def invoice_files(session: Session, *, claim_id: int, code: str) -> int:
    """Uploaded files (photos, PDFs) filed as the expense invoices."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(MaterialFile)
            .where(MaterialFile.claim_id == claim_id, MaterialFile.material_code == code)
        )
        or 0
    )


def accounts_of(session: Session, *, person_id: int) -> list[BankAccount]:
    return list(
        session.scalars(
            # A removed account is paid no more (the customer took it away, CLM-P1).
            select(BankAccount)
            .where(BankAccount.person_id == person_id, BankAccount.removed_at.is_(None))
            .order_by(BankAccount.id)
        )
    )


def sample_query(*, actor: Principal) -> Select[AutomaticDecision, str, PaymentState]:
    """Sampled automatic payments still waiting for a verdict, oldest first, within the
    reviewer's rows (CLM-F2)."""
    waiting = select(SampleVerdict.id).where(SampleVerdict.claim_id == AutomaticDecision.claim_id)
    claims = scoped(query=select(Claim.id), actor=actor)
    query = (
        select(AutomaticDecision, Claim.number, Payment.status)
        .join(Claim, Claim.id == AutomaticDecision.claim_id)
        .outerjoin(Payment, Payment.id == AutomaticDecision.payment_id)
        .where(
            AutomaticDecision.outcome == "paid",
            AutomaticDecision.sampled.is_(True),
            ~waiting.exists(),
            AutomaticDecision.claim_id.in_(claims),
        )
        .order_by(AutomaticDecision.decided_at, AutomaticDecision.id)
    )
    return query


def sample_rows(
    session: Session, *, actor: Principal, limit: int, offset: int
) -> tuple[list[tuple[AutomaticDecision, str, str | None]], int]:
    query = sample_query(actor=actor)
    rows: list[tuple[AutomaticDecision, str, str | None]] = [
        (decision, number, None if status is None else str(status))
        for decision, number, status in session.execute(query.offset(offset).limit(limit + 1))
    ]
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return rows, int(total)


def agreement_by_rule_set(session: Session) -> list[tuple[str, int, int]]:
    """(rule set version, verdicts, agreed) — CLM-T3's count against the rule set."""
    rows = session.execute(
        select(
            SampleVerdict.rule_set_version,
            func.count(),
            func.sum(case((SampleVerdict.agrees.is_(True), 1), else_=0)),
        )
        .group_by(SampleVerdict.rule_set_version)
        .order_by(SampleVerdict.rule_set_version)
    )
    return [(version, int(n), int(agreed or 0)) for version, n, agreed in rows]


def referred_rows(
    session: Session, *, actor: Principal, states: tuple[str, ...], limit: int, offset: int
) -> tuple[list[tuple[AutomaticDecision, str, str]], int]:
    """Claims the automatic path referred that still wait where it left them, oldest
    first, within the caller's rows (CLM-F2)."""
    claims = scoped(query=select(Claim.id), actor=actor)
    query = (
        select(AutomaticDecision, Claim.number, Claim.state)
        .join(Claim, Claim.id == AutomaticDecision.claim_id)
        .where(
            AutomaticDecision.outcome == "referred",
            Claim.state.in_(states),
            AutomaticDecision.claim_id.in_(claims),
        )
        .order_by(AutomaticDecision.decided_at, AutomaticDecision.id)
    )
    rows: list[tuple[AutomaticDecision, str, str]] = [
        (decision, number, str(state))
        for decision, number, state in session.execute(query.offset(offset).limit(limit + 1))
    ]
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return rows, int(total)
