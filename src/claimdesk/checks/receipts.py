"""Where the checks read medical e-receipts: the one door between the checks and bills.

The bills domain (CLM-T1) owns receipts; when it is installed its rows are read through
checks.bills_source, and :func:`register_receipt_source` can put another source in (tests,
an external e-invoice platform). Without the bills domain the checks that need receipts
(duplicate receipt, provider cluster, sex/age, the receipt dates of outside_period) simply
have no input and find nothing — the other checks run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from sqlalchemy.orm import Session

from claimdesk.checks.bills_source import BillsSource
from claimdesk.rules.checks.types import (
    GroupVisit,
    ItemPrice,
    ItemQuery,
    LineUse,
    PeerQuery,
    ProviderVisit,
    Receipt,
)


class ReceiptSource(Protocol):
    def receipts_of_claim(self, session: Session, claim_id: int) -> Sequence[Receipt]: ...

    def find_receipts(self, session: Session, code: str, number: str) -> Sequence[Receipt]:
        """Every receipt with this receipt code + number, on any claim of any policy."""
        ...

    def lines_of_claims(self, session: Session, claim_ids: Sequence[int]) -> Sequence[LineUse]: ...

    def visits(
        self, session: Session, provider: str, start: dt.date, end: dt.date
    ) -> Sequence[ProviderVisit]:
        """Claims with a receipt from ``provider`` dated within [start, end]."""
        ...

    def lines_at(self, session: Session, provider: str, on: dt.date) -> Sequence[LineUse]:
        """The lines of every receipt from ``provider`` dated ``on``, on any claim."""
        ...

    def peer_totals(self, session: Session, peers: PeerQuery) -> Sequence[Decimal]:
        """Totals of the receipts ``peers`` describes, newest first."""
        ...


def _default_source() -> ReceiptSource | None:
    return BillsSource()


_source: ReceiptSource | None = _default_source()


def register_receipt_source(source: ReceiptSource | None) -> None:
    """Replace the receipt source (None: back to the bills domain, if installed)."""
    global _source
    _source = source if source is not None else _default_source()


def receipts_of_claim(session: Session, claim_id: int) -> list[Receipt]:
    return [] if _source is None else list(_source.receipts_of_claim(session, claim_id))


def receipt_ids_of_claim(session: Session, claim_id: int) -> list[int]:
    """The ids of the claim's receipts, without their lines (a claim's data version is
    computed on every checks run and automatic look: loading and decrypting every line
    for it cost a quarter of a run). A source without the shortcut is read in full."""
    if _source is None:
        return []
    ids = getattr(_source, "receipt_ids_of_claim", None)
    if ids is not None:
        return sorted(int(i) for i in ids(session, claim_id))
    return sorted(r.receipt_id for r in _source.receipts_of_claim(session, claim_id))


def find_receipts(session: Session, code: str, number: str) -> list[Receipt]:
    return [] if _source is None else list(_source.find_receipts(session, code, number))


def lines_of_claims(session: Session, claim_ids: Sequence[int]) -> list[LineUse]:
    if _source is None or not claim_ids:
        return []
    return list(_source.lines_of_claims(session, claim_ids))


def visits(session: Session, provider: str, start: dt.date, end: dt.date) -> list[ProviderVisit]:
    return [] if _source is None else list(_source.visits(session, provider, start, end))


def lines_at(session: Session, provider: str, on: dt.date) -> list[LineUse]:
    return [] if _source is None else list(_source.lines_at(session, provider, on))


def peer_totals(session: Session, peers: PeerQuery) -> list[Decimal]:
    return [] if _source is None else list(_source.peer_totals(session, peers))


def item_prices(session: Session, query: ItemQuery) -> dict[str, tuple[ItemPrice, ...]]:
    """The newest earlier lines per item code (in no order). A source without item history (an
    external e-invoice platform that gives receipts only) gives none: the item
    comparison finds nothing and the receipt-level amount comparison runs as before."""
    prices = getattr(_source, "item_prices", None)
    if prices is None or not query.codes:
        return {}
    found: Mapping[str, Sequence[ItemPrice]] = prices(session, query)
    return {code: tuple(lines) for code, lines in found.items()}


def book_days(
    session: Session, start: dt.date, end: dt.date, not_claim_id: int
) -> dict[dt.date, int]:
    """Per issue date in [start, end], the claims (not ``not_claim_id``) with a receipt
    that day from any provider. A source without it gives none: provider_cluster then
    judges a provider against its own usual alone."""
    days = getattr(_source, "book_days", None)
    if days is None:
        return {}
    found: Mapping[dt.date, int] = days(session, start, end, not_claim_id)
    return dict(found)


def diagnosis_groups_of_claims(
    session: Session, claim_ids: Sequence[int]
) -> dict[int, tuple[str, ...]]:
    """The diagnosis groups of each claim's receipts. A source without them (receipts
    without settlement statements) gives none: claim_frequency then counts every visit
    as before."""
    groups = getattr(_source, "diagnosis_groups_of_claims", None)
    if groups is None or not claim_ids:
        return {}
    found: Mapping[int, Sequence[str]] = groups(session, claim_ids)
    return {cid: tuple(sorted(set(g))) for cid, g in found.items()}


def group_visits(
    session: Session, group: str, since: dt.date, until: dt.date, not_insured_id: int
) -> list[GroupVisit]:
    """Other insureds' claims of a diagnosis group treated in [since, until)."""
    visits = getattr(_source, "group_visits", None)
    if visits is None:
        return []
    return list(visits(session, group, since, until, not_insured_id))
