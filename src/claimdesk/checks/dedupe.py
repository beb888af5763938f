"""Merge a check finding recorded more than once (CLM-F3, CLM-F1, CLM-T4, GEN-5).

Until da34af0 a hit was keyed by its whole evidence, whose figures move with the book
(a median, a book rate, a provider's usual), so a re-run on a later day recorded the same
finding again: a second row, often a second hold of a claim an investigator had cleared,
counted twice in CLM-T4's hits and false holds per check. The checks run now keys a
finding by ``rules.checks.findings.finding_key`` and writes it in ``check_hits.
finding_key`` (unique per claim and check, migration 0042); this repairs the rows
recorded before, claim by claim (``claimdesk checks dedupe-hits``), and must have run
before migration 0044 makes the key NOT NULL (it refuses while a row has none):

* every row gets its finding key, worked out from its evidence (decrypted with the
  application's keyring — why this is a command and not a migration);
* of the rows of one finding, the first found is kept (``findings.standing``). It keeps
  the hold and the investigator's decision it carries; a kept row that never held the
  claim (referred, or found on a closed claim) takes them from the first duplicate that
  did — so an investigator's clearance survives, and a decision still to come on that
  flag is recorded on the kept row. Its evidence, reasons and data version become the
  latest duplicate's (as the checks run keeps them). The others are deleted;
* nothing is acted on: no flag is raised, cleared or confirmed, so no claim is held
  that was not, and none is released. A removed duplicate's flag still open keeps its
  claim held until an investigator decides it (CLM-F1 leaves that to a person); the
  command lists them;
* each merge is audited on the claim (``claim.check_hits_merged``): the kept row, every
  removed row's id, found-at, configuration version, action, flag and decision — no
  evidence (it may name a diagnosis; it stays on the kept row, encrypted).

Rerunnable: a claim already repaired changes nothing. Run it again after an upgrade that
changes ``findings.IDENTITY``, before the workers run checks: the keys are worked out
afresh (a checks run finds a finding by its stored key only). Services only flush.

It runs on the schema before 0044 (``evidence_key`` still there, ``finding_key``
nullable) and after: it reads rows, writes ``finding_key`` and deletes rows, never
inserts one, and re-keys through a placeholder per row, not NULL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.checks import repository
from claimdesk.models.check import CheckHit
from claimdesk.models.claim import FraudFlag
from claimdesk.rules.checks.findings import Standing, finding_key, standing

SYSTEM = "checks-dedupe"


@dataclass(frozen=True)
class Merge:
    """One finding's rows merged into one."""

    claim_id: int
    claim_number: str
    check: str
    kept_id: int
    removed_ids: tuple[int, ...]
    # Flags of removed rows still open: their claim stays held until an investigator
    # decides them.
    open_flag_ids: tuple[int, ...]
    # A removed row was decided otherwise than the row kept (its decision is audited).
    decisions_differ: bool
    # The state of each removed row's flag when merged (audited).
    flag_status: dict[int, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class _ClaimRef:
    """What a repair needs of the claim: not the ORM row, whose columns are the newest
    schema's while this runs on the schema before 0044 too."""

    id: int
    number: str


@dataclass
class ClaimRepair:
    claim_id: int
    merges: list[Merge] = field(default_factory=list)
    # Rows whose finding key was written (or rewritten) without a merge.
    keyed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.merges or self.keyed)


def system_actor() -> Principal:
    return Principal.system(SYSTEM)


def _order(row: CheckHit) -> tuple[Any, int]:
    return (row.found_at, row.id)


def _held_or_decided(row: CheckHit) -> bool:
    return row.fraud_flag_id is not None or row.outcome is not None


def findings(rows: list[CheckHit]) -> dict[tuple[str, str], Standing[CheckHit]]:
    """The claim's rows by (check, finding key), with the row standing for each."""
    groups: dict[tuple[str, str], list[CheckHit]] = defaultdict(list)
    for row in rows:
        groups[(row.check_code, finding_key(row.check_code, row.evidence))].append(row)
    return {
        key: standing(group, order=_order, held_or_decided=_held_or_decided)
        for key, group in groups.items()
    }


def repair_claim(
    session: Session, *, claim_id: int, actor: Principal, dry_run: bool = False
) -> ClaimRepair:
    """Key and merge one claim's hits. The claim's row is taken first, as a checks run
    takes it: no run records or refreshes a hit of the claim meanwhile. ``dry_run``:
    say what would change, change nothing (no lock)."""
    number = repository.claim_number(session, claim_id=claim_id, lock=not dry_run)
    result = ClaimRepair(claim_id)
    if number is None:
        return result
    claim = _ClaimRef(id=claim_id, number=number)
    found = findings(repository.hits_of(session, claim_id=claim_id))
    twice = {key: s for key, s in found.items() if s.others}
    flags = repository.flags_by_id(
        session,
        ids={row.fraud_flag_id for s in twice.values() for row in s.others if row.fraud_flag_id},
    )
    merges = {key: _merge_of(claim, key[0], s, flags) for key, s in twice.items()}
    rekey = [
        (key, s.kept) for key, s in found.items() if key in twice or s.kept.finding_key != key[1]
    ]
    result.merges = list(merges.values())
    result.keyed = len(rekey) - len(twice)
    if dry_run or not rekey:
        return result
    for key, s in twice.items():
        _apply(session, actor=actor, claim=claim, key=key[1], found=s, merge=merges[key])
    # Keys last, each through a placeholder of its own (not hex, so no finding's; not
    # NULL, which 0044 forbids): a key rewritten may be one another row held until now.
    for _found, row in rekey:
        row.finding_key = f"~{row.id}"
    session.flush()
    for (_code, fresh), row in rekey:
        row.finding_key = fresh
    session.flush()
    return result


def _merge_of(
    claim: _ClaimRef, code: str, found: Standing[CheckHit], flags: dict[int, FraudFlag]
) -> Merge:
    kept_flag = found.acted.fraud_flag_id
    open_flags = sorted(
        f.id
        for row in found.others
        if row.fraud_flag_id not in (None, kept_flag)
        and (f := flags.get(row.fraud_flag_id or 0)) is not None
        and f.status == "open"
    )
    return Merge(
        claim_id=claim.id,
        claim_number=claim.number,
        check=code,
        kept_id=found.kept.id,
        removed_ids=tuple(row.id for row in found.others),
        open_flag_ids=tuple(open_flags),
        decisions_differ=any(
            row.outcome is not None and row.outcome != found.acted.outcome
            for row in (found.kept, *found.others)
        ),
        flag_status={
            f.id: str(f.status)
            for row in found.others
            if (f := flags.get(row.fraud_flag_id or 0)) is not None
        },
    )


def _apply(
    session: Session,
    *,
    actor: Principal,
    claim: _ClaimRef,
    key: str,
    found: Standing[CheckHit],
    merge: Merge,
) -> None:
    kept, acted, latest = found.kept, found.acted, found.latest
    removed = [_removed_json(row, merge) for row in found.others]
    if acted is not kept:
        kept.config_version, kept.action = acted.config_version, acted.action
        kept.fraud_flag_id = acted.fraud_flag_id
        kept.outcome, kept.outcome_at = acted.outcome, acted.outcome_at
        kept.outcome_by_id = acted.outcome_by_id
    if latest is not kept:
        kept.evidence = dict(latest.evidence)
        kept.reason_zh, kept.reason_en = latest.reason_zh, latest.reason_en
        kept.data_version = latest.data_version
    for row in found.others:
        session.delete(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.check_hits_merged",
        entity_type="claim",
        entity_id=claim.id,
        reason="the same finding recorded more than once before findings were keyed "
        "(CLM-F3, CLM-T4)",
        details={
            "check": merge.check,
            "finding_key": key,
            "kept_hit_id": kept.id,
            "hold_and_decision_from": acted.id,
            "evidence_from": latest.id,
            "removed": removed,
            "open_flag_ids": list(merge.open_flag_ids),
            "decisions_differ": merge.decisions_differ,
        },
    )


def _removed_json(row: CheckHit, merge: Merge) -> dict[str, Any]:
    return {
        "hit_id": row.id,
        "found_at": row.found_at.isoformat(),
        "config_version": row.config_version,
        "action": row.action,
        "data_version": row.data_version,
        "fraud_flag_id": row.fraud_flag_id,
        "flag_status": merge.flag_status.get(row.fraud_flag_id or 0),
        "outcome": row.outcome,
        "outcome_by_id": row.outcome_by_id,
    }
