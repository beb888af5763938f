"""The staff report page finds the policy by the insured's ID number (CLM-R2): the
number is checked first (GB 11643) and refused beside its field naming the rule; several
policies in force on the date of loss are listed to choose from (issue 12)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from tests.claims.helpers import FrozenClock, World, build_world, local
from tests.web.helpers import form_token, staff_login


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-28T10:00:00").astimezone(dt.UTC))
    return build_world(db, client)


def _find(client: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": form_token(client, "/claims/new"), "channel": "hotline", **fields}
    return client.post("/claims/new?find=1", data=data)


def test_a_bad_id_number_is_refused_beside_its_field_naming_the_rule(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-R2, POL-1 (GB 11643), GEN-6
    staff_login(client, "handler")
    good = world.insured_id_number
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    page = _find(client, insured_id_number=wrong, loss_date="2026-09-27").text
    assert re.search(r'id="insured_id_number"[^>]*aria-invalid="true"', page)
    assert "校验码错误" in page and "找不到" not in page
    short = _find(client, insured_id_number="12345", loss_date="2026-09-27").text
    assert "应为 18 位，实际 5 位" in short
    assert not [a for a in db.scalars(select(AuditEntry.action)) if "lookup" in a]


def test_several_policies_are_listed_and_one_is_chosen(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-R2 (policy found by the insured's ID number and the date of loss)
    staff_login(client, "handler")
    base = {"insured_id_number": world.insured_id_number, "loss_date": "2026-09-27"}
    page = _find(client, **base).text
    choices = page.split('id="policy-choices"')[1].split("</div>")[0]
    numbers = re.findall(r'name="choose_policy" value="([^"]+)"', choices)
    expected = sorted(p.number for p in world.policies.values())  # type: ignore[attr-defined]
    assert numbers == expected
    assert "家庭财产保险" in choices  # each with its product, to tell them apart
    chosen = _find(client, **base, choose_policy=expected[0]).text
    assert 'id="policy-found"' in chosen and expected[0] in chosen
    assert 'id="policy-choices"' not in chosen


def test_no_policy_in_force_on_the_date_the_nearest_is_found_and_the_page_says_so(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-R2: the report is taken on the policy whose cover ended last before the
    # loss, and the reporter is told it will be flagged outside the period
    medical = world.policies["MED-MILLION"]  # type: ignore[attr-defined]
    home = world.policies["HOME-PROP"]  # type: ignore[attr-defined]
    medical.period_start, medical.period_end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    home.period_start, home.period_end = dt.date(2026, 9, 1), dt.date(2027, 8, 31)
    db.flush()
    staff_login(client, "handler")
    page = _find(client, insured_id_number=world.insured_id_number, loss_date="2026-08-15").text
    assert 'id="policy-found"' in page and medical.number in page
    assert 'id="policy-choices"' not in page and "找不到" not in page
    warning = page.split('id="policy-outside-period">')[1].split("</p>")[0]
    assert "出险日期 2026年8月15日 不在保单的保险期间" in warning


def test_no_policy_in_force_and_two_as_near_are_listed_to_choose_from(
    world: World, client: TestClient
) -> None:
    # SPEC CLM-R2: both policies start on 1 Jan 2026, after the loss: the reporter chooses
    staff_login(client, "handler")
    page = _find(client, insured_id_number=world.insured_id_number, loss_date="2025-06-01").text
    choices = page.split('id="policy-choices"')[1].split("</div>")[0]
    assert "被保险人在出险日没有有效保单" in choices
    numbers = re.findall(r'name="choose_policy" value="([^"]+)"', choices)
    assert numbers == sorted(p.number for p in world.policies.values())  # type: ignore[attr-defined]
    chosen = _find(
        client,
        insured_id_number=world.insured_id_number,
        loss_date="2025-06-01",
        choose_policy=numbers[0],
    ).text
    assert 'id="policy-found"' in chosen and 'id="policy-outside-period"' in chosen


def test_the_policy_found_gives_its_period_as_people_write_dates(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC GEN-2: the policy found (and each one to choose from) printed its period as
    # 2026-01-01 — 2026-12-31 on the Chinese page
    staff_login(client, "handler")
    base = {"insured_id_number": world.insured_id_number, "loss_date": "2026-09-27"}
    page = _find(client, **base).text
    choices = page.split('id="policy-choices"')[1].split("</div>")[0]
    assert "年" in choices and not re.search(r"\b20\d\d-\d\d-\d\d\b", choices), choices
    number = re.findall(r'name="choose_policy" value="([^"]+)"', choices)[0]
    found = _find(client, **base, choose_policy=number).text
    line = found.split('id="policy-found">', 1)[1].split("</p>", 1)[0]
    assert "年" in line and not re.search(r"\b20\d\d-\d\d-\d\d\b", line), line


@pytest.mark.parametrize(
    ("lang", "product", "coverage"),
    [
        ("en", "Million medical insurance", "General medical benefit"),
        ("zh-CN", "百万医疗保险", "一般医疗保险金"),
    ],
)
def test_the_policy_found_names_its_product_and_coverages_in_the_page_language(
    world: World, client: TestClient, lang: str, product: str, coverage: str
) -> None:
    # SPEC CLM-R2, PRD-3, GEN-6: the product and each coverage to tick, by the English
    # names on an English page (the demo catalogue gives them), the Chinese ones in Chinese
    staff_login(client, "handler")
    client.get(f"/claims/new?lang={lang}")
    medical = world.policies["MED-MILLION"]  # type: ignore[attr-defined]
    base = {"insured_id_number": world.insured_id_number, "loss_date": "2026-09-27"}
    found = _find(client, **base, choose_policy=medical.number).text
    line = found.split('id="policy-found">', 1)[1].split("</p>", 1)[0]
    assert line.startswith(f"{product} · {medical.number}"), line
    assert re.search(rf'id="coverage-medical"[^>]*> {coverage}<span', found), found


@pytest.mark.parametrize(
    ("lang", "legend"),
    [
        ("en", "The reporter, if not the claimant (empty: the claimant reported)"),
        ("zh-CN", "报案人（非申请人本人时填写；不填即申请人本人报案）"),
    ],
)
def test_the_reporters_fields_are_headed_by_the_reporter(
    world: World, client: TestClient, lang: str, legend: str
) -> None:
    # SPEC CLM-R1 GEN-6: the fieldset and its fields name one person, the reporter
    # (报案人): the legend said "The caller" over "Reporter's name" — a counter report
    # has no caller.
    staff_login(client, "handler")
    page = client.get(f"/claims/new?lang={lang}").text
    fieldset = page.split('<fieldset id="reporter">', 1)[1].split("</fieldset>", 1)[0]
    assert f"<legend>{legend}</legend>" in fieldset
    assert "caller" not in fieldset.lower()


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_refused_phone_is_named_as_the_form_labels_it(
    world: World, client: TestClient, lang: str
) -> None:
    # SPEC GEN-6: the refusal names the field as the page does — the form said 手机号码 /
    # Mobile number above a field whose refusal read 联系电话 / Contact phone (bug bash)
    from claimdesk.field_labels import FIELD_LABELS

    staff_login(client, "handler")
    page = client.get(f"/claims/new?lang={lang}").text
    zh, en = FIELD_LABELS["contact_phone"]
    assert f'<label for="contact_phone">{zh if lang == "zh-CN" else en}</label>' in page
