"""What the claim pages show of straight-through processing (CLM-T1, CLM-T2): whether the
claim takes an e-bill now, how many it has, and — once the automatic path has decided —
its decision: the rule set version that decided, the reasons in words, the payment. One
context function for the portal's and the staff claim page, so that each template only
includes one partial (portal/_stp.html, claims/_automatic.html)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.bills.service import bills_of, takes_bills
from claimdesk.claims.automatic.errors import RuleSetNotFound
from claimdesk.claims.automatic.service import decision_of, rule_set_of
from claimdesk.formatting import dates_as_written
from claimdesk.models.claim import Claim
from claimdesk.payments.service import payments_of

# The payment of an automatic decision, as a person reads its status (msgids).
PAYMENT_WORDS = {
    "pending": "Payment instructed: on its way to your account",
    "exported": "Sent to the bank: on its way to your account",
    "paid": "Paid to your account",
    "failed": "The bank could not pay; we will contact you",
}


# Coverage types the automatic path may pay (thresholds.AUTOMATIC_LINE_CHOICES), msgids.
AUTOMATIC_LINE_WORDS = {
    "medical": "Medical expenses",
    "accident_medical": "Accident medical expenses",
}


def rule_set_words(content: dict[str, Any]) -> dict[str, Any]:
    """The parts of a rule set a person checks a decision against, formatted."""
    limit = Decimal(str(content.get("automatic_max_amount", "0")))
    share = Decimal(str(content.get("sample_share", "0")))
    return {
        "limit": f"¥{limit:,.2f}",
        "lines": [
            AUTOMATIC_LINE_WORDS.get(str(x), str(x)) for x in content.get("automatic_lines", [])
        ],
        "share": f"{share * 100:.1f}%",
    }


def stp_context(db: Session, claim: Claim, *, language: str = "zh-CN") -> dict[str, Any]:
    decision = decision_of(db, claim_id=claim.id)
    payment = None
    if decision is not None and decision.payment_id is not None:
        payment = next(
            (p for p in payments_of(db, claim_id=claim.id) if p.id == decision.payment_id), None
        )
    zh = language.lower().startswith("zh")
    rule_set: dict[str, Any] | None = None
    if decision is not None:
        try:
            rule_set = rule_set_words(rule_set_of(db, version=decision.rule_set_version).content)
        except RuleSetNotFound:
            rule_set = None
    return {
        "stp": {
            "bills_open": takes_bills(claim=claim),
            "bill_count": len(bills_of(db, claim_id=claim.id)),
            "decision": decision,
            # A check's reason stored before b2d155a says its days ISO: read as people
            # write them (GEN-2).
            "reasons": [
                dates_as_written(r.text_zh if zh else r.text_en, language)
                for r in (decision.reasons if decision else [])
            ],
            "payment": payment,
            # What the rule set said: the automatic limit, lines and sample share.
            "rule_set": rule_set,
            "payment_words": PAYMENT_WORDS.get(str(payment.status), "") if payment else "",
        }
    }
