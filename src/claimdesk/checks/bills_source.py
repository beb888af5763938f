"""The receipt source backed by the bills domain (CLM-T1): the bills' rows as the
checks' plain receipts. Imported only when claimdesk.bills exists (receipts.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from claimdesk.bills import repository as bills
from claimdesk.models.bill import Bill, item_code_index
from claimdesk.rules.bills import setting_of_lines
from claimdesk.rules.checks.types import (
    GroupVisit,
    ItemPrice,
    ItemQuery,
    LineUse,
    PeerQuery,
    ProviderVisit,
    Receipt,
    ReceiptLine,
)


def _receipt(bill: Bill) -> Receipt:
    # A receipt without a settlement statement says its setting through its lines: a
    # stay bills bed-days and nursing (CLM-F3: a stay is compared with stays).
    setting, setting_from = bill.setting, "statement" if bill.setting else None
    if setting is None:
        setting = setting_of_lines(line.name for line in bill.lines)
        setting_from = "lines" if setting else None
    return Receipt(
        receipt_id=bill.id,
        claim_id=bill.claim_id,
        receipt_code=bill.receipt_code,
        number=bill.receipt_number,
        issuer=bill.issuer_name,
        issued_on=bill.issue_date,
        total=bill.total,
        diagnosis=bill.dise_codg,
        diagnosis_group=bill.dise_group,
        setting=setting,
        setting_from=setting_from,
        lines=tuple(
            ReceiptLine(
                line.position,
                line.item_code,
                line.name,
                line.amount,
                line.quantity,
                unit_price=line.unit_price,
            )
            for line in bill.lines
        ),
    )


# The newest visits of a diagnosis group read for its pattern (claim_frequency): a year of
# a common diagnosis in a large book is more than its pattern needs.
GROUP_VISITS = 5000


class BillsSource:
    def receipts_of_claim(self, session: Session, claim_id: int) -> Sequence[Receipt]:
        return [_receipt(b) for b in bills.bills_of(session, claim_id=claim_id)]

    def receipt_ids_of_claim(self, session: Session, claim_id: int) -> Sequence[int]:
        return bills.bill_ids_of_claim(session, claim_id=claim_id)

    def find_receipts(self, session: Session, code: str, number: str) -> Sequence[Receipt]:
        # Only the receipt's identity is compared: its lines are not needed (nor decrypted).
        return [
            Receipt(
                b.id,
                b.claim_id,
                b.receipt_code,
                b.receipt_number,
                b.issuer_name,
                b.issue_date,
                b.total,
            )
            for b in bills.find_receipts(session, code=code, number=number)
        ]

    def lines_of_claims(self, session: Session, claim_ids: Sequence[int]) -> Sequence[LineUse]:
        return _uses(bills.bills_with_lines_of_claims(session, claim_ids=claim_ids))

    def lines_at(self, session: Session, provider: str, on: dt.date) -> Sequence[LineUse]:
        return _uses(bills.bills_with_lines_at(session, issuer=provider, on=on))

    def visits(
        self, session: Session, provider: str, start: dt.date, end: dt.date
    ) -> Sequence[ProviderVisit]:
        rows = bills.provider_visits(session, issuer=provider, start=start, end=end)
        return [ProviderVisit(cid, pid, provider, on, policy) for cid, pid, on, policy in rows]

    def book_days(
        self, session: Session, start: dt.date, end: dt.date, not_claim_id: int
    ) -> Mapping[dt.date, int]:
        # One aggregate a day over the days asked (bills.repository.claims_per_day).
        return bills.claims_per_day(session, start=start, end=end, not_claim_id=not_claim_id)

    def peer_totals(self, session: Session, peers: PeerQuery) -> Sequence[Decimal]:
        return bills.peer_totals(session, **dataclasses.asdict(peers))

    def diagnosis_groups_of_claims(
        self, session: Session, claim_ids: Sequence[int]
    ) -> Mapping[int, Sequence[str]]:
        found: dict[int, list[str]] = {}
        for cid, group in bills.diagnosis_groups_of_claims(session, claim_ids=claim_ids):
            found.setdefault(cid, []).append(group)
        return found

    def group_visits(
        self, session: Session, group: str, since: dt.date, until: dt.date, not_insured_id: int
    ) -> Sequence[GroupVisit]:
        rows = bills.group_visits(
            session,
            group=group,
            since=since,
            until=until,
            not_insured_id=not_insured_id,
            limit=GROUP_VISITS,
        )
        # The visits of a course whose statement is missing name no diagnosis: those
        # between a patient's first and last visit naming this one come with them (the
        # rule counts those between two close ones, as it counts the insured's own).
        return [GroupVisit(cid, pid, on, named=named) for cid, pid, on, named in rows]

    def item_prices(self, session: Session, query: ItemQuery) -> Mapping[str, Sequence[ItemPrice]]:
        # The codes are looked up by their keyed hash: no line is decrypted for it.
        by_hash = {item_code_index(code): code for code in query.codes}
        found: dict[str, list[ItemPrice]] = {}
        for item, claim_id, unit_price, amount in bills.item_history(
            session,
            hashes=[h for h in by_hash if h],
            not_claim_id=query.not_claim_id,
            until=query.until,
            limit=query.limit,
        ):
            found.setdefault(by_hash[item], []).append(ItemPrice(claim_id, unit_price, amount))
        return found


def _uses(found: Iterable[Bill]) -> list[LineUse]:
    return [
        LineUse(
            b.claim_id,
            b.id,
            b.issuer_name,
            b.issue_date,
            line.item_code,
            line.name,
            line.amount,
            line.quantity,
        )
        for b in found
        for line in b.lines
    ]
