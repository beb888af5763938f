"""The automatic checks of CLM-F3, each a named rule with a code and parameters.

Every rule reads a :class:`CheckInput` and its validated parameters and returns hits,
each with its reason in words (zh-CN, English) and its evidence (ids, values) — enough
for an investigator to see why without re-running anything. No database, no clock.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from claimdesk.rules import cover
from claimdesk.rules.checks.params import ParamSpec, Value
from claimdesk.rules.checks.sex_age import age_on, restricted_items
from claimdesk.rules.checks.types import (
    CheckInput,
    ContactLink,
    GroupVisit,
    Hit,
    LineUse,
    Receipt,
    ReceiptLine,
)
from claimdesk.rules.checks.words import amount as _amt
from claimdesk.rules.checks.words import day_en, day_zh

Params = dict[str, Value]
D = Decimal


@dataclass(frozen=True)
class Rule:
    code: str
    title_zh: str
    title_en: str
    params: tuple[ParamSpec, ...]
    default_action: str  # "hold" (CLM-F1 suspension) | "refer" (to a person)
    run: Callable[[CheckInput, Params], list[Hit]]
    # A series rule's hit names the other claims of the scheme (evidence "claim_ids"):
    # they are re-checked too, paid or not (checks.service: the post-payment flag).
    series: bool = False


def _spec(name: str, kind: str, default: Value, lo: str, hi: str, zh: str, en: str) -> ParamSpec:
    return ParamSpec(name, kind, default, D(lo), D(hi), zh, en)


def _int(params: Params, name: str) -> int:
    value = params[name]
    assert isinstance(value, int)
    return value


def _dec(params: Params, name: str) -> Decimal:
    value = params[name]
    assert isinstance(value, Decimal)
    return value


# -- duplicate_receipt ---------------------------------------------------------------------


def _line_key(issuer: str, on: dt.date, code: str | None, name: str, amount: D, qty: D) -> tuple:  # type: ignore[type-arg]
    return (issuer.strip(), on, code or name.strip(), amount, qty)


def _own_line_key(receipt: Receipt, line: ReceiptLine) -> tuple:  # type: ignore[type-arg]
    return _line_key(
        receipt.issuer, receipt.issued_on, line.item_code, line.name, line.amount, line.quantity
    )


def _use_key(use: LineUse) -> tuple:  # type: ignore[type-arg]
    return _line_key(use.issuer, use.issued_on, use.item_code, use.name, use.amount, use.quantity)


def _clearly_later(inp: CheckInput, mine: int, other: tuple[int, int]) -> bool:
    """Did the other claim come after this one on both counts: reported later (report
    time, then id) and its bill presented later (the higher bill id: bills get their ids
    as they are taken)? An order not known counts as not later."""
    claim_id, receipt_id = other
    reported, theirs = inp.claim.received_at, inp.claims_received.get(claim_id)
    if reported is None or theirs is None or receipt_id < mine:
        return False
    return (theirs, claim_id) > (reported, inp.claim.claim_id)


def _found(
    inp: CheckInput,
    mine: int,
    others: set[tuple[int, int]],
    zh: str,
    en: str,
    evidence: dict[str, Any],
) -> Hit:
    """The hit of one finding of this claim's receipt ``mine`` shared with ``others``
    ((claim id, receipt id) of the other bills). The original is the claim reported
    first whose bill was presented first too. Shared only with claims later on both
    counts, this claim holds the original — the honest first claimant is not held for
    someone else's copy — and the hit names those later claims (``on_claim_ids``):
    checks.service runs their checks again, which see this claim's bill (a copy checked
    before it was committed saw nothing) and hold them, or refer them to a person once
    paid. When the two orders disagree (a report first, a bill overtaken), the evidence
    cannot say who copied whom: this claim is held too, and a person decides."""
    earlier = sorted({cid for cid, rid in others if not _clearly_later(inp, mine, (cid, rid))})
    if earlier:
        return Hit(
            "duplicate_receipt",
            f"{zh}已在其他案件中使用",
            f"{en} is already on another claim",
            {**evidence, "other_claim_ids": earlier},
        )
    return Hit(
        "duplicate_receipt",
        f"{zh}在其后报案、提交的其他案件中再次出现（本案在先）",
        f"{en} is on claims reported and billed after this one (this claim came first)",
        {**evidence, "original_claim_id": inp.claim.claim_id},
        on_claim_ids=tuple(sorted({cid for cid, _rid in others})),
    )


def duplicate_receipt(inp: CheckInput, params: Params) -> list[Hit]:
    """The same receipt (code + number) on any other claim of any policy; one of its
    costly lines reused on another of the insured's claims under a new receipt; or
    several of its lines copied from one receipt on another insured's claim.

    The claim that came later — reported and billed after the other — holds the copy. A
    claim whose finding is shared only with such later claims holds the original: it
    gets no hit, they do (``Hit.on_claim_ids``) — a check run on the original after the
    copy's bill arrived (issue 13's benchmark: 5 honest claims held for the copy of their
    own receipt) no longer holds the honest claimant."""
    hits: list[Hit] = []
    for receipt in inp.receipts:
        others = {
            (r.claim_id, r.receipt_id)
            for r in inp.same_receipts
            if (r.receipt_code, r.number) == (receipt.receipt_code, receipt.number)
            and r.claim_id != inp.claim.claim_id
        }
        if others:
            hits.append(
                _found(
                    inp,
                    receipt.receipt_id,
                    others,
                    f"票据（代码 {receipt.receipt_code}，号码 {receipt.number}）",
                    f"receipt {receipt.receipt_code}/{receipt.number}",
                    {
                        "receipt_id": receipt.receipt_id,
                        "receipt_code": receipt.receipt_code,
                        "number": receipt.number,
                    },
                )
            )
    hits.extend(_reused_lines(inp, _dec(params, "min_line_amount")))
    hits.extend(
        _copied_lines(
            inp,
            _int(params, "min_shared_lines"),
            _dec(params, "min_line_amount"),
            _int(params, "whole_receipt_min_lines"),
        )
    )
    return hits


def _reused_lines(inp: CheckInput, floor: D) -> list[Hit]:
    uses: dict[tuple, set[tuple[int, int]]] = {}  # type: ignore[type-arg]
    for use in inp.line_uses:
        if use.claim_id == inp.claim.claim_id:
            continue
        uses.setdefault(_use_key(use), set()).add((use.claim_id, use.receipt_id))
    hits = []
    for receipt in inp.receipts:
        for line in receipt.lines:
            if line.amount < floor:
                continue  # a registration fee repeats honestly; only costly lines count
            key = _own_line_key(receipt, line)
            if key in uses:
                hits.append(
                    _found(
                        inp,
                        receipt.receipt_id,
                        uses[key],
                        f"票据 {receipt.number} 第 {line.line_no} 行（{line.name}，{_amt(line.amount)} 元；"
                        "同一医疗机构、日期、项目、金额）",
                        f"line {line.line_no} of receipt {receipt.number} ({_amt(line.amount)}; the "
                        "same provider, date, item and amount)",
                        {
                            "receipt_id": receipt.receipt_id,
                            "line_no": line.line_no,
                            "item_code": line.item_code,
                            "amount": str(line.amount),
                        },
                    )
                )
    return hits


def _copied_lines(inp: CheckInput, need: int, floor: D, whole: int = 0) -> list[Hit]:
    """Lines copied from one receipt on another claim — another insured's (a friend's
    bill under a new receipt number) or the insured's own (the same visit billed twice,
    cheap lines each). A hospital charges every patient the same price for the same item,
    so one equal line (a consultation, a blood count) is no evidence: it takes ``need``
    lines of one other receipt — same provider, day, item, quantity and amount — worth at
    least ``floor`` together.

    Or the whole receipt: every line of this receipt on one other receipt and every line
    of that one on this (the same provider, day, items, quantities, amounts — the same
    total), at least ``whole`` lines (0: off) worth at least ``floor``. A short bill
    copied whole under a new number (issue 13's benchmark: a consultation and a test,
    ¥165, copied onto a friend's claim) has fewer lines than ``need`` but is the same
    bill: "same hospital, same day, same amount" is the insurers' duplicate-bill rule."""
    others: dict[int, list[LineUse]] = {}
    for use in inp.provider_lines:
        if use.claim_id != inp.claim.claim_id:
            others.setdefault(use.receipt_id, []).append(use)
    hits = []
    for receipt in inp.receipts:
        mine: dict[tuple, int] = {}  # type: ignore[type-arg]
        for line in receipt.lines:
            key = _own_line_key(receipt, line)
            mine[key] = mine.get(key, 0) + 1
        for other_receipt, uses in sorted(others.items()):
            left = dict(mine)
            matched = []
            for use in uses:
                key = _use_key(use)
                if left.get(key, 0) > 0:
                    left[key] -= 1
                    matched.append(use)
            amount = sum((u.amount for u in matched), D(0))
            same_bill = 0 < whole <= len(matched) == len(uses) == len(receipt.lines)
            if (len(matched) < need and not same_bill) or amount < floor:
                continue
            hits.append(
                _found(
                    inp,
                    receipt.receipt_id,
                    {(u.claim_id, u.receipt_id) for u in matched},
                    f"票据 {receipt.number} 有 {len(matched)} 行（合计 {_amt(amount)} 元，同一医疗机构、"
                    "日期、项目、数量、金额）",
                    f"{len(matched)} lines of receipt {receipt.number} ({_amt(amount)} together; the "
                    "same provider, date, items, quantities and amounts)",
                    {
                        "receipt_id": receipt.receipt_id,
                        "other_receipt_id": other_receipt,
                        "lines": len(matched),
                        "amount": str(amount),
                    },
                )
            )
    return hits


# -- outside_period ------------------------------------------------------------------------


def _dates(inp: CheckInput) -> list[tuple[str, dt.date, str, str]]:
    """Each date the cover must hold on: (evidence field, day, its name zh, en)."""
    found = [("loss_date", inp.claim.loss_date, "出险日期", "Date of loss")]
    for r in inp.receipts:
        key = f"receipt:{r.receipt_id}"
        found.append(
            (
                f"{key}:issued_on",
                r.issued_on,
                f"票据 {r.number} 开具日期",
                f"Receipt {r.number}'s issue date",
            )
        )
        if r.treatment_from:
            found.append(
                (
                    f"{key}:treatment_from",
                    r.treatment_from,
                    f"票据 {r.number} 就诊起始日期",
                    f"Receipt {r.number}'s treatment start",
                )
            )
        if r.treatment_to:
            found.append(
                (
                    f"{key}:treatment_to",
                    r.treatment_to,
                    f"票据 {r.number} 就诊结束日期",
                    f"Receipt {r.number}'s treatment end",
                )
            )
    return found


def outside_period(inp: CheckInput, params: Params) -> list[Hit]:
    """A loss, receipt or treatment date the policy does not cover — outside its period,
    or on or after a termination's effective date (``rules.cover``, the intake flag's
    rule) — or inside its waiting period (a renewal carries no new waiting period)."""
    policy = inp.policy
    waiting = 0 if policy.renewal else policy.waiting_period_days
    first_covered = policy.start + dt.timedelta(days=waiting)
    terminated = cover.ended_by_termination(policy.end, policy.terminated_on)
    hits = []
    for what, day, name_zh, name_en in _dates(inp):
        if not cover.covers(
            day,
            period_start=policy.start,
            period_end=policy.end,
            terminated_on=policy.terminated_on,
        ):
            zh, en, kind = "在保险期间之外", "outside the policy period", "outside_period"
            # terminated: ended_by_termination saw terminated_on set (mypy cannot).
            if terminated and policy.terminated_on and policy.start <= day <= policy.end:
                zh = f"在保单解除生效（{day_zh(policy.terminated_on)}）之后"
                en = f"after the policy's termination took effect ({day_en(policy.terminated_on)})"
        elif day < first_covered:
            zh, en, kind = "在等待期内", "inside the waiting period", "waiting_period"
        else:
            continue
        evidence = {
            "kind": kind,
            "field": what,
            "date": day.isoformat(),
            "period_start": policy.start.isoformat(),
            "period_end": policy.end.isoformat(),
            "first_covered_day": first_covered.isoformat(),
        }
        if terminated:
            evidence["terminated_on"] = str(policy.terminated_on)
        hits.append(
            Hit(
                "outside_period",
                f"{name_zh} {day_zh(day)} {zh}（{day_zh(policy.start)}～{day_zh(policy.end)}，"
                f"等待期 {waiting} 天）",
                f"{name_en} {day_en(day)} is {en} ({day_en(policy.start)} to "
                f"{day_en(policy.end)}, waiting period {waiting} days)",
                evidence,
            )
        )
    return hits


# -- sex_age_mismatch ----------------------------------------------------------------------

_SEX_ZH = {"F": "女性", "M": "男性"}
_SEX_EN = {"F": "female", "M": "male"}


def sex_age_mismatch(inp: CheckInput, params: Params) -> list[Hit]:
    """A line whose item is for the other sex, or for an age the insured was not."""
    insured = inp.insured
    hits = []
    for receipt in inp.receipts:
        day = receipt.treatment_from or receipt.issued_on
        age = age_on(insured.birth_date, day) if insured.birth_date else None
        for line in receipt.lines:
            for item in restricted_items():
                if not item.matches(line.item_code, line.name):
                    continue
                problem = _mismatch(item.sex, item.min_age, item.max_age, insured.gender, age)
                if problem is None:
                    continue
                zh, en = problem
                hits.append(
                    Hit(
                        "sex_age_mismatch",
                        f"{item.label_zh}「{line.name}」与被保险人{zh}不符",
                        f"{item.label_en} '{line.name}' does not fit the insured: {en}",
                        {
                            "receipt_id": receipt.receipt_id,
                            "line_no": line.line_no,
                            "item_code": line.item_code,
                            "list_item": item.id,
                            "gender": insured.gender,
                            "age": age,
                        },
                    )
                )
                break  # one hit per line is enough evidence
    return hits


def _mismatch(
    sex: str | None, min_age: int | None, max_age: int | None, gender: str | None, age: int | None
) -> tuple[str, str] | None:
    if sex and gender and gender != sex:
        return (
            f"性别（{_SEX_ZH.get(gender, gender)}，项目限{_SEX_ZH[sex]}）",
            f"{_SEX_EN.get(gender, gender)}, the item is for {_SEX_EN[sex]} patients",
        )
    if age is not None and max_age is not None and age > max_age:
        return (f"年龄（{age} 岁，项目限 {max_age} 岁及以下）", f"aged {age}, item up to {max_age}")
    if age is not None and min_age is not None and age < min_age:
        return (f"年龄（{age} 岁，项目限 {min_age} 岁及以上）", f"aged {age}, item from {min_age}")
    return None


# -- early_claim ---------------------------------------------------------------------------


def early_claim(inp: CheckInput, params: Params) -> list[Hit]:
    """A new policy's loss soon after the waiting period ends, for more than the usual.

    The window starts at the first covered day (the start plus the waiting period), not
    at the start: a loss inside the waiting period is outside_period's hit already, and
    the person who bought cover for a treatment already planned waits the waiting period
    out and claims in the weeks after it — a window counted from the start that is no
    longer than the waiting period (30 days on a 30-day product) never fires at all.
    Timing alone is no evidence (in a book that grows evenly a sixth of the claims fall
    within 60 days of cover starting), so a bill must also come to ``amount_ratio`` times
    the median of its own comparison group — the one amount_outlier uses: earlier bills of
    its diagnosis group, else of its setting, with at least ``min_samples`` (fewer: no
    hit). Not the loss cause's group: "illness" mixes ¥300 visits with ¥10,000 stays, and
    1.5 × its median was nearly any bill in the window (issue 13's benchmark: 20 honest
    claims, stays and MRI visits). Bills that say neither diagnosis nor setting leave the
    claim's amount against the loss cause — the only group there is. A claim whose bills
    are still to come (``bills_expected``, none yet) has only the report's estimate: no
    amount test until they arrive (the checks run again on the e-bill). A claim of a line
    without bills is compared by its amount with the loss cause. ``amount_ratio`` 0 makes
    it timing alone."""
    days, ratio = _int(params, "days_after_waiting"), _dec(params, "amount_ratio")
    policy = inp.policy
    if policy.renewal:
        return []
    first_covered = policy.start + dt.timedelta(days=policy.waiting_period_days)
    after = (inp.claim.loss_date - first_covered).days
    if not 0 <= after < days:
        return []
    evidence: dict[str, Any] = {
        "days_after_start": (inp.claim.loss_date - policy.start).days,
        "days_after_waiting_period": after,
        "threshold_days": days,
        "period_start": policy.start.isoformat(),
        "first_covered_day": first_covered.isoformat(),
    }
    zh_more = en_more = ""
    if ratio > 0:
        found = _above_usual(inp, ratio, _int(params, "min_samples"))
        if found is None:
            return []
        zh_more, en_more = _early_amount(found, ratio, evidence)
    return [
        Hit(
            "early_claim",
            f"出险日在等待期结束后仅 {after} 天（阈值 {days} 天）{zh_more}",
            f"the loss came {after} days after the waiting period ended (threshold {days} "
            f"days){en_more}",
            evidence,
        )
    ]


def _early_amount(
    found: tuple[D, D, dict[str, Any]], ratio: D, evidence: dict[str, Any]
) -> tuple[str, str]:
    """early_claim's amount test passed: its evidence (added to ``evidence``) and the
    words it adds to the reason."""
    amount, median, basis = found
    evidence |= {"amount": str(amount), "median": str(median), "amount_ratio": str(ratio), **basis}
    group = basis.get("group") or basis.get("setting") or basis.get("loss_cause")
    zh = f"，金额 {_amt(amount)} 元达到同类（{group}）中位数 {_amt(median)} 元的 {ratio} 倍以上"
    en = f", for {_amt(amount)}, at least {ratio} times the median {_amt(median)} of {group}"
    return zh, en


def _above_usual(inp: CheckInput, ratio: D, need: int) -> tuple[D, D, dict[str, Any]] | None:
    """(amount, median, basis) of the first bill at ``ratio`` times its group's median or
    more — or of the claim's amount against the loss cause (bills without a diagnosis or
    setting; a line without bills) —; None when nothing is."""
    by_cause = not inp.receipts
    if by_cause and inp.claim.bills_expected:
        return None  # the estimate of a claim whose bills are to come is not judged
    for receipt in inp.receipts:
        basis, peers = _peers(inp, receipt, need)
        if basis is None:
            by_cause = by_cause or receipt.setting is None
            continue
        median = statistics.median(peers)
        if receipt.total >= ratio * median:
            key = "group" if basis == "diagnosis" else "setting"
            return (
                receipt.total,
                median,
                {
                    "basis": basis,
                    "receipt_id": receipt.receipt_id,
                    key: receipt.diagnosis_group if basis == "diagnosis" else receipt.setting,
                    **_read_from_lines(receipt),
                },
            )
    amount, history = inp.claim.amount, inp.cause_amounts
    if not by_cause or amount is None or len(history) < need:
        return None
    median = statistics.median(history)
    if amount < ratio * median:
        return None
    return amount, median, {"basis": "loss_cause", "loss_cause": inp.claim.diagnosis}


# -- just_under_limit ----------------------------------------------------------------------


def _just_under(amount: D, limits: tuple[D, ...], pct: D) -> D | None:
    for limit in limits:
        if limit * (1 - pct / 100) <= amount <= limit:
            return limit
    return None


def just_under_limit(inp: CheckInput, params: Params) -> list[Hit]:
    """The insured's amounts fall again and again just under an authority or
    automatic-payment limit (within X% below it) inside the look-back window."""
    limits = params["limits"]
    assert isinstance(limits, tuple)
    pct, need = _dec(params, "within_pct"), _int(params, "min_count")
    since = inp.claim.reported_on - dt.timedelta(days=_int(params, "lookback_days"))
    if inp.claim.amount is None:
        return []
    limit = _just_under(inp.claim.amount, limits, pct)
    if limit is None:
        return []
    near = [
        c.claim_id
        for c in inp.insured_claims
        if c.amount is not None
        and c.reported_on >= since
        and _just_under(c.amount, (limit,), pct) == limit
    ]
    if len(near) + 1 < need:
        return []
    return [
        Hit(
            "just_under_limit",
            f"被保险人有 {len(near) + 1} 笔金额在限额 {_amt(limit)} 元以下 {pct}% 以内",
            f"{len(near) + 1} of the insured's amounts are within {pct}% under the limit {_amt(limit)}",
            {
                "limit": str(limit),
                "amount": str(inp.claim.amount),
                "claim_ids": sorted(near),
                "count": len(near) + 1,
            },
        )
    ]


# -- shared_contact ------------------------------------------------------------------------


@dataclass
class _ContactSharing:
    """Per contact (kind, key hash) of a claim, the families (see shared_contact) that
    use it on claims (``claimants``), carry it on their records (``registered``) or
    hold its account in another name (``renamed``); the claims using it; whether it is
    someone's own number (``owned``: on a record, the claimant's, a relative's or a
    stranger's) and the unrelated families sharing it; and the people behind the
    families, for the evidence (``named``)."""

    claimants: dict[tuple[str, str], set[int]]
    registered: dict[tuple[str, str], set[int]]
    renamed: dict[tuple[str, str], set[int]]
    claims: dict[tuple[str, str], set[int]]
    owned: set[tuple[str, str]]
    sharing: dict[tuple[str, str], set[int]]
    named: dict[tuple[str, str], dict[str, set[int]]]

    @classmethod
    def of(cls, inp: CheckInput) -> _ContactSharing:
        found = cls({}, {}, {}, {}, set(), {}, {})
        for link in inp.contacts:
            if link.person_id != inp.claim.insured_id:
                found.add(link)
        return found

    def add(self, link: ContactLink) -> None:
        key = (link.kind, link.key_hash)
        if link.registered or link.claimant_registered:
            self.owned.add(key)
        if link.shares_policy:
            return
        unit = link.person_id if link.family is None else link.family
        counted = self.named.setdefault(key, {})
        self.sharing.setdefault(key, set()).add(unit)
        if link.claim_ids:
            self.claimants.setdefault(key, set()).add(unit)
            counted.setdefault("used", set()).add(link.person_id)
            self.claims.setdefault(key, set()).update(link.claim_ids)
        if link.registered:
            self.registered.setdefault(key, set()).add(unit)
            counted.setdefault("registered", set()).add(link.person_id)
        if link.other_holder:
            self.renamed.setdefault(key, set()).add(unit)
            counted.setdefault("renamed", set()).add(link.person_id)

    def hit(self, key: tuple[str, str], *, why: str) -> Hit:
        """The hit of a contact shared so (``why``: used, renamed or registered)."""
        kind, key_hash = key
        people = self.named.get(key, {})
        used_people, on_record_people = people.get("used", set()), people.get("registered", set())
        # The reason names people; the minimums counted their families.
        renamed_people = people.get("renamed", set())
        count = len(used_people) if why == "used" else len(renamed_people or on_record_people)
        families = self.claimants.get(key, set()) | self.registered.get(key, set())
        return Hit(
            "shared_contact",
            *_shared_reason(why, kind, count),
            {
                "kind": kind,
                "key_hash": key_hash[:16],
                "person_ids": sorted(used_people | on_record_people),
                "registered_person_ids": sorted(on_record_people),
                "other_holder_person_ids": sorted(renamed_people),
                "claim_ids": sorted(self.claims.get(key, set())),
                # How many families those people are (the minimums count these).
                "families": len(families),
            },
        )


def shared_contact(inp: CheckInput, params: Params) -> list[Hit]:
    """One bank account or phone shared with people not related to the claimant through
    the policies: used by at least ``min_other_people`` other claimants (their records or
    the contact phone of their claims), or registered on the records of at least
    ``min_registered_phone`` / ``min_registered_account`` other people, claim or not.

    The second is what a ring's organiser leaves when he buys policies for recruited
    people with his own phone or account on their records: it is there before the
    ring's first claim, when no other claim exists yet to share it with. A family is not
    a ring: a parent who bought the children's policies, one phone on every record, is
    one family with them on the forms, and ``shares_policy`` says so (checks.repository:
    the policy's declared relation of holder and insured, POL-1). Nor is one other
    record: a spouse's phone, or the husband's account for the wife's payouts, is on
    two records honestly — hence minimums of 2. But one account number registered in
    another holder's name than the claimant's (``other_holder``) is a hit at the first
    such record: an account belongs to one person, and its number in two names is
    what an organiser who opens the payouts "in each one's name" leaves.

    The same holds for a phone used by other claimants: a household's one number is
    someone's own — registered on the claimant's record or on the other person's — and
    shared by few (a spouse on a policy of their own, an older parent whose record
    carries the child's mobile, a spouse who hands in the claim with their own phone).
    A phone registered on a record of the people sharing it and shared with at most
    ``household_phone_others`` other people is such a household's and no hit by use;
    a number on nobody's record (a go-between's, given as the claims' contact phone)
    stays a hit at ``min_other_people``, and the registered minimum still applies.

    Every minimum counts families, not people: the people a policy links by a declared
    family relation (``ContactLink.family``: a child who bought the parents' policies,
    a parent who bought the children's) are one. A family of three on one number with
    a spouse on a policy of their own is two — the household of the first paragraph;
    a ring's recruits, each on a policy of their own or bought as "other", stay one
    each, unless the organiser declared them his family on the forms."""
    need = _int(params, "min_other_people")
    household = _int(params, "household_phone_others")
    need_registered = {
        "phone": _int(params, "min_registered_phone"),
        "bank_account": _int(params, "min_registered_account"),
    }
    found = _ContactSharing.of(inp)
    hits = []
    for kind, key_hash in sorted({*found.claimants, *found.registered}):
        key = (kind, key_hash)
        used, on_records = found.claimants.get(key, set()), found.registered.get(key, set())
        floor = need_registered.get(kind, 0)
        # A household's phone: someone's own number, shared by few (see above).
        home = (
            kind == "phone" and key in found.owned and len(found.sharing.get(key, ())) <= household
        )
        if len(used) >= need and not home:
            hits.append(found.hit(key, why="used"))
        elif floor > 0 and found.renamed.get(key):
            hits.append(found.hit(key, why="renamed"))
        elif floor > 0 and len(on_records) >= floor:
            hits.append(found.hit(key, why="registered"))
    return hits


def _shared_reason(why: str, kind: str, count: int) -> tuple[str, str]:
    zh = "电话" if kind == "phone" else "银行账户"
    en = "phone" if kind == "phone" else "bank account"
    if why == "used":
        return (
            f"同一{zh}被 {count} 位非同一保单的其他索赔人使用",
            f"the same {en} is used by {count} other claimants not on the same policy",
        )
    if why == "renamed":
        return (
            f"同一银行账号以不同户名登记在 {count} 位无保单关联的其他人员资料上",
            f"the same account number is registered in another holder's name on the records "
            f"of {count} other people not related through any policy",
        )
    return (
        f"同一{zh}登记在 {count} 位无保单关联的其他人员资料上",
        f"the same {en} is registered on the records of {count} other people not related "
        "through any policy",
    )


# -- provider_cluster ----------------------------------------------------------------------


def provider_cluster(inp: CheckInput, params: Params) -> list[Hit]:
    """Many unrelated insureds (different policies) at one provider in a short window —
    many for *that* provider: at least ``min_insureds``, and more than ``baseline_ratio``
    times its usual number in a window of that length (the distinct parties seen in the
    ``baseline_days`` before the window). A large hospital treats dozens of
    insureds every few days; a clinic that suddenly bills twenty is the signal.

    A provider with little history has little usual: its earlier visits are spread over
    at least ``min_history_days``, so a clinic first seen a week ago — whose only past is
    its own first crowd — is not its own excuse for the next one, and a provider never
    seen before that sends ``min_insureds`` unrelated insureds at once is a cluster.

    With ``relative_to_book`` the provider's surge is judged against the rest of the
    book's in the same window (the peer-relative test of an insurer's fraud rules): a
    flu wave lifts every provider, a ring lifts one. The provider's lift (window count
    over its usual) must exceed ``baseline_ratio`` times the book's lift (the other
    providers' claims in the window over their usual for a window of that length).
    The book's lift only ever excuses: a quiet book (a holiday) counts as 1, so the
    provider's own test above stays the floor, and an unknown book changes nothing."""
    window, need = _int(params, "window_days"), _int(params, "min_insureds")
    ratio, span = _dec(params, "baseline_ratio"), _int(params, "baseline_days")
    least = min(_int(params, "min_history_days"), span)
    relative = _int(params, "relative_to_book") == 1
    hits = []
    seen: set[str] = set()
    for receipt in inp.receipts:
        if receipt.issuer in seen:
            continue
        seen.add(receipt.issuer)
        day = receipt.treatment_from or receipt.issued_on
        near, around, own = _provider_visits(inp, receipt.issuer, day, window, span)
        # One insured per policy: a family on one policy is one party, not a crowd.
        parties = {_party(v) for v in near}
        parties.add(inp.claim.policy_id)
        if len(parties) < need:
            continue
        usual = _usual(around, day, window, least)
        book = _book_lift(inp.book_days, own, day, window, span) if relative else None
        excuse = max(book[0], D(1)) if book is not None else D(1)
        if Decimal(len(parties)) <= ratio * usual * excuse:
            continue
        evidence = _cluster_evidence(receipt.issuer, window, len(parties), usual, book)
        evidence["claim_ids"] = sorted({v.claim_id for v in near})
        hits.append(
            Hit(
                "provider_cluster",
                *_cluster_reason(receipt.issuer, window, len(parties), usual, book),
                evidence,
            )
        )
    return hits


def _provider_visits(
    inp: CheckInput, issuer: str, day: dt.date, window: int, span: int
) -> tuple[list[Any], list[Any], list[Any]]:
    """The provider's visits: (within the window of the day, elsewhere in the baseline
    span, all of its own)."""
    near, around, own = [], [], []
    for v in inp.provider_visits:
        if v.provider != issuer:
            continue
        own.append(v)
        gap = abs((v.on - day).days)
        if gap <= window:
            near.append(v)
        elif gap <= span:
            around.append(v)
    return near, around, own


def _cluster_evidence(
    issuer: str, window: int, count: int, usual: Decimal, book: tuple[Decimal, int, Decimal] | None
) -> dict[str, Any]:
    return {
        "provider": issuer,
        "insureds": count,
        "window_days": window,
        "usual": str(usual.quantize(D("0.01"))),
        "provider_lift": str((count / usual).quantize(D("0.01"))) if usual else None,
        "book_lift": str(book[0].quantize(D("0.01"))) if book else None,
        "book_window": book[1] if book else None,
        "book_usual": str(book[2].quantize(D("0.01"))) if book else None,
    }


def _cluster_reason(
    issuer: str, window: int, count: int, usual: Decimal, book: tuple[Decimal, int, Decimal] | None
) -> tuple[str, str]:
    tenth = D("0.1")
    zh = (
        f"医疗机构「{issuer}」在 {window} 天内有 {count} 位无关联被保险人就诊索赔"
        f"（通常约 {usual.quantize(tenth)} 位"
    )
    en = (
        f"{count} unrelated insureds claimed at '{issuer}' within {window} days "
        f"(usually about {usual.quantize(tenth)}"
    )
    if usual:
        lift = (count / usual).quantize(tenth)
        zh += f"，为通常的 {lift} 倍"
        en += f", {lift} times its usual"
    if book is not None:
        zh += f"；同期其他医疗机构合计为通常的 {book[0].quantize(tenth)} 倍"
        en += f"; the rest of the book in the same days: {book[0].quantize(tenth)} times its usual"
    return zh + "）", en + ")"


def _book_lift(
    book_days: Mapping[dt.date, int], own: list[Any], day: dt.date, window: int, span: int
) -> tuple[Decimal, int, Decimal] | None:
    """(lift, window count, usual) of the rest of the book — every other provider: the
    book's claims per day less this provider's own — in the window of ±``window`` days
    around ``day``, against its usual for a window of that length: the days of the
    ``span`` before the window, from the first of them with a claim (a young book's
    short past is the whole book's, not one provider's first crowd). The provider itself
    is left out: in a small book a ring is a large share of it and would lift the book
    it is measured against. None: no claim in the book before the window (unknown)."""
    if not book_days:
        return None
    mine: dict[dt.date, set[int]] = {}
    for v in own:
        mine.setdefault(v.on, set()).add(v.claim_id)
    rest = {on: max(n - len(mine.get(on, ())), 0) for on, n in book_days.items()}
    start = day - dt.timedelta(days=window)
    in_window = sum(n for on, n in rest.items() if abs((on - day).days) <= window)
    before = [(on, n) for on, n in rest.items() if n and on < start and (day - on).days <= span]
    if not before:
        return None
    days = max((start - min(on for on, _n in before)).days, 2 * window + 1)
    usual = D(sum(n for _on, n in before)) / D(days) * (2 * window + 1)
    return D(in_window) / usual, in_window, usual


def _party(v: Any) -> int:
    return int(v.policy_id) if v.policy_id is not None else -int(v.insured_id)


def _usual(around: list[Any], day: dt.date, window: int, least: int) -> Decimal:
    """Distinct parties per window of 2·window+1 days, from the provider's visits before
    the window — when a claim is checked, the days after its treatment have hardly been
    claimed yet, so counting them would halve the usual — over the days seen: from the
    earliest of those visits to the window's start, but at least ``least`` days (and one
    window). Without that floor a provider first seen days ago would have its first
    crowd as its usual: 17 insureds in 5 days, "usually" 12 a week (issue 13's replay).
    A book younger than ``least`` days sets it to its age (docs/architecture.md)."""
    start = day - dt.timedelta(days=window)
    before = [v for v in around if v.on < start]
    if not before:
        return D(0)
    days = max((start - min(v.on for v in before)).days, 2 * window + 1, least)
    per_day = D(len({_party(v) for v in before})) / D(days)
    return per_day * (2 * window + 1)


# -- claim_frequency -----------------------------------------------------------------------

# The prior rate when the book has no covered year yet (a new insurer, a test database):
# one claim per insured-year, a typical health book (docs/benchmarks.md, "The book").
_BOOK_RATE = D(1)
_YEAR = D(365)


def _busiest(inp: CheckInput, days: int) -> list[tuple[dt.date, int]]:
    """The insured's other claims in the busiest window of ``days`` days that holds this
    claim's treatment: one starting at the earliest day it may, or at a claim's day."""
    own = inp.claim.loss_date
    span = dt.timedelta(days=days - 1)
    dated = [(c.loss_date or c.reported_on, c.claim_id) for c in inp.insured_claims]
    near = [(on, cid) for on, cid in dated if abs(on - own) <= span]
    starts = {own - span} | {on for on, _cid in near if on <= own}
    best: list[tuple[dt.date, int]] = []
    for first in sorted(starts):
        inside = [(on, cid) for on, cid in near if first <= on <= first + span]
        if len(inside) > len(best):
            best = inside
    return best


def _covered_days(inp: CheckInput, since: dt.date, until: dt.date) -> int:
    """Days in [since, until) on which the insured was covered past a waiting period:
    the days a claim could have been made (a renewal carries no new waiting period; the
    other policies take this policy's waiting period — their products' terms are not
    read for this; a termination ends a policy's cover the day it takes effect,
    ``rules.cover``)."""
    wait = dt.timedelta(days=inp.policy.waiting_period_days)
    spans = []
    for p in {p.policy_id: p for p in (*inp.insured_policies, inp.policy)}.values():
        first = max(p.start if p.renewal else p.start + wait, since)
        last = cover.last_covered_day(p.end, p.terminated_on)
        after = min(last + dt.timedelta(days=1), until)
        if first < after:
            spans.append((first, after))
    total, reached = 0, since
    for first, after in sorted(spans):  # overlapping policies count their days once
        first = max(first, reached)
        if first < after:
            total += (after - first).days
            reached = after
    return total


def _tail(count: int, shape: float, scale: float) -> float:
    """P(N >= count) for the negative binomial N of a Poisson count whose mean is
    gamma(shape, scale) distributed — the insured's rate known from the history and the
    book only so well. Floats: a probability, not money; summed upward from ``count``
    (1 - the lower terms would lose the small tails that matter here)."""
    if count <= 0:
        return 1.0
    p = 1 / (1 + scale)  # the gamma's rate over (its rate + the window): NB's p
    q = 1 - p
    term = math.exp(
        math.lgamma(shape + count)
        - math.lgamma(shape)
        - math.lgamma(count + 1)
        + shape * math.log(p)
        + count * math.log(q)
    )
    total, j = 0.0, count
    while term > total * 1e-12 and j < count + 100_000:
        total += term
        term *= q * (shape + j) / (j + 1)
        j += 1
    return min(total, 1.0)


def _sig(value: float) -> D:
    """Three significant digits, as evidence (a stable string for the evidence key)."""
    return D(f"{value:.3g}") if value > 0 else D(0)


def claim_frequency(inp: CheckInput, params: Params) -> list[Hit]:
    """Far more of the insured's claims treated within ``period_days`` around this one
    than the insured's own rate predicts. Claims are counted by the date of the loss —
    the visit —, not of the report (a season's receipts handed in on one day are visits
    months apart; a claim without its loss date counts by its report).

    The rate is empirical Bayes: the book's claims per insured-year is a prior worth
    ``prior_years`` of the insured's own experience; the insured's claims over the
    ``lookback_days`` before the window, over the days covered then, update it (gamma-
    Poisson: a chronic patient's busy year makes a busy season ordinary for them; a new
    insured, or one with a short history, is measured mostly by the book). The count in
    the window is then negative binomial; a hit when it is at least ``min_claims`` and
    its probability is below ``significance``. The hit names only the window's claims:
    the series re-check refers those (the burst), not the insured's history."""
    days, least = _int(params, "period_days"), _int(params, "min_claims")
    alpha, back = _dec(params, "significance"), _int(params, "lookback_days")
    weight = _dec(params, "prior_years")
    best = _busiest(inp, days)
    count = len(best) + 1
    if count < least:
        return []
    window = sorted([on for on, _cid in best] + [inp.claim.loss_date])
    rate = _insured_rate(inp, window[0], days=days, back=back, weight=weight)
    span = D(days) / _YEAR
    probability = _sig(_tail(count, float(rate.shape), float(span / rate.per_year)))
    if probability >= alpha:
        return []
    if _usual_for_diagnosis(inp, best, days, 2, least, _int(params, "pattern_min_insureds")):
        return []
    per_year = (rate.shape / rate.per_year).quantize(D("0.01"))
    shown = (rate.shape / rate.per_year * span).quantize(D("0.01"))
    history, years, book = rate.history, rate.years.quantize(D("0.1")), rate.book
    return [
        Hit(
            "claim_frequency",
            f"被保险人 {days} 天内就诊索赔 {count} 次（{day_zh(window[0])}～{day_zh(window[-1])}）；按其本人"
            f"此前 {back} 天的索赔（{history} 次，投保 {years} 年）与全体"
            f"平均（每年 {book} 次）估计每年 {per_year} 次，预计 {shown} 次，"
            f"出现 {count} 次及以上的概率 {probability}，低于 {alpha}",
            f"the insured claimed for {count} treatments within {days} days ({day_en(window[0])} "
            f"to {day_en(window[-1])}); from their own {history} claims over the {back} days before "
            f"({years} years covered) and the book's "
            f"{book} a year, their rate is {per_year} a year: {shown} "
            f"expected, and {count} or more has probability {probability} (below {alpha})",
            {
                "count": count,
                "expected": str(shown),
                "probability": str(probability),
                "significance": str(alpha),
                "period_days": days,
                "rate_per_year": str(per_year),
                "history_claims": history,
                "history_years": str(rate.years.quantize(D("0.01"))),
                "book_rate": str(book),
                "claim_ids": sorted(cid for _on, cid in best),
                "first_treatment": window[0].isoformat(),
                "last_treatment": window[-1].isoformat(),
            },
        )
    ]


class _Rate(NamedTuple):
    """The insured's yearly claim rate, gamma posterior: ``shape`` / ``per_year``."""

    history: int  # the insured's claims in the lookback
    years: D  # the years covered in the lookback
    book: D  # the book's claims per insured-year, rounded as shown
    shape: D
    per_year: D


def _insured_rate(inp: CheckInput, first: dt.date, *, days: int, back: int, weight: D) -> _Rate:
    # The history ends one period before the window: a burst longer than the window
    # would otherwise count its own first visits as the insured's usual.
    until = first - dt.timedelta(days=days)
    since = until - dt.timedelta(days=back)
    history = sum(1 for c in inp.insured_claims if since <= (c.loss_date or c.reported_on) < until)
    years = D(_covered_days(inp, since, until)) / _YEAR
    book = inp.book_rate if inp.book_rate is not None and inp.book_rate > 0 else _BOOK_RATE
    # Rounded as shown: the book's rate moves a little every day, and a re-run of the same
    # claims on a later day (its e-bill arrives) must find the same evidence, not refer the
    # same burst again (checks.service records a hit once per evidence).
    book = max(book.quantize(D("0.01")), D("0.01"))
    return _Rate(history, years, book, weight * book + history, weight + years)


def _usual_for_diagnosis(
    inp: CheckInput,
    best: list[tuple[dt.date, int]],
    days: int,
    named_least: int,
    series: int,
    least: int,
) -> bool:
    """A series of visits for one diagnosis as often as its patients are treated: the
    window's visits that name a diagnosis (this claim's included) all name the same one
    — a visit without a settlement statement names none —, at least ``named_least`` of
    them do (two: the claim and one more, or the claim unnamed and two others) — so a
    burst of colds, sprains and gastritis is never one —, and at least ``least`` other
    insureds treated for that diagnosis in the year before were treated at least at the
    window's pace (dialysis three times a week, a physiotherapy course, the weekly
    antenatal visits of late pregnancy). ``least`` other patients, not one: a single
    insured's own burst — or one accomplice's — is not the diagnosis's pattern. 0 turns
    the comparison off.

    By pace, not by count: a patient reaches it with as many visits within the span of
    the window's visits, or — their series shorter — with all of theirs (at least
    ``series``) at least as close together. A course of eight sessions is the same
    treatment as one of fifteen, stopped earlier: counted by visits, the long courses of
    a diagnosis found no peers among its short ones (issue 13). The window's visits are
    all counted, named or not; so are the other patients' (``diagnosis_visits`` holds
    their unnamed visits between two naming the diagnosis: the course's visits whose
    statement is missing)."""
    if least <= 0:
        return False
    named = {c.claim_id: c.diagnosis_groups for c in inp.insured_claims}
    own = tuple(sorted({r.diagnosis_group for r in inp.receipts if r.diagnosis_group}))
    window = [own, *(named.get(cid, ()) for _on, cid in best)]
    groups = {g for found in window for g in found}
    if len(groups) != 1 or any(len(found) > 1 for found in window):
        return False  # no diagnosis named, or visits for more than one
    (group,) = groups
    if sum(1 for found in window if found) < named_least:
        return False
    mine = sorted([inp.claim.loss_date, *(on for on, _cid in best)])
    count = len(mine)
    pace = _per_week(count, (mine[-1] - mine[0]).days)
    reached = 0
    for on in _courses(inp.diagnosis_visits.get(group, ()), days).values():
        # Their closest run of as many visits as the window's, or of all theirs if fewer.
        run = min(count, len(on))
        if run < min(count, series):
            continue
        closest = min((on[i + run - 1] - on[i]).days for i in range(len(on) - run + 1))
        theirs = _per_week(run, closest)
        reached += theirs is None if pace is None else theirs is None or theirs >= pace
    return reached >= least


def _per_week(visits: int, span: int) -> D | None:
    """Visits a week over a run of ``visits`` treatments ``span`` days from first to
    last, in whole visits — a treatment's frequency is prescribed so (每周 N 次): a course
    at 3.0 a week and one at 2.6 are the same prescription, three times a week, not one
    faster than its peers. None: all on one day (faster than any pace)."""
    if span == 0:
        return None
    return (D(7 * (visits - 1)) / D(span)).quantize(D(1), rounding=ROUND_HALF_UP)


def _courses(visits: tuple[GroupVisit, ...], days: int) -> dict[int, list[dt.date]]:
    """Each other patient's visits of the diagnosis, in order: those naming it, and those
    naming none between two of them at most ``days`` apart — the visits of one course
    whose statement is missing (more than the period between two visits ends a course; a
    cold between two courses is not one of theirs)."""
    named: dict[int, list[dt.date]] = {}
    unnamed: dict[int, list[dt.date]] = {}
    for visit in visits:
        (named if visit.named else unnamed).setdefault(visit.insured_id, []).append(visit.on)
    courses = {}
    for patient, on in named.items():
        on.sort()
        gaps = [(a, b) for a, b in itertools.pairwise(on) if (b - a).days <= days]
        inside = [d for d in unnamed.get(patient, ()) if any(a < d < b for a, b in gaps)]
        courses[patient] = sorted(on + inside)
    return courses


# -- amount_outlier ------------------------------------------------------------------------

# 0.6745 makes the MAD comparable to a standard deviation for normal data (Iglewicz and
# Hoaglin, "How to Detect and Handle Outliers", 1993: the modified z-score).
_K = D("0.6745")
# When more than half the amounts are equal the MAD is 0; the mean absolute deviation
# times 1.2533 (sqrt(pi/2)) stands in for it then.
_MEAN_AD = D("1.2533")
# The interquartile range of normal data is 1.349 standard deviations.
_IQR = D("1.349")


def _quartiles(values: list[D]) -> tuple[D, D]:
    q1, _q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q3


def _robust_z(amount: D, history: tuple[D, ...] | list[D]) -> tuple[D, D, D, D] | None:
    """(robust z-score, median, MAD, IQR) of the amount against the history; None when
    the history has no spread at all.

    The scale is the larger of two robust estimates of the standard deviation: MAD/0.6745
    and IQR/1.349 (both equal it for normal data). Costs of one diagnosis are often two
    visit types — with and without an MRI, a gastroscopy with and without a biopsy —; when
    the costlier type is a large minority, the MAD sees only the spread inside the
    majority type and calls every costlier visit "far out"; the IQR spans both as soon
    as the minority is a quarter of the visits (issue 13's benchmark: honest disc
    herniation visits with an MRI were held at robust z 7-9 against visits without)."""
    ordered = sorted(history)
    median = statistics.median(ordered)
    mad = statistics.median(abs(a - median) for a in ordered)
    q1, q3 = _quartiles(ordered) if len(ordered) > 1 else (median, median)
    iqr = q3 - q1
    scale = max(mad / _K, iqr / _IQR)
    if scale > 0:
        return (amount - median) / scale, median, mad, iqr
    spread = sum((abs(a - median) for a in ordered), D(0)) / len(ordered) * _MEAN_AD
    if spread == 0:
        return None  # every past amount equal: no scale to measure against
    return (amount - median) / spread, median, mad, iqr


def amount_outlier(inp: CheckInput, params: Params) -> list[Hit]:
    """An amount far above the usual for the diagnosis: the robust z-score of each
    receipt (one visit or stay) against earlier receipts of the same diagnosis group —
    ICD-10 category and setting, from the settlement statement's 主诊断 and 医疗类别.
    A group needs ``min_samples`` bills (a median and spread over a handful are noise):
    with fewer, the receipt is compared with every receipt of its setting (outpatient
    visits, inpatient stays); a setting with too few too: no comparison.

    A receipt without a settlement statement (no diagnosis, no setting) leaves the
    claim's amount to be compared with earlier claims of the same line and loss cause —
    again only over ``min_samples`` or more. Only then: a bill whose setting is known is
    never thrown in with the loss cause, which mixes ¥300 visits with ¥10,000 stays. The
    fallback stays in yuan: a bill that says neither diagnosis nor setting is a stay or
    an inflated visit, and no statistic of the amounts tells which — on a log scale the
    stays pass, and so do the inflated visits (issue 13's replay: 2 of the 22 planted
    colds billed at thousands, without a statement, were lost). An honest stay without a
    statement was referred (8 in the replay) until the receipt's own lines gave the
    setting: a receipt that bills bed-days or a level of nursing is a stay's
    (rules.bills.setting_of_lines, ``Receipt.setting_from == "lines"``) and is compared
    with stays; a receipt without such a line keeps the loss cause.

    A claim whose bills are still to come (``bills_expected``: a medical-expense claim
    with no receipt yet) is not judged on the report's estimate: an estimate is not a
    bill, let alone an inflated one (the benchmark's 82 honest stays held on the report);
    the checks run again when the e-bill arrives. Paper bills never reach this check:
    they go to a person, who assesses them line by line — the judgement this check stands
    in for on the automatic path. A claim of a line without bills (a critical-illness sum,
    a property loss) is judged on its claimed amount against the loss cause.

    Each line of the receipts is also compared with earlier lines of its national item
    code (``_item_outliers``): a bill inflated line by line hides in its group's spread
    when the group is wide (the loss cause) or missing, but a consultation or a blood
    count has one usual price wherever it is billed."""
    need, threshold = _int(params, "min_samples"), _dec(params, "z_threshold")
    hits: list[Hit] = []
    by_cause = not inp.receipts and not inp.claim.bills_expected
    for receipt in inp.receipts:
        basis, peers = _peers(inp, receipt, need)
        if basis is None:
            # A setting known but with too few bills: the loss cause would mix it with the
            # other setting — no honest group, no comparison.
            by_cause = by_cause or receipt.setting is None
            continue
        found = _robust_z(receipt.total, peers)
        if found is None or found[0] <= threshold:
            continue
        hits.append(
            _outlier_hit(
                receipt.total,
                found,
                threshold,
                len(peers),
                _receipt_evidence(basis, receipt),
            )
        )
    if by_cause:
        hits += _cause_outlier(inp, need, threshold)
    return hits + _item_outliers(inp, params)


def _receipt_evidence(basis: str, receipt: Receipt) -> dict[str, Any]:
    return {
        "basis": basis,
        "receipt_id": receipt.receipt_id,
        "diagnosis": receipt.diagnosis,
        "group": receipt.diagnosis_group,
        "setting": receipt.setting,
        **_read_from_lines(receipt),
    }


def _cause_outlier(inp: CheckInput, need: int, threshold: D) -> list[Hit]:
    """The claim's amount against earlier claims of its line and loss cause (no bill
    that says its diagnosis or setting), over ``need`` or more of them."""
    amount, history = inp.claim.amount, inp.cause_amounts
    if amount is None or len(history) < need:
        return []
    found = _robust_z(amount, history)
    if found is None or found[0] <= threshold:
        return []
    evidence = {"basis": "loss_cause", "loss_cause": inp.claim.diagnosis}
    return [_outlier_hit(amount, found, threshold, len(history), evidence)]


def _read_from_lines(receipt: Receipt) -> dict[str, str]:
    """The evidence's note that the setting was read from the receipt's lines (no
    statement); nothing otherwise, so that a hit found before has the same key."""
    return {"setting_from": "lines"} if receipt.setting_from == "lines" else {}


def _peers(inp: CheckInput, receipt: Any, need: int) -> tuple[str | None, tuple[D, ...]]:
    """The receipt's comparison group: its diagnosis group, else its setting, else none."""
    group, setting = receipt.diagnosis_group, receipt.setting
    peers = inp.diagnosis_amounts.get(group, ()) if group else ()
    if len(peers) >= need:
        return "diagnosis", peers
    peers = inp.setting_amounts.get(setting, ()) if setting else ()
    if len(peers) >= need:
        return "setting", peers
    return None, ()


def _outlier_hit(
    amount: D, found: tuple[D, D, D, D], threshold: D, samples: int, basis: dict[str, Any]
) -> Hit:
    z, median, mad, iqr = found
    z = z.quantize(D("0.01"))
    setting = basis.get("setting") or ""
    setting_zh = _SETTING_ZH.get(setting, setting)
    if basis["basis"] == "diagnosis":
        zh = f"该诊断（{basis['diagnosis']}，{setting_zh}）"
        en = f"the diagnosis ({basis['diagnosis']}, {setting})"
    elif basis["basis"] == "setting" and basis.get("setting_from") == "lines":
        # No statement: the setting read from the receipt's lines (bed-days, nursing).
        zh = f"全部{setting_zh}票据（票据无结算单，按床位费、护理费等项目认定为{setting_zh}）"
        en = f"every {setting} bill (no settlement statement; a stay by its bed and nursing lines)"
    elif basis["basis"] == "setting":
        zh = f"全部{setting_zh}票据（同诊断 {basis['diagnosis']} 样本不足）"
        en = f"every {setting} bill (too few bills of {basis['diagnosis']})"
    else:
        cause_zh, cause_en = _CAUSE.get(basis["loss_cause"], (basis["loss_cause"],) * 2)
        zh = f"同类出险原因（{cause_zh}，票据未载明诊断及医疗类别）"
        en = f"the loss cause ({cause_en}; neither diagnosis nor setting on the bills)"
    return Hit(
        "amount_outlier",
        f"金额 {_amt(amount)} 元远高于{zh}的通常水平（中位数 {_amt(median)} 元，稳健 z 值 {z}）",
        f"amount {_amt(amount)} is far above the usual for {en} (median {_amt(median)}, "
        f"robust z {z})",
        {
            **basis,
            "amount": str(amount),
            "median": str(median),
            "mad": str(mad),
            "iqr": str(iqr),
            "z": str(z),
            "samples": samples,
            "threshold": str(threshold),
        },
    )


_SETTING_ZH = {"outpatient": "门诊", "inpatient": "住院"}
# A medical claim's loss causes in words (code_labels.LOSS_CAUSES' words; the pure rules
# read no catalogue).
_CAUSE = {"illness": ("疾病", "illness"), "accident": ("意外事故", "an accident")}

# What an item line is measured by: its unit price (a price inflated) and its amount (a
# quantity inflated too), with their names in the reasons.
_MEASURES = {"unit_price": ("单价", "unit price"), "amount": ("金额", "amount")}


@dataclass(frozen=True)
class _ItemOut:
    line: ReceiptLine
    measure: str
    value: D
    median: D
    ratio: D
    z: D | None  # None: every earlier line had the same value (no spread)
    samples: int


def _item_outliers(inp: CheckInput, params: Params) -> list[Hit]:
    """Lines far above the usual for their national item code: each line's unit price and
    amount against earlier lines of the same code on other claims (``item_prices``), at
    least ``item_min_samples`` of them. A line is out when both its robust z-score (the
    receipt's statistic: median and the larger of MAD and IQR) exceeds
    ``item_z_threshold`` and it comes to ``item_ratio`` times the median or more — the z
    alone would call a regulated price raised by a tenth "far out" (its spread is near
    nothing), the ratio alone a drug whose price varies by pack. An item whose every
    earlier value is the same is judged by the ratio alone: a fixed price twice over is
    not an honest variation. One hit per receipt, naming its lines that are out (the
    furthest first): a bill scaled up line by line is one finding, not ten.

    Why items (issue 13's benchmark): a cold billed at 8–16 times, its bill without a
    settlement statement (no diagnosis, no setting), hid in the loss cause's spread; and
    a new policy's visit billed at 1.5–3 times, without its costly item, stayed under
    early_claim's ratio — the lines of both were far above their items' usual prices."""
    need = _int(params, "item_min_samples")
    z_limit, ratio_limit = _dec(params, "item_z_threshold"), _dec(params, "item_ratio")
    hits: list[Hit] = []
    for receipt in inp.receipts:
        found: list[_ItemOut] = []
        for line in receipt.lines:
            history = inp.item_prices.get(line.item_code or "", ())
            if len(history) < need:
                continue
            for measure in _MEASURES:
                values = [getattr(h, measure) for h in history]
                out = _item_out(line, measure, values, z_limit, ratio_limit)
                if out is not None:
                    found.append(out)
                    break  # a unit price out: its amount says nothing more
        if found:
            found.sort(key=lambda f: (-f.ratio, f.line.line_no))
            hits.append(_item_hit(receipt, found, need, z_limit, ratio_limit))
    return hits


def _line_value(line: ReceiptLine, measure: str) -> D:
    if measure == "amount":
        return line.amount
    if line.unit_price is not None:
        return line.unit_price
    return line.amount / line.quantity if line.quantity else line.amount


def _item_out(
    line: ReceiptLine, measure: str, history: list[D], z_limit: D, ratio_limit: D
) -> _ItemOut | None:
    value = _line_value(line, measure)
    median = statistics.median(history)
    if median <= 0 or value < ratio_limit * median:
        return None
    found = _robust_z(value, history)
    if found is not None and found[0] <= z_limit:
        return None
    z = None if found is None else found[0]
    return _ItemOut(line, measure, value, median, value / median, z, len(history))


def _money(value: D) -> D:
    """In cents when that is exact (unit prices are stored to 4 places: ¥250.0000 reads
    ¥250.00), else as stored (a tablet at ¥0.0325)."""
    cents = value.quantize(D("0.01"))
    return cents if cents == value else value


def _item_hit(
    receipt: Receipt, found: list[_ItemOut], need: int, z_limit: D, ratio_limit: D
) -> Hit:
    lines = [
        {
            "line_no": f.line.line_no,
            "item_code": f.line.item_code,
            "name": f.line.name,
            "measure": f.measure,
            "value": str(_money(f.value)),
            "median": str(_money(f.median)),
            "ratio": str(f.ratio.quantize(D("0.01"))),
            "z": None if f.z is None else str(f.z.quantize(D("0.01"))),
            "samples": f.samples,
        }
        for f in found
    ]
    top = found[0]
    value, median = _money(top.value), _money(top.median)
    zh, en = _MEASURES[top.measure]
    times = top.ratio.quantize(D("0.1"))
    more_zh = f"；另有 {len(found) - 1} 项同样偏高" if len(found) > 1 else ""
    more_en = f"; {len(found) - 1} more line(s) likewise" if len(found) > 1 else ""
    item = f"{top.line.name}（{top.line.item_code}）"
    return Hit(
        "amount_outlier",
        f"票据 {receipt.number} 的项目「{item}」{zh} {_amt(value)} 元，"
        f"为同项目通常{zh}（中位数 {_amt(median)} 元）的 {times} 倍{more_zh}",
        f"receipt {receipt.number}: item '{top.line.name}' ({top.line.item_code}) at "
        f"{en} {_amt(value)} is {times} times the item's usual {en} (median {_amt(median)})"
        f"{more_en}",
        {
            "basis": "item",
            "receipt_id": receipt.receipt_id,
            "lines": lines,
            "min_samples": need,
            "z_threshold": str(z_limit),
            "ratio_threshold": str(ratio_limit),
        },
    )


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "duplicate_receipt",
            "重复票据",
            "Duplicate receipt",
            (
                _spec(
                    "min_line_amount",
                    "decimal",
                    D("100"),
                    "0",
                    "1000000",
                    "费用行复用的最低金额",
                    "Minimum amount of a reused line",
                ),
                _spec(
                    "min_shared_lines",
                    "int",
                    3,
                    "2",
                    "100",
                    "与其他被保险人票据相同的最少行数",
                    "Minimum lines equal to another insured's receipt",
                ),
                _spec(
                    "whole_receipt_min_lines",
                    "int",
                    2,
                    "0",
                    "100",
                    "整张票据与他人票据逐行相同（同机构、日期、项目、数量、金额）的最少行数（0 为不看）",
                    "Minimum lines of a receipt equal line for line to another receipt (same "
                    "provider, day, items, quantities, amounts; 0: off)",
                ),
            ),
            "hold",
            duplicate_receipt,
        ),
        # Referred, not held: a date outside the cover is a person's question (a typing
        # error, a renewal not yet linked, a decline in writing), not a suspicion of
        # fraud; an administrator may still make it hold (CLM-F3). Migration 0052.
        Rule(
            "outside_period",
            "保险期间外或等待期内",
            "Outside the period or in waiting period",
            (),
            "refer",
            outside_period,
        ),
        Rule(
            "sex_age_mismatch",
            "性别或年龄与诊疗不符",
            "Treatment incompatible with sex or age",
            (),
            "hold",
            sex_age_mismatch,
        ),
        Rule(
            "early_claim",
            "生效后短期出险",
            "Claim soon after the start",
            (
                _spec(
                    "days_after_waiting",
                    "int",
                    60,
                    "1",
                    "730",
                    "等待期结束后天数",
                    "Days after the waiting period",
                ),
                _spec(
                    "amount_ratio",
                    "decimal",
                    D("1.5"),
                    "0",
                    "100",
                    "金额达到诊断中位数的倍数（0 为不看金额）",
                    "Times the diagnosis's median amount (0: timing alone)",
                ),
                _spec("min_samples", "int", 10, "1", "100000", "最少样本数", "Minimum samples"),
            ),
            "refer",
            early_claim,
        ),
        Rule(
            "just_under_limit",
            "金额反复略低于限额",
            "Amounts repeatedly just under a limit",
            (
                _spec(
                    "limits",
                    "decimal_list",
                    (D("5000"), D("10000")),
                    "1",
                    "100000000",
                    "限额（元）",
                    "Limits (CNY)",
                ),
                _spec(
                    "within_pct",
                    "decimal",
                    D("5"),
                    "0.1",
                    "50",
                    "低于限额的百分比",
                    "Percent under the limit",
                ),
                _spec("min_count", "int", 3, "2", "100", "最少次数", "Minimum count"),
                _spec("lookback_days", "int", 365, "1", "3650", "回溯天数", "Look-back days"),
            ),
            "refer",
            just_under_limit,
            series=True,
        ),
        Rule(
            "shared_contact",
            "跨保单共用电话或账户",
            "Shared phone or account across policies",
            (
                _spec(
                    "min_other_people",
                    "int",
                    1,
                    "1",
                    "100",
                    "其他索赔人最少人数",
                    "Minimum other claimants",
                ),
                _spec(
                    "min_registered_phone",
                    "int",
                    2,
                    "0",
                    "100",
                    "电话登记在无关联人员资料上的最少人数（无需索赔；0 为不看）",
                    "Minimum unrelated people with the phone on their record (no claim needed; 0: off)",
                ),
                _spec(
                    "min_registered_account",
                    "int",
                    2,
                    "0",
                    "100",
                    "银行账户登记在无关联人员资料上的最少人数（无需索赔；以不同户名登记的 1 人即可；0 为不看）",
                    "Minimum unrelated people with the account on their record (no claim needed; "
                    "one in another holder's name is enough; 0: off)",
                ),
                _spec(
                    "household_phone_others",
                    "int",
                    1,
                    "0",
                    "100",
                    "家庭电话：登记在当事人资料上、至多与此数其他人共用的电话不按共用计（0 为不看）",
                    "Household phone: a phone on one of the sharers' records and shared with at "
                    "most this many others is not counted as used by others (0: off)",
                ),
            ),
            "hold",
            shared_contact,
            series=True,
        ),
        Rule(
            "provider_cluster",
            "同一医疗机构短期聚集",
            "Cluster at one provider",
            (
                _spec("window_days", "int", 3, "1", "90", "时间窗（天）", "Window (days)"),
                _spec(
                    "min_insureds",
                    "int",
                    5,
                    "2",
                    "10000",
                    "无关联被保险人最少人数",
                    "Minimum unrelated insureds",
                ),
                _spec(
                    "baseline_ratio",
                    "decimal",
                    D("3"),
                    "1",
                    "100",
                    "高于该机构通常人数的倍数",
                    "Times the provider's usual number",
                ),
                _spec(
                    "baseline_days",
                    "int",
                    90,
                    "7",
                    "90",
                    "计算通常人数的前后天数",
                    "Days around the window for the usual number",
                ),
                _spec(
                    "min_history_days",
                    "int",
                    90,
                    "1",
                    "90",
                    "通常人数至少按多少天摊算（历史短的机构通常人数少）",
                    "Fewest days the usual is spread over (a provider seen briefly has little usual)",
                ),
                _spec(
                    "relative_to_book",
                    "int",
                    1,
                    "0",
                    "1",
                    "与全体同期比较：该机构高于通常的倍数须超过其他机构同期高于通常倍数的上述倍数（1 开，0 关）",
                    "Relative to the book: the provider's lift over its usual must exceed the "
                    "rest of the book's lift in the same days by the factor above (1: on, 0: off)",
                ),
            ),
            "refer",
            provider_cluster,
            series=True,
        ),
        Rule(
            "claim_frequency",
            "索赔频次",
            "Claim frequency",
            (
                _spec("period_days", "int", 30, "1", "365", "统计期间（天）", "Period (days)"),
                _spec(
                    "min_claims",
                    "int",
                    3,
                    "2",
                    "1000",
                    "期间内最少次数（少于此数不判）",
                    "Minimum claims in the period (fewer never hit)",
                ),
                _spec(
                    "significance",
                    "decimal",
                    D("0.0001"),
                    "0.000001",
                    "0.5",
                    "显著性水平（按本人频率出现该次数的概率低于此值即命中）",
                    "Significance (a hit when the count is this improbable at the insured's rate)",
                ),
                _spec(
                    "lookback_days",
                    "int",
                    365,
                    "30",
                    "1825",
                    "本人历史回溯天数",
                    "Days of the insured's own history",
                ),
                _spec(
                    "prior_years",
                    "decimal",
                    D("0.5"),
                    "0.1",
                    "10",
                    "全体平均频率折合的投保年数（历史短时向全体平均收缩）",
                    "Years of history the book's rate counts as (short histories shrink to it)",
                ),
                _spec(
                    "pattern_min_insureds",
                    "int",
                    3,
                    "0",
                    "1000",
                    "同一诊断的系列就诊：至少多少位其他该诊断患者一年内每周就诊次数不低于此即不判"
                    "（0 为不看）",
                    "A series of one diagnosis: other patients of it treated at least as often "
                    "(visits a week) within the year, at least (0: off)",
                ),
            ),
            "refer",
            claim_frequency,
            series=True,
        ),
        Rule(
            "amount_outlier",
            "金额异常",
            "Amount far outside the usual",
            (
                _spec(
                    "min_samples",
                    "int",
                    30,
                    "5",
                    "100000",
                    "比较组最少样本数（同诊断不足时改按出险原因）",
                    "Minimum group size (fewer of the diagnosis: compared by loss cause)",
                ),
                _spec(
                    "z_threshold",
                    "decimal",
                    D("5"),
                    "1",
                    "100",
                    "稳健 z 值阈值",
                    "Robust z threshold",
                ),
                _spec(
                    "item_min_samples",
                    "int",
                    20,
                    "5",
                    "100000",
                    "同项目编码最少历史行数（少于此数不比较该项目）",
                    "Minimum earlier lines of an item code (fewer: the item is not compared)",
                ),
                _spec(
                    "item_z_threshold",
                    "decimal",
                    D("5"),
                    "1",
                    "100",
                    "项目单价/金额稳健 z 值阈值",
                    "Robust z threshold of an item's unit price or amount",
                ),
                _spec(
                    "item_ratio",
                    "decimal",
                    D("1.5"),
                    "1",
                    "100",
                    "项目单价/金额至少为同项目中位数的倍数",
                    "Times the item's median unit price or amount, at least",
                ),
            ),
            "refer",
            amount_outlier,
        ),
    )
}


def run_rule(code: str, inp: CheckInput, params: Params) -> list[Hit]:
    return RULES[code].run(inp, params)
