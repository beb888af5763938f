"""Report (报案, CLM-R1..R4): policy look-up, report number, entry clock, customer notice,
major-case flag and escalation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.calendar.cache import load_calendar
from claimdesk.claims import notify, timeutil, workflow
from claimdesk.claims.config import rules
from claimdesk.claims.errors import (
    LossDateInFuture,
    LossDateTooEarly,
    PolicyAmbiguous,
    PolicyAmbiguousOutsidePeriod,
    PolicyNotFoundForReport,
    ReceivedAfterEntry,
    ReporterForOwnReport,
    UnknownCoverage,
)
from claimdesk.claims.intake import repository
from claimdesk.claims.schemas import ReportCreate
from claimdesk.clocks.service import PlannedClock
from claimdesk.db import new_object, new_row, next_daily_value
from claimdesk.models.claim import Claim, ClaimSequence, Material
from claimdesk.models.policy import Policy
from claimdesk.models.product import ProductVersion
from claimdesk.people.service import find_by_id_number
from claimdesk.policies import repository as policies
from claimdesk.products import repository as product_versions
from claimdesk.products import service as products
from claimdesk.products.coverage_types import effective_materials
from claimdesk.rules import cover
from claimdesk.rules.deadlines import local_date
from claimdesk.rules.identity import validate_resident_id
from claimdesk.thresholds import service as thresholds
from claimdesk.thresholds.service import Thresholds

CHANNELS = ("hotline", "app", "website", "branch_counter", "agent")


@dataclass(frozen=True)
class ReportIn:
    channel: str
    loss_date: dt.date
    loss_place: str
    loss_cause: str
    loss_overview: str
    claimant_name: str
    policy_number: str | None = None
    insured_id_number: str | None = None
    claimant_relationship: str = "self"
    contact_phone: str | None = None
    loss_at: dt.datetime | None = None
    estimated_amount: Decimal | None = None
    casualties: int = 0
    group_incident: bool = False
    coverage_codes: tuple[str, ...] = ()
    received_at: dt.datetime | None = None
    # 报案人 when not the claimant (staff-taken reports; ``reporter_of``).
    reporter_name: str | None = None
    reporter_relationship: str | None = None
    reporter_phone: str | None = None


@dataclass(frozen=True)
class Reporter:
    name: str
    relationship: str | None
    phone: str | None


def reporter_of(data: ReportIn, *, actor: Principal) -> Reporter | None:
    """Who reported (CLM-R1): on a report staff take (hotline, counter, agent ...), the
    person given, else the claimant — the agent who took it is the claim's
    ``entered_by_id``; None on a customer's own report (the customer reported), where
    naming someone else is refused."""
    if actor.is_customer:
        if data.reporter_name is not None:
            raise ReporterForOwnReport(field="reporter")
        return None
    if data.reporter_name is not None:
        return Reporter(data.reporter_name, data.reporter_relationship, data.reporter_phone)
    return Reporter(data.claimant_name, data.claimant_relationship, data.contact_phone)


def next_number(session: Session, day: dt.date, *, drawn: int | None = None) -> str:
    """BA + yyyymmdd + 6 digits, unique across processes (db.next_daily_value);
    ``drawn``: the day's value already taken (``repository.report_keys``)."""
    prefix = f"BA{day:%Y%m%d}"
    value = next_daily_value(
        session, ClaimSequence, day, issued=Claim.number, prefix=prefix, drawn=drawn
    )
    return f"{prefix}{value:06d}"


def find_policy(session: Session, *, actor: Principal, data: ReportIn) -> Policy:
    # Look-ups run as the system: a customer may report on a policy where they are the
    # insured; the report itself is then row-filtered like every claim.
    system = Principal.system("claims.report")
    if data.policy_number:
        # The report needs no beneficiaries (payment does): one query fewer.
        policy = policies.find_by_number(
            session, actor=system, number=data.policy_number, beneficiaries=False
        )
        return _reportable_by_number(policy, actor=actor)
    if not data.insured_id_number:
        raise PolicyNotFoundForReport(field="policy_number")
    found = policies_for_report(
        session, actor=actor, id_number=data.insured_id_number, loss_date=data.loss_date
    )
    if not found:
        raise PolicyNotFoundForReport(field="insured_id_number")
    if len(found) > 1:
        if _covers(found[0], data.loss_date):
            raise PolicyAmbiguous(field="insured_id_number")
        raise PolicyAmbiguousOutsidePeriod(field="insured_id_number")
    return found[0]


class PolicyRef(Protocol):
    """What a report reads of its policy: a Policy, or the columns read with the report's
    cache keys (repository.PolicyForReport)."""

    @property
    def id(self) -> int: ...
    @property
    def number(self) -> str: ...
    @property
    def product_version_id(self) -> int: ...
    @property
    def policyholder_id(self) -> int: ...
    @property
    def insured_id(self) -> int: ...
    @property
    def org_unit_id(self) -> int | None: ...
    @property
    def period_start(self) -> dt.date: ...
    @property
    def period_end(self) -> dt.date: ...
    @property
    def terminated_on(self) -> dt.date | None: ...


_P = TypeVar("_P", bound=PolicyRef)


def _reportable_by_number(policy: _P | None, *, actor: Principal) -> _P:
    """The policy found by the number given, if this reporter may report on it: a
    customer only on a policy where they are the insured or the policyholder."""
    if policy is None or (
        actor.is_customer and actor.person_id not in (policy.insured_id, policy.policyholder_id)
    ):
        raise PolicyNotFoundForReport(field="policy_number")
    return policy


def _policy_and_keys(
    session: Session, *, actor: Principal, data: ReportIn, day: dt.date
) -> tuple[PolicyRef, repository.ReportKeys]:
    """find_policy, then repository.report_keys of its product version (with the
    report's number of ``day``); by policy number both in one statement (issue 14)."""
    if data.policy_number:
        # A customer's ownership is checked in the statement that draws the number: a
        # refused report takes none (issue: it used to leave a gap in the day's numbers).
        if actor.is_customer and actor.person_id is None:
            raise PolicyNotFoundForReport(field="policy_number")
        person_id = actor.person_id if actor.is_customer else None
        found = repository.policy_with_report_keys(
            session, policy_number=data.policy_number, number_day=day, person_id=person_id
        )
        if found is None:
            raise PolicyNotFoundForReport(field="policy_number")
        named, keys = found
        return _reportable_by_number(named, actor=actor), keys
    policy = find_policy(session, actor=actor, data=data)
    return policy, repository.report_keys(
        session, version_id=policy.product_version_id, number_day=day
    )


def policies_for_report(
    session: Session, *, actor: Principal, id_number: str, loss_date: dt.date
) -> list[Policy]:
    """CLM-R2: the policies in force on the date of loss whose insured has this resident
    ID number — several are listed for the reporter to choose from. When none is, the
    insured's policy nearest the loss (``_nearest_to_loss``; the report is then flagged
    outside the period), or those tied for it. The number is checked
    first (GB 11643: 18 characters, a real birth date, the check digit; POL-1), so a typing
    error is named as such instead of "no policy found", and no look-up is made (or
    audited) for a number that cannot exist."""
    validate_resident_id(id_number, field="insured_id_number")
    system = Principal.system("claims.report")
    people = find_by_id_number(
        session,
        actor=actor if not actor.is_customer else system,
        id_number=id_number,
        reason="claim report: find policy",
    )
    insured_ids = [p.id for p in people]
    found = policies.in_force_on(session, actor=system, insured_ids=insured_ids, day=loss_date)
    if actor.is_customer:
        found = [p for p in found if actor.person_id in (p.insured_id, p.policyholder_id)]
    if not found and insured_ids:
        # None covers the date: the report is still taken (the insurer answers every
        # report, and declines in writing a loss outside the cover), against the
        # nearest policy, flagged outside the period (LossOutsidePeriod) — one more
        # query, only in this case.
        found = _nearest_to_loss(
            [
                p
                for p in repository.policies_of_insured(session, insured_ids=insured_ids)
                if not actor.is_customer or actor.person_id in (p.insured_id, p.policyholder_id)
            ],
            loss_date,
        )
    return sorted(found, key=lambda p: p.number)


def _last_covered_day(policy: Policy) -> dt.date:
    """The policy's last day of cover: a termination ends cover the day it takes effect
    (rules.cover, the intake flag's and the automatic check's rule)."""
    return cover.last_covered_day(policy.period_end, policy.terminated_on)


def _covers(policy: Policy, day: dt.date) -> bool:
    return cover.covers(
        day,
        period_start=policy.period_start,
        period_end=policy.period_end,
        terminated_on=policy.terminated_on,
    )


def _nearest_to_loss(insured: Sequence[Policy], loss_date: dt.date) -> list[Policy]:
    """CLM-R2: of the insured's policies, none of which covers the date of loss, the one a
    handler answers the report on — several when they tie (the reporter chooses).

    The one whose cover ended last before the loss, if any: that is the usual case (a
    policy not renewed, a loss reported after the cover ran out), and the written decline
    names that policy and the day its cover ended — the policy the customer believes
    covers them. Only when the loss precedes every policy, the one starting first after
    it (the customer's first cover; the handler checks the loss was not insured after it
    happened). A policy starting after the loss never wins over one that ended before
    it: a later policy cannot answer for an earlier loss, while the lapsed one is what
    the customer held. Ties on that day (two products ending together) are listed."""
    ended = [p for p in insured if _last_covered_day(p) < loss_date]
    if ended:
        last = max(_last_covered_day(p) for p in ended)
        return [p for p in ended if _last_covered_day(p) == last]
    later = [p for p in insured if p.period_start > loss_date]
    if later:
        first = min(p.period_start for p in later)
        return [p for p in later if p.period_start == first]
    return []


def product_of(session: Session, policy: Policy) -> ProductVersion:
    """The policy's product version with its coverages and product, in one query."""
    return product_versions.version_with_coverages(session, version_id=policy.product_version_id)


def major_reasons(data: ReportIn, *, limits: Thresholds) -> list[str]:
    """CLM-R4 by the configured rule; each reason names its threshold. The amount is the
    one in force at report time (thresholds versions)."""
    # SPEC CLM-R4
    cfg = rules()
    reasons = []
    if data.casualties >= cfg.major_casualties:
        reasons.append(f"casualties {data.casualties} >= {cfg.major_casualties}")
    if data.estimated_amount is not None and data.estimated_amount > limits.major_amount:
        reasons.append(f"estimated amount {data.estimated_amount} > {limits.major_amount}")
    if data.group_incident:
        reasons.append("group incident")
    return reasons


# The earliest date of loss accepted: no policy in any system predates it, and anything
# earlier is a typing error (0001-01-01), not a loss (GEN-6).
EARLIEST_LOSS_DATE = dt.date(1900, 1, 1)


def check_loss_date(loss_date: dt.date, *, today: dt.date) -> None:
    """A loss is reported after it happened: not after today (local, from the app clock),
    not before 1900. A date after the policy's end is accepted: it is judged
    ``not_in_force`` at assessment."""
    if loss_date > today:
        raise LossDateInFuture(field="loss_date", today=today.isoformat())
    if loss_date < EARLIEST_LOSS_DATE:
        raise LossDateTooEarly(field="loss_date", earliest=EARLIEST_LOSS_DATE.isoformat())


@dataclass(frozen=True)
class LossOutsidePeriod:
    """A loss dated outside the policy's cover (GEN-2: local dates, both ends covered):
    outside its period, or on or after the day a termination (POL-3: surrender,
    cancellation) took effect — ``rules.cover``, the automatic check's rule too.

    Not a reason to refuse the report: the insurer must receive every report and answer
    it — a loss outside the cover is declined by a written decision (CLM-C1, CLM-V3,
    Insurance Law art. 24), not by refusing to record it. The report is taken, the flag
    written on its trail, and the handler shown it on the claim (and in the API's
    ``intake_flags``) from the first moment, before any check runs."""

    loss_date: dt.date
    period_start: dt.date
    period_end: dt.date
    # Set when a termination, not the period's end, ended the cover before the loss.
    terminated_on: dt.date | None = None

    code = "loss_outside_policy_period"

    def message(self, language: str) -> str:
        zh = language.lower().startswith("zh")
        words = {
            "loss": formatting.local_date(self.loss_date, language),
            "start": formatting.local_date(self.period_start, language),
            "end": formatting.local_date(self.period_end, language),
        }
        if self.terminated_on is not None:
            words["terminated"] = formatting.local_date(self.terminated_on, language)
            if zh:
                text = (
                    "出险日期 {loss} 在保单解除生效日 {terminated} 当日或之后（保险期间 {start} 至 "
                    "{end}），保单已不再承保。报案已登记：请向报案人核实日期；日期无误的，按保险期间外"
                    "出险作出书面决定。"
                )
            else:
                text = (
                    "The date of loss, {loss}, is on or after the day the policy's termination "
                    "took effect, {terminated} (policy period {start} to {end}): the policy no "
                    "longer covered it. The report is recorded: check the date with the "
                    "reporter; if it is right, decide in writing that the loss is outside the "
                    "cover."
                )
            return text.format(**words)
        if zh:
            text = (
                "出险日期 {loss} 不在保单的保险期间（{start} 至 {end}）内。报案已登记：请向报案人"
                "核实日期；日期无误的，按保险期间外出险作出书面决定。"
            )
        else:
            text = (
                "The date of loss, {loss}, is outside the policy period ({start} to {end}). "
                "The report is recorded: check the date with the reporter; if it is right, "
                "decide in writing that the loss is outside the cover."
            )
        return text.format(**words)

    def details(self) -> dict[str, str]:
        found = {
            "loss_date": self.loss_date.isoformat(),
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
        }
        if self.terminated_on is not None:
            found["terminated_on"] = self.terminated_on.isoformat()
        return found


def loss_outside_period(
    loss_date: dt.date,
    *,
    period_start: dt.date,
    period_end: dt.date,
    terminated_on: dt.date | None = None,
) -> LossOutsidePeriod | None:
    """The flag when the policy does not cover the loss date (``rules.cover.covers``:
    outside the period, both days included, or on or after a termination's effective
    date), or None. The termination is named when it, not the period, is the reason."""
    if cover.covers(
        loss_date, period_start=period_start, period_end=period_end, terminated_on=terminated_on
    ):
        return None
    ended = (
        terminated_on
        if cover.ended_by_termination(period_end, terminated_on)
        and period_start <= loss_date <= period_end
        else None
    )
    return LossOutsidePeriod(loss_date, period_start, period_end, ended)


def loss_outside_cover(policy: PolicyRef | Policy, loss_date: dt.date) -> LossOutsidePeriod | None:
    """:func:`loss_outside_period` of a policy's period and termination."""
    return loss_outside_period(
        loss_date,
        period_start=policy.period_start,
        period_end=policy.period_end,
        terminated_on=policy.terminated_on,
    )


def report_of(body: ReportCreate) -> ReportIn:
    """The report as the API and the pages receive it (``ReportCreate``)."""
    given = body.reporter
    return ReportIn(
        **body.model_dump(exclude={"coverage_codes", "reporter"}),
        coverage_codes=tuple(body.coverage_codes),
        reporter_name=given.name if given else None,
        reporter_relationship=given.relationship if given else None,
        reporter_phone=given.phone if given else None,
    )


@dataclass(frozen=True)
class Reported:
    """The claim a report created, with its checklist and clocks as written (the
    response is built from them: nothing is read back)."""

    claim: Claim
    policy: PolicyRef
    checklist: list[ChecklistItem]
    clocks: list[PlannedClock]


def report_claim(session: Session, *, actor: Principal, data: ReportIn) -> Claim:
    return report(session, actor=actor, data=data).claim


def report(session: Session, *, actor: Principal, data: ReportIn) -> Reported:
    entered_at = timeutil.now()
    received_at = data.received_at or entered_at
    if received_at > entered_at:
        raise ReceivedAfterEntry(field="received_at")
    check_loss_date(data.loss_date, today=local_date(entered_at))
    reporter = reporter_of(data, actor=actor)
    # The product version, thresholds and calendar come from per-process caches whose
    # keys are read in one statement (issue 14 item 2), with the policy when it is named
    # by its number. On PostgreSQL the same statement takes the report's number (a report
    # refused after it leaves a gap in the day's numbers, as a rolled-back one always did).
    day = local_date(entered_at)
    policy, keys = _policy_and_keys(session, actor=actor, data=data, day=day)
    version = products.version_terms(
        session, version_id=policy.product_version_id, key=keys.product
    )
    load_calendar(session, version=keys.calendar)  # the clocks' calendar, this transaction
    coverages = list(version.coverages)
    # A code named twice is one coverage: duplicates are dropped, first order kept (as
    # when coverages are fixed at acceptance).
    codes = list(dict.fromkeys(data.coverage_codes)) or [c.code for c in coverages]
    known = {c.code: c for c in coverages}
    for index, code in enumerate(codes):
        if code not in known:
            raise UnknownCoverage(field=f"coverage_codes.{index}", code=code)
    limits = thresholds.in_force(session, at=entered_at, newest=keys.thresholds)
    reasons = major_reasons(data, limits=limits)
    # Written at once by workflow.open_claim (db.insert_new_with): built without the
    # ORM's per-attribute events (db.new_object), the row the same (issue 14).
    claim = new_object(
        Claim,
        number=next_number(session, day, drawn=keys.number),
        state=workflow.REPORTED,
        policy_id=policy.id,
        coverage_codes=codes,
        line=version.line,
        channel=data.channel,
        insured_person_id=policy.insured_id,
        claimant_name=data.claimant_name,
        claimant_relationship=data.claimant_relationship,
        contact_phone=data.contact_phone,
        reporter_name=reporter.name if reporter else None,
        reporter_relationship=reporter.relationship if reporter else None,
        reporter_phone=reporter.phone if reporter else None,
        loss_date=data.loss_date,
        loss_at=data.loss_at,
        loss_place=data.loss_place,
        loss_cause=data.loss_cause,
        loss_overview=data.loss_overview,
        estimated_amount=data.estimated_amount,
        casualties=data.casualties,
        group_incident=data.group_incident,
        is_major=bool(reasons),
        major_reasons=reasons,
        received_at=received_at,
        entered_at=entered_at,
        entered_by_id=actor.user_id,
        org_unit_id=policy.org_unit_id or actor.org_unit_id,
    )
    # The report row of the table (workflow.open_claim writes the claim with it): entry
    # clock from receipt to entry, review clocks from receipt, the customer told once
    # (dedupe key per claim and template). The checklist is written with the claim.
    starts = {name: received_at for name in ("claim.report_entry", *workflow.REVIEW_CLOCKS)}
    checklist = _checklist_rows([known[c] for c in codes])
    details: dict[str, Any] = {
        "channel": data.channel,
        "policy_id": policy.id,
        "major": bool(reasons),
    }
    outside = loss_outside_cover(policy, data.loss_date)
    if outside is not None:
        details[outside.code] = outside.details()
    clocks = workflow.open_claim(
        session,
        claim=claim,
        action="report",
        actor=actor,
        at=entered_at,
        clock_times=starts,
        details=details,
        rows=[(Material, "claim_id", checklist)],
    )
    if reasons:
        supervisors = notify.escalate_to_supervisors(session, claim=claim, reasons=reasons)
        record(
            session,
            actor=actor,
            action="claim.major_escalated",
            entity_type="claim",
            entity_id=claim.id,
            at=entered_at,
            details={"reasons": reasons, "supervisors": supervisors},
        )
    return Reported(
        claim=claim, policy=policy, checklist=[_item_of(row) for row in checklist], clocks=clocks
    )


class MaterialsOf(Protocol):
    """A coverage as the checklist reads it (a Coverage row or its cached terms)."""

    @property
    def type(self) -> str: ...
    @property
    def materials_added(self) -> Sequence[str]: ...
    @property
    def materials_dropped(self) -> Sequence[str]: ...


def checklist_codes(coverages: Sequence[MaterialsOf]) -> list[str]:
    """CLM-A1: the union of the coverages' material lists (PRD-4), product changes
    applied, in the coverages' order."""
    codes: list[str] = []
    for coverage in coverages:
        for code in effective_materials(
            coverage.type, coverage.materials_added, coverage.materials_dropped
        ):
            if code not in codes:
                codes.append(code)
    return codes


@dataclass(frozen=True)
class ChecklistItem:
    """A checklist row as the report wrote it, what the response shows of it: nothing of
    a new checklist is read back in the report's transaction, so no ORM object is built
    for it (issue 14)."""

    code: str
    origin: str
    received: bool
    received_at: dt.datetime | None
    paper_count: int
    original_checked_by_id: int | None
    review_result: str | None


def _checklist_rows(coverages: Sequence[MaterialsOf]) -> list[dict[str, Any]]:
    """The checklist's rows (CLM-A1), claim_id left for open_claim to set: nothing of a
    new checklist is read back, so no ORM object is built for it (issue 14)."""
    return [new_row(Material, code=code, origin="checklist") for code in checklist_codes(coverages)]


def _item_of(row: dict[str, Any]) -> ChecklistItem:
    return ChecklistItem(
        code=row["code"],
        origin=row["origin"],
        received=row["received"],
        received_at=row["received_at"],
        paper_count=row["paper_count"],
        original_checked_by_id=row["original_checked_by_id"],
        review_result=row["review_result"],
    )
