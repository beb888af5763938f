"""Issue 4 acceptance: one claim of each line — medical, critical illness, accident
disability, accident death, property, liability — from report to CLOSE through the HTTP
API only, with a frozen clock across Mid-Autumn and National Day 2026. Each walk checks
the exact payable amount, every clock's rule and due time, the final state and the
audit timeline (actions in order, each with its actor). Then the issue's bad-input list,
each refused with a clear error and nothing changed (re-read claim and trail).

2026 calendar used below (holidays package, seeded into the database): Mid-Autumn
Fri 25 Sep; National Day Thu 1 – Wed 7 Oct; Saturday 10 Oct is a working day (调休)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.claims import config as claims_config
from claimdesk.field_labels import field_label
from tests.builders import demo_version, issue_policy
from tests.claims.helpers import PDF, PNG, FrozenClock, World, local, plan_answers
from tests.claims.steps import (
    ALL_CHECKS,
    API,
    CARD,
    MEDICAL_4K,
    PROPERTY_23500,
    Settlement,
    approve,
    build_settlement,
    ok,
)

PAY_API = "/api/v1/payments"
REVIEWERS = ("reviewer1", "reviewer2", "reviewer3")
CLOSER = "reviewer1b"


# -- what each line is and when each step happens ------------------------------------


@dataclass(frozen=True)
class Line:
    name: str
    policy: str
    coverage: str
    cause: str
    estimate: str
    assessment: dict[str, Any]
    payable: str
    tiers: int
    survey: bool = True  # False: the configured skip (small health claim)
    certificate: bool = False  # CLM-S4: fire and theft
    payee: str = "insured"  # or "beneficiary"


@dataclass(frozen=True)
class Schedule:
    """The days of one walk (local times are fixed within each day) and the due time
    every clock must show, computed by hand from GEN-4 and the 2026 calendar."""

    day0: str  # received 09:30, entered 10:00, accepted 10:30, surveyor 11:00
    survey_day: str  # survey report submitted 09:00 (surveyed day0 15:00)
    work_day: str  # assessment 10:00, adjustment 11:00, submitted to review 14:00
    review_day: str  # tiers at 09:00/10:00/11:00; payment 14:00, export 15:00, bank 17:00
    callback_at: str
    close_at: str
    dues: dict[str, str]  # clock name → due, local
    small_due: str  # claim.payment_small when the claim is small (approved review_day 09:00)
    callback_due: str  # local
    retention: str
    arrival: dict[str, str] = field(default_factory=dict)  # "small" | "other" → date


NATIONAL_DAY = Schedule(
    day0="2026-09-30",
    survey_day="2026-10-01",  # a holiday: hours clocks run around the clock
    work_day="2026-10-08",
    review_day="2026-10-09",
    callback_at="2026-10-12T10:00:00",
    close_at="2026-10-14T10:00:00",
    dues={
        "claim.report_entry": "2026-09-30T10:30:00",  # 1 hour from receipt 09:30
        # 3 working days after 30 Sep: 8, 9, 10 (调休 Saturday) Oct.
        "claim.review": "2026-10-10T23:59:59",
        # 30 days after 30 Sep: Fri 30 Oct.
        "claim.determination": "2026-10-30T23:59:59",
        "claim.survey_contact": "2026-09-30T12:00:00",  # 1 hour from assignment 11:00
        "claim.survey_report": "2026-10-01T15:00:00",  # 24 hours from the survey
        # 60 days after 30 Sep: Sun 29 Nov → Mon 30 Nov (Civil Code art. 203).
        "claim.advance_payment": "2026-11-30T23:59:59",
        # 5 working days after complete materials (30 Sep): 8, 9, 10, 12, 13 Oct.
        "claim.payment_working": "2026-10-13T23:59:59",
        # 10 days after the agreement (approval 9 Oct): Mon 19 Oct.
        "claim.payment_agreement": "2026-10-19T23:59:59",
    },
    small_due="2026-10-10T09:00:00",  # 24 hours from approval 9 Oct 09:00
    callback_due="2026-10-13T23:59:59",  # 3 working days after paid 9 Oct: 10, 12, 13
    retention="2033-10-14",  # non-life: 2 years + 5 (Insurance Law art. 26)
    arrival={"small": "2026-10-10", "other": "2026-10-13"},
)

MID_AUTUMN = Schedule(
    day0="2026-09-24",  # Thursday before Mid-Autumn (Fri 25 Sep) and its weekend
    survey_day="2026-09-25",
    work_day="2026-09-28",
    review_day="2026-09-29",
    callback_at="2026-09-30T08:30:00",
    close_at="2026-09-30T09:00:00",
    dues={
        "claim.report_entry": "2026-09-24T10:30:00",
        # 3 working days after 24 Sep: 28, 29, 30 Sep (25 Sep holiday, 26–27 weekend).
        "claim.review": "2026-09-30T23:59:59",
        # 30 days after 24 Sep: Sat 24 Oct → Mon 26 Oct.
        "claim.determination": "2026-10-26T23:59:59",
        "claim.survey_contact": "2026-09-24T12:00:00",
        "claim.survey_report": "2026-09-25T15:00:00",
        # 60 days after 24 Sep: Mon 23 Nov.
        "claim.advance_payment": "2026-11-23T23:59:59",
        # 5 working days after 24 Sep: 28, 29, 30 Sep, 8, 9 Oct (National Day skipped).
        "claim.payment_working": "2026-10-09T23:59:59",
        # 10 days after approval 29 Sep: Fri 9 Oct.
        "claim.payment_agreement": "2026-10-09T23:59:59",
    },
    small_due="2026-09-30T09:00:00",
    callback_due="2026-10-09T23:59:59",  # 3 working days after 29 Sep: 30 Sep, 8, 9 Oct
    retention="2033-09-30",
    arrival={"small": "2026-09-30", "other": "2026-10-09"},
)

# GEN-4: the rule each clock shows (type, N).
RULES = {
    "claim.report_entry": ("hours", 1),
    "claim.review": ("working_days", 3),
    "claim.determination": ("days", 30),
    "claim.survey_contact": ("hours", 1),
    "claim.survey_report": ("hours", 24),
    "claim.advance_payment": ("days", 60),
    "claim.payment_small": ("hours", 24),
    "claim.payment_working": ("working_days", 5),
    "claim.payment_agreement": ("days", 10),
    "claim.callback": ("working_days", 3),
}

MEDICAL = Line(
    # ADJ-MED: 15000 − social insurance 1000 − deductible 10000 = 4000 × 100%.
    "medical",
    "MED-MILLION",
    "medical",
    "illness",
    "4000.00",
    MEDICAL_4K,
    "4000.00",
    tiers=1,
    survey=False,
)
CRITICAL_ILLNESS = Line(
    # ADJ-CI: a covered severe disease after the 90-day waiting period pays the sum.
    "critical_illness",
    "CI-28",
    "ci",
    "illness",
    "500000.00",
    {"disease": "CI-01"},
    "500000.00",
    tiers=3,
)
DISABILITY = Line(
    # ADJ-DIS: grades 5, 5, 8 → two share the most severe (5) → raised to 4 = 70%.
    "disability",
    "ACC-PLUS",
    "disability",
    "accident",
    "300000.00",
    {
        "injuries": [
            {"description": "左腿", "grade": 5},
            {"description": "右腿", "grade": 5},
            {"description": "手指", "grade": 8},
        ]
    },
    "350000.00",
    tiers=3,
)
DEATH = Line(
    # ADJ-DTH: 500000 − disability already paid 350000 = 150000.
    "death",
    "ACC-PLUS",
    "death",
    "accident",
    "150000.00",
    {},
    "150000.00",
    tiers=3,
    payee="beneficiary",
)
PROPERTY = Line(
    # ADJ-PRP: 20000 + 5000 − 1000 = 24000 − absolute deductible 500 = 23500.
    "property",
    "HOME-PROP",
    "property",
    "fire",
    "30000.00",
    PROPERTY_23500,
    "23500.00",
    tiers=2,
    certificate=True,
)
LIABILITY = Line(
    # ADJ-LIA: 200000 × 0.6 × (1 − 0.10) − 1000 = 107000.
    "liability",
    "PUB-LIAB",
    "liability",
    "liability",
    "120000.00",
    {"damages": "200000.00", "liability_ratio": "0.6"},
    "107000.00",
    tiers=3,
)


# -- set-up --------------------------------------------------------------------------


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    s = build_settlement(db, client)
    holder = s.w.policies["MED-MILLION"].policyholder_id  # type: ignore[attr-defined]
    hq = s.w.policies["MED-MILLION"].org_unit_id  # type: ignore[attr-defined]
    for code in ("CI-28", "ACC-PLUS", "PUB-LIAB"):
        # The accident policy names 赵六 as beneficiary: the death benefit is theirs.
        beneficiaries = (
            [{"person_id": s.stranger_id, "relationship": "配偶", "share": "100"}]
            if code == "ACC-PLUS"
            else None
        )
        policy = issue_policy(
            db,
            version_id=demo_version(db, code).id,
            policyholder_id=holder,
            beneficiaries=beneficiaries,
        )
        policy.org_unit_id = hq
        s.w.policies[code] = policy
    db.commit()
    return s


# -- small steps, each one API call or two -------------------------------------------


def _clock(body: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in body["clocks"] if c["name"] == name]
    assert found, f"no clock {name} in {[c['name'] for c in body['clocks']]}"
    return found[-1]


def rows(response: Any) -> list[dict[str, Any]]:
    """A JSON list answer (``ok`` is typed for objects)."""
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def _post(w: World, who: str, path: str, body: dict[str, Any] | None = None, **kw: Any) -> Any:
    return w.client.post(
        f"{API}{path}",
        json=body if body is not None else {},
        headers={**w.h[who], **kw.pop("headers", {})},
        **kw,
    )


def read(w: World, cid: int, who: str = "handler") -> dict[str, Any]:
    return ok(w.client.get(f"{API}/{cid}", headers=w.h[who]))


def changes(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The claim's trail without the reads (every GET of a claim is itself audited)."""
    return [(e["action"], e["actor"]) for e in body["timeline"] if e["action"] != "claim.read"]


def snapshot(s: Settlement, cid: int) -> dict[str, Any]:
    """What a refused request must leave untouched (GEN-6)."""
    w = s.w
    body = read(w, cid)
    return {
        "state": body["state"],
        "trail": changes(body),
        "files": body["files"],
        "notices": body["notices"],
        "checklist": body["checklist"],
        "reserves": body["reserves"],
        "payable": body["payable_total"],
        "clocks": [(c["name"], c["due_at"], c["stopped"], c["paused"]) for c in body["clocks"]],
        "payments": rows(w.client.get(f"{API}/{cid}/payments", headers=w.h["cashier"])),
    }


def report(s: Settlement, line: Line, sch: Schedule, *, who: str = "handler") -> int:
    w = s.w
    clock_at = f"{sch.day0}T10:00:00"
    body = ok(
        w.client.post(
            API,
            json={
                "channel": "hotline",
                "policy_number": w.policies[line.policy].number,  # type: ignore[attr-defined]
                "claimant_name": "李四",
                "contact_phone": "13912345678",
                "loss_date": "2026-09-22",
                "loss_place": "北京市朝阳区",
                "loss_cause": line.cause,
                "loss_overview": "出险经过",
                "estimated_amount": line.estimate,
                "coverage_codes": [line.coverage],
                "received_at": f"{sch.day0}T09:30:00+08:00",
            },
            headers=w.h[who],
        ),
        201,
    )
    assert body["state"] == "reported" and body["number"].startswith(
        "BA" + sch.day0.replace("-", "")
    )
    assert dt.datetime.fromisoformat(body["entered_at"]) == local(clock_at)
    assert _clock(body, "claim.report_entry")["met"] is True
    for name in ("claim.report_entry", "claim.review", "claim.determination"):
        assert _clock(body, name)["due_local"].startswith(sch.dues[name]), name
    return int(body["id"])


def accept(
    s: Settlement, cid: int, clock: FrozenClock, sch: Schedule, *, who: str = "handler"
) -> dict[str, Any]:
    w = s.w
    for item in read(w, cid)["checklist"]:
        ok(
            _post(
                w,
                who,
                f"/{cid}/materials/receive",
                {"code": item["code"], "original_checked": True},
            )
        )
    clock.set(f"{sch.day0}T10:30:00")
    body = ok(_post(w, who, f"/{cid}/accept", {"reason": "材料齐全"}))
    assert body["state"] == "accepted" and all(m["received"] for m in body["checklist"])
    return body


def survey(s: Settlement, cid: int, clock: FrozenClock, sch: Schedule, line: Line) -> None:
    w = s.w
    clock.set(f"{sch.day0}T11:00:00")
    if not line.survey:
        body = ok(_post(w, "handler", f"/{cid}/survey/skip"))
        assert body["state"] == "surveyed"
        # Audit entries are chained at commit: read the trail back.
        skip = [e for e in read(w, cid)["timeline"] if e["action"] == "claim.step_skipped"]
        assert [(e["actor"], e["details"]["step"]) for e in skip] == [("handler", "survey")]
        assert skip[0]["details"]["rule"]  # the configured rule that allowed it
        return
    body = ok(_post(w, "handler", f"/{cid}/survey/assign", {"surveyor_id": w.users["surveyor"]}))
    assert _clock(body, "claim.survey_contact")["due_local"].startswith(
        sch.dues["claim.survey_contact"]
    )
    clock.set(f"{sch.day0}T11:30:00")
    body = ok(_post(w, "surveyor", f"/{cid}/survey/contact", {"note": "电话联系客户"}))
    assert _clock(body, "claim.survey_contact")["met"] is True
    photo = ok(
        w.client.post(
            f"{API}/{cid}/files",
            data={"purpose": "evidence"},
            files={"file": ("site.png", PNG, "image/png")},
            headers=w.h["surveyor"],
        ),
        201,
    )
    extra: dict[str, Any] = {}
    if line.certificate:
        cert = ok(
            w.client.post(
                f"{API}/{cid}/files",
                data={"purpose": "certificate"},
                files={"file": ("fire.pdf", PDF, "application/pdf")},
                headers=w.h["surveyor"],
            ),
            201,
        )
        extra["certificate_file_id"] = cert["id"]
    clock.set(f"{sch.survey_day}T09:00:00")
    body = ok(
        _post(
            w,
            "surveyor",
            f"/{cid}/survey/report",
            {
                "surveyed_at": f"{sch.day0}T15:00:00+08:00",
                "place": "现场",
                "people": "李四",
                "actions": "询问经过、查看现场与病历",
                "conclusion": "属保险责任",
                "covered": True,
                "cause": line.cause,
                "extent": "见定损",
                "evidence_file_ids": [photo["id"]],
                "plan": plan_answers(w.client, cid, w.h["surveyor"]),
                **extra,
            },
        )
    )
    assert body["state"] == "surveyed"
    assert _clock(body, "claim.survey_report")["met"] is True


def assess_and_adjust(
    s: Settlement, cid: int, clock: FrozenClock, sch: Schedule, line: Line
) -> dict[str, Any]:
    w = s.w
    clock.set(f"{sch.work_day}T10:00:00")
    ok(
        _post(
            w,
            "assessor",
            f"/{cid}/assessments",
            {"coverage_code": line.coverage, **line.assessment},
        )
    )
    assert ok(_post(w, "assessor", f"/{cid}/assessment/complete"))["state"] == "assessed"
    clock.set(f"{sch.work_day}T11:00:00")
    ok(
        _post(
            w,
            "adjuster",
            f"/{cid}/adjustments",
            {
                "coverage_code": line.coverage,
                "liability": "covered",
                "covered_items": [line.coverage],
            },
        )
    )
    body = ok(_post(w, "adjuster", f"/{cid}/adjustment/complete"))
    assert body["state"] == "adjusted"
    assert Decimal(body["payable_total"]) == Decimal(line.payable)
    assert [(a["coverage_code"], a["signed_by"]) for a in body["adjustments"]] == [
        (line.coverage, "adjuster")
    ]
    return body


def review(s: Settlement, cid: int, clock: FrozenClock, sch: Schedule, line: Line) -> None:
    w = s.w
    clock.set(f"{sch.work_day}T14:00:00")
    body = ok(_post(w, "adjuster", f"/{cid}/review/submit"))
    assert body["state"] == "in_review" and body["rounds"][0]["tiers_required"] == line.tiers
    for tier, who in enumerate(REVIEWERS[: line.tiers], start=1):
        clock.set(f"{sch.review_day}T{8 + tier:02d}:00:00")
        body = approve(w, cid, who)
        assert body["state"] == ("approved" if tier == line.tiers else "in_review")
    assert [(d["tier"], d["reviewer"], d["decision"]) for d in body["decisions"]] == [
        (t, REVIEWERS[t - 1], "approve") for t in range(1, line.tiers + 1)
    ]


def pay(s: Settlement, cid: int, clock: FrozenClock, sch: Schedule, line: Line) -> None:
    """Payment request (idempotent), bank batch export, confirmation back from the bank."""
    w = s.w
    small = Decimal(line.payable) <= Decimal("5000.00")
    payee, account = (
        (s.insured_id, s.account_id)
        if line.payee == "insured"
        else (s.stranger_id, s.stranger_account_id)
    )
    key = f"e2e-{line.name}-{cid}"
    clock.set(f"{sch.review_day}T14:00:00")
    payment = ok(
        _post(
            w,
            "cashier",
            f"/{cid}/payments",
            {"payee_person_id": payee, "bank_account_id": account},
            headers={"Idempotency-Key": key},
        ),
        201,
    )
    assert payment["amount"] == line.payable and payment["status"] == "pending"
    assert payment["payee_basis"] == line.payee
    assert payment["expected_arrival"] == sch.arrival["small" if small else "other"]
    if line.payee == "insured":
        assert payment["account_masked"] == f"**** **** **** {CARD[-4:]}"
    clock.set(f"{sch.review_day}T15:00:00")
    batch = ok(w.client.post(f"{PAY_API}/batches", json={}, headers=w.h["cashier"]), 201)
    assert (batch["payment_count"], batch["total"]) == (1, line.payable)
    clock.set(f"{sch.review_day}T17:00:00")
    answer = f"payment_id,idempotency_key,result,reference\n{payment['id']},{key},paid,BK-{cid}\n"
    done = ok(
        w.client.post(
            f"{PAY_API}/batches/{batch['id']}/confirmation",
            json={"csv": answer},
            headers=w.h["cashier"],
        )
    )
    assert done["status"] == "confirmed"
    paid = rows(w.client.get(f"{API}/{cid}/payments", headers=w.h["cashier"]))
    assert [(p["status"], p["amount"], p["attempts"]) for p in paid] == [("paid", line.payable, 1)]


def callback_and_close(s: Settlement, cid: int, clock: FrozenClock, sch: Schedule) -> None:
    w = s.w
    callbacks = rows(w.client.get(f"{API}/{cid}/callbacks", headers=w.h["agent"]))
    assert [cb["kind"] for cb in callbacks] == ["paid"]
    due = dt.datetime.fromisoformat(callbacks[0]["due_at"])
    assert due == local(sch.callback_due)
    clock.set(sch.callback_at)
    done = ok(
        _post(
            w,
            "agent",
            f"/{cid}/callbacks/{callbacks[0]['id']}/complete",
            {"outcome": "reached", "satisfaction": 5, "suggestions": "到账很快"},
        )
    )
    assert done["status"] == "done"
    clock.set(sch.close_at)
    archive = ok(_post(w, CLOSER, f"/{cid}/close", {"reason": "已赔付，回访完毕"}))
    assert {r["retention_until"] for r in archive["records"]} == {sch.retention}
    assert {"claim", "adjustment", "review_decision", "payment", "transition", "audit_entry"} <= {
        r["kind"] for r in archive["records"]
    }


def check_final(s: Settlement, cid: int, sch: Schedule, line: Line) -> dict[str, Any]:
    """Final state, every clock (rule, due, met), reserves released, the audit timeline."""
    w = s.w
    body = read(w, cid, "cashier")
    assert body["state"] == "closed"
    assert Decimal(body["payable_total"]) == Decimal(line.payable)
    assert body["reserves"] == [{"coverage_code": line.coverage, "amount": "0.00"}]
    small = Decimal(line.payable) <= Decimal("5000.00")
    expected = dict(sch.dues)
    if not line.survey:
        del expected["claim.survey_contact"], expected["claim.survey_report"]
    if small:
        del expected["claim.payment_working"], expected["claim.payment_agreement"]
        expected["claim.payment_small"] = sch.small_due
    # SPEC CLM-X2 GEN-4: the callback's clock is listed with the claim's, met in time.
    expected["claim.callback"] = sch.callback_due
    shown = {c["name"]: c for c in body["clocks"]}
    assert set(shown) == set(expected)
    for name, due in expected.items():
        clock = shown[name]
        assert (clock["rule_type"], clock["rule_n"]) == RULES[name], name
        assert clock["due_local"].startswith(due), (name, clock["due_local"], due)
        assert clock["stopped"] is True and clock["met"] is True and not clock["breached"], name

    # The moves of the transition table, in order, each by the person who made it.
    moves = [(e["action"], e["actor"]) for e in body["timeline"] if "to" in e["details"]]
    surveying = (
        [
            ("claim.assign_surveyor", "handler"),
            ("claim.record_contact", "surveyor"),
            ("claim.submit_survey", "surveyor"),
        ]
        if line.survey
        else [("claim.skip_survey", "handler")]
    )
    assert moves == [
        ("claim.report", "handler"),
        ("claim.accept", "handler"),
        *surveying,
        ("claim.complete_assessment", "assessor"),
        ("claim.complete_adjustment", "adjuster"),
        ("claim.submit_review", "adjuster"),
        ("claim.approve", REVIEWERS[line.tiers - 1]),
        ("claim.pay", "cashier"),
        ("claim.close", CLOSER),
    ]
    # The decisions and money around them, in order (a subsequence of the whole trail).
    trail = changes(body)
    assert all(actor for _, actor in trail)
    milestones = [
        ("claim.report", "handler"),
        ("claim.reserve_set", "handler"),
        ("claim.adjusted", "adjuster"),
        ("claim.reserve_revised", "adjuster"),
        ("claim.submit_review", "adjuster"),
        *[("claim.review_approve", who) for who in REVIEWERS[: line.tiers]],
        ("claim.approve", REVIEWERS[line.tiers - 1]),
        ("claim.payment_requested", "cashier"),
        ("claim.payment_paid", "cashier"),
        ("claim.pay", "cashier"),
        ("claim.callback_done", "agent"),
        ("claim.close", CLOSER),
        ("claim.archived", CLOSER),
    ]
    position = -1
    for milestone in milestones:
        assert milestone in trail[position + 1 :], (milestone, trail)
        position = trail.index(milestone, position + 1)
    assert trail.count(("claim.payment_paid", "cashier")) == 1
    # Times on the trail follow the frozen clock: reported day0 10:00, closed at close_at.
    first = next(e for e in body["timeline"] if e["action"] == "claim.report")
    last = next(e for e in body["timeline"] if e["action"] == "claim.archived")
    assert dt.datetime.fromisoformat(first["occurred_at"]) == local(f"{sch.day0}T10:00:00")
    assert dt.datetime.fromisoformat(last["occurred_at"]) == local(sch.close_at)
    return body


def walk(s: Settlement, clock: FrozenClock, line: Line, sch: Schedule) -> int:
    """Report → acceptance → survey (or the recorded skip) → assessment → adjustment →
    review → payment → callback → close."""
    clock.set(f"{sch.day0}T10:00:00")
    cid = report(s, line, sch)
    accept(s, cid, clock, sch)
    survey(s, cid, clock, sch, line)
    assess_and_adjust(s, cid, clock, sch, line)
    review(s, cid, clock, sch, line)
    pay(s, cid, clock, sch, line)
    callback_and_close(s, cid, clock, sch)
    check_final(s, cid, sch, line)
    return cid


# -- the six lines -------------------------------------------------------------------


@pytest.mark.parametrize(
    "line", [MEDICAL, CRITICAL_ILLNESS, PROPERTY, LIABILITY], ids=lambda line: line.name
)
def test_claim_of_each_line_from_report_to_close_across_national_day(
    s: Settlement, monkeypatch: pytest.MonkeyPatch, line: Line
) -> None:
    # SPEC CLM-R1 CLM-R3 CLM-A1 CLM-A3 CLM-S1 CLM-S3 CLM-S4 CLM-L1 CLM-L3 CLM-C1 CLM-C3
    # SPEC CLM-V1 CLM-V2 CLM-V4 CLM-P1 CLM-P2 CLM-P4 CLM-P5 CLM-X1 CLM-X2 FIN-1 GEN-3 GEN-4
    # SPEC GEN-5 ADJ-MED ADJ-CI ADJ-PRP ADJ-LIA
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    walk(s, clock, line, NATIONAL_DAY)


def test_disability_paid_then_death_pays_the_rest_to_the_beneficiary(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC ADJ-DIS ADJ-DTH PER-3 CLM-L4 CLM-P1 CLM-V1 CLM-P4 CLM-X1 CLM-X2 GEN-4 GEN-5
    w = s.w
    clock = FrozenClock(monkeypatch, local("2026-09-24T10:00:00"))
    # Disability (several injuries sharing the most severe grade), across Mid-Autumn,
    # paid to the insured through the payment API and closed.
    walk(s, clock, DISABILITY, MID_AUTUMN)
    # Death under the same policy, across National Day: the death certificate is on the
    # checklist, and the benefit is the sum insured less the disability already paid.
    clock.set("2026-09-30T10:00:00")
    cid = report(s, DEATH, NATIONAL_DAY)
    assert "death_certificate" in [m["code"] for m in read(w, cid)["checklist"]]
    accepted = accept(s, cid, clock, NATIONAL_DAY)
    assert accepted["reserves"] == [{"coverage_code": "death", "amount": "150000.00"}]
    survey(s, cid, clock, NATIONAL_DAY, DEATH)
    body = assess_and_adjust(s, cid, clock, NATIONAL_DAY, DEATH)
    trace = " ".join(str(step) for step in body["adjustments"][0]["trace"])
    assert "350000.00" in trace  # the disability paid, shown in the calculation
    review(s, cid, clock, NATIONAL_DAY, DEATH)
    pay(s, cid, clock, NATIONAL_DAY, DEATH)  # to 赵六, the named beneficiary
    callback_and_close(s, cid, clock, NATIONAL_DAY)
    check_final(s, cid, NATIONAL_DAY, DEATH)


# -- bad input: refused with a clear error, nothing changed (GEN-6) --------------------

Send = Callable[[str], Any]  # language → response


def _refused(send: Send, status: int, code: str, field: str | None = None) -> dict[str, str]:
    """Sent in zh-CN and in English: the same refusal, naming the field, in each
    language. (A refused request changes nothing, so sending it twice is harmless —
    and the callers check that it was.)"""
    messages: dict[str, str] = {}
    for lang in ("zh-CN", "en"):
        r = send(lang)
        assert r.status_code == status, r.text
        error = r.json()["error"]
        assert error["code"] == code, error
        if field is not None:
            assert error["field"] == field, error
            # The message names the field as a person reads it (its label, GEN-6).
            assert (field_label(field, lang) or field) in error["message"], error
        messages[lang] = error["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in messages["zh-CN"]), messages
    assert messages["en"].isascii() or messages["en"] != messages["zh-CN"], messages
    return messages


def _send(
    w: World, who: str, path: str, body: dict[str, Any] | None = None, key: str | None = None
) -> Send:
    headers = {"Idempotency-Key": key} if key else {}
    return lambda lang: w.client.post(
        f"{API}{path}", json=body or {}, params={"lang": lang}, headers={**w.h[who], **headers}
    )


def test_wrong_state_moves_and_missing_checklist_items_change_nothing(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-6 CLM-A1 (issue 4 bad input: wrong-state move, missing checklist item)
    w = s.w
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = report(s, PROPERTY, NATIONAL_DAY)
    before = snapshot(s, cid)
    for who, path in (
        ("assessor", "/assessment/complete"),
        ("handler", "/survey/skip"),
        ("adjuster", "/transitions/complete_adjustment"),
    ):
        _refused(_send(w, who, f"/{cid}{path}"), 409, "illegal_transition")
    _refused(_send(w, "adjuster", f"/{cid}/review/submit"), 409, "illegal_transition")
    _refused(_send(w, CLOSER, f"/{cid}/close"), 409, "illegal_transition")
    _refused(
        _send(
            w,
            "cashier",
            f"/{cid}/payments",
            {"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
            key="e2e-wrong-state",
        ),
        409,
        "not_payable",
    )
    assert snapshot(s, cid) == before
    # Acceptance with items of the checklist missing names each missing item.
    ok(_post(w, "handler", f"/{cid}/materials/receive", {"code": "claim_form"}))
    before = snapshot(s, cid)
    clock.set("2026-09-30T10:30:00")
    messages = _refused(_send(w, "handler", f"/{cid}/accept"), 409, "checklist_incomplete")
    missing = [m for m in before["checklist"] if not m["received"]]
    # Each missing item by its name, listed as the language lists them (GEN-6): not codes
    assert missing and all(m["label_en"] in messages["en"] for m in missing), messages
    assert all(m["label_zh"] in messages["zh-CN"] for m in missing), messages
    assert not any(m["code"] in messages["en"] for m in missing), messages
    if len(missing) > 1:
        assert "、" in messages["zh-CN"] and ", " not in messages["zh-CN"]
    assert "Claim form" not in messages["en"]
    after = snapshot(s, cid)
    assert after == before and after["state"] == "reported" and after["reserves"] == []


def test_second_missing_materials_notice_and_bad_uploads_change_nothing(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-6 CLM-A2 CLM-A4 (issue 4 bad input: second notice, upload limit and type)
    w = s.w
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = report(s, MEDICAL, NATIONAL_DAY)
    ok(_post(w, "handler", f"/{cid}/materials/receive", {"code": "claim_form"}))
    body = ok(_post(w, "handler", f"/{cid}/materials-notice"))
    assert body["state"] == "awaiting_materials" and len(body["notices"]) == 1
    before = snapshot(s, cid)
    clock.set("2026-10-09T10:00:00")
    _refused(_send(w, "handler", f"/{cid}/materials-notice"), 409, "materials_already_requested")
    _refused(
        _send(
            w,
            "handler",
            f"/{cid}/materials-notice/later",
            {"items": ["medical_record"], "justification": "漏要了"},
        ),
        409,
        "materials_already_requested",
        "items",
    )
    assert snapshot(s, cid) == before

    monkeypatch.setattr(claims_config, "RULES", claims_config.ClaimRules(upload_max_bytes=1024))

    def upload(content: bytes, name: str) -> Send:
        return lambda lang: w.client.post(
            f"{API}/{cid}/files",
            params={"lang": lang},
            data={"material_code": "identity_proof"},
            files={"file": (name, content, "application/pdf")},
            headers=w.h["customer"],
        )

    _refused(upload(PDF + b"0" * 2000, "big.pdf"), 413, "upload_too_large", "file")
    # Named .pdf and sent as application/pdf, but the bytes are a Windows executable.
    _refused(upload(b"MZ\x90\x00 not a pdf", "id.pdf"), 415, "upload_type_not_allowed", "file")
    after = snapshot(s, cid)
    assert after == before and after["files"] == []


def test_payee_mismatch_amount_over_remaining_and_review_by_handler_change_nothing(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-6 CLM-P1 CLM-V1 CLM-V4 FIN-1 (issue 4 bad input: payee mismatch, amount
    # over the remaining sum insured, review by the handler)
    w = s.w
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    # The claim is reported and accepted by a handler who also holds the tier-1 role.
    cid = report(s, CRITICAL_ILLNESS, NATIONAL_DAY, who="handler_reviewer")
    clock.set("2026-09-30T10:30:00")
    for item in read(w, cid)["checklist"]:
        ok(_post(w, "handler_reviewer", f"/{cid}/materials/receive", {"code": item["code"]}))
    before = snapshot(s, cid)
    # A reserve above the sum insured (500000) is refused, naming the coverage and limit.
    messages = _refused(
        _send(w, "handler_reviewer", f"/{cid}/accept", {"reserves": {"ci": "500000.01"}}),
        422,
        "amount_over_remaining_sum_insured",
        "reserves.ci",
    )
    assert "500000.00" in messages["en"] and "500000.00" in messages["zh-CN"]
    assert snapshot(s, cid) == before
    body = ok(_post(w, "handler_reviewer", f"/{cid}/accept", {"reserves": {"ci": "500000.00"}}))
    assert body["reserves"] == [{"coverage_code": "ci", "amount": "500000.00"}]
    before = snapshot(s, cid)
    _refused(
        _send(
            w,
            "handler",
            f"/{cid}/reserves",
            {"coverage_code": "ci", "amount": "600000.00", "reason": "估损上调"},
        ),
        422,
        "amount_over_remaining_sum_insured",
        "amount",
    )
    # An advance (art. 25) beyond what the coverage can pay is refused too.
    _refused(
        _send(
            w,
            "cashier",
            f"/{cid}/payments",
            {
                "payee_person_id": s.insured_id,
                "bank_account_id": s.account_id,
                "kind": "advance",
                "amount": "500000.01",
                "coverage_code": "ci",
            },
            key="e2e-advance-too-much",
        ),
        422,
        "advance_too_large",
        "amount",
    )
    assert snapshot(s, cid) == before

    survey(s, cid, clock, NATIONAL_DAY, CRITICAL_ILLNESS)
    assess_and_adjust(s, cid, clock, NATIONAL_DAY, CRITICAL_ILLNESS)
    clock.set("2026-10-08T14:00:00")
    ok(_post(w, "adjuster", f"/{cid}/review/submit"))
    before = snapshot(s, cid)
    # Review by the handler (four eyes): refused, naming the part they played.
    clock.set("2026-10-09T09:00:00")
    decision = {"decision": "approve", "checklist": ALL_CHECKS}
    _refused(
        _send(w, "handler_reviewer", f"/{cid}/review/decisions", decision),
        403,
        "reviewer_handled_claim",
    )
    assert snapshot(s, cid) == before
    # Nobody approves two tiers of the same claim.
    assert approve(w, cid, "dual")["next_tier"] == 2
    before = snapshot(s, cid)
    _refused(
        _send(w, "dual", f"/{cid}/review/decisions", decision),
        409,
        "reviewer_already_approved_tier",
    )
    assert snapshot(s, cid) == before
    approve(w, cid, "reviewer2")
    assert approve(w, cid, "reviewer3")["state"] == "approved"

    # Payee mismatch: 赵六 is neither the insured nor a beneficiary of this policy.
    before = snapshot(s, cid)
    clock.set("2026-10-09T14:00:00")
    _refused(
        _send(
            w,
            "cashier",
            f"/{cid}/payments",
            {"payee_person_id": s.stranger_id, "bank_account_id": s.stranger_account_id},
            key="e2e-payee-mismatch",
        ),
        422,
        "payee_mismatch",
        "payee_person_id",
    )
    # The insured with someone else's account is refused as well.
    _refused(
        _send(
            w,
            "cashier",
            f"/{cid}/payments",
            {"payee_person_id": s.insured_id, "bank_account_id": s.stranger_account_id},
            key="e2e-payee-account",
        ),
        422,
        "bank_account_not_payees",
        "bank_account_id",
    )
    after = snapshot(s, cid)
    assert after == before and after["payments"] == [] and after["state"] == "approved"


def test_death_reserve_over_what_is_left_after_a_paid_disability_is_refused(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-6 FIN-1 ADJ-DTH: "remaining" is the sum insured less what was paid.
    w = s.w
    clock = FrozenClock(monkeypatch, local("2026-09-24T10:00:00"))
    walk(s, clock, DISABILITY, MID_AUTUMN)  # 350000 paid under ACC-PLUS
    clock.set("2026-09-30T10:00:00")
    cid = report(s, DEATH, NATIONAL_DAY)
    for item in read(w, cid)["checklist"]:
        ok(_post(w, "handler", f"/{cid}/materials/receive", {"code": item["code"]}))
    before = snapshot(s, cid)
    messages = _refused(
        _send(w, "handler", f"/{cid}/accept", {"reserves": {"death": "150000.01"}}),
        422,
        "amount_over_remaining_sum_insured",
        "reserves.death",
    )
    assert "150000.00" in messages["en"]
    assert snapshot(s, cid) == before
