"""The back-office pages as their users read them (bug bash of 2026-12-07): sales,
products, checks, thresholds, fraud holds, users and the dashboards' exports — each test
names what a user met before the fix."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from claimdesk.auth.principal import Principal
from claimdesk.sales import service as sales
from tests.builders import demo_version, login_headers, make_org_unit, make_user, seed_calendar

SYSTEM = Principal.system("test")


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    users = {}
    for name, roles in (
        ("admin", ["administrator"]),
        ("rev1", ["reviewer_1"]),
        ("seller", ["sales_agent"]),
        ("fraud", ["fraud_investigator"]),
        ("auditor", ["compliance_auditor"]),
    ):
        users[name] = make_user(db, username=name, roles=roles, org_unit=hq)
    db.commit()
    return {"hq": hq, "users": users}


def _channel_and_org(db: Any, code: str = "DIRECT") -> tuple[Any, Any]:
    channel = sales.create_channel(
        db, actor=SYSTEM, code=code, name="直销团队", kind="direct_team", modes=["face_to_face"]
    )
    org = sales.create_organisation(db, actor=SYSTEM, name="北京直销部", channel_id=channel.id)
    return channel, org


# --- sales (SAL-1..SAL-3) ------------------------------------------------------------


def test_evaluations_are_paged(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC SAL-3
    # The page showed the latest 100 evaluations and stopped there, saying nothing.
    channel, _org = _channel_and_org(db)
    for day in range(51):
        sales.create_evaluation(
            db,
            actor=SYSTEM,
            method="survey",
            evaluated_on=dt.date(2026, 1, 1) + dt.timedelta(days=day),
            summary=f"评估 {day}",
            channel_id=channel.id,
        )
    db.commit()
    headers = login_headers(client, "auditor")
    first = client.get("/admin/sales/evaluations?lang=en", headers=headers)
    assert first.status_code == 200
    assert len(re.findall(r'<article id="evaluation-', first.text)) == 50
    assert 'id="pager-next"' in first.text and "of 51" in first.text
    second = client.get("/admin/sales/evaluations?lang=en&offset=50", headers=headers)
    assert len(re.findall(r'<article id="evaluation-', second.text)) == 1
    assert "评估 0" in second.text


def test_sales_dates_read_as_dates(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC GEN-2, SAL-2, SAL-3
    # Qualification validity, training, assessment periods and evaluation dates were
    # printed as 2026-01-05 on the Chinese pages.
    from decimal import Decimal

    channel, org = _channel_and_org(db)
    agent = sales.register_agent(
        db,
        actor=SYSTEM,
        user_id=staff["users"]["seller"].id,
        organisation_id=org.id,
        licence_number="LIC-1",
        valid_from=dt.date(2025, 1, 1),
        valid_until=dt.date(2099, 12, 31),
    )
    sales.add_training(
        db,
        actor=SYSTEM,
        agent_id=agent.id,
        course="合规培训",
        hours=Decimal("8"),
        completed_on=dt.date(2026, 1, 5),
        passed=True,
    )
    sales.assess_agent(
        db,
        actor=SYSTEM,
        agent_id=agent.id,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        results=80,
        service_quality=80,
        satisfaction=80,
        compliance=80,
    )
    sales.create_evaluation(
        db,
        actor=SYSTEM,
        method="survey",
        evaluated_on=dt.date(2026, 2, 1),
        summary="问卷",
        channel_id=channel.id,
        findings=[
            sales.FindingIn(
                "compliance",
                "high",
                "未说明免责条款",
                [sales.ActionIn("重新培训", dt.date(2026, 3, 1))],
            )
        ],
    )
    db.commit()
    headers = login_headers(client, "admin")
    pages = {
        "/admin/sales?lang=zh-CN": ("2025年1月1日", "2099年12月31日"),
        f"/admin/sales/agents/{agent.id}?lang=zh-CN": ("2026年1月5日", "2026年3月31日"),
        "/admin/sales/evaluations?lang=zh-CN": ("2026年2月1日", "2026年3月1日"),
    }
    for path, dates in pages.items():
        shown = client.get(path, headers=headers)
        assert shown.status_code == 200, path
        for date in dates:
            assert date in shown.text, (path, date)
        main = shown.text.split('id="main"', 1)[1].split('class="card actions"', 1)[0]
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", main), (
            path,
            re.findall(r"20\d\d-\d\d-\d\d", main),
        )
    english = client.get(f"/admin/sales/agents/{agent.id}?lang=en", headers=headers)
    assert "5 Jan 2026" in english.text


def test_organisation_names_its_channel(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC SAL-1
    # The organisations' "Channel" column showed the channel's database id.
    _channel_and_org(db)
    db.commit()
    shown = client.get("/admin/sales?lang=zh-CN", headers=login_headers(client, "auditor"))
    row = next(r for r in shown.text.split("<tr>") if "北京直销部" in r)
    assert "DIRECT · 直销团队" in row, row


def test_refused_sales_forms_keep_the_choice(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC GEN-6, SAL-1, SAL-2
    # A refused organisation or agent form came back with the first channel or
    # organisation chosen instead of the one picked: sent again, it went to the wrong one.
    _channel_and_org(db, "DIRECT")
    bank, bank_org = _channel_and_org(db, "BANK")
    db.commit()
    admin = login_headers(client, "admin")
    organisation = client.post(
        "/admin/sales/organisations",
        data={"org_name": " ", "channel_id": str(bank.id), "licence": ""},
        headers=admin,
    )
    assert organisation.status_code == 422, organisation.text
    assert f'<option value="{bank.id}" selected>' in organisation.text
    agent = client.post(
        "/admin/sales/agents",
        data={
            "username": "seller",
            "organisation_id": str(bank_org.id),
            "licence_number": "LIC-9",
            "valid_from": "2026-01-01",
            "valid_until": "2025-01-01",
        },
        headers=admin,
    )
    assert agent.status_code == 422, agent.text
    assert f'<option value="{bank_org.id}" selected>' in agent.text


def _open_action(db: Any) -> Any:
    channel, _org = _channel_and_org(db)
    return sales.create_evaluation(
        db,
        actor=SYSTEM,
        method="mystery_shopping",
        evaluated_on=dt.date(2026, 2, 1),
        summary="暗访",
        channel_id=channel.id,
        findings=[
            sales.FindingIn(
                "compliance",
                "high",
                "未说明免责条款",
                [sales.ActionIn("重新培训", dt.date(2026, 3, 1))],
            )
        ],
    )


def test_action_done_form_says_what_it_asks(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC SAL-3
    # "What was done" is the survey's msgid: the evaluations page asked for the
    # improvement action's outcome as "查勘过程" (the survey process).
    _open_action(db)
    db.commit()
    shown = client.get(
        "/admin/sales/evaluations?lang=zh-CN", headers=login_headers(client, "admin")
    )
    assert "查勘过程" not in shown.text
    assert "已采取的措施" in shown.text


def test_sales_refusals_name_the_field_by_its_label(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC GEN-6, SAL-2, SAL-3
    # The refusals named the field by its path: "course：不能为空",
    # "findings.0.actions.0.due_on：…" shown away from the field it was about.
    from claimdesk.models.sales import SalesEvaluation, TrainingRecord

    channel, org = _channel_and_org(db)
    agent = sales.register_agent(
        db,
        actor=SYSTEM,
        user_id=staff["users"]["seller"].id,
        organisation_id=org.id,
        licence_number="LIC-1",
        valid_from=dt.date(2025, 1, 1),
        valid_until=dt.date(2099, 12, 31),
    )
    db.commit()
    admin = login_headers(client, "admin")
    training = client.post(
        f"/admin/sales/agents/{agent.id}/trainings?lang=zh-CN",
        data={"course": " ", "hours": "8", "completed_on": "2026-01-05"},
        headers=admin,
    )
    assert training.status_code == 422, training.text
    assert 'id="course-error"' in training.text
    assert "课程：" in training.text and "course：" not in training.text
    assert db.query(TrainingRecord).count() == 0
    evaluation = client.post(
        "/admin/sales/evaluations?lang=zh-CN",
        data={
            "method": "survey",
            "evaluated_on": "2026-02-01",
            "summary": "问卷",
            "channel_id": str(channel.id),
            "dimension": "compliance",
            "severity": "high",
            "finding": "未说明免责条款",
            "action_text": "重新培训",
            "action_due_on": "",
        },
        headers=admin,
    )
    assert evaluation.status_code == 422, evaluation.text
    assert 'id="action_due_on-error"' in evaluation.text
    assert "措施完成期限" in evaluation.text
    assert "findings." not in evaluation.text
    assert db.query(SalesEvaluation).count() == 0


def test_improvement_action_without_finding_is_refused(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC GEN-6, SAL-3
    # An improvement action typed with no finding was dropped without a word: the
    # evaluation was recorded and the action the manager meant to track was lost.
    from claimdesk.models.sales import ImprovementAction, SalesEvaluation

    channel, _org = _channel_and_org(db)
    db.commit()
    refused = client.post(
        "/admin/sales/evaluations?lang=zh-CN",
        data={
            "method": "survey",
            "evaluated_on": "2026-02-01",
            "summary": "问卷",
            "channel_id": str(channel.id),
            "dimension": "compliance",
            "severity": "high",
            "finding": "",
            "action_text": "重新培训",
            "action_due_on": "2026-03-01",
        },
        headers=login_headers(client, "admin"),
    )
    assert refused.status_code == 422, refused.text
    assert 'id="finding-error"' in refused.text and "重新培训" in refused.text
    assert db.query(SalesEvaluation).count() == 0
    assert db.query(ImprovementAction).count() == 0


# --- automatic checks (CLM-F3) -------------------------------------------------------


def test_checks_page_links_only_where_the_reader_may_go(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC CLM-F3
    # The investigator's checks page linked to the automatic payment's limits on the
    # thresholds page, which answered them 403.
    investigator = login_headers(client, "fraud")
    checks = client.get("/admin/checks", headers=investigator)
    assert checks.status_code == 200
    for href in re.findall(r'href="(/admin/[^"#]*)', checks.text):
        assert client.get(href, headers=investigator).status_code == 200, href
    admin = client.get("/admin/checks", headers=login_headers(client, "admin"))
    assert 'href="/admin/thresholds#automatic"' in admin.text


# --- mass events (CLM-Z2) ------------------------------------------------------------


def test_mass_event_dates_and_amount_read_as_people_write_them(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC CLM-Z2, GEN-1, GEN-2
    # The events list, the event and its public guide printed 2026-09-01 and the small
    # loss limit as 10000.00.
    rev = login_headers(client, "rev1")
    made = client.post(
        "/admin/events",
        data={
            "name": "台风“海燕”",
            "event_type": "typhoon",
            "region": "浙江",
            "starts_on": "2026-09-01",
            "ends_on": "2026-09-05",
            "small_loss_amount": "10000.00",
            "guide_zh": "请拨打热线",
            "guide_en": "Call the hotline",
        },
        headers=rev,
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    event = made.headers["location"]
    listed = client.get("/admin/events?lang=zh-CN", headers=rev).text
    detail = client.get(f"{event}?lang=zh-CN", headers=rev).text
    guide = client.get(f"/events/{event.rsplit('/', 1)[1]}/guide?lang=zh-CN").text
    for text in (listed, detail, guide):
        assert "2026年9月1日 – 2026年9月5日" in text
        assert "2026-09-01" not in text.split('class="card actions"', 1)[0]
    assert "¥10,000.00" in detail


# --- the administrator's start page --------------------------------------------------


def test_administrator_start_page_opens_their_pages(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC SEC-4
    # The start page listed "Users and roles" and "Holiday calendar" as plain words.
    admin = login_headers(client, "admin")
    home = client.get("/?lang=en", headers=admin)
    assert home.status_code == 200
    work = home.text.split('id="main"', 1)[1]
    links = re.findall(r'<li><a href="(/admin/[^"]+)">', work)
    assert {"/admin/users", "/admin/calendar", "/admin/checks", "/admin/thresholds"} <= set(links)
    for href in links:
        assert client.get(href, headers=admin).status_code == 200, href


# --- products (PRD-1) ----------------------------------------------------------------


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_product_version_reads_in_words(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC PRD-1, GEN-1, GEN-2
    # The compliance check listed each problem after its API path ("insured_liabilities —
    # 缺少保险责任"), and the version printed its effective date as 2026-01-01 and its
    # sum insured as 1000000.00.
    published = demo_version(db)
    db.commit()
    admin = login_headers(client, "admin")
    product_id = published.product_id
    page = client.get(
        f"/admin/products/{product_id}/versions/{published.id}?lang=zh-CN", headers=admin
    )
    facts = _visible(page.text.split('class="facts"', 1)[1].split("</dl>", 1)[0])
    assert "¥" in facts and not re.search(r"\b20\d\d-\d\d-\d\d\b", facts), facts
    product = client.get(f"/admin/products/{product_id}?lang=zh-CN", headers=admin)
    versions = _visible(product.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0])
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", versions), versions
    empty = client.post(
        "/admin/products",
        data={"code": "EMPTY-1", "name": "空白产品", "line": "health", "for_adults": "1"},
        headers=admin,
        follow_redirects=False,
    )
    new_id = empty.headers["location"].rsplit("/", 1)[1]
    draft = client.post(f"/admin/products/{new_id}/versions", headers=admin, follow_redirects=False)
    version = client.get(f"{draft.headers['location']}?lang=zh-CN", headers=admin)
    problems = _visible(version.text.split('id="problems"', 1)[1].split("</ul>", 1)[0])
    assert "缺少保险责任" in problems
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", problems), problems
    refused = client.post(f"{draft.headers['location']}/publish?lang=zh-CN", headers=admin)
    box = _visible(refused.text.split('id="publish-error"', 1)[1].split("</div>", 1)[0])
    assert "缺少保险责任" in box and "insured_liabilities" not in box


# --- thresholds (CLM-V1, CLM-A2) -----------------------------------------------------


def test_fixed_rules_read_as_people_say_them(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC CLM-A2
    # "Largest upload (bytes): 20971520" and "application/pdf、image/heic …".
    page = client.get("/admin/thresholds?lang=zh-CN", headers=login_headers(client, "admin"))
    fixed = _visible(page.text.split('id="thresholds-fixed"', 1)[1].split("</table>", 1)[0])
    assert "20 MB" in fixed and "PDF" in fixed and "JPEG" in fixed
    assert "20971520" not in fixed and "application/" not in fixed


def test_publishing_asks_for_a_confirmation(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC PRD-1, PRD-2
    # One click put a draft on sale and retired the version sold until then, for good.
    from claimdesk.models.product import ProductVersion

    published = demo_version(db)
    db.commit()
    admin = login_headers(client, "admin")
    product_id = published.product_id
    draft = client.post(
        f"/admin/products/{product_id}/versions", headers=admin, follow_redirects=False
    )
    draft_id = int(draft.headers["location"].rsplit("/", 1)[1])
    page = client.get(draft.headers["location"], headers=admin)
    assert 'name="confirm"' in page.text
    unconfirmed = client.post(f"{draft.headers['location']}/publish?lang=en", headers=admin)
    assert unconfirmed.status_code == 422
    assert 'id="confirm-error"' in unconfirmed.text and "cannot be undone" in unconfirmed.text
    db.expire_all()
    assert db.get(ProductVersion, draft_id).status == "draft"
    assert db.get(ProductVersion, published.id).status == "published"
    confirmed = client.post(
        f"{draft.headers['location']}/publish",
        data={"confirm": "yes"},
        headers=admin,
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    db.expire_all()
    assert db.get(ProductVersion, draft_id).status == "published"


# --- users and roles (SEC-4) ---------------------------------------------------------


def test_refused_role_change_keeps_the_ticks(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC SEC-4, GEN-6
    # A role change refused (no reason given) came back with the stored roles ticked:
    # the administrator's choice was lost and, sent again, changed nothing.
    seller = staff["users"]["seller"]
    refused = client.post(
        f"/admin/users/{seller.id}/roles",
        data={"roles": ["sales_agent", "compliance_auditor"], "reason": ""},
        headers=login_headers(client, "admin"),
    )
    assert refused.status_code == 422, refused.text
    assert 'id="roles-refused"' in refused.text
    assert re.search(r'value="compliance_auditor" checked', refused.text)
    assert re.search(r'value="sales_agent" checked', refused.text)
    assert not re.search(r'value="administrator" checked', refused.text)


def test_agents_are_paged(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC SAL-2
    # The sales page listed every agent of the company on one page.
    _channel, org = _channel_and_org(db)
    for n in range(51):
        user = make_user(
            db,
            username=f"agent{n:02d}",
            display_name="李明" if n == 1 else None,
            roles=["sales_agent"],
            org_unit=staff["hq"],
        )
        sales.register_agent(
            db,
            actor=SYSTEM,
            user_id=user.id,
            organisation_id=org.id,
            licence_number=f"LIC-{n:02d}",
            valid_from=dt.date(2025, 1, 1),
            valid_until=dt.date(2099, 12, 31),
        )
    db.commit()
    headers = login_headers(client, "auditor")
    first = client.get("/admin/sales?lang=en", headers=headers)
    assert first.status_code == 200
    assert "agent00" in first.text and "agent50" not in first.text
    # An agent is a person: the table names them, their login beside it (SAL-2).
    assert re.search(
        r'/admin/sales/agents/\d+">李明</a> <span class="muted small">agent01<', first.text
    )
    assert 'id="pager-next"' in first.text and "of 51" in first.text
    rest = client.get("/admin/sales?lang=en&offset=50", headers=headers)
    assert "agent50" in rest.text and "agent00" not in rest.text


# --- holiday calendar (GEN-3) --------------------------------------------------------


def test_calendar_days_read_as_dates_and_weekdays(db, client, staff):  # type: ignore[no-untyped-def]  # SPEC GEN-2, GEN-3
    # The year's table printed 2026-10-01 and the weekday as an ISO number (4), with a
    # legend to decode it.
    admin = login_headers(client, "admin")
    zh = client.get("/admin/calendar?year=2026&lang=zh-CN", headers=admin)
    row = zh.text.split('id="day-2026-10-01">', 1)[1].split("</tr>", 1)[0]
    assert "2026年10月1日" in row and "星期四" in row, row
    assert "1 = 星期一" not in zh.text
    en = client.get("/admin/calendar?year=2026&lang=en", headers=admin)
    row = en.text.split('id="day-2026-10-01">', 1)[1].split("</tr>", 1)[0]
    assert "1 Oct 2026" in row and "Thu" in row, row
