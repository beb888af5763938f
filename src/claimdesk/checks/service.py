"""The checks service (CLM-F3): configure the checks, run them on a claim, act on hits.

A hit whose check is configured ``hold`` raises a fraud flag through the fraud service,
which suspends the claim until an investigator clears or confirms it (CLM-F1); ``refer``
records the reason for a person and leaves the claim moving. Services only flush.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.checks import network, repository
from claimdesk.checks.errors import CheckParameterInvalid, UnknownCheck
from claimdesk.checks.schemas import CheckConfigIn, NetworkOut
from claimdesk.claims import workflow
from claimdesk.claims.fraud.service import flag as fraud_flag
from claimdesk.claims.repository import supervisors_of
from claimdesk.jobs.outbox import send_message
from claimdesk.jobs.queue import JobSpec, enqueue_id, enqueue_with_audit, supersede
from claimdesk.models.base import utcnow
from claimdesk.models.check import CheckConfigVersion, CheckHit
from claimdesk.models.claim import Claim
from claimdesk.models.user import User
from claimdesk.rules.checks.findings import finding_key
from claimdesk.rules.checks.params import ParamError, to_json, validate
from claimdesk.rules.checks.rules import RULES
from claimdesk.rules.checks.types import CheckInput, Hit

JOB_KIND = "checks.run"
# A series re-check of an earlier claim that a run found held by another transaction.
SERIES_JOB_KIND = "checks.series"
SYSTEM = "automatic-checks"


# -- configuration ---------------------------------------------------------------------------


def configs(session: Session) -> list[CheckConfigVersion]:
    current = repository.current_configs(session)
    return [current[code] for code in RULES if code in current]


def update_config(
    session: Session, *, actor: Principal, code: str, data: CheckConfigIn
) -> CheckConfigVersion:
    """A new version of one check's configuration, validated and audited (GEN-5)."""
    rule = RULES.get(code)
    if rule is None:
        raise UnknownCheck(check=code)
    try:
        parameters = to_json(validate(rule.params, data.parameters))
    except ParamError as error:
        raise CheckParameterInvalid(
            field=error.field, detail_zh=error.message_zh, detail_en=error.message_en, check=code
        ) from None
    before = repository.current_configs(session).get(code)
    version = CheckConfigVersion(
        code=code,
        version=(before.version + 1) if before else 1,
        enabled=data.enabled,
        action=data.action,
        parameters=parameters,
        created_at=utcnow(),
        created_by_id=actor.user_id,
        reason=data.reason.strip(),
    )
    session.add(version)
    session.flush()
    record(
        session,
        actor=actor,
        action="check.config_changed",
        entity_type="check",
        entity_id=code,
        reason=version.reason,
        details={
            "version": version.version,
            "before": None if before is None else _config_json(before),
            "after": _config_json(version),
        },
    )
    return version


def _config_json(row: CheckConfigVersion) -> dict[str, object]:
    return {"enabled": row.enabled, "action": row.action, "parameters": row.parameters}


# -- runs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    claim_id: int
    data_version: str
    new_hits: list[CheckHit]
    held: bool


def enqueue_checks(session: Session, *, claim_id: int) -> bool:
    """Queue a run for the claim's current data; the same data are checked once. A run
    still queued for older data of the claim is dropped: it would find its data changed
    and do nothing (``stale``), at the cost of a job — a claim reported with three files
    and an e-bill made five (issue 13's benchmark). One a worker has taken runs on."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        return False
    version = repository.data_version(session, claim=claim)
    key = f"{JOB_KIND}:{claim_id}:{version}"
    supersede(session, kind=JOB_KIND, key_prefix=f"{JOB_KIND}:{claim_id}:", keep=key)
    return _enqueue_run(session, claim_id, version)


def enqueue_new_claim_checks(session: Session, *, claims: Sequence[Claim]) -> None:
    """enqueue_checks for claims created in this transaction that no file or receipt
    has reached yet (the report): their data versions need no read, and no run can be
    queued for them yet, so none is superseded. For a ``before_commit`` hook: the jobs
    are written with the transaction's pending audit entries, in one statement
    (jobs.queue.enqueue_with_audit; issue 14)."""
    enqueue_with_audit(
        session,
        [_run_job(claim.id, repository.new_claim_version(claim=claim)) for claim in claims],
    )


def _run_job(claim_id: int, version: str) -> JobSpec:
    return JobSpec(
        kind=JOB_KIND,
        payload={"claim_id": claim_id, "data_version": version},
        dedupe_key=f"{JOB_KIND}:{claim_id}:{version}",
    )


def _enqueue_run(session: Session, claim_id: int, version: str) -> bool:
    return enqueue_id(session, **_run_job(claim_id, version)) is not None


def stale(session: Session, *, claim_id: int, data_version: str | None) -> bool:
    """Have the claim's data changed since this run was queued for ``data_version``?
    (None — a run queued by hand — is never stale; a claim that is gone is.)"""
    if data_version is None:
        return False
    claim = session.get(Claim, claim_id)
    if claim is None:
        return True
    return repository.data_version(session, claim=claim) != data_version


def run_checks(session: Session, *, claim_id: int, actor: Principal) -> RunResult:
    """Run every enabled check on the claim, record new hits and apply their actions."""
    claim = repository.claim_to_check(session, claim_id=claim_id)
    # The insured's row before any read: the look at another claim of the insured waits
    # for this run's re-checks to be queued (repository.lock_insured).
    repository.lock_insured(session, person_id=claim.insured_person_id)
    facts = repository.gather(session, claim=claim)
    version = repository.data_version(session, claim=claim)
    found = _run_rules(session, actor=actor, claim=claim, facts=facts, version=version)
    # Only the new findings are acted on: a known one was acted on when first found.
    held = _act(session, actor=actor, claim=claim, hits=found.new)
    for hit in found.passed:
        _pass_on(session, actor=actor, claim=claim, hit=hit, version=version)
    _recheck_new_series(session, actor=actor, claim=claim, new=found.new)
    record(
        session,
        actor=actor,
        action="claim.checks_run",
        entity_type="claim",
        entity_id=claim.id,
        details={
            "data_version": version,
            "new_hits": [h.check_code for h in found.new],
            "updated_hits": [h.id for h in found.updated],
            "held": held,
            "config_versions": {
                c.code: c.version for c in repository.current_configs(session).values()
            },
        },
    )
    return RunResult(claim.id, version, found.new, held)


@dataclass
class _RunFindings:
    """What one run's rules found: hits new to the claim, known ones whose figures
    moved, and hits that belong to later claims of a series (passed on to them)."""

    new: list[CheckHit] = field(default_factory=list)
    updated: list[CheckHit] = field(default_factory=list)
    passed: list[Hit] = field(default_factory=list)


def _run_rules(
    session: Session, *, actor: Principal, claim: Claim, facts: CheckInput, version: str
) -> _RunFindings:
    """Every enabled check's rule over the claim's facts, each hit recorded once by its
    finding key (rules.checks.findings)."""
    known = repository.findings_of(session, claim_id=claim.id)
    found = _RunFindings()
    for code, config in repository.current_configs(session).items():
        rule = RULES.get(code)
        if rule is None or not config.enabled:
            continue
        params = validate(rule.params, config.parameters)
        for hit in rule.run(facts, params):
            if hit.on_claim_ids:
                found.passed.append(hit)  # the later claims' hit, not this one's
                continue
            key = finding_key(code, hit.evidence)
            row = known.get((code, key))
            if row is not None:
                # Found before: recorded and acted on once. Its figures may have moved
                # with the book since (rules.checks.findings): the row shows the latest.
                if _refresh(
                    session,
                    actor=actor,
                    claim=claim,
                    row=row,
                    hit=hit,
                    config=config,
                    version=version,
                ):
                    found.updated.append(row)
                continue
            row = _record_hit(session, claim, config, hit, key, version)
            known[(code, key)] = row
            found.new.append(row)
    return found


def _recheck_new_series(
    session: Session, *, actor: Principal, claim: Claim, new: list[CheckHit]
) -> None:
    """Each new hit of a series check re-checks the scheme's earlier claims
    (_recheck_series); a known hit did so when it was new."""
    configs = repository.current_configs(session)
    for row in list(new):
        if RULES[row.check_code].series:
            _recheck_series(
                session, actor=actor, claim=claim, hit=row, config=configs[row.check_code]
            )


def _record_hit(
    session: Session,
    claim: Claim,
    config: CheckConfigVersion,
    hit: Hit,
    key: str,
    version: str,
) -> CheckHit:
    row = CheckHit(
        claim_id=claim.id,
        check_code=hit.code,
        config_version=config.version,
        action=config.action,
        reason_zh=hit.reason_zh,
        reason_en=hit.reason_en,
        evidence=hit.evidence,
        finding_key=key,
        data_version=version,
        found_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def _refresh(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    row: CheckHit,
    hit: Hit,
    config: CheckConfigVersion,
    version: str,
) -> bool:
    """Keep the latest evidence of a finding recorded before: its reasons and figures
    as this run found them (the hits list, the holds page and the investigator see what
    holds now). Not acted on again — no second hold of a claim an investigator cleared,
    no second referral —; the row keeps the configuration version and action it was
    acted on under, and its outcome. Audited with the fields that changed (their values
    stay on the row, encrypted: evidence may name a diagnosis). True when anything
    changed."""
    changed = sorted(
        name
        for name in {*row.evidence, *hit.evidence}
        if row.evidence.get(name) != hit.evidence.get(name)
    )
    if not changed and (row.reason_zh, row.reason_en) == (hit.reason_zh, hit.reason_en):
        return False
    row.evidence = dict(hit.evidence)
    row.reason_zh, row.reason_en = hit.reason_zh, hit.reason_en
    row.data_version = version
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.check_hit_updated",
        entity_type="claim",
        entity_id=claim.id,
        details={
            "hit_id": row.id,
            "check": row.check_code,
            "changed": changed,
            "data_version": version,
            "config_version": config.version,
        },
    )
    return True


def _recheck_series(
    session: Session, *, actor: Principal, claim: Claim, hit: CheckHit, config: CheckConfigVersion
) -> None:
    """A series rule hit on this claim names the scheme's earlier claims (the same
    insured's claims just under a limit or too frequent, a ring's claims with one phone
    or account, a cluster's claims at one provider). Each arrived looking ordinary and may
    have been paid; real insurers re-check them when the series shows. Each gets the hit
    too — held or referred like any hit while still open; once decided or paid, referred
    to the fraud investigators (a post-payment flag: recovery goes through a correction,
    CLM-T3). Once per claim and check: a claim with its own hit of the check is skipped.

    This run holds its own claim's row; it never waits for another claim's. Two runs on
    two claims of one series would each hold its own and wait for the other's — a
    deadlock (the bench's stream logged them). So an earlier claim another transaction
    holds is skipped here and re-checked by a job of its own (``SERIES_JOB_KIND``, queued
    in this transaction with the hit), which waits for that claim alone: nothing is lost,
    and the once-per-claim-and-check rule keeps it from being recorded twice."""
    for other_id in sorted(set(hit.evidence.get("claim_ids", [])) - {claim.id}):
        other, free = repository.try_lock_claim(session, claim_id=other_id)
        if other is None:
            if not free:
                enqueue_id(
                    session,
                    kind=SERIES_JOB_KIND,
                    payload={"claim_id": other_id, "hit_id": hit.id},
                    dedupe_key=f"{SERIES_JOB_KIND}:{other_id}:{hit.id}",
                )
            continue
        _series_hit(session, actor=actor, claim=claim, hit=hit, config=config, other=other)


def recheck_series_later(session: Session, *, claim_id: int, hit_id: int, actor: Principal) -> bool:
    """The series re-check of ``claim_id`` that the run recording ``hit_id`` found held
    by another transaction (``_recheck_series``). Waits for that one claim only (the
    first lock of this transaction), so it cannot deadlock with a run; idempotent like
    the re-check itself. True when a hit was recorded."""
    hit = session.get(CheckHit, hit_id)
    if hit is None:
        return False
    config = repository.config_version(session, code=hit.check_code, version=hit.config_version)
    found_on = session.get(Claim, hit.claim_id)
    other = repository.lock_claim(session, claim_id=claim_id)
    if config is None or found_on is None or other is None:
        return False
    return _series_hit(session, actor=actor, claim=found_on, hit=hit, config=config, other=other)


def _series_hit(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    hit: CheckHit,
    config: CheckConfigVersion,
    other: Claim,
) -> bool:
    """Record and act on the series hit found on ``claim`` for ``other`` (locked by the
    caller), unless ``other`` has a hit of the check already."""
    other_id = other.id
    if hit.check_code in {c for c, _k in repository.hit_keys(session, claim_id=other_id)}:
        return False
    rule = RULES[hit.check_code]
    after = not _holdable(other)
    found = Hit(
        hit.check_code,
        f"同组后续案件 {claim.number} 触发「{rule.title_zh}」：{hit.reason_zh}"
        + ("（本案已决定或已付款，复核）" if after else ""),
        f"a later claim of the same series, {claim.number}, hit '{rule.title_en}': "
        f"{hit.reason_en}"
        + (" (this claim was already decided or paid: re-check)" if after else ""),
        {
            "series_of": hit.check_code,
            "found_on_claim_id": claim.id,
            "claim_ids": sorted({*hit.evidence.get("claim_ids", []), claim.id} - {other_id}),
            "after_decision": after,
        },
    )
    # One key per claim and check: the same series seen again adds nothing.
    key = finding_key(hit.check_code, {"series_of": hit.check_code})
    row = _record_hit(
        session, other, config, found, key, repository.data_version(session, claim=other)
    )
    if after:
        people = repository.investigators(session, org_unit_id=other.org_unit_id)
        _refer(session, actor=actor, claim=other, hit=row, people=people, after=True)
    else:
        _act(session, actor=actor, claim=other, hits=[row])
    return True


def _pass_on(session: Session, *, actor: Principal, claim: Claim, hit: Hit, version: str) -> None:
    """A hit this claim's run found for other claims (``Hit.on_claim_ids``): the later
    claims holding a copy of this claim's receipt, whose own run came before this
    claim's bill arrived (so saw nothing). Their checks run again now, on their own data
    — which now show this earlier claim — and record the hit as theirs, with the key
    their next run finds again: held while open; once decided or paid, referred to a
    person (recovery through a correction, CLM-T3). A claim with a hit of the check
    already is skipped. Only ever later claims: the re-runs cannot come back here.

    Like the series re-check, this run never waits for another claim's row (two runs
    would deadlock), nor for another insured's, which the re-run takes (two runs passing
    copies on to each other's insured deadlocked: tests/checks/test_lock_order.py): a
    later claim, or its insured, another transaction holds gets a run of its own,
    queued now — never stale (no data version), so it runs even when that claim's run on
    its current data is done; new data of the claim supersede it with a run that sees
    this claim's bill as well."""
    for other_id in sorted(set(hit.on_claim_ids) - {claim.id}):
        if hit.code in {c for c, _k in repository.hit_keys(session, claim_id=other_id)}:
            continue
        other, free = repository.try_lock_claim(session, claim_id=other_id)
        if other is not None and repository.try_lock_insured(
            session, person_id=other.insured_person_id
        ):
            run_checks(session, claim_id=other_id, actor=actor)
        elif other is not None or not free:
            enqueue_id(
                session,
                kind=JOB_KIND,
                payload={"claim_id": other_id},
                dedupe_key=f"{JOB_KIND}:{other_id}:copy_of:{claim.id}:{version}",
            )


def _refer(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    hit: CheckHit,
    people: list[User],
    after: bool = False,
) -> None:
    """A person reads the reason (app inbox), and the referral is audited."""
    _send(session, claim=claim, hit=hit, people=people)
    details: dict[str, object] = {
        "hit_id": hit.id,
        "check": hit.check_code,
        "action": "refer" if after else hit.action,
        "told_user_ids": [user.id for user in people],
    }
    if after:
        details["after_decision"] = True
    record(
        session,
        actor=actor,
        action="claim.check_referred",
        entity_type="claim",
        entity_id=claim.id,
        reason=hit.reason_zh,
        details=details,
    )


def _holdable(claim: Claim) -> bool:
    return claim.state in workflow.OPEN_STATES or claim.state == workflow.SUSPENDED


def _act(session: Session, *, actor: Principal, claim: Claim, hits: list[CheckHit]) -> bool:
    held = False
    for hit in hits:
        if hit.action == "hold" and _holdable(claim):
            # CLM-F1: the flag suspends the claim until an investigator decides.
            found = fraud_flag(
                session,
                actor=actor,
                claim=claim,
                description=f"{hit.reason_zh} / {hit.reason_en}",
                rule_code=f"check:{hit.check_code}"[:40],
            )
            hit.fraud_flag_id = found.id
            held = True
        else:
            # Refer (or a hold on a claim already closed): a person reads the reason.
            _refer(
                session, actor=actor, claim=claim, hit=hit, people=_people_to_tell(session, claim)
            )
    session.flush()
    return held


def _people_to_tell(session: Session, claim: Claim) -> list[User]:
    """The claim's handler, or else the claims supervisors of its unit (their app inbox
    gets the reason: one message per hit and person, deduplicated)."""
    handler = session.get(User, claim.handler_id) if claim.handler_id else None
    return (
        [handler] if handler is not None else supervisors_of(session, org_unit_id=claim.org_unit_id)
    )


def _send(session: Session, *, claim: Claim, hit: CheckHit, people: list[User]) -> None:
    for user in people:
        english = user.language.lower().startswith("en")
        send_message(
            session,
            channel="app",
            recipient=f"user:{user.id}",
            template="claim.check_referred",
            subject="Automatic check" if english else "自动核查提示",
            body=(
                f"Claim {claim.number}: {hit.reason_en}"
                if english
                else f"案件 {claim.number}：{hit.reason_zh}"
            ),
            language=user.language,
            dedupe_key=f"check_hit:{hit.id}:user:{user.id}",
            related_type="claim",
            related_id=claim.id,
        )


def system_actor() -> Principal:
    return Principal.system(SYSTEM)


def hits_for(session: Session, *, claim_id: int) -> list[CheckHit]:
    return repository.hits_of(session, claim_id=claim_id)


def read_network(session: Session, *, actor: Principal, claim: Claim, hops: int = 2) -> NetworkOut:
    """The network around a claim (the caller has loaded it row-filtered); a read of the
    people's names, phones and accounts (masked), audited (GEN-5, SEC-5)."""
    graph, people = network.build_graph(session, claim_id=claim.id, hops=hops)
    record(
        session,
        actor=actor,
        action="claim.network_read",
        entity_type="claim",
        entity_id=claim.id,
        reason="fraud investigation (CLM-F3)",
        details={
            "people": sorted(people),
            "fields": ["name", "phone", "bank_account"],
            "nodes": graph.number_of_nodes(),
        },
    )
    return network.to_out(graph, claim_id=claim.id, hops=hops)


def config_history(session: Session, *, code: str) -> list[CheckConfigVersion]:
    """Every version of a check's settings, oldest first (the checks page's history)."""
    return repository.config_history(session, code=code)
