"""Queries of the intake stage (report, acceptance, survey): a claim's materials and
notices, the product version it is reported against, its survey assignment and report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from claimdesk.calendar import repository as calendar
from claimdesk.db import (
    daily_value_column,
    day_sequence_name,
    is_postgres,
    select_in_transaction,
)
from claimdesk.models.claim import (
    ClaimSequence,
    Material,
    MaterialFile,
    MissingMaterialsNotice,
    SurveyAssignment,
    SurveyReport,
)
from claimdesk.models.policy import Policy
from claimdesk.products import repository as products
from claimdesk.thresholds import repository as thresholds


def material(session: Session, *, claim_id: int, code: str) -> Material | None:
    query = select(Material).where(Material.claim_id == claim_id, Material.code == code)
    return session.scalars(query).one_or_none()


def material_codes_with_files(session: Session, *, claim_id: int) -> set[str | None]:
    query = select(MaterialFile.material_code).where(MaterialFile.claim_id == claim_id)
    return set(session.scalars(query))


def notices_of(session: Session, *, claim_id: int) -> list[MissingMaterialsNotice]:
    query = (
        select(MissingMaterialsNotice)
        .where(MissingMaterialsNotice.claim_id == claim_id)
        .order_by(MissingMaterialsNotice.sequence)
    )
    return list(session.scalars(query))


def last_notice_sequence(session: Session, *, claim_id: int) -> int:
    query = select(func.max(MissingMaterialsNotice.sequence)).where(
        MissingMaterialsNotice.claim_id == claim_id
    )
    return session.scalar(query) or 0


def current_assignment(session: Session, *, claim_id: int) -> SurveyAssignment | None:
    query = (
        select(SurveyAssignment)
        .where(SurveyAssignment.claim_id == claim_id)
        .order_by(SurveyAssignment.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def has_survey_report(session: Session, *, claim_id: int) -> bool:
    query = select(SurveyReport.id).where(SurveyReport.claim_id == claim_id)
    return session.scalar(query) is not None


def report_of(session: Session, *, claim_id: int) -> SurveyReport | None:
    query = (
        select(SurveyReport)
        .where(SurveyReport.claim_id == claim_id)
        .order_by(SurveyReport.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


@dataclass(frozen=True)
class ReportKeys:
    """The versions of what a report reads from per-process caches."""

    thresholds: int | None  # the newest threshold version (thresholds.service)
    calendar: tuple[object, ...]  # the stored calendar's version (calendar.service)
    product: tuple[object, ...]  # the product version's status and creation time
    # The report's number taken from the day's sequence (PostgreSQL), None when it was
    # not taken here (SQLite, or the day's first report: the sequence is created then).
    number: int | None = None


_CALENDAR = calendar.version_columns()
_REPORT_KEYS = select(
    thresholds.latest_id_column(),
    *_CALENDAR,
    *products.version_key_columns(version_id=bindparam("version_id")),
)


# PostgreSQL: the same statement also takes the report's number from the day's
# sequence (db.next_daily_value), one round trip fewer per report (issue 14).
_REPORT_KEYS_AND_NUMBER = _REPORT_KEYS.add_columns(daily_value_column())


def report_keys(session: Session, *, version_id: int, number_day: dt.date) -> ReportKeys:
    """Every cache key a report needs, in one statement (issue 14 item 2); on
    PostgreSQL with the next report number of ``number_day`` (``ReportKeys.number``)."""
    size = len(_CALENDAR)
    if not is_postgres(session):
        row = session.connection().execute(_REPORT_KEYS, {"version_id": version_id}).one()
        return ReportKeys(
            thresholds=row[0], calendar=tuple(row[1 : 1 + size]), product=tuple(row[1 + size :])
        )
    name = day_sequence_name(ClaimSequence, number_day)
    row = (
        session.connection()
        .execute(_REPORT_KEYS_AND_NUMBER, {"version_id": version_id, "day_sequence": name})
        .one()
    )
    return ReportKeys(
        thresholds=row[0],
        calendar=tuple(row[1 : 1 + size]),
        product=tuple(row[1 + size : -1]),
        number=row[-1],
    )


def policies_of_insured(session: Session, *, insured_ids: list[int]) -> list[Policy]:
    """Every policy of these insured, whatever its period (report.policies_for_report,
    when none covers the date of loss). Looked up as the system, as find_policy does."""
    query = select(Policy).where(Policy.insured_id.in_(insured_ids)).order_by(Policy.id)
    return list(session.scalars(query))


# The policy reported on by its number with every cache key of the report (and, on
# PostgreSQL, the report's number): one statement where find_policy and report_keys
# were two (issue 14). The product version's key is read from the policy's row
# (correlated). Looked up as the system, as find_policy does (no row filter).
@dataclass(frozen=True)
class PolicyForReport:
    """What a report reads of the policy named by its number (``report.PolicyRef``):
    plain columns, no ORM object (nothing else of the policy is read in the report's
    transaction; issue 14)."""

    id: int
    number: str
    product_version_id: int
    policyholder_id: int
    insured_id: int
    org_unit_id: int | None
    # The cover the loss date is compared with (report.loss_outside_period).
    period_start: dt.date
    period_end: dt.date
    terminated_on: dt.date | None


_POLICY_COLUMNS = (
    Policy.id,
    Policy.number,
    Policy.product_version_id,
    Policy.policyholder_id,
    Policy.insured_id,
    Policy.org_unit_id,
    Policy.period_start,
    Policy.period_end,
    Policy.terminated_on,
)
_POLICY_AND_KEYS = select(
    *_POLICY_COLUMNS,
    thresholds.latest_id_column(),
    *_CALENDAR,
    *products.version_key_columns(version_id=Policy.product_version_id),
).where(Policy.number == bindparam("policy_number"))
_POLICY_AND_KEYS_AND_NUMBER = _POLICY_AND_KEYS.add_columns(daily_value_column())
# A customer's report: only a policy where they are the insured or the policyholder is
# found. The condition is in the statement, so no number is drawn for a policy they may
# not report on (a sequence's draw is not undone by the rollback of the refusal).
_OWNED = or_(
    Policy.insured_id == bindparam("person_id"), Policy.policyholder_id == bindparam("person_id")
)
_OWNED_POLICY_AND_KEYS = _POLICY_AND_KEYS.where(_OWNED)
_OWNED_POLICY_AND_KEYS_AND_NUMBER = _POLICY_AND_KEYS_AND_NUMBER.where(_OWNED)


_PRODUCT_KEY_SIZE = len(products.version_key_columns(version_id=Policy.product_version_id))


def policy_with_report_keys(
    session: Session, *, policy_number: str, number_day: dt.date, person_id: int | None = None
) -> tuple[PolicyForReport, ReportKeys] | None:
    """The policy numbered ``policy_number`` (None when there is none, or, with
    ``person_id``, when that person is neither its insured nor its policyholder) and
    :func:`report_keys` of its product version, in one statement. No number is taken
    when no policy is found."""
    size = len(_CALENDAR)
    first = len(_POLICY_COLUMNS)  # the keys' columns follow the policy's
    owned = person_id is not None
    params: dict[str, object] = {"policy_number": policy_number, "person_id": person_id}
    if not is_postgres(session):
        statement = _OWNED_POLICY_AND_KEYS if owned else _POLICY_AND_KEYS
    else:
        statement = _OWNED_POLICY_AND_KEYS_AND_NUMBER if owned else _POLICY_AND_KEYS_AND_NUMBER
        params["day_sequence"] = day_sequence_name(ClaimSequence, number_day)
    # On the driver with the statement's text compiled once (db.select_in_transaction):
    # SQLAlchemy's per-execution work cost about what the statement itself did (issue 14).
    rows = select_in_transaction(session, statement, params)
    if not rows:
        return None
    (row,) = rows  # policies.number is unique
    keys = ReportKeys(
        thresholds=row[first],
        calendar=tuple(row[first + 1 : first + 1 + size]),
        product=tuple(row[first + 1 + size : first + 1 + size + _PRODUCT_KEY_SIZE]),
        number=row[-1] if is_postgres(session) else None,
    )
    return PolicyForReport(*row[:first]), keys
