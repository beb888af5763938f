"""Reads of the checks domain: configuration versions, hits, and the facts a run needs.

Everything a check reads is gathered here into the plain dataclasses of
claimdesk.rules.checks.types; contacts leave as keyed hashes only (SEC-1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Date, case, func, literal, or_, select, update
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Role
from claimdesk.checks import receipts
from claimdesk.models.check import CheckConfigVersion, CheckHit
from claimdesk.models.claim import Claim, FraudFlag, MaterialFile
from claimdesk.models.person import BankAccount, Person
from claimdesk.models.policy import FAMILY_RELATIONSHIPS, Policy, PolicyBeneficiary
from claimdesk.models.product import Coverage
from claimdesk.models.user import User, UserRole
from claimdesk.rules.adjudication.types import MEDICAL_COVERAGE_TYPES
from claimdesk.rules.checks.types import (
    CheckInput,
    ClaimFacts,
    ContactLink,
    GroupVisit,
    InsuredFacts,
    ItemPrice,
    ItemQuery,
    LineUse,
    PastClaim,
    PeerQuery,
    PolicyFacts,
    ProviderVisit,
    Receipt,
)
from claimdesk.rules.deadlines import local_date

# How far the history of one diagnosis group or loss cause reaches back for the amount
# statistics (newest first).
DIAGNOSIS_HISTORY = 2000
# How many earlier lines of one national item code the item comparison reads (newest
# first): an item's usual price is settled long before this, and a common item (a
# consultation) is on most bills — its whole history would grow with the book.
ITEM_HISTORY = 200
# Wide enough for any configured provider window (rules.checks caps it at 90 days).
PROVIDER_WINDOW = dt.timedelta(days=90)
# The book's claim rate (claim_frequency's prior) is taken over this many days before the
# claim's report day, and computed once per day and database in a process: it moves
# slowly, and it reads every claim and policy of the year — too much for every claim.
BOOK_YEAR = 365
_BOOK_RATES: dict[tuple[str, dt.date], Decimal | None] = {}


def current_configs(session: Session) -> dict[str, CheckConfigVersion]:
    """The latest version of each check's configuration."""
    latest = (
        select(CheckConfigVersion.code, func.max(CheckConfigVersion.version).label("v"))
        .group_by(CheckConfigVersion.code)
        .subquery()
    )
    rows = session.scalars(
        select(CheckConfigVersion).join(
            latest,
            (CheckConfigVersion.code == latest.c.code) & (CheckConfigVersion.version == latest.c.v),
        )
    )
    return {row.code: row for row in rows}


def config_history(session: Session, *, code: str) -> list[CheckConfigVersion]:
    return list(
        session.scalars(
            select(CheckConfigVersion)
            .where(CheckConfigVersion.code == code)
            .order_by(CheckConfigVersion.version)
        )
    )


def hits_of(session: Session, *, claim_id: int) -> list[CheckHit]:
    return list(
        session.scalars(select(CheckHit).where(CheckHit.claim_id == claim_id).order_by(CheckHit.id))
    )


def findings_of(session: Session, *, claim_id: int) -> dict[tuple[str, str], CheckHit]:
    """The claim's recorded findings by (check, finding key): one row each, the key read
    from its column (unique per claim and check, on every row since migration 0044), not
    worked out again from the evidence. The rows are read whole: a finding found again
    compares its evidence and reasons (checks.service._refresh), and reading those later,
    deferred, cost a statement each (6 findings found again: 5–8 ms against 0.9 ms)."""
    return {(row.check_code, row.finding_key): row for row in hits_of(session, claim_id=claim_id)}


def hit_keys(session: Session, *, claim_id: int) -> set[tuple[str, str]]:
    rows = session.execute(
        select(CheckHit.check_code, CheckHit.finding_key).where(CheckHit.claim_id == claim_id)
    )
    return {(code, key) for code, key in rows}


def claims_with_hits(session: Session, *, after: int, limit: int) -> list[int]:
    """The ids of claims with hits, after ``after``, in id order (the repair's batches)."""
    return list(
        session.scalars(
            select(CheckHit.claim_id)
            .where(CheckHit.claim_id > after)
            .group_by(CheckHit.claim_id)
            .order_by(CheckHit.claim_id)
            .limit(limit)
        )
    )


def count_claims_with_hits(session: Session) -> int:
    return session.scalar(select(func.count(func.distinct(CheckHit.claim_id)))) or 0


def flags_by_id(session: Session, *, ids: set[int]) -> dict[int, FraudFlag]:
    if not ids:
        return {}
    return {f.id: f for f in session.scalars(select(FraudFlag).where(FraudFlag.id.in_(ids)))}


def lock_claim(session: Session, *, claim_id: int) -> Claim | None:
    return session.scalars(select(Claim).where(Claim.id == claim_id).with_for_update()).first()


def claim_to_check(session: Session, *, claim_id: int) -> Claim:
    """The claim a checks run is about, its row taken for the run (NoResultFound when it
    is gone: a run is only queued for a claim that exists)."""
    return session.scalars(select(Claim).where(Claim.id == claim_id).with_for_update()).one()


def claim_ids_of_insured(session: Session, *, person_id: int) -> set[int]:
    """The claims whose insured is the person (CLM-F3: the network's claimant hop)."""
    return set(session.scalars(select(Claim.id).where(Claim.insured_person_id == person_id)))


def account_last4(session: Session, *, key_hash: str) -> str | None:
    """The last four digits of a bank account known by its keyed hash (the network shows
    an account masked, never in clear)."""
    query = select(BankAccount.account_last4).where(BankAccount.account_hash == key_hash)
    return session.scalars(query).first()


def claim_number(session: Session, *, claim_id: int, lock: bool) -> str | None:
    """The claim's number, its row taken when ``lock``. Only the columns every schema
    since the checks began has: ``checks dedupe-hits`` runs on the schema before 0044,
    where a column a later migration adds to claims does not exist yet."""
    query = select(Claim.number).where(Claim.id == claim_id)
    return session.scalars(query.with_for_update() if lock else query).first()


def lock_insured(session: Session, *, person_id: int) -> None:
    """Take the insured's row (FOR NO KEY UPDATE: a new claim's foreign key to it, FOR KEY
    SHARE, is not held up). A checks run takes it before it reads anything, the automatic
    look before it reads the jobs table: a run that finds the insured's claims a series
    (claim_frequency, just_under_limit) and queues an earlier claim's re-check by job —
    that claim's row held by its look — commits before the look reads the jobs, or reads
    after the look has decided. Without it the look could read the jobs before the run's
    job was committed and pay past the re-check (tests/claims/automatic/
    test_series_race.py). Waited for only after the claim's own row, and only for that
    claim's insured: a second insured is taken without waiting (``try_lock_insured``).
    The lock order is claim → insured → policy (docs/architecture.md)."""
    session.execute(select(Person.id).where(Person.id == person_id).with_for_update(key_share=True))


def try_lock_insured(session: Session, *, person_id: int) -> bool:
    """Take another claim's insured without waiting (SKIP LOCKED): True when this
    transaction holds the row now (it may have held it already). A run passing a copy on
    to a claim of a second insured waited for that insured's row while holding its own;
    two runs passing copies to each other's insured deadlocked (tests/checks/
    test_lock_order.py). On SQLite the writer holds the whole database: always True."""
    taken = session.execute(
        select(Person.id)
        .where(Person.id == person_id)
        .with_for_update(key_share=True, skip_locked=True)
    ).first()
    return taken is not None


def try_lock_claim(session: Session, *, claim_id: int) -> tuple[Claim | None, bool]:
    """Lock the claim without waiting: (claim, True), or (None, True) when there is no
    such claim, or (None, False) when another transaction holds it (SKIP LOCKED; on
    SQLite, whose writer holds the whole database, a claim is never held elsewhere)."""
    claim = session.scalars(
        select(Claim).where(Claim.id == claim_id).with_for_update(skip_locked=True)
    ).first()
    if claim is not None:
        return claim, True
    exists = session.scalar(select(Claim.id).where(Claim.id == claim_id)) is not None
    return None, not exists


def config_version(session: Session, *, code: str, version: int) -> CheckConfigVersion | None:
    return session.scalars(
        select(CheckConfigVersion).where(
            CheckConfigVersion.code == code, CheckConfigVersion.version == version
        )
    ).first()


def investigators(session: Session, *, org_unit_id: int | None) -> list[User]:
    """Active fraud investigators of the unit; all of them when the claim has none or
    the unit has no investigator."""
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.FRAUD_INVESTIGATOR.value, User.is_active.is_(True))
        .order_by(User.id)
    )
    if org_unit_id is not None:
        found = list(session.scalars(query.where(User.org_unit_id == org_unit_id)))
        if found:
            return found
    return list(session.scalars(query))


def data_version(session: Session, *, claim: Claim) -> str:
    """What the claim's data are now: a new material file or receipt, or a changed
    amount, gives a new version (the job's dedupe key), the same data the same one."""
    files = session.scalars(
        select(MaterialFile.id).where(MaterialFile.claim_id == claim.id).order_by(MaterialFile.id)
    ).all()
    bills = receipts.receipt_ids_of_claim(session, claim.id)
    return _version_of(claim, list(files), bills)


def new_claim_version(*, claim: Claim) -> str:
    """data_version of a claim created in this transaction with no file or receipt yet
    (nothing to read: its data are the report's)."""
    return _version_of(claim, [], [])


def _version_of(claim: Claim, files: list[int], bills: list[int]) -> str:
    body = f"{claim.estimated_amount}|{claim.loss_date}|{files}|{bills}"
    return hashlib.sha256(body.encode()).hexdigest()[:32]


# -- the facts of one run --------------------------------------------------------------------


def _claimed_coverages(session: Session, claim: Claim, policy: Policy) -> list[Coverage]:
    coverages = session.scalars(
        select(Coverage).where(Coverage.version_id == policy.product_version_id)
    ).all()
    return [c for c in coverages if not claim.coverage_codes or c.code in claim.coverage_codes]


def _policy_facts(claim: Claim, policy: Policy, chosen: list[Coverage]) -> PolicyFacts:
    # The shortest waiting period of the claimed coverages: a report names every coverage
    # until acceptance narrows them, and a medical claim past the medical waiting period
    # must not be held for the critical-illness one.
    waiting = min((int(c.parameters.get("waiting_period_days", 0)) for c in chosen), default=0)
    return PolicyFacts(
        policy_id=policy.id,
        start=policy.period_start,
        end=policy.period_end,
        waiting_period_days=waiting,
        renewal=policy.previous_policy_id is not None,
        terminated_on=policy.terminated_on,
    )


def _families(session: Session, person_ids: set[int]) -> tuple[dict[int, int], set[frozenset[int]]]:
    """Each person's family among ``person_ids`` — the smallest id of the people linked to
    them through the policies they hold or are insured on — and the pairs a named
    beneficiary makes with a policy's holder and insured.

    A policy links its holder and its insured when the holder declared a family relation
    (the insured is the holder's spouse, child or parent: 投保人与被保险人关系, POL-1) or
    when none was recorded (a policy issued before 0041, read as it was until then); a
    holder who bought as "other" (an employer, an organiser buying for recruits) links
    nobody. Links chain: a parent who bought both children's policies makes the children
    one family, an older parent bought for by the child joins the child's. A beneficiary
    is related to the people of that policy as before, but chains nothing: an organiser
    named beneficiary on his recruits' policies must not make them one family. A ring's
    organiser who buys for unrelated people must declare a false family relation to be
    linked — a misrepresentation on the form (docs/architecture.md)."""
    parent: dict[int, int] = {}

    def find(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    pairs: set[frozenset[int]] = set()
    if person_ids:
        columns = (Policy.policyholder_id, Policy.insured_id, Policy.insured_relationship)
        for holder, insured, relation in session.execute(
            select(*columns).where(
                or_(Policy.policyholder_id.in_(person_ids), Policy.insured_id.in_(person_ids))
            )
        ):
            if relation is None or relation in FAMILY_RELATIONSHIPS:
                parent[find(holder)] = find(insured)
        for person, holder, insured, _relation in session.execute(
            select(PolicyBeneficiary.person_id, *columns)
            .join(Policy, Policy.id == PolicyBeneficiary.policy_id)
            .where(PolicyBeneficiary.person_id.in_(person_ids))
        ):
            pairs.update((frozenset((person, holder)), frozenset((person, insured))))
    smallest: dict[int, int] = {}
    for person in sorted(person_ids):
        smallest.setdefault(find(person), person)
    return {person: smallest[find(person)] for person in person_ids}, pairs


def claimant_hashes(session: Session, *, claim: Claim, person: Person) -> list[tuple[str, str]]:
    """(kind, keyed hash) of the claimant's phones and bank accounts."""
    found = set()
    if person.phone_hash:
        found.add(("phone", person.phone_hash))
    if claim.contact_phone_hash:
        found.add(("phone", claim.contact_phone_hash))
    for account_hash in session.scalars(
        select(BankAccount.account_hash).where(BankAccount.person_id == person.id)
    ):
        found.add(("bank_account", account_hash))
    return sorted(found)


def people_sharing(session: Session, *, kind: str, key_hash: str, not_id: int) -> list[int]:
    """Other people reached through the contact: a phone registered on their record or
    given as the contact phone of one of their claims (its blind index), an account."""
    return sorted(sharers(session, kind=kind, key_hash=key_hash, not_id=not_id))


def sharers(session: Session, *, kind: str, key_hash: str, not_id: int) -> dict[int, bool]:
    """people_sharing, each with whether the contact is registered on their record (their
    phone, one of their bank accounts) rather than only given on one of their claims."""
    if kind == "phone":
        registered = select(Person.id).where(Person.phone_hash == key_hash, Person.id != not_id)
        contact = select(Claim.insured_person_id).where(
            Claim.contact_phone_hash == key_hash, Claim.insured_person_id != not_id
        )
        on_record = set(session.scalars(registered))
        return {p: p in on_record for p in on_record | set(session.scalars(contact))}
    query = select(BankAccount.person_id).where(
        BankAccount.account_hash == key_hash, BankAccount.person_id != not_id
    )
    return dict.fromkeys(session.scalars(query), True)


def _contacts(session: Session, claim: Claim, person: Person) -> list[ContactLink]:
    """Everyone else the claimant's phones and accounts reach, claimant or not: a contact
    registered on the records of unrelated people who have no claim yet is how a ring
    shows before its first claim (rules.checks.shared_contact counts them apart)."""
    links = []
    for kind, key_hash in claimant_hashes(session, claim=claim, person=person):
        others = sharers(session, kind=kind, key_hash=key_hash, not_id=person.id)
        if not others:
            continue
        everyone = {person.id, *others}
        families, named = _families(session, everyone)
        names = _holder_names(session, kind, key_hash)
        names.setdefault(person.id, set())
        # One read for everyone's claims: a phone on many records (an agent's, say) costs
        # one query, not one per record.
        claims_of: dict[int, list[int]] = {other: [] for other in others}
        for owner, cid in session.execute(
            select(Claim.insured_person_id, Claim.id)
            .where(Claim.insured_person_id.in_(list(others)))
            .order_by(Claim.id)
        ):
            claims_of[owner].append(cid)
        for other, registered in sorted(others.items()):
            claim_ids = tuple(claims_of[other])
            # Related: one family through the policies (see _families) — a parent who
            # bought the children's policies and gave one phone, a child who bought the
            # parent's — or a beneficiary of the other's policy (or the other of ours).
            # Others are counted by family (rules.checks.shared_contact).
            related = (
                families[other] == families[person.id] or frozenset((person.id, other)) in named
            )
            renamed = kind == "bank_account" and bool(names.get(other, set()) - names[person.id])
            links.append(
                ContactLink(
                    kind,
                    key_hash,
                    other,
                    claim_ids,
                    related,
                    registered,
                    renamed,
                    claimant_registered=kind == "phone" and person.phone_hash == key_hash,
                    family=families[other],
                )
            )
    return links


def _holder_names(session: Session, kind: str, key_hash: str) -> dict[int, set[str]]:
    """The holder names an account number is registered under, per person (none for a
    phone)."""
    found: dict[int, set[str]] = {}
    if kind != "bank_account":
        return found
    for person_id, name in session.execute(
        select(BankAccount.person_id, BankAccount.holder_name).where(
            BankAccount.account_hash == key_hash
        )
    ):
        found.setdefault(person_id, set()).add(name.strip())
    return found


def _insured_claims(session: Session, claim: Claim) -> list[PastClaim]:
    rows = session.execute(
        select(Claim.id, Claim.received_at, Claim.estimated_amount, Claim.loss_date).where(
            Claim.insured_person_id == claim.insured_person_id, Claim.id != claim.id
        )
    ).all()
    groups = receipts.diagnosis_groups_of_claims(session, [r[0] for r in rows])
    return [
        PastClaim(cid, local_date(at), amount, loss, groups.get(cid, ()))
        for cid, at, amount, loss in rows
    ]


def _diagnosis_visits(
    session: Session, claim: Claim, own: list[Receipt], past: list[PastClaim]
) -> dict[str, tuple[GroupVisit, ...]]:
    """Per diagnosis group of the claim's receipts — or, when they name none (no
    settlement statement, or the report before its bills), of the insured's claims of
    the year around it — the other insureds' claims of it treated in that year: read
    only when the insured has another claim in that year (no series of visits without
    one)."""
    since = claim.loss_date - dt.timedelta(days=BOOK_YEAR)
    recent = [c for c in past if since <= (c.loss_date or c.reported_on)]
    if not recent:
        return {}
    groups = {r.diagnosis_group for r in own if r.diagnosis_group}
    if not groups:
        # The rule takes the one its window's visits name; which visits are in the
        # window depends on its period, so every group of the year is read (a few).
        groups = {g for c in recent for g in c.diagnosis_groups}
    return {
        group: tuple(
            receipts.group_visits(session, group, since, claim.loss_date, claim.insured_person_id)
        )
        for group in sorted(groups)
    }


def _insured_policies(session: Session, claim: Claim, waiting: int) -> list[PolicyFacts]:
    """The insured's policies (renewals, other products): the days they were covered — a
    termination ends a policy's cover the day it takes effect (rules.cover, POL-3)."""
    rows = session.execute(
        select(
            Policy.id,
            Policy.period_start,
            Policy.period_end,
            Policy.previous_policy_id,
            Policy.terminated_on,
        ).where(Policy.insured_id == claim.insured_person_id)
    )
    return [
        PolicyFacts(
            pid, start, end, waiting, renewal=previous is not None, terminated_on=terminated_on
        )
        for pid, start, end, previous, terminated_on in rows
    ]


def book_rate(session: Session, *, day: dt.date) -> Decimal | None:
    """Claims per insured-year over the BOOK_YEAR days before ``day``: the claims treated
    then over the days the policies covered then (waiting periods included — a slight
    underestimate, on the side of a hit; none on or after a termination, rules.cover,
    POL-3). None while the book has no such day. Cached
    per database and day (clear_book_rates empties it)."""
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), day)
    if key not in _BOOK_RATES:
        if len(_BOOK_RATES) > 64:
            _BOOK_RATES.clear()
        _BOOK_RATES[key] = _book_rate(session, day)
    return _BOOK_RATES[key]


def clear_book_rates() -> None:
    _BOOK_RATES.clear()


def _last_covered_day(dialect: str) -> ColumnElement[Any]:
    """``rules.cover.last_covered_day`` in SQL: the day before a termination that takes
    effect within the period (the effective day is not covered, POL-3), else the
    period's end — so the book counts the days the claim checks call covered."""
    before: ColumnElement[Any]
    if dialect == "sqlite":
        before = func.date(Policy.terminated_on, "-1 day", type_=Date)
    else:
        before = Policy.terminated_on - 1  # PostgreSQL: date - integer is a date
    # NULL (not terminated) compares to nothing: the period's end.
    return case((Policy.terminated_on <= Policy.period_end, before), else_=Policy.period_end)


def _book_rate(session: Session, day: dt.date) -> Decimal | None:
    since, last = day - dt.timedelta(days=BOOK_YEAR), day - dt.timedelta(days=1)
    claims = session.scalar(
        select(func.count(Claim.id)).where(Claim.loss_date >= since, Claim.loss_date <= last)
    )
    dialect = session.get_bind().dialect.name
    stop = _last_covered_day(dialect)
    first = case((Policy.period_start > since, Policy.period_start), else_=literal(since, Date))
    end = case((stop < last, stop), else_=literal(last, Date))
    if dialect == "sqlite":
        days = func.julianday(end) - func.julianday(first) + 1
    else:
        days = end - first + 1  # PostgreSQL: date - date is a number of days
    # A policy terminated on its first day covers nothing (stop before its start).
    covered = session.scalar(
        select(func.sum(days)).where(
            Policy.period_start <= last, stop >= since, stop >= Policy.period_start
        )
    )
    if not covered:
        return None
    return (Decimal(claims or 0) * BOOK_YEAR / Decimal(str(covered))).quantize(Decimal("0.0001"))


def _peer_amounts(
    session: Session, claim: Claim, keys: set[str | None], by: str
) -> dict[str, tuple[Decimal, ...]]:
    """Per diagnosis group (``by="group"``) or setting (``by="setting"``) of the claim's
    receipts, the totals of earlier receipts of it on other claims (newest first)."""
    return {
        key: tuple(
            receipts.peer_totals(
                session,
                PeerQuery(claim.id, claim.received_at, DIAGNOSIS_HISTORY, **{by: key}),
            )
        )
        for key in sorted(k for k in keys if k)
    }


def _cause_amounts(session: Session, claim: Claim) -> list[Decimal]:
    """Amounts of earlier claims of the same line and loss cause: the amount check's
    group for a claim whose bills carry no diagnosis (or too few share it)."""
    return list(
        session.scalars(
            select(Claim.estimated_amount)
            .where(
                Claim.line == claim.line,
                Claim.loss_cause == claim.loss_cause,
                Claim.id != claim.id,
                Claim.estimated_amount.is_not(None),
                Claim.received_at <= claim.received_at,
            )
            .order_by(Claim.received_at.desc())
            .limit(DIAGNOSIS_HISTORY)
        )
    )


def _item_prices(
    session: Session, claim: Claim, own: list[Receipt]
) -> dict[str, tuple[ItemPrice, ...]]:
    """Earlier lines on other claims of each item code on the claim's receipts."""
    codes = tuple(sorted({line.item_code for r in own for line in r.lines if line.item_code}))
    return receipts.item_prices(
        session, ItemQuery(claim.id, claim.received_at, ITEM_HISTORY, codes)
    )


def _visits(session: Session, own: list[Receipt], claim: Claim) -> list[ProviderVisit]:
    found: list[ProviderVisit] = []
    for issuer in sorted({r.issuer for r in own}):
        days = [r.treatment_from or r.issued_on for r in own if r.issuer == issuer]
        found.extend(
            v
            for v in receipts.visits(
                session, issuer, min(days) - PROVIDER_WINDOW, max(days) + PROVIDER_WINDOW
            )
            if v.claim_id != claim.id
        )
    return found


def _book_days(session: Session, own: list[Receipt], claim: Claim) -> dict[dt.date, int]:
    """The book's claims per day around the claim's receipt days — the same days its
    provider visits are read for (PROVIDER_WINDOW): provider_cluster's book surge."""
    if not own:
        return {}
    days = [r.treatment_from or r.issued_on for r in own]
    return receipts.book_days(
        session, min(days) - PROVIDER_WINDOW, max(days) + PROVIDER_WINDOW, claim.id
    )


def _provider_lines(session: Session, own: list[Receipt], claim: Claim) -> list[LineUse]:
    """Lines of the other claims' receipts from this claim's providers on its days."""
    found: list[LineUse] = []
    for issuer, on in sorted({(r.issuer, r.issued_on) for r in own}):
        found.extend(u for u in receipts.lines_at(session, issuer, on) if u.claim_id != claim.id)
    return found


def gather(session: Session, *, claim: Claim) -> CheckInput:
    policy = session.get_one(Policy, claim.policy_id)
    person = session.get_one(Person, claim.insured_person_id)
    own = receipts.receipts_of_claim(session, claim.id)
    same: list[Receipt] = []
    for r in own:
        same.extend(
            x
            for x in receipts.find_receipts(session, r.receipt_code, r.number)
            if x.claim_id != claim.id
        )
    past = _insured_claims(session, claim)
    coverages = _claimed_coverages(session, claim, policy)
    policy_facts = _policy_facts(claim, policy, coverages)
    reported_on = local_date(claim.received_at)
    amount = sum((r.total for r in own), Decimal("0.00")) if own else claim.estimated_amount
    line_uses = receipts.lines_of_claims(session, [c.claim_id for c in past])
    provider_lines = _provider_lines(session, own, claim)
    return CheckInput(
        claim=ClaimFacts(
            claim_id=claim.id,
            policy_id=claim.policy_id,
            insured_id=claim.insured_person_id,
            reported_on=reported_on,
            loss_date=claim.loss_date,
            amount=amount,
            diagnosis=claim.loss_cause,
            received_at=claim.received_at,
            # A claim of a medical coverage has bills to come: its report's amount is an
            # estimate until they arrive.
            bills_expected=any(c.type in MEDICAL_COVERAGE_TYPES for c in coverages),
        ),
        policy=policy_facts,
        insured=InsuredFacts(person.id, person.gender, person.birth_date),
        receipts=tuple(own),
        same_receipts=tuple(same),
        line_uses=tuple(line_uses),
        provider_lines=tuple(provider_lines),
        contacts=tuple(_contacts(session, claim, person)),
        provider_visits=tuple(_visits(session, own, claim)),
        book_days=_book_days(session, own, claim),
        insured_claims=tuple(past),
        insured_policies=tuple(_insured_policies(session, claim, policy_facts.waiting_period_days)),
        diagnosis_visits=_diagnosis_visits(session, claim, own, past),
        book_rate=book_rate(session, day=reported_on),
        cause_amounts=tuple(_cause_amounts(session, claim)),
        diagnosis_amounts=_peer_amounts(session, claim, {r.diagnosis_group for r in own}, "group"),
        setting_amounts=_peer_amounts(session, claim, {r.setting for r in own}, "setting"),
        item_prices=_item_prices(session, claim, own),
        claims_received=_received(
            session,
            {r.claim_id for r in same}
            | {u.claim_id for u in line_uses}
            | {u.claim_id for u in provider_lines},
        ),
    )


def _received(session: Session, claim_ids: set[int]) -> dict[int, dt.datetime]:
    """When each of the claims was reported (duplicate_receipt: who came first)."""
    if not claim_ids:
        return {}
    rows = session.execute(
        select(Claim.id, Claim.received_at).where(Claim.id.in_(sorted(claim_ids)))
    )
    return {cid: at for cid, at in rows}


def record_outcome(
    session: Session, *, fraud_flag_id: int, outcome: str, by: int | None, at: Any
) -> None:
    """The outcome of the hits that raised a flag, once (a hit's first outcome stays)."""
    session.execute(
        update(CheckHit)
        .where(CheckHit.fraud_flag_id == fraud_flag_id, CheckHit.outcome.is_(None))
        .values(outcome=outcome, outcome_by_id=by, outcome_at=at)
    )
