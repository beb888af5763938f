"""The portal's words as a customer on a phone reads them (bug bash of 2026-12-07):
a cause of loss is not a line of business, and a date in a refusal is written as
people write dates."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.claims.errors import LossDateInFuture, LossDateTooEarly
from claimdesk.formatting import local_date
from claimdesk.models.claim import Claim
from claimdesk.models.clock import Clock
from tests.builders import demo_version, issue_policy, make_person, make_user, seed_calendar
from tests.web.helpers import customer_login, form_token

PHONE = "13812345678"


def _customer_with_a_policy(db: Session):  # type: ignore[no-untyped-def]
    seed_calendar(db, years=(2025, 2026))
    person = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=person.id)
    policy = issue_policy(
        db, version_id=demo_version(db, "MED-MILLION").id, policyholder_id=person.id
    )
    db.commit()
    return policy


def _cause_options(html: str) -> dict[str, str]:
    select_html = html.split('id="loss_cause"', 1)[1].split("</select>", 1)[0]
    return dict(re.findall(r'<option value="(\w+)"[^>]*>([^<]*)', select_html))


def test_the_cause_accident_is_an_accident_not_the_accident_line(
    client: TestClient, db: Session
) -> None:
    # SPEC CLM-R2 (the cause of loss is recorded), GEN-6 (the user's language):
    # 意外险 is a product line; what happened is 意外事故.
    _customer_with_a_policy(db)
    customer_login(client, db, "cust", PHONE)
    zh = _cause_options(client.get("/portal/report?lang=zh-CN").text)
    assert zh["accident"] == "意外事故"
    assert "意外险" not in zh.values()
    en = _cause_options(client.get("/portal/report?lang=en").text)
    assert en["accident"] == "An accident"
    assert en["illness"] == "Illness"


def test_a_date_in_a_loss_date_refusal_is_written_as_people_write_it() -> None:
    # SPEC GEN-2 (dates shown as local dates), GEN-6 (field and rule in the user's language)
    future = LossDateInFuture(field="loss_date", today="2026-12-07")
    assert "（2026年12月7日）" in future.message("zh-CN")
    assert "(7 Dec 2026)" in future.message("en")
    early = LossDateTooEarly(field="loss_date", earliest="1900-01-01")
    assert early.message("zh-CN").endswith("1900年1月1日")
    assert early.message("en").endswith("1 Jan 1900")
    # Programs keep the ISO date in the parameters.
    assert future.params["today"] == "2026-12-07"
    # The field names the date; the rule does not say it a second time.
    assert future.message("zh-CN").count("出险日期") == 1
    assert early.message("en").lower().count("date of loss") == 1


def test_the_portal_refuses_a_future_loss_date_with_a_date_people_read(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-2, GEN-6, CLM-R2; the input typed is kept
    policy = _customer_with_a_policy(db)
    customer_login(client, db, "cust", PHONE)
    for language, written in (
        ("zh-CN", r"\d{4}年\d{1,2}月\d{1,2}日"),
        ("en", r"\d{1,2} \w{3} \d{4}"),
    ):
        refused = client.post(
            f"/portal/report?lang={language}",
            data={
                "csrf_token": form_token(client, f"/portal/report?lang={language}"),
                "policy_number": policy.number,
                "coverage_code": "",
                "loss_date": "2999-01-01",
                "loss_cause": "illness",
                "loss_place": "北京",
                "loss_overview": "住院三天",
                "contact_phone": PHONE,
            },
            follow_redirects=False,
        )
        assert refused.status_code == 422
        error = re.search(r'id="loss_date-error">([^<]*)</p>', refused.text)
        assert error is not None
        assert re.search(written, error.group(1)), error.group(1)
        assert not re.search(r"\d{4}-\d{2}-\d{2}", error.group(1)), error.group(1)
        assert "住院三天" in refused.text
    assert db.scalars(select(Claim)).all() == []


def test_a_refused_rating_keeps_the_stars_and_the_comment_given(
    client: TestClient, db: Session
) -> None:
    # SPEC SVC-5 (online rating by dimension), GEN-6 (a refusal changes nothing — and
    # loses nothing the customer typed)
    policy = _customer_with_a_policy(db)
    customer_login(client, db, "cust", PHONE)
    reported = client.post(
        "/portal/report",
        data={
            "csrf_token": form_token(client, "/portal/report"),
            "policy_number": policy.number,
            "coverage_code": "",
            "loss_date": "2026-03-02",
            "loss_cause": "illness",
            "loss_place": "北京",
            "loss_overview": "住院",
            "contact_phone": PHONE,
        },
        follow_redirects=False,
    )
    claim_id = int(reported.headers["location"].split("/")[3].split("?")[0])
    claim = db.get(Claim, claim_id)
    assert claim is not None
    claim.state = "paid"  # the rating is offered once the claim is paid
    db.commit()
    refused = client.post(
        f"/portal/claims/{claim_id}/rating",
        data={
            "csrf_token": form_token(client, f"/portal/claims/{claim_id}"),
            "score_speed": "4",
            "score_result": "2",
            "comment": "电话一直打不通",
        },
    )
    assert refused.status_code == 422
    form = refused.text.split('id="rating-form"')[1].split("</form>")[0]
    assert re.search(r'id="score_speed-4"[^>]* checked', form)
    assert re.search(r'id="score_result-2"[^>]* checked', form)
    assert len(re.findall(r" checked", form)) == 2  # nothing chosen for the customer
    assert ">电话一直打不通</textarea>" in form


def test_a_customer_without_a_policy_is_told_so_and_where_to_turn(
    client: TestClient, db: Session
) -> None:
    # SPEC CLM-R2 (a report names its policy), SVC-1/SVC-2 (policy and claims help on the
    # website): no empty select and a form that can never be sent, no bare "—"
    seed_calendar(db, years=(2025, 2026))
    person = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=person.id)
    db.commit()
    customer_login(client, db, "cust", PHONE)
    report = client.get("/portal/report?lang=zh-CN").text
    assert 'id="report-form"' not in report
    assert "您名下暂无保单记录，因此无法在此报案。" in report
    assert 'href="/portal/service" id="no-policy-help"' in report
    assert client.get("/portal/service").status_code == 200
    home = client.get("/portal?lang=en").text
    assert 'id="no-policies">No policy in your name is on record.<' in home
    policies = client.get("/portal/policies?lang=zh-CN").text
    assert 'id="no-policies">您名下暂无保单记录。<' in policies


def test_the_claim_page_says_by_when_the_claim_is_decided(client: TestClient, db: Session) -> None:
    # SPEC CLM-V4 (review within 3 working days), GEN-4 (the deadline shown is the clock's),
    # GEN-2 (a date as people write it): the customer reads what happens next and by when
    policy = _customer_with_a_policy(db)
    customer_login(client, db, "cust", PHONE)
    reported = client.post(
        "/portal/report",
        data={
            "csrf_token": form_token(client, "/portal/report"),
            "policy_number": policy.number,
            "coverage_code": "",
            "loss_date": "2026-03-02",
            "loss_cause": "illness",
            "loss_place": "北京",
            "loss_overview": "住院",
            "contact_phone": PHONE,
        },
        follow_redirects=False,
    )
    claim_id = int(reported.headers["location"].split("/")[3].split("?")[0])
    review = db.scalars(
        select(Clock).where(
            Clock.subject_type == "claim",
            Clock.subject_id == str(claim_id),
            Clock.name == "claim.review",
        )
    ).one()
    for language, words in (
        ("zh-CN", "下一步：我们将在 {} 前对您的案件作出审核决定"),
        ("en", "Next: we decide on your claim by {} and tell you the result."),
    ):
        page = client.get(f"/portal/claims/{claim_id}?reported=1&lang={language}").text
        said = re.search(r'<p id="decide-by">([^<]*)</p>', page)
        assert said is not None, page
        assert words.format(local_date(review.due_at, language)) in said.group(1)
    # A stopped clock (decided) promises nothing more.
    review.stopped_at = review.started_at
    db.commit()
    assert 'id="decide-by"' not in client.get(f"/portal/claims/{claim_id}").text


def test_the_report_refusal_summary_counts_the_fields_in_each_language(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-6 (the rule in the user's language): Chinese punctuation in Chinese
    policy = _customer_with_a_policy(db)
    customer_login(client, db, "cust", PHONE)
    for language, summary in (
        ("zh-CN", "请更正下方标出的内容（2 处）。"),
        ("en", "Please correct the fields marked below (2)."),
    ):
        refused = client.post(
            f"/portal/report?lang={language}",
            data={
                "csrf_token": form_token(client, f"/portal/report?lang={language}"),
                "policy_number": policy.number,
                "coverage_code": "",
                "loss_date": "2026-03-02",
                "loss_cause": "illness",
                "loss_place": "",
                "loss_overview": "",
                "contact_phone": PHONE,
            },
        )
        assert refused.status_code == 422
        assert summary in refused.text


def test_the_policy_words_kept_in_chinese_are_said_so_on_the_english_page(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-2 (the reader's language), POL-1 (terms in plain words), PRD-3, GEN-6: the
    # product's terms exist only in Chinese (the contract's language); the English page
    # says so and marks them Chinese (a screen reader reads them as Chinese). The product
    # and its coverages are named in English where the product gives English names.
    _customer_with_a_policy(db)
    customer_login(client, db, "cust", PHONE)
    en = client.get("/portal/policies?lang=en").text
    assert 'id="terms-in-chinese"' in en
    assert '<h2 lang="en">Million medical insurance</h2>' in en
    assert '<li lang="en">General medical benefit</li>' in en
    assert "百万医疗保险" not in en and "一般医疗保险金" not in en
    # PRD-5: the terms' plain explanations in English where the version gives them
    assert '<dt lang="en">Deductible</dt>' in en and "免赔额" not in en
    # GEN-6: what is not covered in English where the version explains it, said to be
    # an explanation (the Chinese contract applies)
    assert "Conditions existing before cover" in en and "既往症" not in en
    assert "the Chinese text of your contract is what applies" in en
    zh = client.get("/portal/policies?lang=zh-CN").text
    assert 'id="terms-in-chinese"' not in zh
    assert '<h2 lang="zh-CN">百万医疗保险</h2>' in zh
    assert '<li lang="zh-CN">一般医疗保险金</li>' in zh
    assert "General medical benefit" not in zh
    assert "既往症" in zh and "Conditions existing before cover" not in zh


def test_a_product_without_an_english_name_reads_its_chinese_name_marked_chinese(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-6, PRD-3: the English name is optional; without one the English pages show
    # the Chinese name (marked lang="zh-CN"), never an empty heading. Portal policies and
    # the report form's choices alike.
    from claimdesk.models.product import Coverage, Product

    policy = _customer_with_a_policy(db)
    product = db.scalars(select(Product).where(Product.code == "MED-MILLION")).one()
    product.name_en = None
    for coverage in db.scalars(select(Coverage)):
        coverage.name_en = None
    db.commit()
    customer_login(client, db, "cust", PHONE)
    en = client.get("/portal/policies?lang=en").text
    assert '<h2 lang="zh-CN">百万医疗保险</h2>' in en
    assert '<li lang="zh-CN">一般医疗保险金</li>' in en
    report = client.get("/portal/report?lang=en").text
    assert f"百万医疗保险 · {policy.number}" in report
    assert re.search(r'<option value="medical"[^>]*>一般医疗保险金</option>', report), report


def test_the_report_form_names_the_policy_and_its_coverages_in_the_page_language(
    client: TestClient, db: Session
) -> None:
    # SPEC CLM-R2 (the customer chooses the coverage), PRD-3, GEN-6
    policy = _customer_with_a_policy(db)
    customer_login(client, db, "cust", PHONE)
    en = client.get("/portal/report?lang=en").text
    assert f"Million medical insurance · {policy.number}" in en
    assert re.search(r'<option value="medical"[^>]*>General medical benefit</option>', en), en
    zh = client.get("/portal/report?lang=zh-CN").text
    assert f"百万医疗保险 · {policy.number}" in zh
    assert re.search(r'<option value="medical"[^>]*>一般医疗保险金</option>', zh), zh


def test_a_term_without_an_english_explanation_reads_its_chinese_marked_chinese(
    client: TestClient, db: Session
) -> None:
    # SPEC PRD-5, GEN-6: a version's English explanations are optional, term by term; a
    # term without one shows its Chinese on the English page, marked lang="zh-CN"
    from claimdesk.models.product import ProductVersion

    _customer_with_a_policy(db)
    for version in db.scalars(select(ProductVersion)):
        if version.terms_en:
            version.terms_en = {k: v for k, v in version.terms_en.items() if k != "等待期"}
    db.commit()
    customer_login(client, db, "cust", PHONE)
    en = client.get("/portal/policies?lang=en").text
    assert '<dt lang="zh-CN">等待期</dt>' in en
    assert '<dt lang="en">Deductible</dt>' in en and '<dt lang="en">Waiting period</dt>' not in en
    zh = client.get("/portal/policies?lang=zh-CN").text
    assert '<dt lang="zh-CN">免赔额</dt>' in zh and "Deductible" not in zh
