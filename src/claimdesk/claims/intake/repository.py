"""Queries of the intake stage (report, acceptance, survey): a claim's materials and
notices, the product version it is reported against, its survey assignment and report."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from claimdesk.models.claim import (
    Material,
    MaterialFile,
    MissingMaterialsNotice,
    SurveyAssignment,
    SurveyReport,
)
from claimdesk.models.product import ProductVersion


def material(session: Session, claim_id: int, code: str) -> Material | None:
    query = select(Material).where(Material.claim_id == claim_id, Material.code == code)
    return session.scalars(query).one_or_none()


def material_codes_with_files(session: Session, claim_id: int) -> set[str | None]:
    query = select(MaterialFile.material_code).where(MaterialFile.claim_id == claim_id)
    return set(session.scalars(query))


def notices_of(session: Session, claim_id: int) -> list[MissingMaterialsNotice]:
    query = (
        select(MissingMaterialsNotice)
        .where(MissingMaterialsNotice.claim_id == claim_id)
        .order_by(MissingMaterialsNotice.sequence)
    )
    return list(session.scalars(query))


def last_notice_sequence(session: Session, claim_id: int) -> int:
    query = select(func.max(MissingMaterialsNotice.sequence)).where(
        MissingMaterialsNotice.claim_id == claim_id
    )
    return session.scalar(query) or 0


def version_with_coverages(session: Session, version_id: int) -> ProductVersion:
    """The product version with its coverages and product, in one query."""
    query = (
        select(ProductVersion)
        .where(ProductVersion.id == version_id)
        .options(joinedload(ProductVersion.coverages), joinedload(ProductVersion.product))
    )
    return session.scalars(query).unique().one()


def current_assignment(session: Session, claim_id: int) -> SurveyAssignment | None:
    query = (
        select(SurveyAssignment)
        .where(SurveyAssignment.claim_id == claim_id)
        .order_by(SurveyAssignment.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def has_survey_report(session: Session, claim_id: int) -> bool:
    query = select(SurveyReport.id).where(SurveyReport.claim_id == claim_id)
    return session.scalar(query) is not None


def report_of(session: Session, claim_id: int) -> SurveyReport | None:
    query = (
        select(SurveyReport)
        .where(SurveyReport.claim_id == claim_id)
        .order_by(SurveyReport.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()
