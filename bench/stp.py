"""Straight-through claims benchmark (issue 13): ``python -m bench stp``.

Generates a stream of medical claims with e-bills (bench/stp_data.py: by default 2,000;
``BENCH_STP_CLAIMS`` or ``python -m bench.stp --claims 100`` for a quick run), loads the
book it needs (insureds, policies on a small outpatient product, bank accounts) into a
scratch PostgreSQL database, starts the API (2 uvicorn workers) and the worker
(``claimdesk worker``) as subprocesses, feeds every claim through the HTTP API as a
claims handler would — report, the claim form / ID / medical record as files, the
e-bill as data — waits until the worker has nothing left to do, and measures:

- hits per check (on planted fraud and on clean claims) and catches per planted kind;
- why eligible claims went to a person (the automatic path's reasons, when it exists);
- the final line, exactly:
  ``STP eligible=… auto_paid_pct=… p50_s=… p95_s=… fraud_planted=… fraud_caught=…
  false_hold_pct=… duplicate_receipt_payouts=…``

Definitions (issue 13): eligible = complete e-bills, within the limit, no planted fraud;
auto_paid_pct = share of them whose payment instruction no person made; p50_s/p95_s =
from the moment the last material was in (the client's clock after the last upload was
answered) to the payment instruction (``claim_payments.created_at``), over the eligible
claims paid automatically; fraud_caught = planted fraud claims with at least one check
hit found before the claim's first payment instruction (or on a claim never paid); a hit
found after it — a series re-checked once a later claim shows it — is printed apart as
caught after payment; false_hold_pct = share of the claims without planted fraud that a
check held or referred (before or after payment); duplicate_receipt_payouts = payments beyond the first on one receipt (code +
number). Figures are printed, never asserted (docs/benchmarks.md holds the targets).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.claims import HTTP_TIMEOUT, PASSWORD, Server, _bench_keys
from bench.common import scratch_postgres
from bench.stp_book import load_people
from bench.stp_data import WAITING_DAYS, ClaimSpec, Stream, generate, policy_number

CLAIMS = int(os.environ.get("BENCH_STP_CLAIMS", "2000"))
CLIENTS = int(os.environ.get("BENCH_STP_CLIENTS", "4"))
WAIT = float(os.environ.get("BENCH_STP_WAIT", "1800"))
SEED = int(os.environ.get("BENCH_STP_SEED", "20261206"))
# Worker processes (they share nothing but the database; docs/architecture.md): on the
# 2-core box two keep both cores busy between the API's requests; more add throughput
# only with more cores (SKIP LOCKED hands each job to one of them).
WORKERS = int(os.environ.get("BENCH_STP_WORKERS", str(min(os.cpu_count() or 2, 4))))
# Seconds between an idle worker's looks for a job (``claimdesk worker --poll-interval``).
POLL = float(os.environ.get("BENCH_STP_POLL", "0.1"))
# Arrivals: claims per second, spread evenly (customers do not all arrive at once);
# 0 = closed loop, every client sends its next claim as soon as the last is answered.
RATE = float(os.environ.get("BENCH_STP_RATE", "1.0"))
MATERIALS = ("claim_form", "identity_proof", "medical_record")
PDF = b"%PDF-1.4\n% bench material\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PRODUCT = "OPD-BENCH"
USER = "stpbench"


# -- the book --------------------------------------------------------------------------------


def _product(session: Any, actor: Any, today: dt.date) -> int:
    """A small outpatient medical product (门急诊医疗): no deductible, 30-day waiting period."""
    from claimdesk.products import repository, service
    from claimdesk.products.schemas import CoverageIn, ProductIn, VersionIn

    data = ProductIn(
        code=PRODUCT,
        name="门急诊医疗保险",
        line="health",
        for_adults=False,  # families insure their children too
        version=VersionIn.model_validate(
            {
                "effective_date": today.replace(year=today.year - 3, month=1, day=1),
                "period_months": 12,
                "refund_rule": "pro_rata_days",
                "insured_liabilities": "被保险人在等待期后因疾病或在保险期间内因意外伤害发生的门急诊及住院医疗费用，按约定比例给付。",
                "exclusions": "既往症；整容、美容；非必要的检查；战争、核辐射。",
                "sum_insured": "20000.00",
                "premium_rate": "0.015000",
                "terms": {"等待期": f"保单生效后 {WAITING_DAYS} 天内因疾病发生的费用不赔。"},
                "coverages": [
                    CoverageIn(
                        code="opd",
                        name="门急诊医疗保险金",
                        type="medical",
                        parameters={
                            "sum_insured": "20000.00",
                            "deductible": "0.00",
                            "payout_ratio": "1.00",
                            "payout_ratio_without_social_insurance": "0.80",
                            "scope": "all_necessary",
                            "excluded_kinds": ["cosmetic"],
                            "waiting_period_days": WAITING_DAYS,
                        },
                    ).model_dump(mode="json")
                ],
            }
        ),
    )
    product = service.create_product(session, actor=actor, data=data)
    draft = repository.latest_version(session, product_id=product.id)
    assert draft is not None
    service.publish_version(session, actor=actor, version_id=draft.id)
    return int(draft.id)


def load_book(url: str, stream: Stream) -> dict[int, str]:
    """Calendar, the product, every insured with a policy and a bank account and the
    book's claims history (in bulk: bench/stp_book.py), the bench user; returns insured
    key → policy number."""
    from sqlalchemy.orm import Session

    from claimdesk.audit.service import record
    from claimdesk.auth.passwords import hash_password
    from claimdesk.auth.principal import Principal
    from claimdesk.calendar.service import seed_from_package
    from claimdesk.db import make_engine
    from claimdesk.models.user import User, UserRole

    system = Principal.system("bench")
    engine = make_engine(url)
    with Session(engine) as session:
        year = stream.today.year
        seed_from_package(session, years=(2025, 2026), actor=system)
        extra = tuple(y for y in (year - 1, year, year + 1) if y not in (2025, 2026))
        if extra:
            seed_from_package(session, years=extra, actor=system, provisional=True)
        version_id = _product(session, system, stream.today)
        numbers, history = load_people(session, stream, version_id)
        record(
            session,
            actor=system,
            action="bench.book_loaded",
            entity_type="bench",
            entity_id="stp",
            details={"insureds": len(stream.insureds), "history_claims": history},
        )
        user = User(username=USER, display_name="STP bench", password_hash=hash_password(PASSWORD))
        user.roles = [UserRole(role="claims_handler")]
        session.add(user)
        session.commit()
    engine.dispose()
    return numbers


# -- the worker ------------------------------------------------------------------------------


class Worker:
    """``claimdesk worker`` on the scratch database (the server's keys and settings)."""

    def __init__(self, url: str, stats_file: Path) -> None:
        self.stats_file = stats_file
        env = {
            **os.environ,
            "CLAIMDESK_DATABASE_URL": url,
            "CLAIMDESK_ENV": "production",
            "CLAIMDESK_KEYS": _bench_keys(),
        }
        command = shutil.which("claimdesk", path=str(Path(sys.executable).parent))
        argv = [command] if command else [sys.executable, "-m", "claimdesk.cli"]
        self.process = subprocess.Popen(
            [*argv, "worker", "--poll-interval", str(POLL), "--stats-file", str(stats_file)],
            env=env,
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def stats(self) -> dict[str, Any]:
        """What the worker wrote at exit: jobs, jobs/s, per kind jobs and seconds."""
        try:
            return dict(json.loads(self.stats_file.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}


# -- the client ------------------------------------------------------------------------------


def _token(base: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token",
        json={"username": USER, "password": PASSWORD},
        timeout=HTTP_TIMEOUT,
        trust_env=False,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _report_body(spec: ClaimSpec, policy: str, name: str) -> dict[str, Any]:
    return {
        "channel": "app",
        "policy_number": policy,
        "claimant_name": name,
        "contact_phone": spec.contact_phone,
        "loss_date": spec.treated_on.isoformat(),
        "loss_place": spec.bill["receipt"]["issuer"]["name"],
        "loss_cause": spec.cause,
        "loss_overview": f"{spec.diagnosis or '门诊'}就诊",
        "estimated_amount": str(spec.total),
    }


Job = tuple[int, float | None, dict[str, Any], list[str], dict[str, Any]]


def submit(
    base: str, token: str, jobs: list[Job]
) -> list[tuple[int, int | None, float | None, str]]:
    """One client: each claim reported, its files uploaded and its e-bill sent, in order;
    a claim with an arrival time (UTC epoch) is not started before it. Returns (spec
    key, claim id, when the last material was in — UTC epoch, or None when materials
    stay missing — and an error text if a call was refused)."""
    out = []

    def post(client: httpx.Client, path: str, key: str, **kwargs: Any) -> httpx.Response:
        # A kept-alive connection the loaded server closed fails before the request is
        # read; the Idempotency-Key makes a retry of a request that did arrive harmless.
        for attempt in range(4):
            try:
                return client.post(path, headers={"Idempotency-Key": key}, **kwargs)
            except (httpx.RemoteProtocolError, httpx.ConnectError, httpx.ReadError):
                if attempt == 3:
                    raise
                time.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")

    with httpx.Client(
        base_url=base,
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
        timeout=HTTP_TIMEOUT,
    ) as client:
        for key, arrives, report, files, bill in jobs:
            if arrives is not None and arrives > time.time():
                time.sleep(arrives - time.time())
            response = post(client, "/api/v1/claims", f"stp-{key}-report", json=report)
            if response.status_code != 201:
                out.append(
                    (key, None, None, f"report {response.status_code} {response.text[:300]}")
                )
                continue
            claim_id = int(response.json()["id"])
            error = ""
            for code in files:
                answer = post(
                    client,
                    f"/api/v1/claims/{claim_id}/files",
                    f"stp-{key}-{code}",
                    files={"file": (f"{code}.pdf", PDF, "application/pdf")},
                    data={"material_code": code},
                )
                if answer.status_code != 201:
                    error = f"file {code} {answer.status_code} {answer.text[:300]}"
            answer = post(client, f"/api/v1/claims/{claim_id}/bills", f"stp-{key}-bill", json=bill)
            if answer.status_code != 201:
                error = f"bill {answer.status_code} {answer.text[:300]}"
            done = time.time() if len(files) == len(MATERIALS) and not error else None
            out.append((key, claim_id, done, error))
    return out


def feed(base: str, stream: Stream) -> dict[int, tuple[int | None, float | None, str]]:
    """Every claim reported on the policy in force on its treatment day: a renewed
    insured's visit before the current policy began (a course begun last policy year)
    on the year before's, as stp_book loaded both (stp_data.policy_number)."""
    token = _token(base)
    names = {p.key: p.name for p in stream.insureds}
    people = stream.insureds  # a key is its index
    start = time.time() + 1.0
    jobs: list[Job] = [
        (
            spec.key,
            start + i / RATE if RATE > 0 else None,
            _report_body(
                spec, policy_number(people[spec.insured], spec.treated_on), names[spec.insured]
            ),
            [m for m in MATERIALS if m not in spec.missing],
            spec.bill,
        )
        for i, spec in enumerate(stream.claims)
    ]
    # Interleaved slices keep the arrival order roughly intact across the clients.
    parts = [jobs[i::CLIENTS] for i in range(CLIENTS)]
    with ProcessPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(submit, [base] * CLIENTS, [token] * CLIENTS, parts))
    return {key: (cid, done, error) for part in results for key, cid, done, error in part}


# -- waiting and measuring -------------------------------------------------------------------


def _tables(conn: psycopg.Connection[Any]) -> set[str]:
    return {
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
    }


def wait_for_worker(url: str, claim_ids: list[int]) -> float:
    """Until no job is queued and (with the automatic path installed) every claim whose
    materials are complete has a decision; returns the seconds waited."""
    started = time.monotonic()
    quiet = 0
    with psycopg.connect(url, autocommit=True) as conn:
        automatic = "automatic_decisions" in _tables(conn)
        while time.monotonic() - started < WAIT:
            queued = conn.execute(
                "SELECT count(*) FROM jobs WHERE status = 'queued' AND run_at <= now() + interval '2 seconds'"
            ).fetchone()
            pending = queued[0] if queued else 0
            if automatic and not pending:
                row = conn.execute(
                    "SELECT count(*) FROM automatic_decisions WHERE claim_id = ANY(%s)",
                    (claim_ids,),
                ).fetchone()
                print(f"   worker: {row[0] if row else 0} decisions", flush=True)
            quiet = quiet + 1 if not pending else 0
            if quiet >= 3:
                break
            time.sleep(2)
    return time.monotonic() - started


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _percentile(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, -(-pct * len(ordered) // 100)) - 1]


def measure(
    url: str, stream: Stream, fed: dict[int, tuple[int | None, float | None, str]]
) -> dict[str, Any]:
    specs = {spec.key: spec for spec in stream.claims}
    claim_of = {key: cid for key, (cid, _d, _e) in fed.items() if cid is not None}
    spec_of = {cid: specs[key] for key, cid in claim_of.items()}
    with psycopg.connect(url, autocommit=True) as conn:
        first_payment: dict[int, tuple[dt.datetime, int | None]] = {}
        for cid, created, by in conn.execute(
            "SELECT claim_id, created_at, created_by_id FROM claim_payments ORDER BY created_at, id"
        ):
            first_payment.setdefault(cid, (created, by))
        hits: dict[int, list[tuple[str, str]]] = defaultdict(list)
        # A hit found after the claim's first payment instruction (a series re-checked
        # once a later claim showed it) did not stop the payment: counted apart.
        late: dict[int, list[str]] = defaultdict(list)
        for cid, code, action, found in conn.execute(
            "SELECT claim_id, check_code, action, found_at FROM check_hits"
        ):
            paid = first_payment.get(cid)
            if paid is not None and found > paid[0]:
                late[cid].append(code)
            else:
                hits[cid].append((code, action))
        repeated = conn.execute(
            """SELECT coalesce(sum(n - 1), 0) FROM (
                 SELECT b.receipt_key, count(DISTINCT b.claim_id) AS n
                 FROM claim_bills b JOIN claim_payments p ON p.claim_id = b.claim_id
                 GROUP BY b.receipt_key HAVING count(DISTINCT b.claim_id) > 1) AS x"""
        ).fetchone()
        reasons: Counter[str] = Counter()
        decided: dict[int, str] = {}
        if "automatic_decisions" in _tables(conn):
            for cid, outcome, why in conn.execute(
                "SELECT claim_id, outcome, reasons FROM automatic_decisions"
            ):
                decided[cid] = outcome
                spec = spec_of.get(cid)
                if spec is not None and spec.eligible and outcome != "paid":
                    items = why if isinstance(why, list) else json.loads(why or "[]")
                    for item in items:
                        reasons[str(item.get("code", "?")).split(":")[0]] += 1
        failed_jobs = conn.execute(
            "SELECT kind, count(*) FROM jobs WHERE status = 'failed' GROUP BY kind"
        ).fetchall()
        # Where a claim's time goes: per kind, jobs and seconds from due to done (queue
        # wait + work; the workers' own figures give the work).
        queue = {
            kind: {"jobs": n, "due_to_done_p50_s": p50, "due_to_done_p95_s": p95}
            for kind, n, p50, p95 in conn.execute(
                """SELECT kind, count(*),
                     round(percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY extract(epoch FROM finished_at - run_at))::numeric, 2),
                     round(percentile_cont(0.95) WITHIN GROUP (
                       ORDER BY extract(epoch FROM finished_at - run_at))::numeric, 2)
                   FROM jobs WHERE status = 'done' AND kind NOT LIKE 'audit.%%'
                     AND kind NOT LIKE 'calendar.%%' GROUP BY kind ORDER BY kind"""
            )
        }
        checks_runs = conn.execute(
            "SELECT count(*) FROM audit_entries WHERE action = 'claim.checks_run'"
        ).fetchone()
    eligible = [cid for cid, s in spec_of.items() if s.eligible and fed[s.key][1] is not None]
    automatic = [cid for cid in eligible if cid in first_payment and first_payment[cid][1] is None]
    waits = []
    for cid in automatic:
        done = fed[spec_of[cid].key][1]
        assert done is not None
        waits.append(max(first_payment[cid][0].timestamp() - done, 0.0))
    fraud = [cid for cid, s in spec_of.items() if s.fraud]
    clean = [cid for cid, s in spec_of.items() if not s.fraud]
    per_check: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for cid, found in hits.items():
        spec = spec_of.get(cid)
        if spec is None:
            continue
        for code in {c for c, _a in found}:
            per_check[code][0 if spec.fraud else 1] += 1
    for cid, codes in late.items():
        spec = spec_of.get(cid)
        if spec is None:
            continue
        for code in set(codes):
            per_check[code][2 if spec.fraud else 3] += 1
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for cid in fraud:
        kind = spec_of[cid].fraud or "?"
        kinds[kind][0] += 1
        kinds[kind][1] += bool(hits.get(cid))
        kinds[kind][2] += cid in first_payment
        kinds[kind][3] += not hits.get(cid) and bool(late.get(cid))
    # The honest look-alikes of fraud (bench/stp_data.py): claims, and held or referred
    # by a check (before or after payment), and by which checks.
    lookalikes: dict[str, list[Any]] = defaultdict(lambda: [0, 0, Counter()])
    for cid in clean:
        label = spec_of[cid].lookalike or "plain"
        codes = {c for c, _a in hits.get(cid, [])} | set(late.get(cid, []))
        lookalikes[label][0] += 1
        lookalikes[label][1] += bool(codes)
        lookalikes[label][2].update(codes)
    p50, p95 = _percentile(waits, 50), _percentile(waits, 95)
    return {
        "lookalikes": {k: (n, held, dict(by)) for k, (n, held, by) in sorted(lookalikes.items())},
        "claims": len(spec_of),
        "refused": {k: e for k, (_c, _d, e) in fed.items() if e},
        "eligible": len(eligible),
        "auto_paid": len(automatic),
        "auto_paid_pct": round(_pct(len(automatic), len(eligible)), 1),
        "p50_s": None if p50 is None else round(p50, 1),
        "p95_s": None if p95 is None else round(p95, 1),
        "mean_s": round(statistics.fmean(waits), 1) if waits else None,
        "fraud_planted": len(fraud),
        "fraud_caught": sum(1 for cid in fraud if hits.get(cid)),
        # Held or sent to a person by a check: before payment, or after it (a re-check of
        # a series sends a paid claim to an investigator — a person's time all the same).
        "false_hold_pct": round(
            _pct(sum(1 for cid in clean if hits.get(cid) or late.get(cid)), len(clean)), 1
        ),
        "caught_after_payment": sum(1 for cid in fraud if not hits.get(cid) and late.get(cid)),
        "clean_flagged_after_payment": sum(1 for cid in clean if late.get(cid)),
        "duplicate_receipt_payouts": int(repeated[0]) if repeated else 0,
        "per_check": dict(per_check),
        "per_kind": dict(kinds),
        "referral_reasons": dict(reasons.most_common()),
        "decisions": Counter(decided.values()),
        "failed_jobs": dict(failed_jobs),
        "jobs": queue,
        "jobs_per_claim": round(sum(v["jobs"] for v in queue.values()) / len(spec_of), 2)
        if spec_of
        else None,
        "checks_runs_per_claim": round(int(checks_runs[0]) / len(spec_of), 2)
        if spec_of and checks_runs
        else None,
        "paid_any": sum(1 for cid in spec_of if cid in first_payment),
    }


def _label(url: str, stream: Stream, fed: dict[int, tuple[int | None, float | None, str]]) -> None:
    """With CLAIMDESK_BENCH_KEEP=1 the kept database gets the stream's labels
    (bench_labels: claim id, kind, planted fraud, eligible, diagnosis) and the run's
    keyring a file, to look into the run's hits afterwards (SQL, bench/stp_replay.py)."""
    if os.environ.get("CLAIMDESK_BENCH_KEEP") != "1":
        return
    specs = {spec.key: spec for spec in stream.claims}
    rows = [
        (
            cid,
            specs[key].kind,
            specs[key].fraud,
            specs[key].eligible,
            specs[key].diagnosis,
            specs[key].lookalike,
        )
        for key, (cid, _d, _e) in fed.items()
        if cid is not None
    ]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_labels (claim_id int PRIMARY KEY, kind text, fraud text,"
            " eligible boolean, diagnosis text, lookalike text)"
        )
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO bench_labels VALUES (%s, %s, %s, %s, %s, %s)", rows)
    # The encrypted columns need the run's keyring (generated per run, never stored).
    keys = Path(tempfile.gettempdir()) / f"{url.rsplit('/', 1)[1]}.keys.json"
    keys.write_text(os.environ["CLAIMDESK_KEYS"])
    print(f"labels in bench_labels; keyring in {keys} (bench/stp_replay.py reads both)")


def _worker_figures(stats: list[dict[str, Any]], busy_s: float) -> dict[str, Any]:
    """The workers' own figures summed: jobs, jobs/s over feeding + draining, and per
    kind the work per job (pick to commit)."""
    kinds: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for one in stats:
        for kind, row in one.get("kinds", {}).items():
            kinds[kind][0] += row["jobs"]
            kinds[kind][1] += row["seconds"]
    jobs = sum(int(one.get("jobs", 0)) for one in stats)
    # A follow-up's time ("<kind>@<job kind>") is inside its job's: counted once.
    work = sum(sec for kind, (_n, sec) in kinds.items() if "@" not in kind)
    return {
        "workers": len(stats),
        # What the workers could do if never idle: jobs per second of work, times workers.
        "capacity_jobs_per_s": round(len(stats) * jobs / work, 1) if work else None,
        "worker_jobs": jobs,
        "busy_s": round(busy_s, 1),
        "jobs_per_s": round(jobs / busy_s, 2) if busy_s else None,
        "worker_kinds": {
            kind: {"jobs": int(n), "ms_per_job": round(1000 * sec / n, 1) if n else None}
            for kind, (n, sec) in sorted(kinds.items())
        },
    }


def stp_line(figures: dict[str, Any]) -> str:
    def num(value: Any) -> str:
        return "nan" if value is None else f"{value}"

    return (
        f"STP eligible={figures['eligible']} auto_paid_pct={figures['auto_paid_pct']:.1f} "
        f"p50_s={num(figures['p50_s'])} p95_s={num(figures['p95_s'])} "
        f"fraud_planted={figures['fraud_planted']} fraud_caught={figures['fraud_caught']} "
        f"false_hold_pct={figures['false_hold_pct']:.1f} "
        f"duplicate_receipt_payouts={figures['duplicate_receipt_payouts']}"
    )


def report(figures: dict[str, Any]) -> None:
    print(f"claims fed: {figures['claims']}, refused calls: {len(figures['refused'])}")
    for key, error in list(figures["refused"].items())[:5]:
        print(f"   refused #{key}: {error}")
    print(
        "hits per check (claims hit: planted fraud / clean; after payment, by a series "
        "re-check: planted fraud / clean):"
    )
    for code, (on_fraud, on_clean, late_fraud, late_clean) in sorted(figures["per_check"].items()):
        print(
            f"   {code:<20} fraud={on_fraud:<5} clean={on_clean:<5} "
            f"after_payment_fraud={late_fraud:<4} after_payment_clean={late_clean}"
        )
    print(
        "planted fraud by kind (planted / caught by a check before payment / paid / "
        "flagged only after payment):"
    )
    for kind, (planted, caught, paid, after) in sorted(figures["per_kind"].items()):
        print(
            f"   {kind:<20} planted={planted:<4} caught={caught:<4} paid={paid:<4} "
            f"after_payment={after}"
        )
    print("clean claims by honest look-alike (claims / held or referred by a check: by which):")
    for label, (n, held, by) in figures.get("lookalikes", {}).items():
        print(f"   {label:<28} claims={n:<5} held={held:<4} {by}")
    print(
        f"after payment (not in fraud_caught): {figures['caught_after_payment']} planted "
        f"fraud claims flagged for recovery, {figures['clean_flagged_after_payment']} clean "
        "claims re-checked (in false_hold_pct)"
    )
    if figures["referral_reasons"]:
        print("why eligible claims went to a person (reason codes):")
        for code, n in figures["referral_reasons"].items():
            print(f"   {code:<28} {n}")
    print(
        f"automatic decisions: {dict(figures['decisions'])}; claims with a payment: {figures['paid_any']}"
    )
    print(
        f"jobs per claim: {figures['jobs_per_claim']} "
        f"(checks runs that did the work: {figures['checks_runs_per_claim']} per claim)"
    )
    for kind, row in figures["jobs"].items():
        work = figures.get("worker_kinds", {}).get(kind, {})
        print(
            f"   {kind:<22} jobs={row['jobs']:<6} due→done p50={row['due_to_done_p50_s']} s "
            f"p95={row['due_to_done_p95_s']} s  work={work.get('ms_per_job')} ms/job"
        )
    for kind, work in figures.get("worker_kinds", {}).items():
        if "@" in kind:
            follow, after = kind.split("@", 1)
            print(
                f"   {follow:<22} inside {after}: {work['jobs']} looks, "
                f"{work['ms_per_job']} ms/look (part of its work)"
            )
    if "jobs_per_s" in figures:
        print(
            f"workers: {figures['workers']} × `claimdesk worker`, {figures['jobs_per_s']} jobs/s "
            f"over feeding and draining ({figures['worker_jobs']} jobs in {figures['busy_s']} s); "
            f"capacity {figures['capacity_jobs_per_s']} jobs/s (jobs per second of work × workers)"
        )
    if figures["failed_jobs"]:
        print(f"failed jobs: {figures['failed_jobs']}")
    print(stp_line(figures), flush=True)


def measure_stp(count: int = CLAIMS) -> dict[str, Any]:
    _bench_keys()
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    started = time.perf_counter()
    stream = generate(count, seed=SEED, today=today)
    print(
        f"stream: {len(stream.claims)} claims, {len(stream.insureds)} insureds, "
        f"{len(stream.history)} claims of history, "
        f"{sum(1 for c in stream.claims if c.eligible)} eligible, fraud {stream.fraud_groups}",
        flush=True,
    )
    with scratch_postgres("claimdesk_stp") as url:
        server = Server(url)
        load_book(url, stream)
        print(f"book loaded in {time.perf_counter() - started:.0f} s", flush=True)
        stats_dir = Path(tempfile.mkdtemp(prefix="stp-workers-"))
        workers = [Worker(url, stats_dir / f"worker-{i}.json") for i in range(WORKERS)]
        try:
            server.wait_ready()
            load = os.getloadavg()[0]
            fed_at = time.perf_counter()
            pace = f"{RATE} claims/s" if RATE > 0 else "closed loop"
            print(f"feeding: {CLIENTS} clients, {pace}, {WORKERS} workers", flush=True)
            fed = feed(server.base, stream)
            fed_s = time.perf_counter() - fed_at
            print(
                f"fed {len(fed)} claims in {fed_s:.0f} s "
                f"(load {load:.1f} → {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            # Labels and keyring before the drain: a kept run stopped while the worker
            # drains (a loaded box) can still be replayed (bench/stp_replay.py).
            _label(url, stream, fed)
            ids = [cid for cid, _d, _e in fed.values() if cid is not None]
            waited = wait_for_worker(url, ids)
            print(f"worker drained {waited:.0f} s after the last claim", flush=True)
            figures = measure(url, stream, fed)
        finally:
            for worker in workers:
                worker.stop()
            server.stop()
        figures.update(_worker_figures([w.stats() for w in workers], fed_s + waited))
        shutil.rmtree(stats_dir, ignore_errors=True)
    figures["load_1min_end"] = round(os.getloadavg()[0], 1)
    report(figures)
    return figures


def run() -> dict[str, Any]:
    figures = measure_stp(CLAIMS)
    figures.pop("refused", None)
    return figures


def main(argv: list[str] | None = None) -> int:
    global RATE, WORKERS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=CLAIMS, help="claims in the stream")
    parser.add_argument(
        "--rate", type=float, default=RATE, help="arrivals, claims/s (0: closed loop)"
    )
    parser.add_argument("--workers", type=int, default=WORKERS, help="worker processes")
    args = parser.parse_args(argv)
    RATE, WORKERS = args.rate, max(args.workers, 1)
    measure_stp(args.claims)
    return 0


if __name__ == "__main__":
    sys.exit(main())
