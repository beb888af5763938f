"""Straight-through measures (SPEC CLM-T4) from seeded rows, figures worked out here by
hand: the share of eligible claims paid automatically, the time from complete materials
to the payment instruction (automatic and manual), hits and false holds per check — by
line and month; the API (row-filtered, permission of the claims dashboard), its CSV and
the section of the claims dashboard page in both languages."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.dashboards import queries, service
from claimdesk.models.automatic import AutomaticDecision, AutomaticRuleSet, SampleVerdict
from claimdesk.models.bill import Bill
from claimdesk.models.check import CheckHit
from claimdesk.models.claim import Claim, FraudFlag, Material
from claimdesk.models.payment import Payment
from claimdesk.models.person import BankAccount
from tests.builders import (
    demo_version,
    issue_policy,
    login_headers,
    make_org_unit,
    make_person,
    make_user,
    resident_id,
    seed_calendar,
)
from tests.web.helpers import staff_login

SH = ZoneInfo("Asia/Shanghai")
API = "/api/v1/dashboards/claims/stp"
PERIOD = "date_from=2026-09-01&date_to=2026-10-31"
FILTERS = queries.Filters(dt.date(2026, 9, 1), dt.date(2026, 10, 31))
SYSTEM = Principal.system("test")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH).astimezone(dt.UTC)


@pytest.fixture
def seeded(db: Session) -> dict[str, Any]:
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    person = make_person(db, id_number=resident_id(birth="19850312", seq="456"))
    policy = issue_policy(db, version_id=demo_version(db).id, policyholder_id=person.id)
    officer = make_user(db, username="pay", roles=["payment_officer"], org_unit=hq)
    make_user(db, username="mgr", roles=["reviewer_3"], org_unit=hq)
    make_user(db, username="handler", roles=["claims_handler"], org_unit=hq)
    account = BankAccount(
        person_id=person.id,
        holder_name="李四",
        bank_name="工商银行",
        account_number="6222020200112233445",
        account_hash="h" * 64,
        account_last4="3445",
    )
    db.add(account)
    db.flush()
    n = 0

    def claim(
        received: str,
        *,
        bill: str | None,
        complete: str | None,
        paid: str | None = None,
        by: int | None = None,
    ) -> Claim:
        nonlocal n
        n += 1
        c = Claim(
            number=f"S{n:05d}",
            state="reported",
            policy_id=policy.id,
            coverage_codes=[],
            line="health",
            channel="app",
            insured_person_id=person.id,
            claimant_name="李四",
            loss_date=dt.date(2026, 9, 1),
            loss_place="北京",
            loss_cause="illness",
            loss_overview="-",
            received_at=at(received),
            entered_at=at(received),
            org_unit_id=hq.id,
        )
        db.add(c)
        db.flush()
        if bill is not None:
            db.add(
                Bill(
                    claim_id=c.id,
                    receipt_code="11060126",
                    receipt_number=f"{n:010d}",
                    receipt_key=f"{n:064d}",
                    issuer_name="北京协和医院",
                    issuer_credit_code="12110000400000716C",
                    issue_date=dt.date(2026, 9, 1),
                    total=Decimal(bill),
                    source="staff",
                    submitted_at=at(received),
                    auth_method="password",
                    original="{}",
                )
            )
        # Two checklist items: the first in at the report, the second when complete.
        db.add(Material(claim_id=c.id, code="claim_form", received=True, received_at=at(received)))
        db.add(
            Material(
                claim_id=c.id,
                code="expense_invoices",
                received=complete is not None,
                received_at=at(complete) if complete else None,
            )
        )
        if paid is not None:
            db.add(
                Payment(
                    claim_id=c.id,
                    kind="indemnity",
                    idempotency_key=f"pay-{n}",
                    amount=Decimal("100.00"),
                    payee_person_id=person.id,
                    payee_name="李四",
                    payee_basis="insured",
                    bank_account_id=account.id,
                    account_last4="3445",
                    status="pending",
                    created_at=at(paid),
                    created_by_id=by,
                )
            )
        db.flush()
        return c

    def hit(c: Claim, code: str, action: str, found: str, outcome: str | None = None) -> None:
        db.add(
            CheckHit(
                claim_id=c.id,
                check_code=code,
                config_version=1,
                action=action,
                reason_zh="理由",
                reason_en="reason",
                evidence={},
                finding_key=f"{code}-{c.id}",
                data_version="v1",
                found_at=at(found),
                outcome=outcome,
            )
        )

    # September: three eligible claims (≤ ¥5,000 with e-bills, complete), one paid by
    # the machine 8 s after its materials were complete, one by a person after 2 h, one
    # still open; not eligible: over the limit, no e-bill, incomplete, confirmed fraud.
    auto = claim(
        "2026-09-10T09:00", bill="800.00", complete="2026-09-10T09:05", paid="2026-09-10T09:05:08"
    )
    manual = claim(
        "2026-09-11T09:00",
        bill="4999.99",
        complete="2026-09-11T10:00",
        paid="2026-09-11T12:00",
        by=officer.id,
    )
    claim("2026-09-12T09:00", bill="5000.00", complete="2026-09-12T09:01")
    over = claim("2026-09-13T09:00", bill="5000.01", complete="2026-09-13T09:01")
    claim("2026-09-14T09:00", bill=None, complete="2026-09-14T09:01")
    incomplete = claim("2026-09-15T09:00", bill="300.00", complete=None)
    fraud = claim("2026-09-16T09:00", bill="700.00", complete="2026-09-16T09:01")
    db.add(
        FraudFlag(
            claim_id=fraud.id,
            source="rule",
            description="重复票据",
            flagged_at=at("2026-09-16T09:02"),
            status="confirmed",
        )
    )
    # October: one eligible claim paid by the machine after 30 s; a manual one after 60 s.
    october = claim(
        "2026-10-02T09:00", bill="100.00", complete="2026-10-02T09:00", paid="2026-10-02T09:00:30"
    )
    claim(
        "2026-10-03T09:00",
        bill="9000.00",
        complete="2026-10-03T09:00",
        paid="2026-10-03T09:01",
        by=officer.id,
    )
    # Outside the period: not counted.
    claim(
        "2026-08-30T09:00", bill="100.00", complete="2026-08-30T09:00", paid="2026-08-30T09:00:01"
    )
    # Hits: a referral whose claim a person then paid = a false hold; a hold the
    # investigator cleared = a false hold; a hold confirmed; a referral still open.
    hit(manual, "early_claim", "refer", "2026-09-11T10:00:05")
    hit(incomplete, "sex_age_mismatch", "hold", "2026-09-15T09:00:05", outcome="false_hold")
    hit(fraud, "duplicate_receipt", "hold", "2026-09-16T09:00:05", outcome="confirmed")
    hit(over, "early_claim", "refer", "2026-09-13T09:00:05")
    # The quality sample (CLM-T3): two automatic payments chosen, one reviewed (agreed).
    db.add(AutomaticRuleSet(version="rs1", content={}, first_used_at=at("2026-09-01T00:00")))
    db.flush()
    for paid_claim, verdict in ((auto, True), (october, None)):
        decision = AutomaticDecision(
            claim_id=paid_claim.id,
            outcome="paid",
            reasons=[],
            rule_set_version="rs1",
            data_version="v1",
            decided_at=paid_claim.received_at,
            line="health",
            sampled=True,
        )
        db.add(decision)
        db.flush()
        if verdict is not None:
            db.add(
                SampleVerdict(
                    claim_id=paid_claim.id,
                    decision_id=decision.id,
                    rule_set_version="rs1",
                    agrees=verdict,
                    automatic_amount=Decimal("100.00"),
                    amount=Decimal("100.00"),
                    difference=Decimal("0.00"),
                    correction="none",
                    reviewer_id=officer.id,
                    reviewer="pay",
                    decided_at=at("2026-09-20T09:00"),
                )
            )
    db.commit()
    return {"auto": auto}


def test_share_of_eligible_claims_paid_automatically(db: Session, seeded: dict[str, Any]):
    # SPEC CLM-T4 (share among eligible claims; eligible = e-bills within the limit,
    # materials complete, no confirmed fraud), by line and month
    share = service.stp_share(db, actor=SYSTEM, filters=FILTERS)
    assert share.rows == [
        ("2026-09", "health", 3, 1, Decimal("33.3")),
        ("2026-10", "health", 1, 1, Decimal("100.0")),
    ]


def test_time_from_complete_materials_to_payment_per_path(db: Session, seeded: dict[str, Any]):
    # SPEC CLM-T4 (median and 95th percentile, automatic and manual)
    times = service.stp_time(db, actor=SYSTEM, filters=FILTERS)
    assert times.rows == [
        ("2026-09", "health", "automatic", 1, Decimal("8.0"), Decimal("8.0")),
        ("2026-09", "health", "manual", 1, Decimal("7200.0"), Decimal("7200.0")),
        ("2026-10", "health", "automatic", 1, Decimal("30.0"), Decimal("30.0")),
        ("2026-10", "health", "manual", 1, Decimal("60.0"), Decimal("60.0")),
    ]


def test_nearest_rank_percentiles():  # SPEC CLM-T4
    values = [float(v) for v in range(1, 21)]  # 1..20 s
    assert service.percentile(values=values, pct=50) == Decimal("10.0")
    assert service.percentile(values=values, pct=95) == Decimal("19.0")
    assert service.percentile(values=[3.25], pct=95) == Decimal("3.3")
    assert service.percentile(values=[], pct=50) is None


def test_hits_and_false_holds_per_check(db: Session, seeded: dict[str, Any]):
    # SPEC CLM-T4 (hits and false holds per check), CLM-F3
    checks = service.stp_checks(db, actor=SYSTEM, filters=FILTERS)
    assert checks.rows == [
        ("duplicate_receipt", "health", "2026-09", 1, 1, 0, 0, 1, Decimal("0.0")),
        ("early_claim", "health", "2026-09", 2, 0, 2, 1, 0, Decimal("50.0")),
        ("sex_age_mismatch", "health", "2026-09", 1, 1, 0, 1, 0, Decimal("100.0")),
    ]


def test_quality_sample_agreement(db: Session, seeded: dict[str, Any]):
    # SPEC CLM-T4 (the sample's agreement rate), CLM-T3
    sample = service.stp_sample(db, actor=SYSTEM, filters=FILTERS)
    assert sample.rows == [
        ("2026-09", "health", 1, 1, 1, Decimal("100.0")),
        ("2026-10", "health", 1, 0, 0, None),
    ]


def test_measures_are_row_filtered(db: Session, seeded: dict[str, Any]):
    # SPEC CLM-T4, CLM-F2: a reader sees the measures of the claims they may see only
    surveyor = Principal.build(user_id=999, username="s", roles={"surveyor"})
    for dataset in service.stp_datasets(db, actor=surveyor, filters=FILTERS):
        assert dataset.rows == [], dataset.name


def test_api_and_csv_for_the_claims_dashboard_readers(
    client: TestClient, db: Session, seeded: dict[str, Any]
):
    # SPEC CLM-T4 (with CSV), GEN-7: the roles of the claims dashboard, nobody else
    headers = login_headers(client, "mgr")
    body = client.get(f"{API}?{PERIOD}", headers=headers)
    assert body.status_code == 200, body.text
    found = {d["name"]: d for d in body.json()["datasets"]}
    assert set(found) == {"stp_share", "stp_time", "stp_checks", "stp_sample"}
    assert found["stp_share"]["rows"][0] == ["2026-09", "health", 3, 1, "33.3"]
    response = client.get(f"{API}/stp_time.csv?{PERIOD}&lang=zh-CN", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    # For Excel on a Chinese Windows: a byte-order mark, words in the reader's language
    # and the codes kept beside them for a program.
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "stp_time_2026-09-01_2026-10-31.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == {
        "月份": "2026年9月",
        "月份（代码）": "2026-09",
        "险种": "健康险",
        "险种（代码）": "health",
        "处理方式": "人工",
        "处理方式（代码）": "manual",
        "支付": "1",
        "中位数（秒）": "7200.0",
        "95 百分位（秒）": "7200.0",
    }
    assert client.get(f"{API}/nope.csv?{PERIOD}", headers=headers).status_code == 404
    reversed_period = client.get(f"{API}?date_from=2026-10-01&date_to=2026-09-01", headers=headers)
    assert reversed_period.status_code == 422
    assert reversed_period.json()["error"]["field"] == "date_to"
    denied = client.get(f"{API}?{PERIOD}", headers=login_headers(client, "handler"))
    assert denied.status_code == 403


@pytest.mark.parametrize(
    ("lang", "words", "codes"),
    [
        ("zh-CN", ["自动理赔", "符合条件", "误拦截", "生效后短期出险", "人工"], ["early_claim"]),
        ("en", ["Straight-through claims", "False holds", "Claim soon after the start"], []),
    ],
)
def test_claims_dashboard_page_shows_the_section_in_words(
    client: TestClient, seeded: dict[str, Any], lang: str, words: list[str], codes: list[str]
):
    # SPEC CLM-T4 on the claims dashboard, GEN-4 (both languages, no raw codes)
    staff_login(client, "mgr")
    page = client.get(f"/dashboards/claims?{PERIOD}&lang={lang}")
    assert page.status_code == 200, page.text
    section = page.text[page.text.index('id="stp"') :]
    for word in words:
        assert word in section, word
    table = section[section.index('id="stp_checks"') :]
    for code in ["early_claim", "sex_age_mismatch", "false_holds", "p50_seconds"]:
        assert f">{code}<" not in section, code
    assert ">early_claim<" not in table
    csv_page = client.get(f"/dashboards/claims/stp_checks.csv?{PERIOD}&lang={lang}")
    assert csv_page.status_code == 200
    text = csv_page.content.decode("utf-8-sig")
    # The check in words, its code kept beside them in a column of its own.
    named = "生效后短期出险" if lang == "zh-CN" else "Claim soon after the start"
    assert f"\n{named},early_claim," in text.replace("\r\n", "\n")
    header = text.splitlines()[0]
    assert header.startswith(
        "核查项,核查项（代码）,险种" if lang == "zh-CN" else "Check,Check (code),Line"
    )
    del codes


def test_eligible_claims_follow_the_automatic_limit_the_administrator_set(
    db: Session, seeded: dict[str, Any]
):
    # SPEC CLM-T4 (eligible = within the automatic limit), CLM-T2 (the limit is
    # configured): the share counted against a fixed ¥5,000 whatever the administrator
    # set. With the limit at ¥800 from August, September's ¥4,999.99 and ¥5,000.00 claims
    # are not eligible; the ¥800.00 one is (within = not above).
    from claimdesk.thresholds import service as thresholds

    current = thresholds.in_force(db, at=at("2026-08-01T00:00"))
    thresholds.create_version(
        db,
        actor=SYSTEM,
        values={name: getattr(current, name) for name in thresholds.AMOUNT_FIELDS},
        skip_survey_lines=sorted(current.skip_survey_lines),
        effective_from=at("2026-08-01T00:00"),
        now=at("2026-08-01T00:00"),
        reason="试点：自动赔付上限 800 元",
        automatic_max_amount=Decimal("800.00"),
    )
    db.flush()
    share = service.stp_share(db, actor=SYSTEM, filters=FILTERS)
    assert share.rows == [
        ("2026-09", "health", 1, 1, Decimal("100.0")),
        ("2026-10", "health", 1, 1, Decimal("100.0")),
    ]
