"""The book of ``python -m bench stp`` loaded in bulk (issue 13): the calendar, a small
outpatient product, every insured with their consent, bank account and policy (and the
policy of the year before, for a renewal), and the book's claims history — claims
treated before the stream, paid and closed, each with its e-bill and lines.

A realistic book is large (several insureds per claim of the stream: most people claim
0-2 times a year), so it is written the way the demo's history is — multi-row inserts for
rows others refer to, COPY for the rest (``claimdesk.ops.bulk``) — instead of one service
call per row: the rows are the ones the services leave (people.service.create_person,
add_bank_account, policies.service.issue_policy, bills.service.submit_bill), the keyed
hashes computed the same way, encrypted columns encrypted by their column types. One
audit entry records the load (as the demo history does); the product and the bench user
still go through their services.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from bench.stp_data import PastClaim, Stream, policy_number
from claimdesk.rules.bills import SETTLEMENT_AMOUNTS

PRODUCT_MONTHS = 12
CONSENT_SCOPE = "bank,contact,identity"
DIAGNOSIS_COLUMNS = (
    "dise_codg",
    "dise_name",
    "med_type",
    "dise_group",
    "dise_group_hash",
    "setting",
)


def _people_rows(stream: Stream) -> list[dict[str, Any]]:
    from claimdesk.crypto.indexes import PURPOSE_ID_NUMBER, PURPOSE_PHONE, name_index
    from claimdesk.crypto.keyring import blind_index

    return [
        {
            "name": p.name,
            "name_hash": name_index(p.name),
            "id_type": "resident_id",
            "id_number": p.id_number,
            "id_number_hash": blind_index(p.id_number, PURPOSE_ID_NUMBER),
            "id_number_last4": p.id_number[-4:],
            "phone": p.phone,
            "phone_hash": blind_index(p.phone, PURPOSE_PHONE),
            "birth_date": p.birth,
            "gender": p.sex,
        }
        for p in stream.insureds
    ]


def _policy_row(
    number: str, version_id: int, holder: int, insured: int, start: dt.date, **extra: Any
) -> dict[str, Any]:
    from claimdesk.policies.service import term_end

    return {
        "number": number,
        "product_version_id": version_id,
        "policyholder_id": holder,
        "insured_id": insured,
        "period_start": start,
        "period_end": term_end(start=start, months=PRODUCT_MONTHS),
        "premium": Decimal("300.00"),
        "channel": "direct",
        "status": "in_force",
        "issued_at": dt.datetime.combine(start - dt.timedelta(days=1), dt.time(10), tzinfo=dt.UTC),
        **extra,
    }


def _policies(session: Any, stream: Stream, people: dict[int, int], version_id: int) -> dict:  # type: ignore[type-arg]
    """insured key → (policy id, policy number, previous policy id or None)."""
    from claimdesk.models.policy import Policy
    from claimdesk.ops.bulk import insert_rows

    renewed = [p for p in stream.insureds if p.previous_start is not None]
    previous_rows = []
    for p in renewed:
        assert p.previous_start is not None
        holder = people[p.holder_key if p.holder_key is not None else p.key]
        previous_rows.append(
            _policy_row(
                policy_number(p, p.previous_start),
                version_id,
                holder,
                people[p.key],
                p.previous_start,
                insured_relationship=p.holder_relationship,
            )
        )
    previous = dict(
        zip((p.key for p in renewed), insert_rows(session, Policy, previous_rows), strict=True)
    )
    rows, keys = [], []
    for p in stream.insureds:
        holder = people[p.holder_key if p.holder_key is not None else p.key]
        number = policy_number(p)
        rows.append(
            _policy_row(
                number,
                version_id,
                holder,
                people[p.key],
                p.policy_start,
                previous_policy_id=previous.get(p.key),
                insured_relationship=p.holder_relationship,
            )
        )
        keys.append((p.key, number))
    ids = insert_rows(session, Policy, rows)
    return {
        key: (pid, number, previous.get(key)) for (key, number), pid in zip(keys, ids, strict=True)
    }


def _history(
    session: Any,
    stream: Stream,
    people: dict[int, int],
    policies: dict,  # type: ignore[type-arg]
) -> int:
    """The history's claims (closed, paid), their bills and lines; returns the count."""
    from claimdesk.crypto.indexes import PURPOSE_DIAGNOSIS_GROUP, name_index
    from claimdesk.crypto.keyring import blind_index
    from claimdesk.models.bill import Bill, BillLine, item_code_index
    from claimdesk.models.claim import Claim
    from claimdesk.ops.bulk import copy_rows, insert_rows
    from claimdesk.rules.bills import (
        CATALOG_OF_LEVEL,
        diagnosis_group,
        receipt_key,
        setting_of,
    )

    if not stream.history:
        return 0
    names = {p.key: p.name for p in stream.insureds}
    claims = []
    for i, past in enumerate(stream.history):
        policy_id, _number, previous_id = policies[past.insured]
        person = stream.insureds[past.insured]  # a key is its index
        on_previous = previous_id is not None and past.treated_on < person.policy_start
        received = dt.datetime.combine(past.reported_on, dt.time(2), tzinfo=dt.UTC)
        claims.append(
            {
                "number": f"HX{past.reported_on:%Y%m%d}{i:08d}",
                "state": "closed",
                "policy_id": previous_id if on_previous else policy_id,
                "coverage_codes": ["opd"],
                "line": "health",
                "channel": "app",
                "insured_person_id": people[past.insured],
                "claimant_name": names[past.insured],
                "claimant_name_hash": name_index(names[past.insured]),
                "claimant_relationship": "self",
                "loss_date": past.treated_on,
                "loss_place": past.bill["receipt"]["issuer"]["name"],
                "loss_cause": past.cause,
                "loss_overview": f"{past.diagnosis}就诊",
                "estimated_amount": past.total,
                "received_at": received,
                "entered_at": received,
                "payable_total": past.total,
            }
        )
    claim_ids = insert_rows(session, Claim, claims)
    bills = [_bill_row(past, cid) for past, cid in zip(stream.history, claim_ids, strict=True)]
    for row in bills:
        row["receipt_key"] = receipt_key(row["receipt_code"], row["receipt_number"])
        row["dise_group"] = row["dise_group_hash"] = row["setting"] = None
        if row.get("dise_codg"):
            row["dise_group"] = diagnosis_group(row["dise_codg"], row["med_type"])
            row["dise_group_hash"] = blind_index(row["dise_group"], PURPOSE_DIAGNOSIS_GROUP)
            row["setting"] = setting_of(row["med_type"])
    bill_ids = insert_rows(session, Bill, bills)
    lines = [
        {
            "bill_id": bid,
            "position": position,
            "item_code": item["code"],
            # Bulk rows bypass the model's hook: the keyed hash is given (as submit_bill's).
            "item_code_hash": item_code_index(item["code"]),
            "name": item["name"],
            "quantity": Decimal(item["quantity"]),
            "unit_price": Decimal(item["unit_price"]),
            "amount": Decimal(item["amount"]),
            "catalog": CATALOG_OF_LEVEL[item["chrgitm_lv"]],
            "self_pay_ratio": Decimal(item["self_pay_ratio"]) if "self_pay_ratio" in item else None,
            "category": item.get("category"),
        }
        for past, bid in zip(stream.history, bill_ids, strict=True)
        for position, item in enumerate(past.bill["receipt"]["items"])
    ]
    copy_rows(session, BillLine, lines)
    return len(claim_ids)


def _bill_row(past: PastClaim, claim_id: int) -> dict[str, Any]:
    receipt, settlement = past.bill["receipt"], past.bill.get("settlement")
    at = dt.datetime.combine(past.reported_on, dt.time(2), tzinfo=dt.UTC)
    row: dict[str, Any] = {
        "claim_id": claim_id,
        "receipt_code": receipt["receipt_code"],
        "receipt_number": receipt["receipt_number"],
        "issuer_name": receipt["issuer"]["name"],
        "issuer_credit_code": receipt["issuer"]["credit_code"],
        "issue_date": dt.date.fromisoformat(receipt["issue_date"]),
        "total": Decimal(receipt["total"]),
        "settled": settlement is not None,
        "source": "customer",
        "submitted_at": at,
        "auth_method": "sms",
        "original": json.dumps(past.bill, ensure_ascii=False),
        # Multi-row inserts take one set of keys: every optional column is given.
        **dict.fromkeys(SETTLEMENT_AMOUNTS),
        **dict.fromkeys(("setl_id", "setl_time", *DIAGNOSIS_COLUMNS)),
    }
    if settlement is not None:
        from zoneinfo import ZoneInfo

        row["setl_id"] = settlement["setl_id"]
        row["setl_time"] = dt.datetime.fromisoformat(settlement["setl_time"]).replace(
            tzinfo=ZoneInfo("Asia/Shanghai")
        )
        for name in SETTLEMENT_AMOUNTS:
            row[name] = Decimal(settlement[name])
        for name in ("dise_codg", "dise_name", "med_type"):
            row[name] = settlement.get(name)
    return row


def load_people(session: Any, stream: Stream, version_id: int) -> tuple[dict[int, str], int]:
    """Every insured with consent, bank account and policies, and the history; returns
    (insured key → policy number, history claims)."""
    from claimdesk.crypto.indexes import PURPOSE_BANK_ACCOUNT
    from claimdesk.crypto.keyring import blind_index
    from claimdesk.models.base import utcnow
    from claimdesk.models.person import BankAccount, Consent, Person
    from claimdesk.ops.bulk import copy_rows, insert_rows

    ids = insert_rows(session, Person, _people_rows(stream))
    people = {p.key: pid for p, pid in zip(stream.insureds, ids, strict=True)}
    now = utcnow()
    copy_rows(
        session,
        Consent,
        [
            {
                "person_id": pid,
                "purpose": "claims_handling",
                "scope": CONSENT_SCOPE,
                "method": "written",
                "granted_at": now,
            }
            for pid in ids
        ],
    )
    copy_rows(
        session,
        BankAccount,
        [
            {
                "person_id": people[p.key],
                "holder_name": p.account_holder,
                "bank_name": "中国工商银行",
                "account_number": p.account,
                "account_hash": blind_index(p.account, PURPOSE_BANK_ACCOUNT),
                "account_last4": p.account[-4:],
            }
            for p in stream.insureds
        ],
    )
    policies = _policies(session, stream, people, version_id)
    history = _history(session, stream, people, policies)
    return {key: number for key, (_pid, number, _prev) in policies.items()}, history
