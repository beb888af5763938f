"""A year of claims history for the demo, so that dashboards and scorecards say something.

Several thousand claims across the five lines and three branches, reported over the 365
days before the load, each carried as far as its age allows: most are closed, recent ones
are open in every state. Step times are drawn from realistic ranges with a heavy tail, so
some clocks breach; about one claim in twelve is rejected, a few are withdrawn; paid
claims carry callbacks and ratings, some customers complain.

Written with multi-row inserts (one statement per table and chunk) rather than replaying
every move through the services: replayed, a year of work takes minutes, and the demo
must load in seconds. The rows are the ones the services leave (claims, transitions,
clocks with deadlines from the stored calendar, reserves, review rounds and decisions,
surveys); complaints go through the service, since they are few. History rows get no
audit entry each — they are demonstration data, not evidence — one entry records the
load. Report numbers follow the live format; the day's ``claim_sequences`` row holds the
count, so live numbering on those days (backdated reports) starts above it.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth import repository as auth_repository
from claimdesk.auth.principal import Principal
from claimdesk.calendar.cache import load_calendar
from claimdesk.claims.intake.report import CHANNELS as REPORT_CHANNELS
from claimdesk.claims.workflow import CLOCKS
from claimdesk.crypto.indexes import PURPOSE_ID_NUMBER
from claimdesk.crypto.keyring import blind_index
from claimdesk.models.claim import Claim, ClaimSequence, ClaimTransition, Reserve
from claimdesk.models.clock import Clock
from claimdesk.models.org import OrgUnit
from claimdesk.models.payment import Payment
from claimdesk.models.person import Person
from claimdesk.models.policy import Policy
from claimdesk.models.product import Product, ProductVersion
from claimdesk.models.review import ReviewDecision, ReviewRound
from claimdesk.models.service import SatisfactionSurvey
from claimdesk.ops.bulk import copy_rows as _append
from claimdesk.ops.bulk import insert_rows as _insert
from claimdesk.rules.calendar import Calendar
from claimdesk.rules.deadlines import evaluate
from claimdesk.rules.identity import check_char
from claimdesk.service import service
from claimdesk.timeutil import local_zone

# The marker person's passport number: present means the history is loaded already.
MARKER_ID = "HIST0000000"
BRANCHES = ("BJ", "SH", "GD")
REGIONS = {"BJ": "110101", "SH": "310101", "GD": "440103"}
# line → (share of claims, coverage code, loss causes, amount range in yuan)
LINES: dict[str, tuple[float, str, tuple[str, ...], tuple[int, int]]] = {
    "health": (0.55, "medical", ("illness", "accident"), (300, 60000)),
    "accident": (0.18, "acc_medical", ("accident",), (500, 80000)),
    "critical_illness": (0.07, "ci", ("illness",), (100000, 500000)),
    "property": (0.13, "property", ("fire", "theft", "water", "weather"), (1000, 150000)),
    "liability": (0.07, "liability", ("liability",), (2000, 300000)),
}
PLACES = {
    "BJ": ("北京市朝阳区", "北京市海淀区", "北京市东城区"),
    "SH": ("上海市浦东新区", "上海市徐汇区", "上海市静安区"),
    "GD": ("广州市天河区", "深圳市南山区", "广州市越秀区"),
}
OVERVIEWS = {
    "illness": "住院治疗，出院后申请理赔。",
    "accident": "意外摔伤，门诊及住院治疗。",
    "fire": "厨房起火，部分家具及电器损毁。",
    "theft": "入室盗窃，丢失笔记本电脑及现金。",
    "water": "楼上水管破裂，室内地板及墙面受损。",
    "weather": "暴雨导致阳台及门窗损坏。",
    "liability": "店内顾客滑倒受伤，要求赔偿医疗费。",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩"
GROUNDS = ("exclusion", "not_covered", "non_disclosure", "other", "fraud")


@dataclass
class HistoryResult:
    claims: int = 0
    people: int = 0
    complaints: int = 0
    surveys: int = 0
    seconds: float = 0.0
    states: dict[str, int] = field(default_factory=dict)


@dataclass
class _Step:
    action: str
    to_state: str
    at: dt.datetime
    actor: str


@dataclass
class _Story:
    """One claim's history up to now: its moves, clocks and what review decided."""

    line: str
    amount: Decimal
    received: dt.datetime
    steps: list[_Step]
    clocks: list[dict[str, Any]] = field(default_factory=list)
    rejected_ground: str | None = None
    paid: Decimal | None = None

    @property
    def state(self) -> str:
        return self.steps[-1].to_state

    def at(self, action: str) -> dt.datetime | None:
        return next((s.at for s in self.steps if s.action == action), None)


def load_history(
    session: Session, *, actor: Principal, now: dt.datetime, claims: int = 3000, seed: int = 2026
) -> HistoryResult | None:
    """Write the history (None when it is there already). Deterministic for a seed."""
    if session.scalar(select(Person.id).where(Person.id_number_hash == _hash(MARKER_ID))):
        return None
    started = time.perf_counter()
    rng = random.Random(seed)
    units = {u.code: u.id for u in session.scalars(select(OrgUnit)) if u.code in BRANCHES}
    staff = _staff(session)
    versions = _versions(session)
    if len(units) < len(BRANCHES) or not versions or not staff:
        return HistoryResult()  # the demo's units, users and products come first
    people = _insert_people(session, rng, units, max(claims // 6, 20))
    policies = _insert_policies(session, rng, people, versions, now)
    calendar = load_calendar(session)
    stories = [_story(rng, now, calendar, line=_pick_line(rng)) for _ in range(claims)]
    stories.sort(key=lambda s: s.received)
    claim_ids = _insert_claims(session, rng, stories, policies, staff, units, now)
    _insert_children(session, stories, claim_ids, staff, units)
    _insert_payments(session, stories, claim_ids, staff)
    result = HistoryResult(claims=len(stories), people=len(people))
    result.surveys = _insert_surveys(session, rng, stories, claim_ids)
    result.complaints = _complaints(session, rng, stories, claim_ids, actor)
    for story in stories:
        result.states[story.state] = result.states.get(story.state, 0) + 1
    result.seconds = round(time.perf_counter() - started, 2)
    record(
        session,
        actor=actor,
        entity_type="demo",
        entity_id="history",
        action="demo.history_loaded",
        details={"claims": result.claims, "people": result.people, "seed": seed},
    )
    session.flush()
    return result


# -- reference data -----------------------------------------------------------------------


def _hash(number: str) -> str:
    return blind_index(number, PURPOSE_ID_NUMBER)


def _staff(session: Session) -> dict[str, tuple[int, str]]:
    """username → (user id, username) of the demo staff who act in the history."""
    names = ["handler", "adjuster", "reviewer1", "reviewer2", "reviewer3", "payment", "service"]
    names += [f"{role}.{b.lower()}" for role in ("surveyor", "assessor") for b in BRANCHES]
    found: dict[str, tuple[int, str]] = {}
    for name in names:
        user = auth_repository.get_user_by_username(session, username=name)
        if user is not None:
            found[name] = (user.id, name)
    return found if len(found) == len(names) else {}


def _versions(session: Session) -> dict[str, ProductVersion]:
    """The latest published version of each line's product."""
    rows = session.execute(
        select(Product.line, ProductVersion)
        .join(ProductVersion, ProductVersion.product_id == Product.id)
        .where(ProductVersion.published_at.is_not(None))
        .order_by(ProductVersion.id)
    ).all()
    return {line: version for line, version in rows if line in LINES}


def _pick_line(rng: random.Random) -> str:
    return rng.choices(list(LINES), weights=[v[0] for v in LINES.values()])[0]


def _resident_id(rng: random.Random, region: str, born: dt.date, female: bool) -> str:
    sequence = rng.randrange(0, 499) * 2 + (0 if female else 1)
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def _insert_people(
    session: Session, rng: random.Random, units: dict[str, int], count: int
) -> list[tuple[int, str, str]]:
    """(person id, name, branch) of the insureds; the first row is the load's marker."""
    rows: list[dict[str, Any]] = []
    branches: list[str] = []
    for i in range(count):
        branch = BRANCHES[i % len(BRANCHES)]
        female = rng.random() < 0.5
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
        number = MARKER_ID if i == 0 else _resident_id(rng, REGIONS[branch], born, female)
        rows.append(
            {
                "name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                "id_type": "passport" if i == 0 else "resident_id",
                "id_number": number,
                "id_number_hash": _hash(number),
                "id_number_last4": number[-4:],
                "birth_date": born,
                "gender": "F" if female else "M",
                "org_unit_id": units[branch],
            }
        )
        branches.append(branch)
    ids = _insert(session, Person, rows)
    return [(pid, row["name"], b) for pid, row, b in zip(ids, rows, branches, strict=True)]


def _insert_policies(
    session: Session,
    rng: random.Random,
    people: Sequence[tuple[int, str, str]],
    versions: dict[str, ProductVersion],
    now: dt.datetime,
) -> dict[str, list[tuple[int, int, str, str]]]:
    """line → [(policy id, insured id, insured name, branch)]: every insured holds a policy
    of each of two lines, in force for the whole history year."""
    today = now.astimezone(local_zone()).date()
    rows: list[dict[str, Any]] = []
    keys: list[tuple[str, int, str, str]] = []
    for person_id, name, branch in people:
        for line in rng.sample(["health", "health", *LINES], 2):
            if line in {k[0] for k in keys if k[1] == person_id}:
                continue
            version = versions[line]
            start = today - dt.timedelta(days=rng.randrange(370, 540))
            rows.append(
                {
                    "number": f"PH{start:%Y%m%d}{len(rows) + 1:07d}",
                    "product_version_id": version.id,
                    "policyholder_id": person_id,
                    "insured_id": person_id,
                    "insured_relationship": "self",
                    "period_start": start,
                    "period_end": start.replace(year=start.year + 2) - dt.timedelta(days=1),
                    "premium": Decimal(rng.randrange(300, 5000)),
                    # Codes of POLICY_CHANNELS: the pages say them in words.
                    "channel": rng.choice(("direct", "agency", "internet")),
                    "status": "in_force",
                    "issued_at": dt.datetime.combine(start, dt.time(2), tzinfo=dt.UTC),
                }
            )
            keys.append((line, person_id, name, branch))
    ids = _insert(session, Policy, rows)
    found: dict[str, list[tuple[int, int, str, str]]] = {line: [] for line in LINES}
    for pid, (line, person_id, name, branch) in zip(ids, keys, strict=True):
        found[line].append((pid, person_id, name, branch))
    for line in LINES:  # a line nobody drew still gets claims, on the first insured
        if not found[line]:
            found[line] = found["health"][:1] or next(v for v in found.values() if v)[:1]
    return found


# -- one claim's story --------------------------------------------------------------------


def _hours(rng: random.Random, low: float, high: float) -> dt.timedelta:
    """A step time: mostly in [low, high], one in ten three times as long (the tail
    that makes some clocks breach)."""
    value = rng.uniform(low, high) * (3.0 if rng.random() < 0.1 else 1.0)
    return dt.timedelta(hours=value)


def _received(rng: random.Random, now: dt.datetime) -> dt.datetime:
    day = now.astimezone(local_zone()).date() - dt.timedelta(days=rng.randrange(1, 366))
    local = dt.datetime.combine(day, dt.time(rng.randrange(8, 21), rng.randrange(60)))
    return local.replace(tzinfo=local_zone()).astimezone(dt.UTC)


def _story(rng: random.Random, now: dt.datetime, calendar: Calendar, *, line: str) -> _Story:
    low, high = LINES[line][3]
    amount = Decimal(round(rng.lognormvariate(0, 0.8) * (low + high) / 6)).max(Decimal(low))
    amount = amount.min(Decimal(high))
    received = _received(rng, now)
    story = _Story(line, amount, received, [_Step("report", "reported", received, "service")])
    _advance(rng, story, line=line, small=amount < 5000)
    story.steps = [s for s in story.steps if s.at < now]
    story.clocks = _clocks(rng, story, now, calendar)
    return story


def _advance(rng: random.Random, story: _Story, *, line: str, small: bool) -> None:
    """Append the moves a claim of this kind goes through, with their times."""
    steps = story.steps

    def move(action: str, to: str, delay: dt.timedelta, actor: str) -> None:
        steps.append(_Step(action, to, steps[-1].at + delay, actor))

    branch_actor = rng.choice(BRANCHES).lower()
    if rng.random() < 0.2:
        move("request_materials", "awaiting_materials", _hours(rng, 1, 20), "handler")
        move("materials_complete", "reported", _hours(rng, 24, 240), "handler")
    if rng.random() < 0.04:
        move("withdraw", "withdrawn", _hours(rng, 2, 72), "service")
        return
    move("accept", "accepted", _hours(rng, 0.5, 20), "handler")
    if line == "health" and small:
        move("skip_survey", "surveyed", _hours(rng, 0.1, 3), "handler")
    else:
        move("assign_surveyor", "accepted", _hours(rng, 0.1, 2), "handler")
        move("record_contact", "accepted", _hours(rng, 0.1, 0.9), f"surveyor.{branch_actor}")
        move("submit_survey", "surveyed", _hours(rng, 3, 26), f"surveyor.{branch_actor}")
    move("complete_assessment", "assessed", _hours(rng, 1, 20), f"assessor.{branch_actor}")
    move("complete_adjustment", "adjusted", _hours(rng, 0.5, 8), "adjuster")
    move("submit_review", "in_review", _hours(rng, 0.2, 4), "adjuster")
    reviewer = "reviewer1" if story.amount < 10000 else "reviewer2"
    if rng.random() < 0.08:
        story.rejected_ground = rng.choice(GROUNDS)
        move("reject", "rejected", _hours(rng, 2, 24), reviewer)
    elif rng.random() < 0.03:
        move("approve", "approved", _hours(rng, 1, 16), reviewer)
        move("conclude_without_payment", "decided", _hours(rng, 1, 12), reviewer)
    else:
        move("approve", "approved", _hours(rng, 1, 16), reviewer)
        story.paid = (story.amount * Decimal(rng.choice(("1", "0.9", "0.8", "0.7")))).quantize(
            Decimal("0.01")
        )
        move("pay", "paid", _hours(rng, 1, 30), "payment")
    move("close", "closed", _hours(rng, 48, 200), "reviewer1")


def _clocks(
    rng: random.Random, story: _Story, now: dt.datetime, calendar: Calendar
) -> list[dict[str, Any]]:
    """The claim clocks its moves started and stopped (claims.workflow.CLOCKS)."""
    received = story.received
    entered = received + dt.timedelta(minutes=rng.choice((8, 10, 12, 15, 20, 25, 30, 40, 55, 75)))
    spans: list[tuple[str, dt.datetime, dt.datetime | None]] = [
        ("claim.report_entry", received, entered)
    ]
    accepted = story.at("accept")
    decided = story.at("approve") or story.at("reject")
    if accepted is not None:
        spans.append(("claim.review", accepted, decided))
        spans.append(("claim.determination", accepted, decided))
        spans.append(("claim.payment_working", accepted, story.at("pay") or story.at("reject")))
    assigned = story.at("assign_surveyor")
    if assigned is not None:
        spans.append(("claim.survey_contact", assigned, story.at("record_contact")))
    paid = story.at("pay")
    if paid is not None:
        # The callback comes a few hours to days after payment; closing follows it.
        called = paid + _hours(rng, 2, 40)
        closed = story.at("close")
        if closed is not None and called >= closed:
            called = closed - dt.timedelta(minutes=30)
        spans.append(("claim.callback", paid, called))
    if story.at("reject") is not None:
        rejected = story.at("reject")
        assert rejected is not None
        spans.append(("claim.rejection_notice", rejected, rejected + _hours(rng, 1, 30)))
    rows = []
    for name, start, stop in spans:
        definition = CLOCKS[name]
        due = evaluate(definition.rule, start, calendar).due
        assert due is not None
        stopped = stop if stop is not None and stop < now else None
        late = (stopped or now) > due
        rows.append(
            {
                "subject_type": "claim",
                "name": name,
                "rule_type": definition.rule.type,
                "rule_n": definition.rule.n,
                "basis": definition.basis,
                "started_at": start,
                "due_at": due.astimezone(dt.UTC),
                "stopped_at": stopped,
                # The demo's stories stop a clock only when its step is done.
                "closed_reason": None if stopped is None else "completed",
                "breached_at": due.astimezone(dt.UTC) if late else None,
            }
        )
    return rows


# -- writing ------------------------------------------------------------------------------


def _numbers(session: Session, stories: Sequence[_Story]) -> list[str]:
    """BA + local day + sequence, each day continuing after what it issued already."""
    days = sorted({s.received.astimezone(local_zone()).date() for s in stories})
    issued = dict(
        session.execute(
            select(ClaimSequence.day, ClaimSequence.last_value).where(ClaimSequence.day.in_(days))
        ).all()
    )
    counters = dict(issued)
    numbers = []
    for story in stories:
        day = story.received.astimezone(local_zone()).date()
        counters[day] = counters.get(day, 0) + 1
        numbers.append(f"BA{day:%Y%m%d}{counters[day]:06d}")
    for day, last in counters.items():
        if day in issued:
            session.execute(
                update(ClaimSequence).where(ClaimSequence.day == day).values(last_value=last)
            )
        else:
            session.execute(insert(ClaimSequence).values(day=day, last_value=last))
    return numbers


def _insert_claims(
    session: Session,
    rng: random.Random,
    stories: Sequence[_Story],
    policies: dict[str, list[tuple[int, int, str, str]]],
    staff: dict[str, tuple[int, str]],
    units: dict[str, int],
    now: dt.datetime,
) -> list[int]:
    numbers = _numbers(session, stories)
    rows = []
    for story, number in zip(stories, numbers, strict=True):
        policy_id, person_id, name, branch = rng.choice(policies[story.line])
        story_branch = branch
        cause = rng.choice(LINES[story.line][2])
        running = [c["due_at"] for c in story.clocks if c["stopped_at"] is None]
        open_claim = story.state not in {"closed", "withdrawn"}
        accepted = story.at("accept")
        rows.append(
            {
                "number": number,
                "state": story.state,
                "policy_id": policy_id,
                "coverage_codes": [LINES[story.line][1]],
                "line": story.line,
                # The report's own channels: 'web' and 'counter' were no code of them and
                # showed raw on the claim page.
                "channel": rng.choice(REPORT_CHANNELS),
                "insured_person_id": person_id,
                "claimant_name": name,
                "claimant_relationship": "self",
                "loss_date": (story.received - dt.timedelta(days=rng.randrange(0, 10))).date(),
                "loss_place": rng.choice(PLACES[story_branch]),
                "loss_cause": cause,
                "loss_overview": OVERVIEWS.get(cause, "出险后报案。"),
                "estimated_amount": story.amount,
                "is_major": story.amount >= Decimal(200000),
                "major_reasons": ["amount"] if story.amount >= Decimal(200000) else [],
                "received_at": story.received,
                "entered_at": story.clocks[0]["stopped_at"] or story.received,
                "entered_by_id": staff["service"][0],
                "org_unit_id": units[story_branch],
                "handler_id": staff["handler"][0],
                "surveyor_id": staff[f"surveyor.{story_branch.lower()}"][0]
                if story.at("assign_surveyor")
                else None,
                "materials_complete_at": accepted,
                "accepted_at": accepted,
                "payable_total": story.paid,
                "next_due_at": min(running) if running and open_claim else None,
            }
        )
        story.clocks[0]["org_unit_id"] = units[story_branch]
    return _insert(session, Claim, rows)


def _insert_children(
    session: Session,
    stories: Sequence[_Story],
    claim_ids: Sequence[int],
    staff: dict[str, tuple[int, str]],
    units: dict[str, int],
) -> None:
    transitions: list[dict[str, Any]] = []
    clocks: list[dict[str, Any]] = []
    reserves: list[dict[str, Any]] = []
    rounds: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    for story, claim_id in zip(stories, claim_ids, strict=True):
        previous = ""
        for step in story.steps:
            transitions.append(
                {
                    "claim_id": claim_id,
                    "action": step.action,
                    "from_state": previous,
                    "to_state": step.to_state,
                    "at": step.at,
                    "actor_id": staff[step.actor][0],
                    "actor": step.actor,
                }
            )
            previous = step.to_state
        org = story.clocks[0].get("org_unit_id")
        clocks.extend({**c, "subject_id": str(claim_id), "org_unit_id": org} for c in story.clocks)
        finished = story.state in {"closed", "withdrawn", "paid", "rejected", "decided"}
        last = story.steps[-1].at
        reserves.append(
            {
                "claim_id": claim_id,
                "coverage_code": LINES[story.line][1],
                "amount": Decimal("0.00") if finished else story.amount,
                "set_at": story.received,
                "updated_at": last,
            }
        )
        decided = story.at("approve") or story.at("reject")
        if decided is not None:
            rounds.append(_round(story, claim_id, decided, staff))
            decisions.append(_decision(story, claim_id, decided, staff))
    _append(session, ClaimTransition, transitions)
    _append(session, Clock, clocks)
    _append(session, Reserve, reserves)
    round_ids = _insert(session, ReviewRound, rounds)
    for decision, round_id in zip(decisions, round_ids, strict=True):
        decision["round_id"] = round_id
    _append(session, ReviewDecision, decisions)


def _insert_payments(
    session: Session,
    stories: Sequence[_Story],
    claim_ids: Sequence[int],
    staff: dict[str, tuple[int, str]],
) -> None:
    """A paid claim's payment: its indemnity to the insured, transferred and answered
    paid with a voucher (CLM-P3). Without it a paid claim showed ¥0.00 paid."""
    payees = {
        claim_id: (person_id, name)
        for claim_id, person_id, name in session.execute(
            select(Claim.id, Claim.insured_person_id, Claim.claimant_name)
        )
    }
    rows = []
    for story, claim_id in zip(stories, claim_ids, strict=True):
        paid_at = story.at("pay")
        if paid_at is None or story.paid is None:
            continue
        person_id, name = payees[claim_id]
        rows.append(
            {
                "claim_id": claim_id,
                "kind": "indemnity",
                "sequence": 1,
                "idempotency_key": f"demo-history-{claim_id}",
                "amount": story.paid,
                "allocations": {LINES[story.line][1]: str(story.paid)},
                "means": "bank_transfer",
                "payee_person_id": person_id,
                "payee_name": name,
                "payee_basis": "insured",
                "account_last4": f"{claim_id % 10000:04d}",
                "status": "paid",
                "attempts": 1,
                "created_at": paid_at - dt.timedelta(hours=2),
                "created_by_id": staff["payment"][0],
                "paid_at": paid_at,
                "bank_reference": f"DEMO{claim_id:010d}",
            }
        )
    _append(session, Payment, rows)


def _round(
    story: _Story, claim_id: int, decided: dt.datetime, staff: dict[str, tuple[int, str]]
) -> dict[str, Any]:
    submitted = story.at("submit_review") or decided
    return {
        "claim_id": claim_id,
        "round": 1,
        "tiers_required": 1 if story.amount < 10000 else 2,
        "amount": story.paid if story.paid is not None else Decimal("0.00"),
        "tier_reasons": [],
        "status": "rejected" if story.rejected_ground else "approved",
        "submitted_at": submitted,
        "submitted_by_id": staff["adjuster"][0],
        "decided_at": decided,
    }


def _decision(
    story: _Story, claim_id: int, decided: dt.datetime, staff: dict[str, tuple[int, str]]
) -> dict[str, Any]:
    reviewer = next(s.actor for s in story.steps if s.action in {"approve", "reject"})
    rejected = story.rejected_ground is not None
    return {
        "claim_id": claim_id,
        "tier": 1,
        "decision": "reject" if rejected else "approve",
        "reviewer_id": staff[reviewer][0],
        "reviewer": reviewer,
        "decided_at": decided,
        "checklist": {},
        "reason": "不属于保险责任范围" if rejected else None,
        "rejection_ground": story.rejected_ground,
    }


def _insert_surveys(
    session: Session,
    rng: random.Random,
    stories: Sequence[_Story],
    claim_ids: Sequence[int],
) -> int:
    """About a third of paid claims are rated at the callback; slow claims rate lower."""
    rows = []
    claim_people = dict(session.execute(select(Claim.id, Claim.insured_person_id)).all())
    claim_units = dict(session.execute(select(Claim.id, Claim.org_unit_id)).all())
    for story, claim_id in zip(stories, claim_ids, strict=True):
        paid, closed = story.at("pay"), story.at("close")
        if paid is None or closed is None or rng.random() > 0.35:
            continue
        days = (paid - story.received).days
        base = 5 if days <= 7 else 4 if days <= 20 else 3
        rows.append(
            {
                "subject_type": "claim",
                "subject_id": claim_id,
                "service_type": "claims",
                "person_id": claim_people[claim_id],
                "org_unit_id": claim_units[claim_id],
                "source": "phone_interview",
                **{
                    f"score_{name}": max(1, min(5, base - (rng.random() < 0.25)))
                    for name in ("speed", "attitude", "result", "process")
                },
                "surveyed_at": paid + (closed - paid) / 2,
            }
        )
    _append(session, SatisfactionSurvey, rows)
    return len(rows)


def _complaints(
    session: Session,
    rng: random.Random,
    stories: Sequence[_Story],
    claim_ids: Sequence[int],
    actor: Principal,
) -> int:
    """About one claim in sixty is complained about, through the service (few rows,
    and the complaint deadlines are the service's own)."""
    slow = [
        (story, claim_id)
        for story, claim_id in zip(stories, claim_ids, strict=True)
        if story.state in {"closed", "rejected", "paid"}
    ]
    chosen = rng.sample(slow, k=min(len(slow), max(len(stories) // 60, 1)))
    people = dict(
        session.execute(
            select(Claim.id, Claim.insured_person_id).where(Claim.id.in_([c for _, c in chosen]))
        ).all()
    )
    count = 0
    for story, claim_id in chosen:
        at = story.steps[-1].at - dt.timedelta(hours=2)
        cause = (
            "claim_rejection" if story.rejected_ground else rng.choice(("delay", "claim_amount"))
        )
        complaint = service.file_complaint(
            session,
            actor=actor,
            person_id=people[claim_id],
            contact="13800138000",
            channel=rng.choice(("phone", "web_app", "branch")),
            complaint_type="claims",
            cause=cause,
            description="对理赔处理不满意，要求说明。",
            claim_id=claim_id,
            received_at=at,
        )
        service.acknowledge_complaint(
            session,
            actor=actor,
            complaint_id=complaint.id,
            progress_note="已联系客户，正在核实。",
            at=at + _hours(rng, 1, 20),
        )
        service.decide_complaint(
            session,
            actor=actor,
            complaint_id=complaint.id,
            outcome=rng.choice(("upheld", "partially_upheld", "rejected")),
            decision="已向客户解释理赔计算及依据。",
            at=at + _hours(rng, 30, 200),
        )
        count += 1
    return count
