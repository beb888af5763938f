"""The portal's forms as a customer meets them (issue 12): every problem beside its own
field at once, only the chosen policy's coverages, the material type kept after a
refused upload, star ratings that start unchosen."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.claim import Claim, MaterialFile
from tests.builders import demo_version, issue_policy, make_person, make_user, seed_calendar
from tests.web.helpers import customer_login, form_token

PHONE = "13812345678"


def _customer_with_two_policies(db: Session):  # type: ignore[no-untyped-def]
    seed_calendar(db, years=(2025, 2026))
    person = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=person.id)
    medical = issue_policy(
        db, version_id=demo_version(db, "MED-MILLION").id, policyholder_id=person.id
    )
    liability = issue_policy(
        db, version_id=demo_version(db, "PUB-LIAB").id, policyholder_id=person.id
    )
    db.commit()
    return medical, liability


def _report(client: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": form_token(client, "/portal/report"),
        "coverage_code": "",
        "loss_date": "2026-03-02",
        "loss_cause": "illness",
        "loss_place": "北京",
        "loss_overview": "住院",
        "contact_phone": PHONE,
        **fields,
    }
    return client.post("/portal/report", data=data, follow_redirects=False)


def _reported_medical_claim(client: TestClient, db: Session) -> int:
    """The customer with two policies logged in, a claim reported on the medical one from
    the portal's form: its id, from the claim page the report is sent on to."""
    medical, _liability = _customer_with_two_policies(db)
    customer_login(client, db, "cust", PHONE)
    location = _report(client, policy_number=medical.number).headers["location"]
    return int(location.split("/")[3].split("?")[0])


def _field_error(html: str, name: str) -> str:
    found = re.search(rf'<p class="error field-error" id="{name}-error">([^<]*)</p>', html)
    return found.group(1) if found else ""


def test_every_problem_of_the_report_is_beside_its_field_at_once(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-6 (field and rule named, nothing written), CLM-R2; issue 12
    medical, _liability = _customer_with_two_policies(db)
    customer_login(client, db, "cust", PHONE)
    refused = _report(
        client,
        policy_number=medical.number,
        loss_place="",
        loss_overview="",
        contact_phone="12345",
        estimated_amount="abc",
    )
    assert refused.status_code == 422
    html = refused.text
    assert "必填" in _field_error(html, "loss_place") and "“" in _field_error(html, "loss_place")
    assert "必填" in _field_error(html, "loss_overview")
    assert "11 位手机号码" in _field_error(html, "contact_phone")
    assert "金额" in _field_error(html, "estimated_amount")
    assert 'aria-describedby="contact_phone-error"' in html
    # The field is named as the person sees it, never by its code.
    assert "contact_phone：" not in html and "字段" not in html
    # The summary counts the fields marked below, in Chinese punctuation.
    assert "请更正下方标出的内容（4 处）。" in html
    assert db.scalars(select(Claim)).all() == []


def test_the_service_refusal_is_beside_its_field_with_its_label(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-6, CLM-R2 (a loss is reported after it happened)
    medical, _liability = _customer_with_two_policies(db)
    customer_login(client, db, "cust", PHONE)
    refused = _report(client, policy_number=medical.number, loss_date="2999-01-01")
    assert refused.status_code == 422
    message = _field_error(refused.text, "loss_date")
    assert message.lstrip("“").startswith("出险日期"), message  # named by its label
    assert "loss_date" not in message


def test_only_the_chosen_policys_coverages_are_offered(client: TestClient, db: Session) -> None:
    # SPEC CLM-R2 (the coverages of the policy reported on); issue 12
    medical, liability = _customer_with_two_policies(db)
    customer_login(client, db, "cust", PHONE)
    page = client.get("/portal/report").text
    chosen = re.search(r'<option value="([^"]+)" selected>', page)
    assert chosen is not None
    offered = re.findall(r'<option value="(\w+)" data-policy="([^"]+)"( hidden disabled)?', page)
    shown = {code for code, policy, hidden in offered if not hidden}
    hidden = {code for code, policy, hidden in offered if hidden}
    if chosen.group(1) == medical.number:
        assert "medical" in shown and "liability" in hidden
    else:
        assert "liability" in shown and "medical" in hidden
    # A coverage of the other policy is refused beside the coverage field.
    refused = _report(client, policy_number=medical.number, coverage_code="liability")
    assert refused.status_code == 422
    assert "不含此保障" in _field_error(refused.text, "coverage_code")
    # Re-rendered for the medical policy: liability is hidden again.
    assert re.search(r'value="liability" data-policy="[^"]+" hidden disabled', refused.text)
    assert db.scalars(select(Claim)).all() == []
    accepted = _report(client, policy_number=liability.number, coverage_code="liability")
    assert accepted.status_code == 303, accepted.text


def test_a_refused_upload_keeps_the_material_chosen(client: TestClient, db: Session) -> None:
    # SPEC CLM-A2 (legible uploads), GEN-6; issue 12 (the type does not reset)
    claim_id = _reported_medical_claim(client, db)
    page = client.get(f"/portal/claims/{claim_id}").text
    codes = re.findall(r'<option value="(\w+)"', page.split('id="material_code"')[1])
    last = codes[-1]
    token = form_token(client, f"/portal/claims/{claim_id}")
    refused = client.post(
        f"/portal/claims/{claim_id}/upload",
        data={"csrf_token": token, "material_code": last},
        files={"file": ("note.txt", b"not a pdf", "text/plain")},
    )
    assert refused.status_code in (415, 422), refused.text
    assert f'<option value="{last}" selected>' in refused.text


def test_star_ratings_start_unchosen_and_each_is_required(client: TestClient, db: Session) -> None:
    # SPEC SVC-5 (online rating by dimension); issue 12 (no score preselected)
    claim_id = _reported_medical_claim(client, db)
    claim = db.get(Claim, claim_id)
    assert claim is not None
    claim.state = "paid"  # the rating is offered once the claim is paid
    db.commit()
    page = client.get(f"/portal/claims/{claim_id}").text
    assert 'type="radio" id="score_speed-5"' in page
    assert "checked" not in page.split('id="rating-form"')[1].split("</form>")[0]
    token = form_token(client, f"/portal/claims/{claim_id}")
    refused = client.post(
        f"/portal/claims/{claim_id}/rating",
        data={"csrf_token": token, "score_speed": "4"},
    )
    assert refused.status_code == 422
    message = refused.text.split('id="claim-error">')[1].split("</p>")[0]
    assert "态度" in message and "必填" in message and "score_" not in message


def test_a_report_sent_twice_is_made_once(client: TestClient, db: Session) -> None:
    # SPEC CLM-R3 (one report, one report number), GEN-6 (a double submit writes nothing twice)
    medical, _liability = _customer_with_two_policies(db)
    customer_login(client, db, "cust", PHONE)
    form = client.get("/portal/report").text
    key = re.search(r'name="form_key" value="([^"]+)"', form)
    assert key, "the report form carries a one-time key"
    first = _report(client, policy_number=medical.number, form_key=key.group(1))
    again = _report(client, policy_number=medical.number, form_key=key.group(1))
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert len(db.scalars(select(Claim)).all()) == 1
    # A new form is a new report.
    fresh = re.search(r'name="form_key" value="([^"]+)"', client.get("/portal/report").text)
    assert fresh and fresh.group(1) != key.group(1)
    other = _report(client, policy_number=medical.number, form_key=fresh.group(1))
    assert other.status_code == 303 and other.headers["location"] != first.headers["location"]
    assert len(db.scalars(select(Claim)).all()) == 2


def test_a_refused_report_keeps_its_key_and_is_made_once_corrected(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-6 (a refusal changes nothing: the key is free again for the corrected form)
    medical, _liability = _customer_with_two_policies(db)
    customer_login(client, db, "cust", PHONE)
    key = "k-" + "a" * 20
    refused = _report(client, policy_number=medical.number, loss_date="2999-01-01", form_key=key)
    assert refused.status_code == 422 and f'name="form_key" value="{key}"' in refused.text
    taken = _report(client, policy_number=medical.number, form_key=key)
    assert taken.status_code == 303
    assert len(db.scalars(select(Claim)).all()) == 1


def test_the_rating_is_offered_only_where_it_is_taken(client: TestClient, db: Session) -> None:
    # SPEC SVC-5 (paid claims are rated): a form that every sending is refused from is not shown
    from tests.builders import make_claim

    medical, _liability = _customer_with_two_policies(db)
    rejected = make_claim(db, number="BA20260928000001", policy=medical, state="rejected")
    paid = make_claim(db, number="BA20260928000002", policy=medical, state="paid")
    db.commit()
    customer_login(client, db, "cust", PHONE)
    assert 'id="rating-form"' not in client.get(f"/portal/claims/{rejected.id}").text
    assert 'id="rating-form"' in client.get(f"/portal/claims/{paid.id}").text


def test_another_page_of_a_material_reads_as_the_language_writes_it(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-2 (the reader's language); bug bash at 375 px: Chinese takes full-width
    # brackets with no space, English a space and ASCII ones.
    from tests.claims.helpers import PDF

    claim_id = _reported_medical_claim(client, db)
    page = client.get(f"/portal/claims/{claim_id}").text
    first = re.findall(r'<option value="(\w+)"', page.split('id="material_code"')[1])[0]
    sent = client.post(
        f"/portal/claims/{claim_id}/upload",
        data={
            "csrf_token": form_token(client, f"/portal/claims/{claim_id}"),
            "material_code": first,
        },
        files={"file": ("form.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    zh = client.get(f"/portal/claims/{claim_id}").text.split('id="material_code"')[1]
    assert re.search(rf'<option value="{first}">[^<(（]+（补充一页）</option>', zh), zh
    assert "(补充一页)" not in zh
    en = client.get(f"/portal/claims/{claim_id}?lang=en").text.split('id="material_code"')[1]
    assert re.search(rf'<option value="{first}">[^<(（]+ \(another page\)</option>', en), en


def test_an_upload_sent_without_a_file_stays_on_the_claim_page(
    client: TestClient, db: Session
) -> None:
    # SPEC GEN-6 (names the field, changes nothing): the claim page with the refusal and
    # its upload form, not an error page whose only way on is the start page
    claim_id = _reported_medical_claim(client, db)
    for lang, words in (
        ("zh-CN", "文件：请选择要上传的文件"),
        ("en", "File: choose the file to upload"),
    ):
        token = form_token(client, f"/portal/claims/{claim_id}?lang={lang}")
        refused = client.post(
            f"/portal/claims/{claim_id}/upload?lang={lang}",
            data={"csrf_token": token, "material_code": "id_document"},
        )
        assert refused.status_code == 422, refused.text
        assert 'id="claim-error"' in refused.text and words in refused.text
        assert 'id="upload-form"' in refused.text
    db.expire_all()
    stored = db.scalars(select(MaterialFile).where(MaterialFile.claim_id == claim_id)).all()
    assert stored == []
