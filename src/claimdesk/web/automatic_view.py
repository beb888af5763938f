"""What the claim pages show of straight-through processing (CLM-T1, CLM-T2): whether the
claim takes an e-bill now, how many it has, and — once the automatic path has decided —
its decision (rule set version, reasons in words, the payment). One context function for
the portal's and the staff claim page, so their templates include one partial each."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from claimdesk.bills import repository as bills_repository
from claimdesk.bills.service import BILLABLE_STATES
from claimdesk.models.claim import Claim


def stp_context(db: Session, claim: Claim) -> dict[str, Any]:
    return {
        "stp": {
            "bills_open": claim.state in BILLABLE_STATES,
            "bill_count": len(bills_repository.bills_of(db, claim.id)),
        }
    }
