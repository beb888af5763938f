"""Replay the automatic checks over a kept ``bench stp`` database, offline.

``CLAIMDESK_BENCH_KEEP=1 python -m bench.stp`` keeps its scratch database, labels the
stream's claims in it (``bench_labels``) and writes the run's keyring next to it. This
runs every check again on every labelled claim, each as of its own creation — facts of
claims created after it (a higher id) are dropped, the amount groups are cut at its
receipt already — with the stored configuration or parameters given on the command
line, and prints per check the hits on planted fraud and on clean claims, per planted
kind what was caught, and the two figures of the STP line the checks decide
(fraud_caught, false_hold_pct). A check's tuning is tried here in a minute instead of a
17-minute run; the run of record stays ``bench stp``.

    python -m bench.stp_replay postgresql://…/claimdesk_stp_x --keys keys.json \\
        --param amount_outlier.min_samples=20 --show amount_outlier

Approximations (say so when quoting its figures): each claim is checked once, on its
final data (live, a claim is checked on its report and again on its e-bill) — with
``--report-runs`` also as on its report (no receipt yet, the report's estimate as its
amount), the run that held issue 13's inpatient stays; a hit found on a claim's own
check counts as before payment; series re-checks of earlier claims are not replayed, nor
hits a run passes to other claims (``Hit.on_claim_ids``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections import Counter, defaultdict
from typing import Any

from claimdesk.rules.checks.types import CheckInput


def as_of(inp: CheckInput, claim_id: int) -> CheckInput:
    """The facts as the claim's own check saw them: nothing of a later claim."""

    def before(rows: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(r for r in rows if r.claim_id < claim_id)

    contacts = []
    for link in inp.contacts:
        ids = tuple(i for i in link.claim_ids if i < claim_id)
        # A contact registered on the other person's record was there before the stream
        # (the book is loaded first); one only given on a later claim was not.
        if ids or link.registered:
            contacts.append(dataclasses.replace(link, claim_ids=ids))
    return dataclasses.replace(
        inp,
        same_receipts=before(inp.same_receipts),
        line_uses=before(inp.line_uses),
        provider_lines=before(inp.provider_lines),
        contacts=tuple(contacts),
        provider_visits=before(inp.provider_visits),
        insured_claims=before(inp.insured_claims),
        diagnosis_visits={group: before(v) for group, v in inp.diagnosis_visits.items()},
        item_prices={code: before(lines) for code, lines in inp.item_prices.items()},
    )


def _book_days_before(session: Any, inp: CheckInput, claim_id: int) -> dict[Any, int]:
    """The book's claims a day (provider_cluster's book surge) as the claim's own check
    saw them: of claims created before it (a lower id) — the gather's aggregate counts
    every claim, and its counts name none to drop afterwards."""
    from sqlalchemy import text

    if not inp.book_days:
        return {}
    rows = session.execute(
        text(
            "SELECT issue_date, count(DISTINCT claim_id) FROM claim_bills"
            " WHERE issue_date BETWEEN :first AND :last AND claim_id < :cid"
            " GROUP BY issue_date"
        ),
        {"first": min(inp.book_days), "last": max(inp.book_days), "cid": claim_id},
    )
    return {on: int(n) for on, n in rows}


def at_report(inp: CheckInput, estimate: Any) -> CheckInput:
    """The facts of the run on the report: no receipt yet, the estimate as the amount."""
    return dataclasses.replace(
        inp,
        claim=dataclasses.replace(inp.claim, amount=estimate),
        receipts=(),
        same_receipts=(),
        provider_lines=(),
        provider_visits=(),
        diagnosis_amounts={},
        setting_amounts={},
        item_prices={},
    )


def _overrides(items: list[str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for item in items:
        name, _, value = item.partition("=")
        code, _, param = name.partition(".")
        found[code][param] = value
    return found


def replay(
    url: str, overrides: dict[str, dict[str, str]], show: set[str], report_runs: bool = False
) -> dict[str, Any]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from claimdesk.checks import repository
    from claimdesk.models.claim import Claim
    from claimdesk.rules.checks.params import validate
    from claimdesk.rules.checks.rules import RULES

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with Session(engine) as session:
        labels = {
            cid: (kind, fraud)
            for cid, kind, fraud in session.execute(
                text("SELECT claim_id, kind, fraud FROM bench_labels ORDER BY claim_id")
            )
        }
        # The honest look-alikes (a kept run of bench/stp.py since they exist).
        has_lookalike = session.execute(
            text(
                "SELECT count(*) FROM information_schema.columns"
                " WHERE table_name = 'bench_labels' AND column_name = 'lookalike'"
            )
        ).scalar_one()
        lookalike_of: dict[int, str] = {}
        if has_lookalike:
            lookalike_of = {
                cid: label or "plain"
                for cid, label in session.execute(
                    text("SELECT claim_id, lookalike FROM bench_labels WHERE fraud IS NULL")
                )
            }
        params = {}
        for code, config in repository.current_configs(session).items():
            rule = RULES.get(code)
            if rule is None or not config.enabled:
                continue
            # A kept database predates the worktree's migrations: a stored parameter its
            # rule no longer declares is dropped (said on stderr); pass the new version's
            # values with --param.
            known = {spec.name for spec in rule.params}
            stored = {k: v for k, v in config.parameters.items() if k in known}
            if len(stored) < len(config.parameters):
                gone = sorted(set(config.parameters) - known)
                print(f"{code}: stored parameters dropped: {', '.join(gone)}", file=sys.stderr)
            params[code] = validate(rule.params, {**stored, **overrides.get(code, {})})
        hit_by: dict[int, set[str]] = {}
        shown: list[dict[str, Any]] = []
        for cid in sorted(labels):
            claim = session.get_one(Claim, cid)
            inp = as_of(repository.gather(session, claim=claim), cid)
            inp = dataclasses.replace(inp, book_days=_book_days_before(session, inp, cid))
            runs = [("bills", inp)]
            if report_runs:
                runs.append(("report", at_report(inp, claim.estimated_amount)))
            codes = set()
            for run, facts in runs:
                for code, values in params.items():
                    for hit in RULES[code].run(facts, values):
                        if hit.on_claim_ids:
                            continue  # another claim's hit
                        codes.add(code)
                        if code in show:
                            shown.append(
                                {
                                    "claim_id": cid,
                                    "run": run,
                                    "label": labels[cid],
                                    "evidence": hit.evidence,
                                }
                            )
            hit_by[cid] = codes
    per_check: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cid, codes in hit_by.items():
        fraud = labels[cid][1]
        for code in codes:
            per_check[code][0 if fraud else 1] += 1
        if fraud:
            kinds[fraud][0] += 1
            kinds[fraud][1] += bool(codes)
    clean = [cid for cid in hit_by if not labels[cid][1]]
    alike: dict[str, list[Any]] = defaultdict(lambda: [0, 0, Counter()])
    for cid in clean:
        row = alike[lookalike_of.get(cid, "plain")]
        row[0] += 1
        row[1] += bool(hit_by[cid])
        row[2].update(hit_by[cid])
    planted = [cid for cid in hit_by if labels[cid][1]]
    return {
        "claims": len(hit_by),
        "fraud_planted": len(planted),
        "fraud_caught": sum(1 for cid in planted if hit_by[cid]),
        "clean": len(clean),
        "clean_hit": sum(1 for cid in clean if hit_by[cid]),
        "false_hold_pct": round(
            100 * sum(1 for cid in clean if hit_by[cid]) / max(len(clean), 1), 1
        ),
        "per_check": dict(per_check),
        "per_kind": dict(kinds),
        "lookalikes": {k: (n, held, dict(by)) for k, (n, held, by) in sorted(alike.items())},
        "shown": shown,
        "reasons": Counter(code for cid in clean for code in hit_by[cid]),
        "missed": sorted((labels[cid][1], cid) for cid in planted if not hit_by[cid]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="the kept database (printed by bench stp)")
    parser.add_argument("--keys", help="the run's keyring file (printed by bench stp)")
    parser.add_argument(
        "--param", action="append", default=[], help="check.parameter=value (repeatable)"
    )
    parser.add_argument("--show", action="append", default=[], help="print this check's hits")
    parser.add_argument(
        "--report-runs",
        action="store_true",
        help="also run each claim's checks as on its report (no receipt, the estimate)",
    )
    parser.add_argument(
        "--missed", action="store_true", help="list the planted claims no check hit (kind, id)"
    )
    args = parser.parse_args(argv)
    if args.keys:
        with open(args.keys) as handle:
            os.environ["CLAIMDESK_KEYS"] = handle.read()
    figures = replay(args.url, _overrides(args.param), set(args.show), args.report_runs)
    for item in figures.pop("shown"):
        print(json.dumps(item, ensure_ascii=False, default=str))
    print("per check (planted fraud / clean):")
    for code, (f, c) in sorted(figures.pop("per_check").items()):
        print(f"  {code}: {f} / {c}")
    print("per planted kind (planted → caught):")
    for kind, (n, caught) in sorted(figures.pop("per_kind").items()):
        print(f"  {kind}: {n} → {caught}")
    print("clean claims by honest look-alike (claims / hit: by which checks):")
    for label, (n, held, by) in figures.pop("lookalikes").items():
        print(f"  {label}: {n} / {held} {by}")
    figures.pop("reasons")
    missed = figures.pop("missed")
    if args.missed:
        print("planted claims no check hit (kind: claim ids):")
        by_kind: dict[str, list[int]] = defaultdict(list)
        for kind, cid in missed:
            by_kind[kind].append(cid)
        for kind, ids in sorted(by_kind.items()):
            print(f"  {kind}: {ids}")
    print(
        "REPLAY "
        + " ".join(f"{k}={v}" for k, v in figures.items() if not isinstance(v, dict | list))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
