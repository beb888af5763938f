"""Set-up of the automatic path's tests (SPEC CLM-T2, CLM-T3): a small medical policy,
the insured's own account, and a claim whose materials come in electronically — the
e-bill as data, the other items as uploads — all through the HTTP API."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from claimdesk.jobs.queue import run_one
from claimdesk.models.base import utcnow
from tests.bills.helpers import credit_code
from tests.builders import add_bank_account, issue_policy, small_medical_version
from tests.claims.helpers import PDF, FrozenClock, World

API = "/api/v1"
DAY = "2026-09-30"
# Items 500.00 (甲) + 300.00 (乙, 10% self-pay) = 800.00; no settlement statement, so
# the product's ratio without social insurance (0.60) applies:
# (800.00 − 100.00 deductible) × 0.60 = 420.00 payable.
PAYABLE = "420.00"
RECEIPT: dict[str, Any] = {
    "receipt_code": "11060126",
    "receipt_number": "0020000001",
    "check_code": "x9Y8z7",
    "issuer": {"name": "北京协和医院", "credit_code": credit_code()},
    "payer": {"name": "李四"},
    "issue_date": "2026-09-29",
    "total": "800.00",
    "items": [
        {
            "code": "003311000010000-331100001",
            "name": "门诊诊查",
            "quantity": "1",
            "unit_price": "500.00",
            "amount": "500.00",
            "chrgitm_lv": "1",
        },
        {
            "code": "XA01ABD075A002010100483",
            "name": "头孢呋辛酯片",
            "quantity": "10",
            "unit_price": "30.00",
            "amount": "300.00",
            "chrgitm_lv": "2",
            "self_pay_ratio": "0.10",
        },
    ],
}
UPLOADS = ("claim_form", "identity_proof", "medical_record")


def small_bill(**changes: Any) -> dict[str, Any]:
    receipt = copy.deepcopy(RECEIPT)
    receipt.update(changes)
    return {"receipt": receipt}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@dataclass
class Setup:
    policy_number: str
    account_id: int


def small_policy(db: Session, w: World, **product: Any) -> Setup:
    """A MED-CLINIC policy of the world's customer (李四) and an account in their name."""
    from claimdesk.models.person import Person
    from claimdesk.models.user import User

    customer = db.get_one(User, w.users["customer"])
    person = db.get_one(Person, customer.person_id)
    version = small_medical_version(db, **product)
    policy = issue_policy(db, version_id=version.id, policyholder_id=person.id)
    policy.org_unit_id = customer.org_unit_id or db.get_one(User, w.users["handler"]).org_unit_id
    account = add_bank_account(db, person_id=person.id, holder_name=person.name)
    db.commit()
    return Setup(policy_number=policy.number, account_id=account.id)


def report(
    w: World,
    clock: FrozenClock,
    setup: Setup,
    *,
    estimated: str = "800.00",
    loss_date: str = "2026-09-28",
    who: str = "customer",
) -> int:
    clock.set(f"{DAY}T10:00:00")
    claim = ok(
        w.client.post(
            f"{API}/claims",
            json={
                "channel": "app",
                "policy_number": setup.policy_number,
                "claimant_name": "李四",
                "contact_phone": "13912345678",
                "loss_date": loss_date,
                "loss_place": "北京市东城区",
                "loss_cause": "illness",
                "loss_overview": "急性咽炎门诊",
                "estimated_amount": estimated,
            },
            headers=w.h[who],
        ),
        201,
    )
    return int(claim["id"])


def upload(w: World, cid: int, codes: tuple[str, ...] = UPLOADS, who: str = "customer") -> None:
    for code in codes:
        ok(
            w.client.post(
                f"{API}/claims/{cid}/files",
                data={"material_code": code},
                files={"file": (f"{code}.pdf", PDF, "application/pdf")},
                headers=w.h[who],
            ),
            201,
        )


def submit_bill(w: World, cid: int, body: dict[str, Any] | None = None) -> None:
    ok(
        w.client.post(
            f"{API}/claims/{cid}/bills", json=body or small_bill(), headers=w.h["customer"]
        ),
        201,
    )


def make_e_bill_claim(
    w: World,
    clock: FrozenClock,
    setup: Setup,
    *,
    bill: dict[str, Any] | None = None,
    uploads: tuple[str, ...] = UPLOADS,
    estimated: str = "800.00",
    loss_date: str = "2026-09-28",
) -> int:
    """A claim reported by the customer with its uploads and one e-bill (explicit
    defaults: an 800.00 outpatient bill, everything else electronic)."""
    cid = report(w, clock, setup, estimated=estimated, loss_date=loss_date)
    clock.set(f"{DAY}T10:05:00")
    upload(w, cid, uploads)
    clock.set(f"{DAY}T10:10:00")
    submit_bill(w, cid, bill)
    return cid


def drain(factory: sessionmaker[Session], *, limit: int = 200) -> int:
    """Run every due job (follow-ups a moment later included), as the worker would."""
    from claimdesk.jobs.worker import load_task_modules

    load_task_modules()
    ran = 0
    while ran < limit and run_one(factory, now=utcnow() + dt.timedelta(hours=1)):
        ran += 1
    return ran
