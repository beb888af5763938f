"""The customer's words for where their claim is (SPEC CLM-V3, CLM-F2, GEN-6): every
state of the workflow has a customer-facing stage in zh-CN and English, on the claim page
and the home list, never the state's internal name nor the staff's label for it; a claim
a reviewer returned goes back to ``assessed``, which says the amount is being calculated
(理算中) — true on the way up and after a return — not that it is being approved."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.code_labels import CLAIM_STATES
from claimdesk.i18n import gettext
from claimdesk.models.states import ClaimState
from tests.builders import demo_version, issue_policy, make_claim, make_person, make_user
from tests.web.helpers import customer_login

PHONE = "13812345633"

# state -> (zh-CN, English), as the customer reads them.
STAGES: dict[str, tuple[str, str]] = {
    "reported": (
        "报案已受理，理赔人员将尽快与您联系。",
        "Report received. A claims handler will contact you soon.",
    ),
    "awaiting_materials": (
        "还需要您补充一些材料，请见下方清单。",
        "We need some more materials from you. See the list below.",
    ),
    "accepted": ("材料已齐全，进入审核", "Materials are complete; your claim is being reviewed."),
    "surveyed": (
        "事故情况已核实，正在核定损失金额。",
        "The facts of your claim have been checked; the amount of the loss is being determined.",
    ),
    "assessed": (
        "正在理算您的赔付金额。",
        "The amount payable on your claim is being calculated.",
    ),
    "adjusted": (
        "赔付金额已核算，即将提交审批。",
        "The amount payable has been calculated and is going for approval.",
    ),
    "in_review": (
        "赔付金额已核算，正在审批。",
        "The amount has been calculated and is being approved.",
    ),
    # The hold itself is not the customer's to see (CLM-F2).
    "suspended": ("材料已齐全，进入审核", "Materials are complete; your claim is being reviewed."),
    "approved": (
        "核赔已通过，赔款正在支付到您的账户。",
        "Approved. The payment is on its way to your account.",
    ),
    "rejected": (
        "未获赔付。您将收到书面通知，说明理由及申诉途径。",
        "Not approved. You will receive a written notice with the reasons and how to appeal.",
    ),
    "paid": ("已赔付，赔款已汇入您的账户。", "Paid. The money has been sent to your account."),
    "decided": (
        "已核定：本案无需支付赔款。我们将向您发出书面理赔决定通知书，列明计算过程及异议途径。",
        "Decided: nothing is payable on this claim. You will receive a written notice with "
        "the calculation and how to object.",
    ),
    "closed": ("您的案件已结案。", "Your claim is closed."),
    "withdrawn": ("您已撤回该案件。", "You withdrew this claim."),
    "reopened": (
        "您的案件已重开，正在重新审核。",
        "Your claim has been reopened and is being reviewed again.",
    ),
}
# States whose staff label is an internal word (定损, 理算, 核赔, a fraud hold ...).
INTERNAL = ("surveyed", "assessed", "adjusted", "in_review", "suspended", "awaiting_materials")


def _status(page: str) -> str:
    found = re.search(r'id="plain-status">([^<]*)</p>', page)
    assert found, page[:500]
    return html.unescape(found.group(1))


@pytest.fixture
def claim_of_customer(client: TestClient, db: Session):  # type: ignore[no-untyped-def]
    person = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=person.id)
    policy = issue_policy(
        db, version_id=demo_version(db, "MED-MILLION").id, policyholder_id=person.id
    )
    claim = make_claim(db, number="BA20260901000201", policy=policy, contact_phone=PHONE)
    db.commit()
    customer_login(client, db, "cust", PHONE)
    return claim


def test_every_state_has_a_stage_in_both_languages() -> None:
    # SPEC GEN-6, CLM-F2: no state is left to fall back on its internal name
    assert set(STAGES) == {state.value for state in ClaimState}


@pytest.mark.parametrize("state", [s.value for s in ClaimState])
def test_the_portal_says_each_state_as_a_customer_stage(
    client: TestClient, db: Session, claim_of_customer, state: str
) -> None:
    # SPEC CLM-V3, CLM-F2, GEN-6: the claim page and the home list say the stage in the
    # reader's language, never the state's code or the staff's word for it
    claim = claim_of_customer
    claim.state = state
    if state == "suspended":
        claim.resume_state = "in_review"
    db.commit()
    zh, en = STAGES[state]
    for language, words in (("zh-CN", zh), ("en", en)):
        page = client.get(f"/portal/claims/{claim.id}?lang={language}")
        assert page.status_code == 200, page.text
        said = _status(page.text)
        assert said == words
        if state in INTERNAL:
            assert state not in said
            assert gettext(CLAIM_STATES[state], language) not in said
        home = client.get(f"/portal?lang={language}")
        assert words in html.unescape(home.text)


@pytest.mark.parametrize("before", ["reported", "awaiting_materials"])
def test_a_claim_held_before_acceptance_is_said_where_it_was(
    client: TestClient, db: Session, claim_of_customer, before: str
) -> None:
    # SPEC CLM-F1, CLM-F2, CLM-A4: the customer may still send the missing materials
    claim = claim_of_customer
    claim.state, claim.resume_state = "suspended", before
    db.commit()
    assert _status(client.get(f"/portal/claims/{claim.id}?lang=zh-CN").text) == STAGES[before][0]
