"""Set-up of the bills tests: a valid e-receipt with its settlement statement, and a
medical claim walked to surveyed through the HTTP API (SPEC CLM-T1)."""

from __future__ import annotations

import copy
from typing import Any

from tests.claims.helpers import PDF, FrozenClock, World, plan_answers

API = "/api/v1/claims"
DAY = "2026-09-30"


def credit_code(first17: str = "12110000400000716") -> str:
    """A unified social credit code with its GB 32100-2015 check character."""
    from claimdesk.rules.bills import credit_check_char

    return first17 + credit_check_char(first17)


# Hand-checked figures (docs/bills.md, "worked example"):
# items 18000.00 + 4567.89 + 3000.00 + 2432.11 = 28000.00;
# settlement 8000.00 fund + 1200.00 account + 18800.00 cash = 28000.00;
# 5432.11 fully self-funded + 0 over limit + 456.79 self-pay first + 22111.10 in scope.
RECEIPT: dict[str, Any] = {
    "receipt_code": "11060126",
    "receipt_number": "0012345678",
    "check_code": "a1B2c3",
    "issuer": {"name": "北京协和医院", "credit_code": credit_code()},
    "payer": {"name": "李四"},
    "issue_date": "2026-09-29",
    "total": "28000.00",
    "items": [
        {
            "code": "003311000010000-331100001",
            "name": "阑尾切除术",
            "quantity": "1",
            "unit_price": "18000.00",
            "amount": "18000.00",
            "chrgitm_lv": "1",
        },
        {
            "code": "XA01ABD075A002010100483",
            "name": "头孢呋辛酯片",
            "quantity": "100",
            "unit_price": "45.6789",
            "amount": "4567.89",
            "chrgitm_lv": "2",
            "self_pay_ratio": "0.10",
        },
        {
            "code": "003307000010000-330700001",
            "name": "重睑成形术",
            "quantity": "1",
            "unit_price": "3000.00",
            "amount": "3000.00",
            "chrgitm_lv": "3",
            "category": "cosmetic",
        },
        {
            "code": "C0301020109900100001234",
            "name": "进口可吸收缝线",
            "quantity": "2",
            "unit_price": "1216.055",
            "amount": "2432.11",
            "chrgitm_lv": "03",
        },
    ],
}
SETTLEMENT: dict[str, Any] = {
    "setl_id": "110000202609291234567890",
    "setl_time": "2026-09-29T16:20:00",
    "medfee_sumamt": "28000.00",
    "fund_pay_sumamt": "8000.00",
    "acct_pay": "1200.00",
    "psn_cash_pay": "18800.00",
    "fulamt_ownpay_amt": "5432.11",
    "overlmt_selfpay": "0.00",
    "preselfpay_amt": "456.79",
    "inscp_scp_amt": "22111.10",
}


def bill(**receipt_changes: Any) -> dict[str, Any]:
    receipt = copy.deepcopy(RECEIPT)
    receipt.update(receipt_changes)
    return {"receipt": receipt, "settlement": copy.deepcopy(SETTLEMENT)}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def report(w: World, clock: FrozenClock, *, policy: str = "MED-MILLION") -> int:
    clock.set(f"{DAY}T10:00:00")
    claim = ok(
        w.client.post(
            API,
            json={
                "channel": "app",
                "policy_number": w.policies[policy].number,  # type: ignore[attr-defined]
                "claimant_name": "李四",
                "contact_phone": "13912345678",
                "loss_date": "2026-09-28",
                "loss_place": "北京市东城区",
                "loss_cause": "illness",
                "loss_overview": "阑尾炎住院手术",
                "estimated_amount": "28000.00",
                "received_at": f"{DAY}T09:30:00+08:00",
            },
            headers=w.h["handler"],
        ),
        201,
    )
    return int(claim["id"])


def walk_to_surveyed(w: World, clock: FrozenClock, cid: int) -> None:
    """The other materials on paper, acceptance, survey: the claim waits for its
    assessment. The invoices must already be in (the e-bill ticks them)."""
    c = w.client
    claim = ok(c.get(f"{API}/{cid}", headers=w.h["handler"]))
    for item in claim["checklist"]:
        if not item["received"]:
            ok(
                c.post(
                    f"{API}/{cid}/materials/receive",
                    json={"code": item["code"]},
                    headers=w.h["handler"],
                )
            )
    clock.set(f"{DAY}T10:30:00")
    ok(c.post(f"{API}/{cid}/accept", json={"reason": "材料齐全"}, headers=w.h["handler"]))
    clock.set(f"{DAY}T11:00:00")
    ok(
        c.post(
            f"{API}/{cid}/survey/assign",
            json={"surveyor_id": w.users["surveyor"]},
            headers=w.h["handler"],
        )
    )
    ok(c.post(f"{API}/{cid}/survey/contact", json={"note": "电话联系"}, headers=w.h["surveyor"]))
    photo = ok(
        c.post(
            f"{API}/{cid}/files",
            data={"purpose": "evidence"},
            files={"file": ("p.pdf", PDF, "application/pdf")},
            headers=w.h["surveyor"],
        ),
        201,
    )
    clock.set(f"{DAY}T13:00:00")
    ok(
        c.post(
            f"{API}/{cid}/survey/report",
            json={
                "surveyed_at": f"{DAY}T12:00:00+08:00",
                "place": "北京协和医院",
                "people": "李四",
                "actions": "核实病历与票据",
                "conclusion": "属保险责任",
                "covered": True,
                "cause": "阑尾炎",
                "extent": "住院手术",
                "evidence_file_ids": [photo["id"]],
                "plan": plan_answers(c, cid, w.h["surveyor"]),
            },
            headers=w.h["surveyor"],
        )
    )
