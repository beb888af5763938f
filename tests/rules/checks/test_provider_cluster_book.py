"""provider_cluster against the rest of the book (SPEC CLM-F3, issue 13): a flu wave
lifts every provider and is no cluster; a ring at one clinic lifts one and is."""

from __future__ import annotations

import datetime as dt
import itertools

from claimdesk.rules.checks.types import ProviderVisit
from tests.rules.checks.helpers import day, make, receipt, run

DAY = day("2026-06-01")  # this claim's treatment; the window is ±3 days
_ids = itertools.count(1000)


def _daily(provider: str, per_day: int, first: int, last: int) -> tuple[ProviderVisit, ...]:
    """``per_day`` unrelated insureds (a policy each) on every day from DAY+first to
    DAY+last."""
    out = []
    for offset in range(first, last + 1):
        for _ in range(per_day):
            n = next(_ids)
            out.append(ProviderVisit(n, n, provider, DAY + dt.timedelta(days=offset), n))
    return tuple(out)


def _book(visits: tuple[ProviderVisit, ...], others: dict[int, int]) -> dict[dt.date, int]:
    """The book's claims a day as the gather reads them: the provider's own visits and
    ``others`` (offset from DAY → the other providers' claims that day), ±90 days."""
    book = {DAY + dt.timedelta(days=d): others.get(d, 0) for d in range(-90, 91)}
    for v in visits:
        book[v.on] += 1
    return book


def _steady(before: int, during: int) -> dict[int, int]:
    """The other providers: ``before`` claims a day until the window, ``during`` in it."""
    return {d: (during if abs(d) <= 3 else before) for d in range(-90, 91)}


HOSPITAL, CLINIC = "北京协和医院", "幸福社区门诊部"


def test_a_flu_wave_that_lifts_every_provider_is_no_cluster():  # SPEC CLM-F3
    # 2 insureds a day at the hospital, 8 a day in the wave's week (57 parties against a
    # usual of 13.5: 4.2 times); the other providers 20 a day, 80 in the same week.
    visits = _daily(HOSPITAL, 2, -90, -4) + _daily(HOSPITAL, 8, -3, 3)
    wave = make(
        receipts=(receipt(on="2026-06-01"),),
        provider_visits=visits,
        book_days=_book(visits, _steady(20, 80)),
    )
    assert run("provider_cluster", wave) == []
    # Judged against its own usual alone (the check before issue 13's fix), the wave hits.
    hits = run("provider_cluster", wave, relative_to_book=0)
    assert hits and hits[0].evidence["insureds"] == 57 and hits[0].evidence["book_lift"] is None


def test_a_ring_at_one_clinic_in_a_steady_book_is_a_cluster():  # SPEC CLM-F3
    # A neighbourhood clinic sees an insured every ten days; 10 unrelated insureds in two
    # days while the rest of the book keeps its 20 a day.
    visits = _daily(CLINIC, 1, -90, -4)[::10] + _daily(CLINIC, 5, 0, 1)
    ring = make(
        receipts=(receipt(on="2026-06-01", issuer=CLINIC),),
        provider_visits=visits,
        book_days=_book(visits, _steady(20, 20)),
    )
    hits = run("provider_cluster", ring)
    assert len(hits) == 1
    evidence = hits[0].evidence
    assert evidence["insureds"] == 11 and evidence["book_lift"] == "1.00"
    assert evidence["book_window"] == 140 and evidence["book_usual"] == "140.00"
    assert evidence["provider_lift"] == "15.71"  # 11 over a usual of 0.70
    # The reason says both lifts, in both languages.
    assert "15.7 倍" in hits[0].reason_zh and "其他医疗机构合计为通常的 1.0 倍" in hits[0].reason_zh
    assert "15.7 times its usual" in hits[0].reason_en
    assert "the rest of the book in the same days: 1.0 times its usual" in hits[0].reason_en


def test_the_ring_is_not_its_own_excuse_in_a_small_book():  # SPEC CLM-F3
    # A small book: the clinic 1 a day, the other providers 2 a day. A ring of 20 more in
    # the window would lift the whole book 1.95 times if the clinic were counted in it
    # (41 claims against 21) — and 27 parties would be under 3 × 7 × 1.95. The rest of
    # the book is steady: the ring is a cluster.
    visits = _daily(CLINIC, 1, -90, 3) + _daily(CLINIC, 10, 0, 1)
    ring = make(
        receipts=(receipt(on="2026-06-01", issuer=CLINIC),),
        provider_visits=visits,
        book_days=_book(visits, _steady(2, 2)),
    )
    hits = run("provider_cluster", ring)
    assert hits and hits[0].evidence["insureds"] == 28 and hits[0].evidence["book_lift"] == "1.00"


def test_a_quiet_book_never_accuses():  # SPEC CLM-F3
    # A holiday: the rest of the book at half its usual, the hospital at 2.5 times its
    # own. The book's lift only ever excuses: under 1 it counts as 1.
    visits = _daily(HOSPITAL, 2, -90, -4) + _daily(HOSPITAL, 5, -3, 3)
    holiday = make(
        receipts=(receipt(on="2026-06-01"),),
        provider_visits=visits,
        book_days=_book(visits, _steady(20, 10)),
    )
    assert run("provider_cluster", holiday) == []
    assert run("provider_cluster", holiday, relative_to_book=0) == []


def test_an_unknown_book_leaves_the_providers_own_test():  # SPEC CLM-F3
    visits = _daily(HOSPITAL, 2, -90, -4) + _daily(HOSPITAL, 8, -3, 3)
    # No book figures (a receipt source without them), or a book with no claim before
    # the window: the provider's own usual decides, as with relative_to_book = 0.
    for book in ({}, {DAY + dt.timedelta(days=d): 80 for d in range(-3, 4)}):
        inp = make(receipts=(receipt(on="2026-06-01"),), provider_visits=visits, book_days=book)
        hits = run("provider_cluster", inp)
        assert hits and hits[0].evidence["book_lift"] is None
        assert (
            "其他医疗机构" not in hits[0].reason_zh and "rest of the book" not in hits[0].reason_en
        )


def test_a_provider_surging_beyond_the_book_by_the_factor_is_still_a_cluster():  # SPEC CLM-F3
    # The book doubles in the week (40 a day against 20); the hospital goes from 2 a day
    # to 14: 99 parties against 13.5, 7.3 times — more than 3 × the book's 2.
    visits = _daily(HOSPITAL, 2, -90, -4) + _daily(HOSPITAL, 14, -3, 3)
    surge = make(
        receipts=(receipt(on="2026-06-01"),),
        provider_visits=visits,
        book_days=_book(visits, _steady(20, 40)),
    )
    hits = run("provider_cluster", surge)
    assert hits and hits[0].evidence["book_lift"] == "2.00"
    # At 11 a day (78 parties, 5.8 times) it is within 3 × the book's lift (81.2).
    visits = _daily(HOSPITAL, 2, -90, -4) + _daily(HOSPITAL, 11, -3, 3)
    within = make(
        receipts=(receipt(on="2026-06-01"),),
        provider_visits=visits,
        book_days=_book(visits, _steady(20, 40)),
    )
    assert run("provider_cluster", within) == []
