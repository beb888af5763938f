"""The staff claim page as a claims department reads it (issue 12): the policy number
with its link, and deadlines that say what they are for and which rule made them — the
article of law, the standard or the manual, never a requirement ID of the SPEC."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.helpers import FrozenClock, World, build_world, local
from tests.web.helpers import staff_login

API = "/api/v1/claims"
SPEC_ID = re.compile(r"\b(CLM|GEN|SVC|SEC|POL|PRD|ADJ|FIN)-[A-Z]?\d")


def report(world: World, *, estimate: str = "3000", phone: str = "13912345678") -> dict:  # type: ignore[type-arg]
    response = world.client.post(
        API,
        headers=world.h["handler"],
        json={
            "channel": "hotline",
            "policy_number": world.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
            "claimant_name": "李四",
            "contact_phone": phone,
            "loss_date": "2026-03-02",
            "loss_place": "北京",
            "loss_cause": "illness",
            "loss_overview": "住院",
            "estimated_amount": estimate,
            "coverage_codes": ["medical"],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def accept_and_assign(world: World, claim: dict, surveyor: str = "surveyor") -> None:  # type: ignore[type-arg]
    c, cid = world.client, claim["id"]
    for item in claim["checklist"]:
        r = c.post(
            f"{API}/{cid}/materials/receive",
            json={"code": item["code"]},
            headers=world.h["handler"],
        )
        assert r.status_code == 200, r.text
    r = c.post(f"{API}/{cid}/accept", json={"reason": "材料齐全"}, headers=world.h["handler"])
    assert r.status_code == 200, r.text
    r = c.post(
        f"{API}/{cid}/survey/assign",
        json={"surveyor_id": world.users[surveyor]},
        headers=world.h["handler"],
    )
    assert r.status_code == 200, r.text


def as_staff(world: World, username: str) -> TestClient:
    world.client.headers.clear()
    world.client.cookies.clear()
    staff_login(world.client, username)
    return world.client


@pytest.fixture
def world(
    world_db: None, client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-03-03T10:00:00"))
    return build_world(db, client)


def test_claim_page_shows_the_policy_number_with_its_link(world: World) -> None:
    # SPEC CLM-R2 (the claim records its policy), issue 12 (policy number and link)
    claim = report(world)
    page = as_staff(world, "handler").get(f"/claims/{claim['id']}")
    assert page.status_code == 200
    number = world.policies["MED-MILLION"].number  # type: ignore[attr-defined]
    policy_id = world.policies["MED-MILLION"].id  # type: ignore[attr-defined]
    assert f'<a href="/admin/policies/{policy_id}">{number}</a>' in page.text
    # The link leads to the policy's own page, which the handler may open.
    assert world.client.get(f"/admin/policies/{policy_id}").status_code == 200


def test_every_deadline_names_its_purpose_and_rule_without_spec_ids(world: World) -> None:
    # SPEC GEN-4 (every deadline says which rule made it), CLM-S1, CLM-V4
    claim = report(world)
    accept_and_assign(world, claim)
    for lang, purpose, basis in (
        ("zh-CN", "查勘员联系客户", "《保险理赔流程规范化操作手册》 三(三)1"),
        ("en", "Surveyor contacts the customer", "Claims Process Operations Manual §3(3)1"),
    ):
        page = as_staff(world, "handler").get(f"/claims/{claim['id']}?lang={lang}").text
        section = page.split('id="clocks-title"', 1)[1].split("</section>", 1)[0]
        items = re.findall(
            r'<li class="urgency-[a-z]+" data-clock="([a-z_.]+)">(.*?)</li>', section, re.S
        )
        names = [n for n, _ in items]
        # Both one-hour deadlines are there, and no longer look the same.
        assert "claim.report_entry" in names and "claim.survey_contact" in names
        purposes = re.findall(r'class="deadline-purpose">([^<]+)<', section)
        assert len(purposes) == len(items) and len(set(purposes)) == len(purposes)
        assert purpose in purposes
        assert basis in section
        assert "《保险法》第二十三条" in section or "Insurance Law art. 23" in section
        assert not SPEC_ID.search(section), SPEC_ID.search(section)


def upload(world: World, claim_id: int, name: str, content: bytes, kind: str) -> int:
    response = world.client.post(
        f"{API}/{claim_id}/files",
        data={"purpose": "material"},
        files={"file": (name, content, kind)},
        headers=world.h["handler"],
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def audit_actions(db: Session, claim_id: int) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    import json

    from sqlalchemy import select

    from claimdesk.models.audit import AuditEntry

    db.expire_all()
    rows = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "claim", AuditEntry.entity_id == str(claim_id))
        .order_by(AuditEntry.seq)
    )
    return [(e.action, e.actor, json.loads(e.details or "{}")) for e in rows]


def test_staff_open_and_download_an_uploaded_document_each_read_audited(
    world: World, db: Session
) -> None:
    # SPEC SEC-5 (every access to personal data traced), GEN-5, SEC-9 (headers kept), SEC-1
    from tests.claims.helpers import PDF, PNG

    claim = report(world)
    pdf_id = upload(world, claim["id"], "诊断证明.pdf", PDF, "application/pdf")
    png_id = upload(world, claim["id"], "invoice.png", PNG, "image/png")
    c = as_staff(world, "adjuster")
    page = c.get(f"/claims/{claim['id']}").text
    assert f'href="/claims/{claim["id"]}/files/{pdf_id}/view"' in page
    assert f'href="/claims/{claim["id"]}/files/{png_id}/download"' in page

    view = c.get(f"/claims/{claim['id']}/files/{pdf_id}/view")
    assert view.status_code == 200 and view.content == PDF
    assert view.headers["content-type"] == "application/pdf"
    assert view.headers["content-disposition"].startswith("inline; filename*=UTF-8''")
    assert "object-src 'none'" in view.headers["content-security-policy"]
    assert view.headers["x-content-type-options"] == "nosniff"
    assert view.headers["cache-control"] == "no-store"
    image = c.get(f"/claims/{claim['id']}/files/{png_id}/view")
    assert image.headers["content-type"] == "image/png" and image.content == PNG
    saved = c.get(f"/claims/{claim['id']}/files/{pdf_id}/download")
    assert saved.headers["content-disposition"].startswith("attachment;")

    reads = [(a, who, d["file_id"]) for a, who, d in audit_actions(db, claim["id"]) if "file_" in a]
    assert ("claim.file_viewed", "adjuster", pdf_id) in reads
    assert ("claim.file_viewed", "adjuster", png_id) in reads
    assert ("claim.file_downloaded", "adjuster", pdf_id) in reads


def test_documents_are_refused_outside_the_row_filter_and_across_claims(
    world: World, db: Session
) -> None:
    # SPEC CLM-F2 (a surveyor sees only assigned claims), SEC-4 (object check), SEC-5
    from tests.claims.helpers import PDF

    first = report(world)
    accept_and_assign(world, first, surveyor="surveyor")
    second = report(world, estimate="2000")
    file_id = upload(world, first["id"], "a.pdf", PDF, "application/pdf")
    # Not this surveyor's claim: not found, and nothing read.
    c = as_staff(world, "surveyor2")
    assert c.get(f"/claims/{first['id']}/files/{file_id}/view").status_code == 404
    # The assigned surveyor may read it — but not through another claim's address.
    c = as_staff(world, "surveyor")
    assert c.get(f"/claims/{first['id']}/files/{file_id}/view").status_code == 200
    c = as_staff(world, "handler")
    assert c.get(f"/claims/{second['id']}/files/{file_id}/download").status_code == 404
    reads = [(a, who) for a, who, _d in audit_actions(db, first["id"]) if "file_v" in a]
    assert reads == [("claim.file_viewed", "surveyor")]


def test_only_the_assigned_surveyor_reveals_the_phone_and_each_reveal_is_audited(
    world: World, db: Session
) -> None:
    # SPEC CLM-S1 (the assigned surveyor calls within 1 hour), SEC-5, SEC-1, CLM-F2
    claim = report(world, phone="13912345678")
    accept_and_assign(world, claim, surveyor="surveyor")
    # The handler sees the masked number and no reveal button; a forged POST is refused.
    c = as_staff(world, "handler")
    page = c.get(f"/claims/{claim['id']}").text
    assert "139****5678" in page and 'id="reveal-phone"' not in page
    token = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    refused = c.post(f"/claims/{claim['id']}/contact-phone", data={"csrf_token": token})
    assert refused.status_code == 403 and "13912345678" not in refused.text
    # Another surveyor does not even find the claim.
    c = as_staff(world, "surveyor2")
    assert c.post(
        f"/claims/{claim['id']}/contact-phone", data={"csrf_token": token}
    ).status_code in (403, 404)
    # The assigned surveyor: the button, then the number with a tel: link.
    c = as_staff(world, "surveyor")
    page = c.get(f"/claims/{claim['id']}").text
    assert 'id="reveal-phone"' in page and "13912345678" not in page
    token = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    shown = c.post(
        f"/claims/{claim['id']}/contact-phone",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert shown.status_code == 200
    assert 'href="tel:+8613912345678"' in shown.text and ">13912345678<" in shown.text
    reveals = [(a, who) for a, who, _d in audit_actions(db, claim["id"]) if "revealed" in a]
    assert reveals == [("claim.contact_phone_revealed", "surveyor")]
    # The same through the API, for the assigned surveyor only.
    api = world.client
    api.cookies.clear()
    r = api.post(f"{API}/{claim['id']}/survey/contact-phone", headers=world.h["surveyor"])
    assert r.status_code == 200 and r.json() == {
        "phone": "13912345678",
        "tel": "tel:+8613912345678",
    }
    r = api.post(f"{API}/{claim['id']}/survey/contact-phone", headers=world.h["handler"])
    assert r.status_code == 403


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]


def test_notes_are_internal_visible_by_role_and_audited(world: World, db: Session) -> None:
    # SPEC SEC-4 (need to know), CLM-F1 (an investigation is not tipped off), GEN-5, SEC-1
    claim = report(world)
    cid = claim["id"]
    # The handler writes a note for all claims staff; the form offers no fraud-only choice.
    c = as_staff(world, "handler")
    page = c.get(f"/claims/{cid}").text
    assert 'id="note-form"' in page and 'id="note-visibility"' not in page
    added = c.post(
        f"/claims/{cid}/notes",
        data={"csrf_token": _token(page), "body": "客户要求下午联系", "visibility": "staff"},
        headers={"HX-Request": "true"},
    )
    assert added.status_code == 200 and "客户要求下午联系" in added.text
    # A fraud-only note from the handler is refused beside the field, nothing written.
    refused = c.post(
        f"/claims/{cid}/notes",
        data={"csrf_token": _token(page), "body": "可疑", "visibility": "fraud"},
        headers={"HX-Request": "true"},
    )
    assert 'id="note-error"' in refused.text and "反欺诈调查员" in refused.text
    # An empty note is refused beside the text.
    empty = c.post(
        f"/claims/{cid}/notes",
        data={"csrf_token": _token(page), "body": "", "visibility": "staff"},
        headers={"HX-Request": "true"},
    )
    assert 'aria-invalid="true"' in empty.text
    # The investigator writes a fraud-only note and reads both.
    c = as_staff(world, "investigator")
    page = c.get(f"/claims/{cid}").text
    assert 'id="note-visibility"' in page
    r = c.post(
        f"/claims/{cid}/notes",
        data={"csrf_token": _token(page), "body": "发票号与另案重复", "visibility": "fraud"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = c.get(f"/claims/{cid}").text
    assert "发票号与另案重复" in page and "客户要求下午联系" in page
    # The adjuster sees the staff note only; the API says the same.
    page = as_staff(world, "adjuster").get(f"/claims/{cid}").text
    assert "客户要求下午联系" in page and "发票号与另案重复" not in page
    world.client.cookies.clear()
    listed = world.client.get(f"{API}/{cid}/notes", headers=world.h["adjuster"]).json()
    assert [n["body"] for n in listed] == ["客户要求下午联系"]
    listed = world.client.get(f"{API}/{cid}/notes", headers=world.h["investigator"]).json()
    assert [(n["visibility"], n["author"]) for n in listed] == [
        ("staff", "handler"),
        ("fraud", "investigator"),
    ]
    # The customer never reads notes.
    assert world.client.get(f"{API}/{cid}/notes", headers=world.h["customer"]).status_code == 403
    # Added and read on the trail; the text stays out of it (encrypted in the note).
    trail = audit_actions(db, cid)
    added_entries = [(who, d["visibility"]) for a, who, d in trail if a == "claim.note_added"]
    assert added_entries == [("handler", "staff"), ("investigator", "fraud")]
    assert any(a == "claim.notes_read" and who == "adjuster" for a, who, _d in trail)
    assert not any("客户要求" in str(d) for _a, _w, d in trail)


def test_notes_api_adds_with_idempotency_key_and_stores_the_text_encrypted(
    world: World, db: Session
) -> None:
    # SPEC SEC-1 (encrypted at rest), CLM-P5/GEN-6 (Idempotency-Key on creating POSTs)
    from sqlalchemy import text

    claim = report(world)
    headers = {**world.h["handler"], "Idempotency-Key": "note-1"}
    first = world.client.post(
        f"{API}/{claim['id']}/notes", json={"body": "已电话确认就诊医院"}, headers=headers
    )
    again = world.client.post(
        f"{API}/{claim['id']}/notes", json={"body": "已电话确认就诊医院"}, headers=headers
    )
    assert first.status_code == 201 and again.json() == first.json()
    stored = db.execute(text("SELECT body FROM claim_notes")).scalars().all()
    assert len(stored) == 1 and "已电话确认" not in stored[0]


def test_payment_form_links_to_registering_a_payee_and_back(world: World, db: Session) -> None:
    # SPEC CLM-P1 (a payee other than the insured must be on record), SEC-6 (consent)
    from claimdesk.auth.principal import Principal
    from claimdesk.claims.repository import get_claim
    from claimdesk.people.service import find_by_id_number
    from claimdesk.web.claims.payment_forms import payee_fields
    from tests.builders import make_user, resident_id
    from tests.claims.steps import luhn_card

    claim = report(world)
    cid = claim["id"]
    system = Principal.system("test")
    fields = payee_fields(db, get_claim(db, actor=system, claim_id=cid), {"payee": "other"}, system)
    links = [f.link for f in fields if f.link]
    assert links == [(f"/claims/{cid}/payees/new", "Payee not on record yet? Register the payee")]

    make_user(db, username="cashier", roles=["payment_officer"])
    db.commit()
    c = as_staff(world, "cashier")
    page = c.get(f"/claims/{cid}/payees/new")
    assert page.status_code == 200 and 'href="/claims/' in page.text
    number = resident_id(birth="19900101", seq="777")
    typed = {
        "csrf_token": _token(page.text),
        "name": "赵六",
        "id_number": number,
        "bank_name": "中国银行",
        "account_number": luhn_card("621790000000456"),
    }
    # Without the payee's consent nothing is written, and the refusal is beside the box.
    refused = c.post(f"/claims/{cid}/payees/new", data=typed)
    assert refused.status_code == 422 and 'id="payee-consent"' in refused.text
    assert 'aria-invalid="true" aria-describedby="payee-error"' in refused.text
    assert find_by_id_number(db, actor=system, id_number=number, reason="test") == []
    done = c.post(
        f"/claims/{cid}/payees/new", data={**typed, "consent": "1"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"/claims/{cid}?payee=registered")
    back = c.get(done.headers["location"])
    assert back.status_code == 200 and 'id="payee-registered"' in back.text
    db.expire_all()
    found = find_by_id_number(db, actor=system, id_number=number, reason="test")
    assert [p.name for p in found] == ["赵六"]
    # The payment form now finds the payee and offers their account.
    fields = payee_fields(
        db,
        get_claim(db, actor=system, claim_id=cid),
        {"payee": "other", "payee_id_number": number},
        system,
    )
    account = next(f for f in fields if f.name == "bank_account_id")
    assert len(account.options) == 1 and "中国银行" in account.options[0][1]


def _receive_all(world: World, claim: dict) -> None:  # type: ignore[type-arg]
    for item in claim["checklist"]:
        r = world.client.post(
            f"{API}/{claim['id']}/materials/receive",
            json={"code": item["code"]},
            headers=world.h["handler"],
        )
        assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-CN", "案件状态已变化"), ("en", "its state has changed")],
)
def test_a_form_left_open_after_the_claim_moved_on_says_so_in_place(
    world: World, language: str, words: str
) -> None:
    # SPEC GEN-6 (a refusal is shown, in the user's language, and changes nothing),
    # SEC-8 (a form whose session expired is refused visibly). A handler opens "accept"
    # while a colleague accepts the claim first: the page's answer to the stale form is
    # the refusal alone, and base.html lets htmx swap it — before, the 403 error page was
    # never swapped and the click did nothing.
    claim = report(world)
    _receive_all(world, claim)
    cid = claim["id"]
    c = as_staff(world, "handler")
    page = c.get(f"/claims/{cid}?lang={language}").text
    assert '"[45]..","swap":true' in page  # htmx shows a refusal's answer
    form = c.get(f"/claims/{cid}/actions/accept").text
    accepted = c.post(
        f"{API}/{cid}/accept", json={"reason": "同事先受理"}, headers=world.h["handler"]
    )
    assert accepted.status_code == 200, accepted.text
    here = f"http://testserver/claims/{cid}?tab=1"
    htmx = {"HX-Request": "true", "HX-Current-URL": here}
    stale = c.post(
        f"/claims/{cid}/actions/accept",
        data={"csrf_token": _token(form), "reserve__medical": "3000"},
        headers=htmx,
    )
    assert stale.status_code == 403
    assert "<html" not in stale.text and words in stale.text
    assert f'href="/claims/{cid}?tab=1"' in stale.text
    # Opening the gone action from the stale page is answered the same way.
    opened = c.get(f"/claims/{cid}/actions/accept", headers=htmx)
    assert opened.status_code == 403 and words in opened.text and "<html" not in opened.text
    # A form whose session has ended (its token no longer the session's): said in place.
    expired = c.post(
        f"/claims/{cid}/actions/withdraw",
        data={"csrf_token": "from-an-ended-session", "reason": "x"},
        headers={**htmx, "HX-Current-URL": "https://evil.example//other"},
    )
    assert expired.status_code == 403 and "<html" not in expired.text
    assert 'href="/"' in expired.text  # never a link off this site
    # Without htmx (a plain request) the whole error page, as before.
    plain = c.get(f"/claims/{cid}/actions/accept")
    assert plain.status_code == 403 and "<html" in plain.text


@pytest.mark.parametrize(
    ("language", "channel", "coverage", "code_in_words"),
    [
        ("zh-CN", "热线电话", "一般医疗保险金", "一般医疗保险金的未决赔款准备金"),
        ("en", "Hotline", "General medical benefit", "Case reserve for General medical benefit"),
    ],
)
def test_the_claim_page_names_its_channel_and_coverages_in_words(
    world: World, language: str, channel: str, coverage: str, code_in_words: str
) -> None:
    # SPEC CLM-R1 (each report records its channel), FIN-1 (a case reserve per coverage),
    # GEN-6: the page showed the stored codes "hotline" and "medical" to the handler; a
    # coverage is named as its product names it, in English on an English page (PRD-3).
    claim = report(world)
    _receive_all(world, claim)
    cid = claim["id"]
    c = as_staff(world, "handler")
    page = c.get(f"/claims/{cid}?lang={language}").text
    assert re.search(rf"<dd>{channel}</dd>", page) and "<dd>hotline</dd>" not in page
    assert f"<dd>{coverage}</dd>" in page  # the claim's coverages, by the product's name
    accept = c.get(f"/claims/{cid}/actions/accept").text
    shown = re.sub(r'(id|name|for|value)="[^"]*"', "", accept)
    assert code_in_words in accept and not re.search(r"\bmedical\b(?! benefit)", shown)
    r = c.post(f"{API}/{cid}/accept", json={"reason": "材料齐全"}, headers=world.h["handler"])
    assert r.status_code == 200, r.text
    revise = c.get(f"/claims/{cid}/actions/revise_reserve").text
    assert re.search(rf'<option value="medical"[^>]*>{coverage} · ¥', revise), revise


def test_a_claim_not_given_to_a_surveyor_is_not_found_in_words(world: World) -> None:
    # SPEC CLM-F2 (a surveyor sees only their claims), SEC-4, GEN-6: the staff page's
    # 404 in words, as the portal's is (no "claim", no "claim_id").
    claim = report(world)
    accept_and_assign(world, claim, surveyor="surveyor")
    c = as_staff(world, "surveyor2")
    page = c.get(f"/claims/{claim['id']}?lang=zh-CN")
    assert page.status_code == 404
    main = page.text.split('<main id="main">')[1]
    assert "未找到案件" in main
    assert "claim_id" not in main and "claim" not in re.sub(r"<[^>]+>", "", main)
    english = c.get(f"/claims/{claim['id']}?lang=en")
    assert "Claim not found" in english.text and "claim_id" not in english.text
