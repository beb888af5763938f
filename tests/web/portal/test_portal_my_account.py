"""The portal's payout accounts (收款账户) and consents (我的授权) pages (SPEC CLM-T2
SEC-1 SEC-4 SEC-6 GEN-6): the customer's own accounts masked — the full number never on
the page — one added in their own name only, each refusal naming its field in Chinese
and English with nothing written; their consents in words, withdrawn after a confirm
step that says what it means; nobody else's, ever."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.models.audit import AuditEntry
from claimdesk.models.person import BankAccount, Consent, Person
from claimdesk.people import service
from claimdesk.people.schemas import ConsentIn
from tests.builders import add_bank_account, make_person, make_user, resident_id
from tests.web.helpers import HIDDEN, customer_login

PHONE = "13812345633"
CARD = "6222021001234567896"
OTHER_CARD = "6222020200001234562"


def _set_up(client: TestClient, db: Session) -> tuple[int, int]:
    me = make_person(db, phone=PHONE)
    other = make_person(db, name="李静", id_number=resident_id(seq="618"), phone="13812345644")
    add_bank_account(db, person_id=other.id, holder_name="李静", account_number=OTHER_CARD)
    make_user(db, username="cust", roles=["customer"], person_id=me.id)
    db.commit()
    customer_login(client, db, "cust", PHONE)
    return me.id, other.id


def _token(client: TestClient, path: str) -> str:
    found = HIDDEN.search(client.get(path).text)
    assert found
    return found.group(1)


def _add(client: TestClient, **fields: str) -> object:
    token = _token(client, "/portal/accounts")
    return client.post(
        "/portal/accounts?lang=zh-CN", data={**fields, "csrf_token": token}, follow_redirects=False
    )


def test_accounts_page_is_in_the_menu_masked_and_own_only(client: TestClient, db: Session) -> None:
    # SPEC SEC-1 SEC-4 CLM-T2
    me, _other = _set_up(client, db)
    add_bank_account(db, person_id=me, holder_name="王建国", account_number=CARD)
    db.commit()
    home = client.get("/portal?lang=zh-CN").text
    assert 'href="/portal/accounts"' in home and "收款账户" in home
    assert 'href="/portal/consents"' in home and "我的授权" in home
    page = client.get("/portal/accounts?lang=zh-CN")
    assert page.status_code == 200
    assert "**** **** **** 7896" in page.text and "中国工商银行" in page.text
    assert CARD not in page.text and CARD[:12] not in page.text  # never the full number
    assert "4562" not in page.text and "李静" not in page.text  # nobody else's
    assert "添加本人名下的账户" in page.text and "开户名：王建国" in page.text
    english = client.get("/portal/accounts?lang=en").text
    assert "Payout accounts" in english and "Add an account in my name" in english
    assert CARD not in english


def test_an_account_in_own_name_is_added_and_audited(client: TestClient, db: Session) -> None:
    # SPEC CLM-T2 SEC-1 SEC-6: through the people service, audited
    me, _other = _set_up(client, db)
    done = _add(client, holder_name="王建国", bank_name="招商银行", account_number=CARD)
    assert done.status_code == 303 and done.headers["location"] == "/portal/accounts?added=1"
    [account] = db.scalars(select(BankAccount).where(BankAccount.person_id == me))
    assert account.account_last4 == "7896" and account.bank_name == "招商银行"
    audited = db.scalars(select(AuditEntry).where(AuditEntry.action == "bank_account.added"))
    assert [e.entity_id for e in audited][-1] == str(account.id)
    shown = client.get("/portal/accounts?added=1&lang=zh-CN").text
    assert 'id="account-added"' in shown and CARD not in shown


def test_another_name_is_refused_beside_the_field_in_both_languages(
    client: TestClient, db: Session
) -> None:
    # SPEC CLM-T2 GEN-6: an account in another's name needs the service desk
    me, _other = _set_up(client, db)
    refused = _add(client, holder_name="李静", bank_name="招商银行", account_number=CARD)
    assert refused.status_code == 422
    assert 'id="account-holder_name-error"' in refused.text
    assert "开户名：须为您本人的姓名" in refused.text and "柜面" in refused.text
    assert CARD not in refused.text  # the number is not typed back
    token = _token(client, "/portal/accounts")
    english = client.post(
        "/portal/accounts?lang=en",
        data={
            "holder_name": "李静",
            "bank_name": "Bank",
            "account_number": CARD,
            "csrf_token": token,
        },
    )
    assert english.status_code == 422
    assert "Account holder: must be your own name" in english.text
    assert "service desk" in english.text
    assert db.scalars(select(BankAccount).where(BankAccount.person_id == me)).all() == []


def test_a_bad_number_names_the_field_and_writes_nothing(client: TestClient, db: Session) -> None:
    # SPEC SEC-1 GEN-6: the staff path's card rule (digits, 12 to 19, Luhn)
    me, _other = _set_up(client, db)
    letters = _add(client, holder_name="王建国", bank_name="招商银行", account_number="6222abc")
    assert letters.status_code == 422 and 'id="account-account_number-error"' in letters.text
    assert "银行卡号" in letters.text and "只能包含数字" in letters.text
    short = _add(client, holder_name="王建国", bank_name="招商银行", account_number="12345")
    assert short.status_code == 422 and "12 至 19 位" in short.text
    token = _token(client, "/portal/accounts")
    english = client.post(
        "/portal/accounts?lang=en",
        data={
            "holder_name": "王建国",
            "bank_name": "B",
            "account_number": "12345",
            "csrf_token": token,
        },
    )
    # The field by its label on the form (GEN-6), the rule by what it checks.
    assert "Account number: " in english.text and "12 to 19 digits" in english.text
    empty = _add(client, holder_name="王建国", bank_name="", account_number=CARD)
    assert empty.status_code == 422 and 'id="account-bank_name-error"' in empty.text
    assert db.scalars(select(BankAccount).where(BankAccount.person_id == me)).all() == []


def test_the_form_needs_its_csrf_token(client: TestClient, db: Session) -> None:
    # SPEC SEC-4 SEC-8: a forged form writes nothing
    me, _other = _set_up(client, db)
    forged = client.post(
        "/portal/accounts",
        data={"holder_name": "王建国", "bank_name": "招商银行", "account_number": CARD},
    )
    assert forged.status_code == 403
    assert db.scalars(select(BankAccount).where(BankAccount.person_id == me)).all() == []


def test_consents_in_words_and_withdrawn_after_confirming(client: TestClient, db: Session) -> None:
    # SPEC SEC-6 SEC-4 GEN-6
    me, other = _set_up(client, db)
    [mine] = service.list_consents(db, actor=Principal.system("t"), person_id=me)
    [theirs] = service.list_consents(db, actor=Principal.system("t"), person_id=other)
    page = client.get("/portal/consents?lang=zh-CN")
    assert page.status_code == 200
    assert "理赔处理" in page.text and "身份信息、联系方式、医疗信息、银行账户" in page.text
    assert "书面签字" in page.text and "授权范围：" in page.text
    assert f'href="/portal/consents/{mine.id}/withdraw"' in page.text
    assert f"/portal/consents/{theirs.id}/" not in page.text
    english = client.get("/portal/consents?lang=en").text
    assert "Handling my claims" in english and "Identity details, Contact details" in english
    assert "Signed in writing" in english

    confirm = client.get(f"/portal/consents/{mine.id}/withdraw?lang=zh-CN")
    assert confirm.status_code == 200 and "撤回后的影响" in confirm.text
    assert "不再自动支付" in confirm.text and "无法添加收款账户" in confirm.text
    confirm_en = client.get(f"/portal/consents/{mine.id}/withdraw?lang=en").text
    assert "Your claims will no longer be paid automatically" in confirm_en
    assert client.get(f"/portal/consents/{theirs.id}/withdraw").status_code == 404

    token = re.search(r'name="csrf_token" value="([^"]+)"', confirm.text)
    assert token
    stolen = client.post(
        f"/portal/consents/{theirs.id}/withdraw",
        data={"csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert stolen.status_code == 404
    done = client.post(
        f"/portal/consents/{mine.id}/withdraw",
        data={"csrf_token": token.group(1), "reason": "不再需要"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/portal/consents?withdrawn=1"
    db.expire_all()
    assert db.get(Consent, mine.id).withdrawn_at is not None  # type: ignore[union-attr]
    assert db.get(Consent, theirs.id).withdrawn_at is None  # type: ignore[union-attr]
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "consent.withdrawn"))
    assert entry.entity_id == str(mine.id) and entry.reason == "不再需要"
    after = client.get("/portal/consents?withdrawn=1&lang=zh-CN").text
    assert "您的授权已撤回" in after and "撤回时间：" in after
    assert f'href="/portal/consents/{mine.id}/withdraw"' not in after
    again = client.post(f"/portal/consents/{mine.id}/withdraw", data={"csrf_token": token.group(1)})
    assert again.status_code == 409 and "已于" in again.text


def test_withdrawing_needs_the_csrf_token(client: TestClient, db: Session) -> None:
    # SPEC SEC-6 SEC-8: a forged withdrawal changes nothing
    me, _other = _set_up(client, db)
    [mine] = service.list_consents(db, actor=Principal.system("t"), person_id=me)
    forged = client.post(f"/portal/consents/{mine.id}/withdraw", data={})
    assert forged.status_code == 403
    db.expire_all()
    assert db.get(Consent, mine.id).withdrawn_at is None  # type: ignore[union-attr]


def test_a_consent_without_bank_accounts_does_not_say_payments_stop(
    client: TestClient, db: Session
) -> None:
    # SPEC SEC-6 CLM-T2: the confirm step says only what withdrawing this consent does
    me, _other = _set_up(client, db)
    care = service.record_consent(
        db,
        actor=Principal.system("t"),
        person_id=me,
        consent=ConsentIn(purpose="customer_care", scope=["contact"], method="online_click"),
    )
    db.commit()
    page = client.get(f"/portal/consents/{care.id}/withdraw?lang=zh-CN").text
    assert "客户关怀信息" in page and "不再向您发送客户关怀信息" in page
    assert "不再自动支付" not in page


def test_a_withdrawn_consent_is_given_again_on_the_portal(client: TestClient, db: Session) -> None:
    # SPEC SEC-6 SEC-4 GEN-6: given back through a form, recorded as given online, audited
    me, other = _set_up(client, db)
    [mine] = service.list_consents(db, actor=Principal.system("t"), person_id=me)
    [theirs] = service.list_consents(db, actor=Principal.system("t"), person_id=other)
    service.withdraw_consent(db, actor=Principal.system("t"), person_id=me, consent_id=mine.id)
    db.commit()
    page = client.get("/portal/consents?lang=zh-CN").text
    assert 'id="no-bank-consent"' in page and "授权使用我的银行账户" in page
    assert f'href="/portal/consents/give?again={mine.id}"' in page and "重新授权" in page
    english = client.get("/portal/consents?lang=en").text
    assert "No consent of yours covers bank accounts" in english
    assert "Give this consent again" in english
    assert client.get(f"/portal/consents/give?again={theirs.id}").status_code == 404

    form = client.get(f"/portal/consents/give?again={mine.id}&lang=zh-CN")
    assert form.status_code == 200 and "我同意" in form.text and "理赔处理" in form.text
    for code in ("identity", "contact", "medical", "bank"):
        assert f'value="{code}" id="scope-{code}" checked' in form.text
    assert 'value="claims_handling" id="purpose-claims_handling" checked' in form.text
    form_en = client.get(f"/portal/consents/give?again={mine.id}&lang=en").text
    assert "Give a consent" in form_en and "I agree" in form_en and "Bank accounts" in form_en

    token = HIDDEN.search(form.text)
    assert token
    nothing = client.post(
        "/portal/consents/give?lang=zh-CN",
        data={"csrf_token": token.group(1), "purpose": "claims_handling"},
    )
    assert nothing.status_code == 422 and 'id="consent-error"' in nothing.text
    done = client.post(
        "/portal/consents/give",
        data={
            "csrf_token": token.group(1),
            "purpose": "claims_handling",
            "scope": ["identity", "bank"],
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/portal/consents?given=1"
    given = db.scalars(
        select(Consent).where(Consent.person_id == me, Consent.withdrawn_at.is_(None))
    ).one()
    assert (given.purpose, given.scope, given.method) == (
        "claims_handling",
        "bank,identity",
        "online_click",
    )
    audited = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "consent.granted", AuditEntry.entity_id == str(given.id)
        )
    ).one()
    assert audited.entity_type == "consent"
    after = client.get("/portal/consents?given=1&lang=zh-CN").text
    assert "谢谢，您的授权已记录" in after and 'id="no-bank-consent"' not in after
    assert "线上勾选确认" in after
    twice = client.post(
        "/portal/consents/give?lang=en",
        data={"csrf_token": token.group(1), "purpose": "claims_handling", "scope": ["bank"]},
    )
    assert twice.status_code == 409 and "already agreed" in twice.text
    forged = client.post(
        "/portal/consents/give", data={"purpose": "marketing", "scope": ["contact"]}
    )
    assert forged.status_code == 403


def test_an_account_is_removed_after_confirming_and_refused_while_a_claim_needs_it(
    client: TestClient, db: Session
) -> None:
    # SPEC CLM-P1 SEC-4 GEN-6: a confirm step, the refusal in words on it, nobody else's
    from tests.builders import demo_version, issue_policy, make_claim

    me, other = _set_up(client, db)
    first = add_bank_account(db, person_id=me, holder_name="王建国", account_number=CARD)
    theirs = db.scalars(select(BankAccount).where(BankAccount.person_id == other)).one()
    person = db.get_one(Person, me)
    policy = issue_policy(db, version_id=demo_version(db).id, policyholder_id=person.id)
    claim = make_claim(db, number="LP202610010009", policy=policy, state="approved")
    db.commit()
    page = client.get("/portal/accounts?lang=zh-CN").text
    assert f'href="/portal/accounts/{first.id}/remove"' in page and "删除此账户" in page
    assert client.get(f"/portal/accounts/{theirs.id}/remove").status_code == 404
    confirm = client.get(f"/portal/accounts/{first.id}/remove?lang=zh-CN")
    assert confirm.status_code == 200 and "删除后的影响" in confirm.text
    assert "**** **** **** 7896" in confirm.text and CARD not in confirm.text
    assert "这是您唯一的收款账户" in confirm.text
    english = client.get(f"/portal/accounts/{first.id}/remove?lang=en").text
    assert "Remove a payout account" in english and "We will pay nothing more" in english
    token = HIDDEN.search(confirm.text)
    assert token
    stolen = client.post(
        f"/portal/accounts/{theirs.id}/remove", data={"csrf_token": token.group(1)}
    )
    assert stolen.status_code == 404
    refused = client.post(
        f"/portal/accounts/{first.id}/remove?lang=zh-CN", data={"csrf_token": token.group(1)}
    )
    assert refused.status_code == 409 and 'id="account-error"' in refused.text
    assert "唯一的收款账户" in refused.text and "LP202610010009" in refused.text
    refused_en = client.post(
        f"/portal/accounts/{first.id}/remove?lang=en", data={"csrf_token": token.group(1)}
    )
    assert refused_en.status_code == 409 and "add the new account first" in refused_en.text
    claim.state = "paid"
    db.commit()
    done = client.post(
        f"/portal/accounts/{first.id}/remove",
        data={"csrf_token": token.group(1), "reason": "换卡"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/portal/accounts?removed=1"
    db.expire_all()
    assert db.get_one(BankAccount, first.id).removed_at is not None
    assert db.get_one(BankAccount, theirs.id).removed_at is None
    after = client.get("/portal/accounts?removed=1&lang=zh-CN").text
    assert "账户已删除" in after and "7896" not in after and 'id="no-accounts"' in after
    forged = client.post(f"/portal/accounts/{first.id}/remove", data={})
    assert forged.status_code == 403
