"""Dashboards: access per role, filters, and every CSV against figures computed here by
hand from the rows the test inserted (not by calling the dashboard queries)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from claimdesk.models.claim import Claim, ClaimTransition, Reserve
from claimdesk.models.clock import Clock
from claimdesk.models.review import ReviewDecision, ReviewRound
from claimdesk.models.service import SatisfactionSurvey
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

SH = ZoneInfo("Asia/Shanghai")
PERIOD = "date_from=2026-03-01&date_to=2026-04-30"
# The exports in English (the header and the coded values in words, a code column after
# each); test_csv_is_for_excel_in_the_readers_language reads them in Chinese.
EN = PERIOD + "&lang=en"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH).astimezone(dt.UTC)


def rows_of(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    # Excel on a Chinese Windows reads a CSV without a byte-order mark as GBK.
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    bj = make_org_unit(db, code="BJ", name="北京分公司", kind="branch", parent=hq)
    person = make_person(db, id_number=resident_id(birth="19850312", seq="456"))
    version = demo_version(db)
    policy = issue_policy(db, version_id=version.id, policyholder_id=person.id)
    for name, roles in {
        "aud": ["compliance_auditor"],
        "mgr": ["reviewer_3"],
        "agent": ["service_agent"],
        "pay": ["payment_officer"],
        "cust": ["customer"],
    }.items():
        # A customer logs in with the SMS code to the phone of their person (SEC-9).
        person_id = person.id if roles == ["customer"] else None
        make_user(db, username=name, roles=roles, org_unit=hq, person_id=person_id)
    n = 0

    def claim(line: str, state: str, received: str, unit=bj, reserve: str | None = None):  # type: ignore[no-untyped-def]
        nonlocal n
        n += 1
        c = Claim(
            number=f"T{n:05d}",
            state=state,
            policy_id=policy.id,
            coverage_codes=[],
            line=line,
            channel="app",
            insured_person_id=person.id,
            claimant_name="李四",
            loss_date=dt.date(2026, 3, 1),
            loss_place="北京",
            loss_cause="illness",
            loss_overview="-",
            received_at=at(received),
            entered_at=at(received),
            org_unit_id=unit.id,
        )
        db.add(c)
        db.flush()
        if reserve is not None:
            db.add(
                Reserve(
                    claim_id=c.id,
                    coverage_code="MED",
                    amount=Decimal(reserve),
                    set_at=c.received_at,
                    updated_at=c.received_at,
                )
            )
        return c

    c1 = claim("health", "accepted", "2026-03-02T09:00", reserve="1000.10")
    c2 = claim("health", "accepted", "2026-03-05T09:00", reserve="2000.00")
    c3 = claim("health", "rejected", "2026-04-01T09:00")
    c4 = claim("property", "paid", "2026-04-10T09:00", unit=hq, reserve="500.55")
    claim("property", "closed", "2026-02-10T09:00", unit=hq, reserve="999.00")  # before period
    claim("health", "closed", "2026-03-20T09:00", reserve="300.00")  # closed: no reserve
    # c1: reported 09:00, accepted 12:00 (3 h); c3: reported -> accepted after 5 h,
    # accepted -> rejected after 24 h, reassigned on the way (accepted -> accepted: still
    # accepted). Each opens with the report's own row, from no state, as the workflow
    # writes it.
    for cid, frm, to, when in (
        (c1.id, "", "reported", "2026-03-02T09:00"),
        (c1.id, "reported", "accepted", "2026-03-02T12:00"),
        (c3.id, "", "reported", "2026-04-01T09:00"),
        (c3.id, "reported", "accepted", "2026-04-01T14:00"),
        (c3.id, "accepted", "accepted", "2026-04-02T02:00"),
        (c3.id, "accepted", "rejected", "2026-04-02T14:00"),
    ):
        db.add(
            ClaimTransition(
                claim_id=cid, action="x", from_state=frm, to_state=to, at=at(when), actor="test"
            )
        )
    rnd = ReviewRound(
        claim_id=c3.id,
        round=1,
        tiers_required=2,
        amount=Decimal("0"),
        status="rejected",  # the round ended in the rejection below
        submitted_at=at("2026-04-02T10:00"),
    )
    db.add(rnd)
    db.flush()
    reviewer = make_user(db, username="r2", roles=["reviewer_2"])
    db.add(
        ReviewDecision(
            claim_id=c3.id,
            round_id=rnd.id,
            tier=1,
            decision="reject",
            reviewer_id=reviewer.id,
            reviewer="r2",
            decided_at=at("2026-04-02T13:00"),
            rejection_ground="exclusion",
        )
    )
    # Claim clocks: one met, one missed (stopped late), one running past due (missed).
    for name, start, due, stop in (
        ("claim.review", "2026-03-02T12:00", "2026-03-05T23:59", "2026-03-04T10:00"),
        ("claim.review", "2026-04-01T14:00", "2026-04-06T23:59", "2026-04-08T10:00"),
        ("claim.report_entry", "2026-03-05T09:00", "2026-03-05T10:00", None),
    ):
        db.add(
            Clock(
                subject_type="claim",
                subject_id=str(c2.id),
                name=name,
                rule_type="hours",
                rule_n=1,
                org_unit_id=bj.id,
                started_at=at(start),
                due_at=at(due),
                stopped_at=at(stop) if stop else None,
            )
        )
    db.add(
        Clock(
            subject_type="claim",
            subject_id=str(c4.id),
            name="claim.review",
            rule_type="hours",
            rule_n=1,
            org_unit_id=hq.id,
            started_at=at("2026-04-10T10:00"),
            due_at=at("2026-04-13T23:59"),
            stopped_at=at("2026-04-11T10:00"),
        )
    )
    for i, (stype, speed, attitude) in enumerate(
        (("consultation", 5, 4), ("consultation", 4, 4), ("claims_help", 2, 3))
    ):
        db.add(
            SatisfactionSurvey(
                subject_type="service_record",
                subject_id=900 + i,
                service_type=stype,
                source="survey",
                score_speed=speed,
                score_attitude=attitude,
                score_result=3,
                score_process=3,
                surveyed_at=at(f"2026-03-1{i}T10:00"),
                org_unit_id=bj.id,
            )
        )
    db.commit()
    return {"bj": bj, "hq": hq, "person": person}


def test_claims_dashboard_roles(db, client, world):  # SPEC CLM-Q2, SEC-4
    for allowed in ("aud", "mgr"):
        page = client.get(f"/dashboards/claims?{PERIOD}", headers=login_headers(client, allowed))
        assert page.status_code == 200
        assert 'data-dataset="claims_volume"' in page.text
        assert "/static/vendor/echarts.min.js" in page.text
        assert "claims_reserves.csv?date_from=2026-03-01" in page.text
    for denied in ("agent", "pay", "cust"):
        headers = login_headers(client, denied)
        assert client.get("/dashboards/claims", headers=headers).status_code == 403
        assert (
            client.get("/dashboards/claims/claims_volume.csv", headers=headers).status_code == 403
        )
    assert client.get("/dashboards/claims", follow_redirects=False).status_code == 303


def test_service_dashboard_roles(db, client, world):  # SPEC GEN-7, SVC-5, SEC-4
    ok = client.get(f"/dashboards/service?{PERIOD}", headers=login_headers(client, "aud"))
    assert ok.status_code == 200 and 'data-dataset="satisfaction"' in ok.text
    for denied in ("mgr", "agent", "cust"):
        assert (
            client.get("/dashboards/service", headers=login_headers(client, denied)).status_code
            == 403
        )


def test_claims_volume_csv(db, client, world):  # SPEC CLM-Q2
    rows = rows_of(
        client.get(
            f"/dashboards/claims/claims_volume.csv?{EN}", headers=login_headers(client, "aud")
        )
    )

    def row(line: str, state: str, n: str) -> dict[str, str]:
        return {
            "Line": line.capitalize(),
            "Line (code)": line,
            "State": state.capitalize(),
            "State (code)": state,
            "Number of claims": n,
        }

    assert rows == [
        row("health", "accepted", "2"),
        row("health", "closed", "1"),
        row("health", "rejected", "1"),
        row("property", "paid", "1"),
    ]
    # Branch filter: only BJ's health claims.
    bj = rows_of(
        client.get(
            f"/dashboards/claims/claims_volume.csv?{EN}&org_unit_id={world['bj'].id}",
            headers=login_headers(client, "aud"),
        )
    )
    assert {r["Line (code)"] for r in bj} == {"health"}
    # The count column is headed as a count, not as the service kind "claims" (理赔).
    zh = client.get(
        f"/dashboards/claims/claims_volume.csv?{PERIOD}&lang=zh-CN",
        headers=login_headers(client, "aud"),
    )
    assert (
        zh.content.decode("utf-8-sig").splitlines()[0]
        == "险种,险种（代码）,状态,状态（代码）,案件数"
    )
    page = client.get(
        f"/dashboards/claims?{PERIOD}&lang=zh-CN", headers=login_headers(client, "aud")
    )
    volume = page.text[page.text.index('id="claims_volume"') :]
    assert '<th scope="col">案件数</th>' in volume[: volume.index("</section>")]


def test_step_time_csv(db, client, world):  # SPEC CLM-Q2 (time per step)
    rows = rows_of(
        client.get(
            f"/dashboards/claims/claims_step_time.csv?{EN}",
            headers=login_headers(client, "aud"),
        )
    )
    # reported: 3 h and 5 h -> average 4.00, max 5.00; accepted: one stay of 24 h, the
    # reassignment within it no end of the stay (it was two of 12 h); the report's own
    # row, from no state, no row of a blank state (it was one, of 0 h). In workflow
    # order, as a claim goes through them (issue 12), not alphabetical.
    assert [list(r.values()) for r in rows] == [
        ["Reported", "reported", "2", "4.00", "5.00"],
        ["Accepted", "accepted", "1", "24.00", "24.00"],
    ]
    assert list(rows[0]) == [
        "State",
        "State (code)",
        "Stays",
        "Average hours",
        "Longest (hours)",
    ]


def test_the_board_reads_as_a_manager_reads_figures(db, client, world):  # SPEC CLM-Q2 GEN-1 GEN-7
    # The page: outstanding reserves with thousands separators (the CSV keeps the plain
    # decimal), time per step without a blank state and its count called stays, the
    # complaints' change month on month signed.
    headers = login_headers(client, "aud")
    page = client.get(f"/dashboards/claims?{PERIOD}&lang=en", headers=headers).text

    def card(name: str, text: str) -> str:
        found = text[text.index(f'id="{name}"') :]
        return found[: found.index("</section>")]

    reserves = card("claims_reserves", page)
    # Health's 1,000.10 and 2,000.00 fall in one age bucket or two, by today's date.
    assert "<td>3,000.10</td>" in reserves or (
        "<td>1,000.10</td>" in reserves and "<td>2,000.00</td>" in reserves
    )
    assert not re.search(r"<td>\d{4,}\.\d\d</td>", reserves)
    steps = card("claims_step_time", page)
    assert '<th scope="col">Stays</th>' in steps and "<tr><td></td>" not in steps
    assert "<td>Accepted</td><td>1</td><td>24.00</td>" in steps
    trend = card(
        "complaints_trend",
        client.get(f"/dashboards/service?{PERIOD}&lang=en", headers=headers).text,
    )
    assert "<td>Mar 2026</td><td>0</td><td>—</td>" in trend


def test_a_table_cell_as_a_manager_reads_it() -> None:
    # SPEC GEN-1, GEN-7: amounts with separators, a change signed, nothing as a dash.
    from claimdesk.web.dashboards.pages import cell_text

    assert cell_text(Decimal("135429.00"), "outstanding") == "135,429.00"
    assert cell_text(5, "change") == "+5"
    assert cell_text(-6, "change") == "-6"
    assert cell_text(0, "change") == "0"
    assert cell_text(None, "change") == "—"
    assert cell_text(Decimal("66.67"), "share_met") == "66.67"
    assert cell_text(1234, "claims") == "1234"


def test_breaches_are_drawn_in_the_alarm_colour(db, client, world):  # SPEC GEN-7, CLM-Q2
    import json
    import re

    page = client.get(f"/dashboards/claims?{PERIOD}", headers=login_headers(client, "aud"))
    block = re.search(
        r'<script type="application/json" id="data-claims_deadlines">(.*?)</script>',
        page.text,
        re.S,
    )
    assert block, page.text[:500]
    data = json.loads(block.group(1))
    # Missed (超时) in red, met in green: never the palette's green for a breach.
    assert data["colors"] == {"met": "#2e7d32", "missed": "#c62828", "pending": "#9e9e9e"}


DEADLINE_HEADER = [
    "Time limit",
    "Time limit (code)",
    "Governed",
    "Met",
    "Missed",
    "Pending",
    "Ended early (reassigned, cancelled)",
    "Share met (%)",
]
REPORT_ENTRY = ["Report entry (1 h)", "claim.report_entry"]
REVIEW = ["Review (3 working days)", "claim.review"]


def test_deadline_compliance_csv(db, client, world):  # SPEC GEN-7, CLM-Q2
    headers = login_headers(client, "aud")
    rows = rows_of(client.get(f"/dashboards/claims/claims_deadlines.csv?{EN}", headers=headers))
    assert list(rows[0]) == DEADLINE_HEADER
    assert [list(r.values()) for r in rows] == [
        [*REPORT_ENTRY, "1", "0", "1", "0", "0", "0.00"],
        [*REVIEW, "3", "2", "1", "0", "0", "66.67"],
    ]
    hq_only = rows_of(
        client.get(
            f"/dashboards/claims/claims_deadlines.csv?{EN}&org_unit_id={world['hq'].id}",
            headers=headers,
        )
    )
    assert [list(r.values()) for r in hq_only] == [[*REVIEW, "1", "1", "0", "0", "0", "100.00"]]


def test_rejections_and_reserves_csv(db, client, world):  # SPEC CLM-Q2, FIN-1
    headers = login_headers(client, "aud")
    rejections = rows_of(
        client.get(f"/dashboards/claims/claims_rejections.csv?{EN}", headers=headers)
    )
    assert rejections == [
        {"Ground": "Exclusion", "Ground (code)": "exclusion", "Number of claims": "1"}
    ]
    reserves = rows_of(client.get(f"/dashboards/claims/claims_reserves.csv?{EN}", headers=headers))
    # Open claims up to 2026-04-30 with a reserve: health 1000.10 + 2000.00, property
    # 500.55 (paid but not closed); the closed ones release theirs. All older than a year
    # is impossible here, so compare the totals per line regardless of the age bucket.
    totals: dict[str, Decimal] = {}
    for row in reserves:
        line = row["Line (code)"]
        totals[line] = totals.get(line, Decimal(0)) + Decimal(row["Outstanding (CNY)"])
    assert totals == {"health": Decimal("3000.10"), "property": Decimal("500.55")}


def test_service_csvs(db, client, world):  # SPEC SVC-5, SVC-3, GEN-7
    headers = login_headers(client, "aud")
    satisfaction = rows_of(
        client.get(f"/dashboards/service/satisfaction.csv?{EN}", headers=headers)
    )
    by_type = {r["Service type (code)"]: r for r in satisfaction}
    assert by_type["consultation"]["Service type"] == "Product consultation"
    assert by_type["consultation"]["Surveys"] == "2"
    assert by_type["consultation"]["Response speed"] == "4.50"
    assert by_type["claims_help"]["Attitude of staff"] == "3.00"
    assert by_type["claims_help"]["Value-added services"] == ""
    trend = rows_of(client.get(f"/dashboards/service/complaints_trend.csv?{EN}", headers=headers))
    # The month in words, then its code (GEN-2 Beijing months; Excel keeps the words).
    assert [(r["Month"], r["Month (code)"]) for r in trend] == [
        ("Mar 2026", "2026-03"),
        ("Apr 2026", "2026-04"),
    ]


def test_bad_filters_are_shown_in_place(db, client, world):  # SPEC GEN-6
    headers = login_headers(client, "aud")
    page = client.get("/dashboards/claims?date_from=2026-13-01", headers=headers)
    assert page.status_code == 422
    assert 'id="date_from-error"' in page.text
    backwards = client.get(
        "/dashboards/claims?date_from=2026-05-01&date_to=2026-04-01&lang=en", headers=headers
    )
    assert backwards.status_code == 422 and "end date may not be before" in backwards.text
    assert (
        client.get(
            "/dashboards/claims/claims_volume.csv?org_unit_id=abc", headers=headers
        ).status_code
        == 422
    )
    assert client.get("/dashboards/claims/nope.csv", headers=headers).status_code == 404


def test_the_scorecard_names_each_branch_in_the_readers_language(
    db, client, world
):  # SPEC GEN-7, GEN-6
    # The deadline scorecard by branch (page, its CSV, the API's CSV): the unit's English
    # name (name_en) for an English reader, its Chinese name where it has none and for a
    # Chinese reader; the branch code beside it and the figures never change.
    world["bj"].name_en = "Beijing branch"
    db.flush()
    headers = login_headers(client, "aud")
    by_branch = f"{PERIOD}&by=branch"
    exports = (
        "/dashboards/claims/claims_deadlines.csv",
        "/api/v1/dashboards/claims/deadlines.csv",
    )
    for path in exports:
        english = rows_of(client.get(f"{path}?{by_branch}&lang=en", headers=headers))
        assert {(r["Branch"], r["Branch code"]) for r in english} == {
            ("Beijing branch", "BJ"),
            ("总公司", "HQ"),  # no English name: the Chinese one
        }, path
        chinese = rows_of(client.get(f"{path}?{by_branch}&lang=zh-CN", headers=headers))
        assert {(r["机构"], r["机构代码"]) for r in chinese} == {
            ("北京分公司", "BJ"),
            ("总公司", "HQ"),
        }, path
        # The branch code, the limit's code and the figures: the same in both languages.
        assert [[v for i, v in enumerate(r.values()) if i not in (0, 2)] for r in english] == [
            [v for i, v in enumerate(r.values()) if i not in (0, 2)] for r in chinese
        ], path
    page = client.get(f"/dashboards/claims?{by_branch}&lang=en", headers=headers)
    assert page.status_code == 200, page.text[:300]
    table = page.text[page.text.index("claims_deadlines") :]
    assert "Beijing branch" in table and "北京分公司" not in table
    chinese_page = client.get(f"/dashboards/claims?{by_branch}&lang=zh-CN", headers=headers)
    table = chinese_page.text[chinese_page.text.index("claims_deadlines") :]
    assert "北京分公司" in table and "Beijing branch" not in table


def test_csv_is_for_excel_in_the_readers_language(db, client, world):  # SPEC CLM-Q2, GEN-7
    # Excel on a Chinese Windows: a byte-order mark (else GBK mojibake), the header and
    # the codes in the reader's words, the code kept beside them, numbers plain and
    # amounts exact, the period in the file name.
    headers = login_headers(client, "aud")
    response = client.get(
        f"/dashboards/claims/claims_deadlines.csv?{PERIOD}&lang=zh-CN", headers=headers
    )
    assert response.content[:3] == b"\xef\xbb\xbf"
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="claims_deadlines_2026-03-01_2026-04-30.csv"'
    )
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table == [
        [
            "时限",
            "时限（代码）",
            "适用案件",
            "按时",
            "超时",
            "未到期",
            "提前结束（改派、撤销）",
            "达标率（%）",
        ],
        ["报案录入（1 小时）", "claim.report_entry", "1", "0", "1", "0", "0", "0.00"],
        ["审核（3 个工作日）", "claim.review", "3", "2", "1", "0", "0", "66.67"],
    ]
    # The same export in English: only the words change, never the codes or figures.
    english = client.get(
        f"/dashboards/claims/claims_deadlines.csv?{PERIOD}&lang=en", headers=headers
    )
    rows = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert rows[0] == DEADLINE_HEADER
    assert [r[1:] for r in rows[1:]] == [r[1:] for r in table[1:]]
    # Amounts: exact decimal strings, no thousands separator (1,000.10 would not parse).
    reserves = client.get(
        f"/dashboards/claims/claims_reserves.csv?{PERIOD}&lang=zh-CN", headers=headers
    )
    lines = list(csv.DictReader(io.StringIO(reserves.content.decode("utf-8-sig"))))
    assert {(r["险种"], r["险种（代码）"]) for r in lines} == {
        ("健康险", "health"),
        ("财产险", "property"),
    }
    assert all(
        r["未决金额（元）"].replace(".", "", 1).isdigit() and "," not in r["未决金额（元）"]
        for r in lines
    )
    assert sum(Decimal(r["未决金额（元）"]) for r in lines) == Decimal("3500.65")


def by_month_rows() -> list[list[str]]:
    # March: BJ's review met, BJ's report entry running past due (missed); April: BJ's
    # review stopped late (missed), HQ's review met.
    return [
        ["Mar 2026", "2026-03", *REPORT_ENTRY, "1", "0", "1", "0", "0", "0.00"],
        ["Mar 2026", "2026-03", *REVIEW, "1", "1", "0", "0", "0", "100.00"],
        ["Apr 2026", "2026-04", *REVIEW, "2", "1", "1", "0", "0", "50.00"],
    ]


def test_deadlines_by_month_and_by_branch_csv(db, client, world):  # SPEC GEN-7, CLM-Q2
    # GEN-7: how many each limit governed and met, by month and by branch (机构).
    headers = login_headers(client, "aud")
    path = "/dashboards/claims/claims_deadlines.csv"
    by_month = client.get(f"{path}?{EN}&by=month", headers=headers)
    assert (
        "claims_deadlines_by_month_2026-03-01_2026-04-30.csv"
        in (by_month.headers["content-disposition"])
    )
    rows = rows_of(by_month)
    assert list(rows[0]) == ["Month", "Month (code)", *DEADLINE_HEADER]
    assert [list(r.values()) for r in rows] == by_month_rows()
    by_branch = rows_of(client.get(f"{path}?{EN}&by=branch", headers=headers))
    assert list(by_branch[0])[:3] == ["Branch", "Branch code", "Time limit"]
    assert [list(r.values()) for r in by_branch] == [
        ["北京分公司", "BJ", *REPORT_ENTRY, "1", "0", "1", "0", "0", "0.00"],
        ["北京分公司", "BJ", *REVIEW, "2", "1", "1", "0", "0", "50.00"],
        ["总公司", "HQ", *REVIEW, "1", "1", "0", "0", "0", "100.00"],
    ]
    both = rows_of(
        client.get(f"{path}?{EN}&by=month_branch&org_unit_id={world['bj'].id}", headers=headers)
    )
    assert [list(r.values()) for r in both] == [
        ["Mar 2026", "2026-03", "北京分公司", "BJ", *REPORT_ENTRY, "1", "0", "1", "0", "0", "0.00"],
        ["Mar 2026", "2026-03", "北京分公司", "BJ", *REVIEW, "1", "1", "0", "0", "0", "100.00"],
        ["Apr 2026", "2026-04", "北京分公司", "BJ", *REVIEW, "1", "0", "1", "0", "0", "0.00"],
    ]
    zh = client.get(f"{path}?{PERIOD}&by=branch&lang=zh-CN", headers=headers)
    assert zh.content.decode("utf-8-sig").splitlines()[0].startswith("机构,机构代码,时限,")
    bad = client.get(f"{path}?{PERIOD}&by=week&lang=en", headers=headers)
    assert bad.status_code == 422


def test_a_month_csv_reads_as_text_in_excel(db, client, world):  # SPEC GEN-7, GEN-2
    # The bytes Excel opens: BOM, CRLF, the month in the reader's words first — 2026年3月
    # / Mar 2026, what the page says — then the month's code, unchanged for programs
    # ("2026-03", which Excel alone would have turned into the date 1 March).
    headers = login_headers(client, "aud")
    path = "/dashboards/claims/claims_deadlines.csv"
    zh = client.get(f"{path}?{PERIOD}&by=month&lang=zh-CN", headers=headers)
    assert (
        zh.content
        == b"\xef\xbb\xbf"
        + (
            "月份,月份（代码）,时限,时限（代码）,适用案件,按时,超时,未到期,提前结束（改派、撤销）,达标率（%）\r\n"
            "2026年3月,2026-03,报案录入（1 小时）,claim.report_entry,1,0,1,0,0,0.00\r\n"
            "2026年3月,2026-03,审核（3 个工作日）,claim.review,1,1,0,0,0,100.00\r\n"
            "2026年4月,2026-04,审核（3 个工作日）,claim.review,2,1,1,0,0,50.00\r\n"
        ).encode()
    )
    en = client.get(
        f"/api/v1/dashboards/claims/deadlines.csv?{PERIOD}&by=month&lang=en", headers=headers
    )
    assert en.content.startswith(
        b"\xef\xbb\xbfMonth,Month (code),Time limit,Time limit (code),Governed,"
    )
    assert en.content.splitlines()[1] == (
        b"Mar 2026,2026-03,Report entry (1 h),claim.report_entry,1,0,1,0,0,0.00"
    )
    # The page's table and chart say the month in the same words.
    page = client.get(f"/dashboards/claims?{PERIOD}&by=month&lang=zh-CN", headers=headers)
    card = page.text[page.text.index('id="claims_deadlines"') :]
    card = card[: card.index("</section>")]
    assert "<td>2026年3月</td>" in card and ">2026-03<" not in card
    assert '"month": "2026年4月"' in card


def test_deadlines_breakdown_on_the_page(db, client, world):  # SPEC GEN-7, GEN-6
    headers = login_headers(client, "aud")
    page = client.get(f"/dashboards/claims?{PERIOD}&by=branch&lang=zh-CN", headers=headers)
    assert page.status_code == 200
    card = page.text[page.text.index('id="claims_deadlines"') :]
    card = card[: card.index("</section>")]
    assert "北京分公司" in card and "总公司" in card and "审核（3 个工作日）" in card
    assert ">claim.review<" not in card
    assert "claims_deadlines.csv?date_from=2026-03-01&amp;date_to=2026-04-30&amp;by=branch" in card
    assert '<option value="branch" selected>' in page.text
    # The service board breaks its scorecard down the same way.
    service = client.get(f"/dashboards/service?{PERIOD}&by=month", headers=headers)
    assert service.status_code == 200 and 'id="service_deadlines"' in service.text
    bad = client.get(f"/dashboards/claims?{PERIOD}&by=week&lang=en", headers=headers)
    assert bad.status_code == 422
    assert 'id="by-error"' in bad.text and "month, branch or month_branch" in bad.text


def test_deadline_scorecard_api(db, client, world):  # SPEC GEN-7, SEC-4, GEN-6
    headers = login_headers(client, "aud")
    api = "/api/v1/dashboards/claims/deadlines"
    body = client.get(f"{api}?{PERIOD}&by=month", headers=headers)
    assert body.status_code == 200, body.text
    found = body.json()
    assert found["by"] == "month" and found["date_from"] == "2026-03-01"
    assert found["dataset"]["columns"][:2] == ["month", "clock"]
    assert found["dataset"]["rows"][2] == ["2026-04", "claim.review", 2, 1, 1, 0, 0, "50.00"]
    csv_body = client.get(f"{api}.csv?{PERIOD}&by=branch&lang=en", headers=headers)
    assert rows_of(csv_body)[2]["Branch code"] == "HQ"
    refused = client.get(f"{api}?{PERIOD}&by=week&lang=en", headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "by"
    service = client.get(f"/api/v1/dashboards/service/deadlines?{PERIOD}", headers=headers)
    assert service.status_code == 200 and service.json()["by"] is None
    mgr = login_headers(client, "mgr")  # reads the claims board, not the service board
    assert client.get(f"{api}?{PERIOD}", headers=mgr).status_code == 200
    assert client.get("/api/v1/dashboards/service/deadlines", headers=mgr).status_code == 403


def test_a_claim_state_reads_in_a_claims_words_on_the_board() -> None:
    # SPEC CLM-Q2 GEN-6: the claims board's state columns say a claim's state ("decided":
    # 已核定，无需支付), not the word another list has for the same code (已决定)
    from claimdesk.i18n import gettext
    from claimdesk.web.dashboards.pages import cell_labeller
    from claimdesk.web.labels import labeller

    def zh(msgid: str) -> str:
        return gettext(msgid, "zh-CN")

    cell = cell_labeller(labeller(zh), zh)
    assert cell("decided", "state") == "已核定，无需支付"
    assert cell("suspended", "state") == "已中止（反欺诈）"
    assert cell("decided", "cause") == "已决定"
    assert cell("health", "line") == zh("Health")


def test_the_scorecard_api_names_each_branch_in_the_readers_language(
    db, client, world
):  # SPEC GEN-7, GEN-6
    # The JSON of both deadline scorecards decides the language as the rest of the API
    # does (?lang=, the cookie, then the user's setting): a branch's English
    # name for an English reader, its Chinese name where it has none and for a Chinese
    # reader; codes and figures the same in both.
    from claimdesk.models.user import User

    world["bj"].name_en = "Beijing branch"
    db.flush()
    headers = login_headers(client, "aud")

    def branches(path: str, query: str = "") -> list[list[object]]:
        response = client.get(f"{path}?{PERIOD}&by=month_branch{query}", headers=headers)
        assert response.status_code == 200, response.text
        dataset = response.json()["dataset"]
        assert dataset["columns"][1:3] == ["branch", "branch_code"]
        return dataset["rows"]

    for board in ("claims", "service"):
        path = f"/api/v1/dashboards/{board}/deadlines"
        chinese = branches(path)
        english = branches(path, "&lang=en")
        assert branches(path, "&lang=zh-CN") == chinese
        assert all(r[1] == "北京分公司" for r in chinese if r[2] == "BJ"), board
        assert all(r[1] == "Beijing branch" for r in english if r[2] == "BJ"), board
        assert all(r[1] == "总公司" for r in english if r[2] == "HQ"), board  # no English name
        assert [r[:1] + r[2:] for r in english] == [r[:1] + r[2:] for r in chinese], board
        if board == "claims":
            assert any(r[2] == "BJ" for r in english)
    # The user's own setting, with no header and no ?lang=.
    db.query(User).filter_by(username="aud").one().language = "en"
    db.flush()
    path = "/api/v1/dashboards/claims/deadlines"
    response = client.get(f"{path}?{PERIOD}&by=branch", headers=headers)
    assert {r[0] for r in response.json()["dataset"]["rows"]} == {"Beijing branch", "总公司"}
    response = client.get(f"{path}?{PERIOD}&by=branch&lang=zh-CN", headers=headers)
    assert {r[0] for r in response.json()["dataset"]["rows"]} == {"北京分公司", "总公司"}
