"""Shared set-up of the checks tests: the claims world, an administrator, a receipt book
standing in for the bills domain, and a report helper (SPEC CLM-F3)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from alembic import command
from sqlalchemy import column, table, update
from sqlalchemy.orm import Session

from claimdesk.checks import service
from claimdesk.checks.schemas import CheckConfigIn
from claimdesk.db import make_engine
from claimdesk.migrate import alembic_config
from claimdesk.models.claim import Claim
from claimdesk.rules.checks.types import (
    LineUse,
    PeerQuery,
    ProviderVisit,
    Receipt,
    ReceiptLine,
)
from tests.builders import demo_version, issue_policy, make_person, resident_id
from tests.claims.helpers import World

API = "/api/v1"


@dataclass
class ReceiptBook:
    """An in-memory receipt source (checks.receipts.ReceiptSource) with explicit rows."""

    receipts: list[Receipt] = field(default_factory=list)

    def add(
        self,
        *,
        claim_id: int,
        number: str,
        code: str = "11010125",
        issuer: str = "北京协和医院",
        on: str = "2026-06-01",
        lines: Sequence[tuple[str, str]] = (("血常规", "200.00"),),
        diagnosis: str | None = None,
        group: str | None = None,
        setting: str | None = None,
    ) -> Receipt:
        items = tuple(
            ReceiptLine(i + 1, None, name, Decimal(amount))
            for i, (name, amount) in enumerate(lines)
        )
        total = sum((line.amount for line in items), Decimal("0.00"))
        receipt = Receipt(
            len(self.receipts) + 1,
            claim_id,
            code,
            number,
            issuer,
            dt.date.fromisoformat(on),
            total,
            items,
            diagnosis=diagnosis,
            diagnosis_group=group,
            setting=setting,
        )
        self.receipts.append(receipt)
        return receipt

    def receipts_of_claim(self, session: Session, claim_id: int) -> Sequence[Receipt]:
        return [r for r in self.receipts if r.claim_id == claim_id]

    def find_receipts(self, session: Session, code: str, number: str) -> Sequence[Receipt]:
        return [r for r in self.receipts if (r.receipt_code, r.number) == (code, number)]

    def lines_of_claims(self, session: Session, claim_ids: Sequence[int]) -> Sequence[LineUse]:
        return self._uses(r for r in self.receipts if r.claim_id in claim_ids)

    def lines_at(self, session: Session, provider: str, on: dt.date) -> Sequence[LineUse]:
        return self._uses(r for r in self.receipts if (r.issuer, r.issued_on) == (provider, on))

    @staticmethod
    def _uses(found: Iterable[Receipt]) -> list[LineUse]:
        return [
            LineUse(
                r.claim_id,
                r.receipt_id,
                r.issuer,
                r.issued_on,
                x.item_code,
                x.name,
                x.amount,
                x.quantity,
            )
            for r in found
            for x in r.lines
        ]

    def visits(
        self, session: Session, provider: str, start: dt.date, end: dt.date
    ) -> Sequence[ProviderVisit]:
        found = []
        for r in self.receipts:
            if r.issuer == provider and start <= r.issued_on <= end:
                claim = session.get_one(Claim, r.claim_id)
                found.append(
                    ProviderVisit(
                        r.claim_id, claim.insured_person_id, provider, r.issued_on, claim.policy_id
                    )
                )
        return found

    def peer_totals(self, session: Session, peers: PeerQuery) -> Sequence[Decimal]:
        return [
            r.total
            for r in reversed(self.receipts)
            if r.claim_id != peers.not_claim_id
            and (peers.group is None or r.diagnosis_group == peers.group)
            and (peers.setting is None or r.setting == peers.setting)
        ][: peers.limit]


def report(
    w: World,
    *,
    policy_number: str,
    loss_date: str = "2026-06-01",
    amount: str = "800.00",
    phone: str = "13912345678",
    received_at: str = "2026-06-10T09:00:00+08:00",
    **extra: Any,
) -> dict[str, Any]:
    payload = {
        "channel": "hotline",
        "policy_number": policy_number,
        "claimant_name": "李四",
        "contact_phone": phone,
        "loss_date": loss_date,
        "loss_place": "北京市东城区",
        "loss_cause": "illness",
        "loss_overview": "门诊治疗",
        "estimated_amount": amount,
        "received_at": received_at,
        **extra,
    }
    response = w.client.post(f"{API}/claims", json=payload, headers=w.h["handler"])
    assert response.status_code == 201, response.text
    return response.json()


def only_checks(db: Session, **configs: dict[str, Any]) -> None:
    """Leave only the named checks enabled, with the given action and parameters (their
    stored ones unless given)."""
    actor = service.system_actor()
    for row in service.configs(db):
        wanted = configs.get(row.code)
        service.update_config(
            db,
            actor=actor,
            code=row.code,
            data=CheckConfigIn(
                enabled=wanted is not None,
                action=(wanted or {}).get("action", row.action),
                parameters=(wanted or {}).get("parameters", row.parameters),
                reason="test set-up",
            ),
        )
    db.commit()


def set_check_action(db: Session, code: str, action: str) -> None:
    """An administrator's choice of the check's action (a new settings version, its other
    settings kept): e.g. outside_period made to hold, its default being refer."""
    row = next(r for r in service.configs(db) if r.code == code)
    service.update_config(
        db,
        actor=service.system_actor(),
        code=code,
        data=CheckConfigIn(
            enabled=row.enabled, action=action, parameters=row.parameters, reason="test set-up"
        ),
    )
    db.commit()


def old_key(code: str, evidence: dict[str, Any]) -> str:
    """The whole-evidence key hits were recorded under before da34af0 (its formula, kept
    here to seed rows as that code left them)."""
    body = json.dumps(evidence, sort_keys=True, default=str)
    return hashlib.sha256(f"{code}|{body}".encode()).hexdigest()[:32]


# The revision before 0044: check_hits.evidence_key still there, finding_key nullable.
BEFORE_KEY_ONLY = "0043_whole_receipt_copy"


def back_before_key_only(url: str, *, unkeyed: Iterable[int] = ()) -> None:
    """Take a migrated database back to ``BEFORE_KEY_ONLY`` (0044's downgrade fills
    evidence_key from finding_key) and leave the ``unkeyed`` hits as the code before 0042
    left them: no finding key — seed them with ``old_key`` as theirs, and their
    evidence_key is the one that code wrote."""
    command.downgrade(alembic_config(url), BEFORE_KEY_ONLY)
    hits = table("check_hits", column("id"), column("finding_key"))
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            update(hits).where(hits.c.id.in_(list(unkeyed))).values(finding_key=None)
        )
    engine.dispose()


def stranger_claim(world: World, db: Session, seq: str) -> int:
    """A claim of an insured on a policy of their own (another party at the clinic)."""
    person = make_person(
        db, name=f"路人{seq}", id_number=resident_id(seq=seq), phone=f"13600000{seq}"
    )
    policy = issue_policy(
        db, version_id=demo_version(db, "MED-MILLION").id, policyholder_id=person.id
    )
    db.commit()
    return int(report(world, policy_number=policy.number, phone=f"13600000{seq}")["id"])
