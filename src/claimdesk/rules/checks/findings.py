"""A check hit's identity: what a finding is about, apart from its current figures.

A check's evidence mixes two things: what the finding names (the claims, receipts, lines,
contacts, providers) and the figures that measured it (a median, a book's claim rate, a
provider's usual, a probability). The figures move with the book every day — another
bill of the diagnosis shifts amount_outlier's median and MAD, the book's claim rate
claim_frequency's prior, the rest of the book provider_cluster's lift — while the finding
stays the same. Keyed on the whole evidence, a re-run of the same claim on a later day (a
new e-bill, a series re-check) recorded the same finding again: a second row, a second
hold of a claim an investigator had cleared, counted twice in CLM-T4's hits per check.

``finding_key`` keys a hit by its rule and the evidence fields that name things
(``IDENTITY``); checks.service records a finding once and keeps its latest evidence on
that row. A rule not listed here keys on its whole evidence (a new rule stays as strict
as before until its identity is written down). Pure: no database, no clock.

``standing`` says which row of a finding recorded more than once (before the key) stands
for it: the repair (checks.dedupe) keeps that one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

# Per rule, the evidence fields that say what the finding is about. Left out on purpose
# (figures of the book or of the rule's parameters, which move without the finding
# changing): early_claim's amount, median and basis; just_under_limit's amount and count;
# shared_contact's person lists; provider_cluster's insureds, usual, lifts and window;
# claim_frequency's count, expected, probability, rate, history and book_rate;
# amount_outlier's median, MAD, IQR, z, samples, thresholds, its basis (diagnosis or
# setting: the group a bill is compared with changes as the book grows) and its item
# lines (which of a receipt's lines are out moves with their medians).
IDENTITY: dict[str, tuple[str, ...]] = {
    "duplicate_receipt": (
        "receipt_id",
        "line_no",
        "other_receipt_id",
        "other_claim_ids",
        "original_claim_id",
    ),
    "outside_period": ("kind", "field", "date"),
    "sex_age_mismatch": ("receipt_id", "line_no", "list_item"),
    "early_claim": ("receipt_id",),
    "just_under_limit": ("limit", "claim_ids"),
    "shared_contact": ("kind", "key_hash", "claim_ids"),
    "provider_cluster": ("provider", "claim_ids"),
    "claim_frequency": ("claim_ids",),
    "amount_outlier": ("receipt_id", "item"),
}


def identity(code: str, evidence: Mapping[str, Any]) -> dict[str, Any]:
    """The part of the evidence that names the finding (see ``IDENTITY``)."""
    if "series_of" in evidence:
        # A series re-check's hit: one per claim and check, whatever later claim found it.
        return {"series_of": evidence["series_of"]}
    fields = IDENTITY.get(code)
    if fields is None:
        return dict(evidence)
    found = {name: evidence.get(name) for name in fields}
    if code == "amount_outlier":
        # A receipt's total and its item lines are two findings on one receipt.
        found["item"] = evidence.get("basis") == "item"
    return found


def finding_key(code: str, evidence: Mapping[str, Any]) -> str:
    """The same finding found again — on a later day, with moved figures — has the
    same key (check_hits.finding_key)."""
    body = json.dumps(identity(code, evidence), sort_keys=True, default=str)
    return hashlib.sha256(f"{code}|finding|{body}".encode()).hexdigest()[:32]


R = TypeVar("R")


@dataclass(frozen=True)
class Standing(Generic[R]):
    """Which of a finding's rows stands for it, where it was recorded more than once
    (before da34af0 keyed findings; ``claimdesk checks dedupe-hits`` merges them).

    ``kept``: the first found — the finding's row, its id and when it was found (CLM-T4's
    month). ``acted``: the row whose hold and decision the finding carries — the first
    that held the claim or was decided by an investigator, else ``kept``: had the finding
    been recorded once, that is the hold an investigator cleared or confirmed, and a
    clearance on it must survive. ``latest``: the last found, whose figures are the
    newest (the checks run keeps the latest evidence on the finding's row)."""

    kept: R
    acted: R
    latest: R
    others: tuple[R, ...]


def standing(
    rows: Sequence[R],
    *,
    order: Callable[[R], Any],
    held_or_decided: Callable[[R], bool],
) -> Standing[R]:
    """``rows``: one finding's rows (one claim, one check, one ``finding_key``)."""
    ordered = sorted(rows, key=order)
    acted = next((row for row in ordered if held_or_decided(row)), ordered[0])
    return Standing(ordered[0], acted, ordered[-1], tuple(ordered[1:]))
