"""Thresholds page: the review tiers and limits in force, and their history.

The amounts SPEC calls configurable are the threshold version in force (thresholds
domain); the rest is configuration held in code (claims.config). The page is read-only
today and says so."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.claims.config import rules
from claimdesk.deps import DB, require
from claimdesk.thresholds import service as threshold_service
from claimdesk.web.kit import common, page

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
def thresholds(request: Request, db: DB, actor: Analyst) -> Response:
    # The versioned amounts in force now (CLM-V1, CLM-R4, CLM-P4), else the code's values.
    versioned = threshold_service.in_force(db, at=timeutil.now())
    fixed = rules()
    rows = [
        (name, _shown(getattr(versioned, name, None) or getattr(fixed, name)), msgid, spec)
        for name, msgid, spec in GOVERNS
    ]
    return page(request, "admin/thresholds.html", rows=rows, **common(request))
