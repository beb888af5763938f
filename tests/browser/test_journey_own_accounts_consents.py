"""Journey: a customer on their phone (375 px) adds a payout account in their own name,
withdraws the consent to use their bank account, gives it back, and removes the account
again; then reads the same pages in English (SPEC CLM-T2 CLM-P1 SEC-6 SEC-4 GEN-6).

The live server is shared by the journeys: the customer (customer2, whose claims the
straight-through journey pays) ends as they began — their own one account and a consent
covering bank accounts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from claimdesk.models.person import BankAccount, Consent
from claimdesk.models.user import User
from tests.browser.conftest import LiveServer, customer_login, follow, shot

CARD = "6222020200007654326"


def _narrow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width}px wide on a 375px phone"


def test_customer_manages_own_accounts_and_consents_on_375px(
    mobile_page: Any, live_server: LiveServer
) -> None:
    page, url = mobile_page, live_server.url
    customer_login(page, live_server, "customer2")

    # 1. Add an account in my own name (the holder's name is filled in).
    page.goto(f"{url}/portal/accounts")
    page.wait_for_selector("#account-form")
    assert "收款账户" in page.inner_text("h1")
    page.fill("#account-bank_name", "招商银行")
    page.fill("#account-account_number", CARD)
    follow(page, "#add-account")
    assert "账户已添加" in page.inner_text("#account-added")
    assert "**** **** **** 4326" in page.inner_text("#accounts")
    assert CARD not in page.content()
    _narrow(page)

    # 2. Withdraw the consent that covers bank accounts, after the confirm step.
    page.goto(f"{url}/portal/consents")
    bank = page.locator("#consents li", has_text="银行账户").first
    follow(page, f"#{bank.get_attribute('id')} a[id^=withdraw-]")
    effect = page.inner_text("#withdraw-effect")
    assert "不再自动支付" in effect and "重新授权" in effect
    _narrow(page)
    follow(page, "#confirm-withdraw")
    assert "您的授权已撤回" in page.inner_text("#consent-withdrawn")
    assert "不会自动支付" in page.inner_text("#no-bank-consent")
    shot(page, "portal-consent-withdrawn-375")

    # 3. Give it back: the form starts from the withdrawn consent.
    again = page.locator("a[id^=give-again-]").last
    follow(page, f"#{again.get_attribute('id')}")
    assert "授权" in page.inner_text("h1")
    assert page.is_checked("#scope-bank") and page.is_checked("#purpose-claims_handling")
    assert "不作他用" in page.inner_text("#give-statement")
    _narrow(page)
    shot(page, "portal-consent-give-375")
    follow(page, "#confirm-give")
    assert "您的授权已记录" in page.inner_text("#consent-given")
    assert page.locator("#no-bank-consent").count() == 0
    assert "线上勾选确认" in page.inner_text("#consents")

    # 4. Remove the account added in step 1, after the confirm step.
    page.goto(f"{url}/portal/accounts")
    follow(page, "a[aria-label*='4326']")
    assert "删除后的影响" in page.inner_text("main")
    assert "**** **** **** 4326" in page.inner_text("main")
    _narrow(page)
    follow(page, "#confirm-remove")
    assert "账户已删除" in page.inner_text("#account-removed")
    assert "4326" not in page.inner_text("#accounts")
    shot(page, "portal-account-removed-375")

    # 5. The same pages in English.
    page.goto(f"{url}/portal/accounts?lang=en")
    assert "Payout accounts" in page.inner_text("h1")
    assert "Remove this account" in page.inner_text("#accounts")
    assert "Add an account in my name" in page.inner_text("main")
    _narrow(page)
    page.goto(f"{url}/portal/consents?lang=en")
    assert "My consents" in page.inner_text("h1")
    listed = page.inner_text("#consents")
    assert "Handling my claims" in listed and "Bank accounts" in listed
    assert "Give this consent again" in listed and "Online, by click" in listed
    page.goto(f"{url}/portal/consents/give?lang=en")
    assert "Give a consent" in page.inner_text("h1") and "I agree" in page.inner_text("main")
    assert "What for" in page.inner_text("main") and "Which data" in page.inner_text("main")
    _narrow(page)
    shot(page, "portal-consent-give-en-375")

    with live_server.session() as session:
        user = session.scalars(select(User).where(User.username == "customer2")).one()
        accounts = session.scalars(
            select(BankAccount).where(BankAccount.person_id == user.person_id)
        ).all()
        removed = [a for a in accounts if a.account_last4 == "4326"]
        assert removed and removed[0].removed_at is not None  # kept, out of use
        assert len([a for a in accounts if a.removed_at is None]) == 1
        active = session.scalars(
            select(Consent).where(
                Consent.person_id == user.person_id, Consent.withdrawn_at.is_(None)
            )
        ).all()
        given = [c for c in active if "bank" in c.scope.split(",")]
        assert [c.method for c in given] == ["online_click"]
