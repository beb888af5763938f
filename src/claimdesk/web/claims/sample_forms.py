"""The quality sample's verdict on the claim page (CLM-T3): a tier-1 reviewer agrees
with a sampled automatic payment or states the amount they find payable, through the
same service as the API (claims.automatic.service.give_verdict). Offered exactly when
that service would take a verdict from this reviewer (issue 12), with a warning above
the choice when agreeing would be refused because the policy, as it stands now, did not
cover the date of loss (CLM-V2, POL-3)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.automatic import service as automatic
from claimdesk.claims.automatic.schemas import VerdictIn
from claimdesk.models.claim import Claim
from claimdesk.web.claims.page_forms import (
    AS,
    ChoiceRequired,
    FormField,
    Values,
    out_of_cover_warning,
    validated,
)

# The verdict's choice as the form sends it (VerdictIn.agrees).
AGREES = {"agree": True, "disagree": False}


def verdict_fields(db: Session, claim: Claim) -> list[FormField]:
    """The warning (when agreeing would be refused), the verdict, and — disagreeing —
    the amount found payable and the reason."""
    disagrees = {"agrees": ("disagree",)}
    return [
        *out_of_cover_warning(
            automatic.agreement_out_of_cover(db, claim=claim),
            then=(
                "Agreeing with the automatic payment will be refused: disagree, with 0.00 "
                "as the amount payable and the reason, and what was paid is recovered"
            ),
        ),
        FormField(
            "agrees",
            "Verdict",
            "select",
            required=True,
            options=[
                ("", "—"),
                ("agree", "Agree with the automatic payment"),
                ("disagree", "Disagree: state the amount payable"),
            ],
            controls=True,
        ),
        FormField(
            "amount",
            "Amount you find payable (CNY)",
            "number",
            step="0.01",
            minimum="0",
            when=disagrees,
        ),
        FormField(
            "reason",
            "Reason (when disagreeing)",
            "textarea",
            limit=f"{AS}:VerdictIn.reason",
            when=disagrees,
        ),
    ]


def give_verdict(db: Session, p: Principal, claim: Claim, form: Values) -> None:
    """The verdict through the API's service (CLM-T3): a disagreement corrects the
    decision and tops up or recovers the difference."""
    choice = AGREES.get(str(form.get("agrees") or ""))
    if choice is None:
        raise ChoiceRequired(field="agrees")
    data = {
        "agrees": choice,
        "amount": (form.get("amount") or None) if not choice else None,
        "reason": form.get("reason") or None,
    }
    automatic.give_verdict(db, actor=p, claim=claim, data=validated(VerdictIn, data))
