"""Reads of bills (CLM-T1). The claim itself is always loaded through the row-filtered
claims repository first; these functions take a claim id the caller may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    CTE,
    CompoundSelect,
    Integer,
    Select,
    String,
    bindparam,
    column,
    distinct,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, selectinload

from claimdesk.crypto.indexes import PURPOSE_DIAGNOSIS_GROUP
from claimdesk.crypto.keyring import blind_index
from claimdesk.models.bill import Bill, BillLine
from claimdesk.models.claim import Claim, Material
from claimdesk.models.person import Person
from claimdesk.rules.bills import receipt_key


def person_name(session: Session, *, person_id: int) -> str | None:
    """The name on record of a person (the claim's insured, whom a receipt must name)."""
    return session.scalar(select(Person.name).where(Person.id == person_id))


def checklist_item(session: Session, *, claim_id: int, code: str) -> Material | None:
    """The claim's checklist item of ``code`` (CLM-A1), if the checklist has one."""
    query = select(Material).where(Material.claim_id == claim_id, Material.code == code)
    return session.scalars(query).one_or_none()


def bills_of(session: Session, *, claim_id: int) -> list[Bill]:
    return list(
        session.scalars(
            select(Bill)
            .where(Bill.claim_id == claim_id)
            .options(selectinload(Bill.lines))
            .order_by(Bill.id)
        )
    )


def bill_ids_of_claim(session: Session, *, claim_id: int) -> Sequence[int]:
    return session.scalars(select(Bill.id).where(Bill.claim_id == claim_id)).all()


def bills_with_lines_of_claims(session: Session, *, claim_ids: Sequence[int]) -> list[Bill]:
    """The bills of the claims with their lines loaded (the checks' line uses)."""
    query = select(Bill).where(Bill.claim_id.in_(claim_ids)).options(selectinload(Bill.lines))
    return list(session.scalars(query))


def bills_with_lines_at(session: Session, *, issuer: str, on: dt.date) -> list[Bill]:
    """The bills a provider issued on a day, with their lines loaded."""
    # ix_claim_bills_issuer_name_issue_date
    query = (
        select(Bill)
        .where(Bill.issuer_name == issuer, Bill.issue_date == on)
        .options(selectinload(Bill.lines))
    )
    return list(session.scalars(query))


def provider_visits(
    session: Session, *, issuer: str, start: dt.date, end: dt.date
) -> list[tuple[int, int, dt.date, int]]:
    """(claim, insured, day, policy) of each bill a provider issued between two days."""
    query = (
        select(Bill.claim_id, Claim.insured_person_id, Bill.issue_date, Claim.policy_id)
        .join(Claim, Claim.id == Bill.claim_id)
        .where(Bill.issuer_name == issuer, Bill.issue_date.between(start, end))
    )
    return [(cid, pid, on, policy) for cid, pid, on, policy in session.execute(query)]


def claims_per_day(
    session: Session, *, start: dt.date, end: dt.date, not_claim_id: int
) -> dict[dt.date, int]:
    """How many claims (other than ``not_claim_id``) have a bill issued on each day."""
    # One aggregate over the days asked (a claim's receipt days ±90), one row a day,
    # read through ix_claim_bills_issue_date_claim_id (index-only once the table is
    # vacuumed on PostgreSQL): it costs the bills of those days, not the whole book's
    # (2 ms over 4 months of the 600-claim bench).
    query = (
        select(Bill.issue_date, func.count(distinct(Bill.claim_id)))
        .where(Bill.issue_date.between(start, end), Bill.claim_id != not_claim_id)
        .group_by(Bill.issue_date)
    )
    return {on: int(n) for on, n in session.execute(query)}


def on_claim(session: Session, *, claim_id: int, key: str) -> Bill | None:
    return session.scalars(
        select(Bill).where(Bill.claim_id == claim_id, Bill.receipt_key == key)
    ).one_or_none()


def find_receipts(session: Session, *, code: str, number: str) -> list[Bill]:
    """Every bill carrying this receipt (code + number), on any claim of any policy —
    for the duplicate-receipt check (CLM-F3). Uses ix_claim_bills_receipt_key; no row
    filter: the caller is a check, not a person reading claims."""
    return list(
        session.scalars(
            select(Bill).where(Bill.receipt_key == receipt_key(code, number)).order_by(Bill.id)
        )
    )


def peer_totals(
    session: Session,
    *,
    not_claim_id: int,
    until: dt.datetime,
    limit: int,
    group: str | None = None,
    setting: str | None = None,
) -> list[Decimal]:
    """Totals of the newest ``limit`` bills on other claims received by ``until``, of one
    diagnosis group (ICD-10 category and setting, rules.bills.diagnosis_group: found
    through its keyed hash, ix_claim_bills_dise_group_hash) or of one setting
    (outpatient | inpatient) — the amount check's comparison groups (CLM-F3). No row
    filter: the caller is a check."""
    query = select(Bill.total).join(Claim, Claim.id == Bill.claim_id)
    if group is not None:
        query = query.where(Bill.dise_group_hash == blind_index(group, PURPOSE_DIAGNOSIS_GROUP))
    if setting is not None:
        query = query.where(Bill.setting == setting)
    return list(
        session.scalars(
            query.where(Bill.claim_id != not_claim_id, Claim.received_at <= until)
            .order_by(Claim.received_at.desc(), Bill.id.desc())
            .limit(limit)
        )
    )


def diagnosis_groups_of_claims(
    session: Session, *, claim_ids: Sequence[int]
) -> list[tuple[int, str]]:
    """(claim id, diagnosis group) of the claims' bills that name a diagnosis (CLM-F3's
    claim frequency reads which diagnosis a burst of visits is for). No row filter: the
    caller is a check."""
    if not claim_ids:
        return []
    rows = session.execute(
        select(Bill.claim_id, Bill.dise_group).where(
            Bill.claim_id.in_(list(claim_ids)), Bill.dise_group_hash.is_not(None)
        )
    )
    return [(cid, group) for cid, group in rows if group]


def group_visits(
    session: Session,
    *,
    group: str,
    since: dt.date,
    until: dt.date,
    not_insured_id: int,
    limit: int,
) -> list[tuple[int, int, dt.date, bool]]:
    """(claim id, insured id, treatment date, named) of other insureds' visits of one
    diagnosis group treated in [since, until), in one statement (CLM-F3: how often that
    diagnosis's patients are treated). Named: the newest ``limit`` claims with a bill of
    the group (by its keyed hash, ix_claim_bills_dise_group_hash). Unnamed (``named``
    False): those patients' claims with no bill naming a diagnosis (no settlement
    statement, or no bill yet) treated strictly between their first and last named visit
    — the visits of a course whose statement is missing. Named first, newest first. No
    row filter: the caller is a check.

    One statement per group: the unnamed visits were a second query per group with the
    patients' ids bound in lists of 500 (several statements for a common diagnosis, each
    planned anew); here the patients and their spans are a CTE of the named visits."""
    named = _named_visits(
        group=group, since=since, until=until, not_insured_id=not_insured_id, limit=limit
    )
    rows = session.execute(
        union_all(
            select(named.c.claim_id, named.c.insured_id, named.c.treated_on, literal(1)),
            _course_gaps(named),
        )
    )
    found = [(cid, pid, on, bool(flag)) for cid, pid, on, flag in rows]
    found.sort(key=lambda v: (not v[3], -v[2].toordinal(), -v[0]))
    return found


def _named_visits(
    *, group: str, since: dt.date, until: dt.date, not_insured_id: int, limit: int
) -> CTE:
    """The newest ``limit`` visits of other insureds with a bill naming the group: (claim_id,
    insured_id, treated_on)."""
    return (
        select(
            Claim.id.label("claim_id"),
            Claim.insured_person_id.label("insured_id"),
            Claim.loss_date.label("treated_on"),
        )
        .join(Bill, Bill.claim_id == Claim.id)
        .where(
            Bill.dise_group_hash == blind_index(group, PURPOSE_DIAGNOSIS_GROUP),
            Claim.insured_person_id != not_insured_id,
            Claim.loss_date >= since,
            Claim.loss_date < until,
        )
        .distinct()
        .order_by(Claim.loss_date.desc(), Claim.id.desc())
        .limit(limit)
        .cte("named_visits")
    )


def _course_gaps(named: CTE) -> Select[int, int, dt.date, int]:
    """The named visits' patients' claims with no bill naming a diagnosis, treated
    strictly between their first and last named visit: (claim, insured, day, 0)."""
    # Each patient's first and last named visit; one named visit makes no course.
    spans = (
        select(
            named.c.insured_id,
            func.min(named.c.treated_on).label("first"),
            func.max(named.c.treated_on).label("last"),
        )
        .group_by(named.c.insured_id)
        .having(func.min(named.c.treated_on) < func.max(named.c.treated_on))
        .cte("course_spans")
    )
    names = select(Bill.id).where(Bill.claim_id == Claim.id, Bill.dise_group_hash.is_not(None))
    return (
        select(Claim.id, Claim.insured_person_id, Claim.loss_date, literal(0))
        .join(spans, spans.c.insured_id == Claim.insured_person_id)
        .where(Claim.loss_date > spans.c.first, Claim.loss_date < spans.c.last, ~names.exists())
    )


def item_history(
    session: Session,
    *,
    hashes: Sequence[str],
    not_claim_id: int,
    until: dt.datetime,
    limit: int,
) -> list[tuple[str, int, Decimal, Decimal]]:
    """(item code hash, claim id, unit price, amount) of the newest ``limit`` lines (the
    last stored) of each item code, by its keyed hash, on other claims received by
    ``until`` — the usual prices the amount check compares a bill's lines with (CLM-F3).
    One query for all the codes of a claim, each code read backwards along
    ix_claim_bill_lines_item_code_hash_id and cut at ``limit``, so a consultation on
    every bill of the book costs ``limit`` lines, not the book (a window over all of
    them read 6,000 lines and took 25 ms on the benchmark's small book). No row filter:
    the caller is a check.

    On PostgreSQL the codes are one array parameter and each is read by a LATERAL
    subquery: one statement text whatever the number of codes, planned once and then
    prepared by the driver (a UNION ALL of one branch per code was a new text, planned
    anew, for every count of codes). SQLite has no LATERAL: a branch per code there."""
    if not hashes:
        return []
    items = sorted(set(hashes))
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            _item_history_lateral(),
            {"hashes": items, "not_claim_id": not_claim_id, "until": until, "limit": limit},
        )
    else:
        rows = session.execute(_item_history_union(items, not_claim_id, until, limit))
    return [(item, cid, Decimal(price), Decimal(amount)) for item, cid, price, amount in rows]


_Lines = Select[str | None, int, Decimal, Decimal]


def _item_lines(item: Any, not_claim_id: Any, until: Any, limit: Any) -> _Lines:
    return (
        select(
            BillLine.item_code_hash.label("item"),
            Bill.claim_id.label("claim_id"),
            BillLine.unit_price.label("unit_price"),
            BillLine.amount.label("amount"),
        )
        .select_from(BillLine)
        .join(Bill, Bill.id == BillLine.bill_id)
        .join(Claim, Claim.id == Bill.claim_id)
        .where(
            BillLine.item_code_hash == item,
            Bill.claim_id != not_claim_id,
            Claim.received_at <= until,
        )
        .order_by(BillLine.id.desc())
        .limit(limit)
    )


@cache
def _item_history_lateral() -> Select[Any, Any, Any, Any]:
    """unnest(:hashes) AS codes(item) CROSS JOIN LATERAL (the newest :limit lines of
    codes.item): built once, its parameters bound at each call."""
    codes = (
        func.unnest(bindparam("hashes", type_=ARRAY(String)))
        .table_valued(column("item", String))
        .render_derived(name="codes")
    )
    latest = _item_lines(
        codes.c.item,
        bindparam("not_claim_id", type_=Bill.claim_id.type),
        bindparam("until", type_=Claim.received_at.type),
        bindparam("limit", type_=Integer),
    ).lateral("latest")
    return (
        select(latest.c.item, latest.c.claim_id, latest.c.unit_price, latest.c.amount)
        .select_from(codes)
        .join(latest, true())
    )


def _item_history_union(
    items: list[str], not_claim_id: int, until: dt.datetime, limit: int
) -> CompoundSelect[str | None, int, Decimal, Decimal]:
    # Each branch a subquery: SQLite takes no ORDER BY/LIMIT inside a bare compound.
    branches = [_item_lines(item, not_claim_id, until, limit).subquery() for item in items]
    return union_all(*(select(*branch.c) for branch in branches))
