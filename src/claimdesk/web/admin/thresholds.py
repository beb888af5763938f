"""Thresholds page (claims.config.ClaimRules) and the small kit the remaining management
pages share (web engineer C): labels for their codes, and ``attempt`` which runs a
service call and turns a refusal — a business error or a form that fails the API's own
pydantic schema — into the message shown in place, with nothing written (GEN-6).

The thresholds are configuration values held in code (claims.config), not rows: the page
is read-only and says so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.config import rules
from claimdesk.deps import require
from claimdesk.errors import ClaimdeskError
from claimdesk.validation import describe_validation_error
from claimdesk.web.labels import LABELS
from claimdesk.web.page_kit import error_of, page, translator

T = TypeVar("T")

# Codes shown by the products, policies, sales, events, users and calendar pages; the
# dashboards' table (B) first, these add to it. English msgids, translated in admin.po.
MORE_LABELS: dict[str, str] = {
    "critical_illness": "Critical illness",
    "medical": "Medical",
    "accident_medical": "Accident medical",
    "accident_disability": "Accident disability",
    "accident_death": "Accident death",
    "draft": "Draft",
    "published": "Published",
    "retired": "Retired",
    "pro_rata_days": "Pro rata by days",
    "none": "No refund",
    "in_force": "In force",
    "pending": "Pending",
    "expired": "Expired",
    "terminated": "Terminated",
    "lapsed": "Lapsed",
    "cancelled": "Cancelled",
    "requested": "Requested",
    "reviewed": "Reviewed",
    "completed": "Completed",
    "change": "Change",
    "termination": "Termination",
    "policyholder": "Policyholder",
    "insurer": "Insurer",
    "law": "By law",
    "applied": "Applied",
    "negotiating": "Negotiating",
    "agreed": "Agreed",
    "performed": "Performed",
    "answer": "Answer",
    "agree": "Agreement",
    "complete_formalities": "Formalities completed",
    "decide": "Award or judgment",
    "perform": "Performed the award",
    "direct": "Direct",
    "agent": "Agent",
    "internet": "Internet",
    "direct_team": "Direct sales team",
    "agency": "Agency",
    "bank": "Bank",
    "securities_firm": "Securities firm",
    "face_to_face": "Face to face",
    "online": "Online",
    "mail_sms": "Mail / SMS",
    "survey": "Survey",
    "mystery_shopping": "Mystery shopping",
    "internal_audit": "Internal audit",
    "data_analysis": "Data analysis",
    "satisfaction": "Satisfaction",
    "service_quality": "Service quality",
    "results": "Results",
    "compliance": "Compliance",
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "active": "Active",
    "suspended_agent": "Suspended",
    "done": "Done",
    "earthquake": "Earthquake",
    "flood": "Flood",
    "typhoon": "Typhoon",
    "fire": "Fire",
    "holiday": "Holiday",
    "workday": "Adjusted working day",
    "package": "Holiday library",
    "administrator": "Administrator",
    "provisional": "Provisional",
    "head_office": "Head office",
    "rule": "Rule",
    "person": "Person",
    "cleared": "Cleared",
    "confirmed": "Confirmed",
}


def label_for(request: Request) -> Callable[[object], str]:
    gettext = translator(request)

    def label(code: object) -> str:
        text = str(code) if code is not None else ""
        msgid = MORE_LABELS.get(text) or LABELS.get(text)
        return gettext(msgid) if msgid else text

    return label


def common(request: Request) -> dict[str, Any]:
    from claimdesk.models.base import utcnow
    from claimdesk.web.page_kit import urgency

    return {"label": label_for(request), "now": utcnow(), "urgency": urgency}


@dataclass
class Refusal:
    """What a refused form shows: the message (and every problem, if several)."""

    error: dict[str, Any]
    status_code: int


def attempt(request: Request, db: Session, call: Callable[[], T]) -> T | Refusal:
    try:
        return call()
    except ClaimdeskError as error:
        db.rollback()
        return Refusal(error_of(request, error), error.status_code)
    except ValidationError as invalid:
        from claimdesk.web.kit import language_of  # web imports the pages that import this

        db.rollback()
        described = describe_validation_error(invalid.errors(), language_of(request))
        return Refusal(described, 422)


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


# --- thresholds --------------------------------------------------------------------------

router = APIRouter()
Analyst = Annotated[Principal, Depends(require(Permission.CLAIMS_REPORTS))]

# (attribute, msgid of what it governs, SPEC IDs)
GOVERNS: tuple[tuple[str, str, str], ...] = (
    ("major_casualties", "Casualties from which a report is a major case", "CLM-R4"),
    ("major_amount", "Estimated loss (CNY) from which a report is a major case", "CLM-R4"),
    ("skip_survey_lines", "Lines whose small claims may skip the survey", "CLM-S1"),
    ("skip_survey_max_amount", "Largest claim (CNY) that may skip the survey", "CLM-S1"),
    ("upload_max_bytes", "Largest upload (bytes)", "CLM-A2"),
    ("allowed_types", "File types accepted for uploads", "CLM-A2"),
    ("materials_deadline_days", "Days the customer has to supply missing materials", "CLM-A4"),
    ("certificate_causes", "Causes of loss that need an official certificate", "CLM-S4"),
    ("review_tier1_max", "Up to this amount (CNY) one review tier", "CLM-V1"),
    ("review_tier2_max", "Up to this amount (CNY) two review tiers; above it three", "CLM-V1"),
    ("small_payment_max", "Small claims (CNY) paid within 24 hours of approval", "CLM-P4"),
    ("life_lines", "Lines with the 5-year limitation period", "CLM-X1"),
    ("archive_extra_years", "Years the archive is kept beyond the limitation period", "CLM-X1"),
)


def _shown(value: object) -> str:
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


@router.get("/admin/thresholds")
def thresholds(request: Request, actor: Analyst) -> Response:
    current = rules()
    rows = [(name, _shown(getattr(current, name)), msgid, spec) for name, msgid, spec in GOVERNS]
    return page(request, "admin/thresholds.html", rows=rows, **common(request))
