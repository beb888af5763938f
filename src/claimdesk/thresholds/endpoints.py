"""Threshold API: staff read the values in force and their history; administrators add
a version (CLM-V1, CLM-R4, CLM-P3, CLM-P4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.deps import DB, require
from claimdesk.thresholds import service
from claimdesk.thresholds.schemas import ThresholdsHistory, ThresholdsIn, ThresholdsOut

router = APIRouter(prefix="/thresholds", tags=["thresholds"])

NeedsThresholdsRead = Annotated[Principal, Depends(require(Permission.THRESHOLDS_READ))]
NeedsThresholdsManage = Annotated[Principal, Depends(require(Permission.THRESHOLDS_MANAGE))]


def thresholds_out(value: service.Thresholds) -> ThresholdsOut:
    return ThresholdsOut(
        version_id=value.version_id,
        review_tier1_max=value.review_tier1_max,
        review_tier2_max=value.review_tier2_max,
        major_amount=value.major_amount,
        small_payment_max=value.small_payment_max,
        skip_survey_max_amount=value.skip_survey_max_amount,
        skip_survey_lines=sorted(value.skip_survey_lines),
        automatic_max_amount=value.automatic_max_amount,
        automatic_lines=sorted(value.automatic_lines),
        sample_share=value.sample_share,
        small_cash_max=value.small_cash_max,
        effective_from=value.effective_from,
        created_by_id=value.created_by_id,
        reason=value.reason,
    )


@router.get("", response_model=ThresholdsHistory)
def get_thresholds(db: DB, principal: NeedsThresholdsRead) -> ThresholdsHistory:
    current = service.in_force(db, at=timeutil.now())
    history = sorted(
        service.versions(db), key=lambda v: (v.effective_from, v.version_id or 0), reverse=True
    )
    return ThresholdsHistory(
        current=thresholds_out(current), history=[thresholds_out(v) for v in history]
    )


@router.post("", status_code=201, response_model=ThresholdsOut)
def create_thresholds(
    body: ThresholdsIn, db: DB, principal: NeedsThresholdsManage
) -> ThresholdsOut:
    created = service.create_version(
        db,
        actor=principal,
        values={name: getattr(body, name) for name in service.AMOUNT_FIELDS},
        skip_survey_lines=body.skip_survey_lines,
        effective_from=body.effective_from,
        reason=body.reason,
        automatic_max_amount=body.automatic_max_amount,
        automatic_lines=body.automatic_lines,
        sample_share=body.sample_share,
        small_cash_max=body.small_cash_max,
    )
    return thresholds_out(created)
