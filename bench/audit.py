"""Audit trail throughput on PostgreSQL: append and verify 100,000 entries (GEN-5).

Appends go through ``record()`` and a real commit, 10 entries per transaction like a
busy request; verification is ``verify_chain`` over the whole trail.
"""

from __future__ import annotations

import os
import time
from typing import Any

from sqlalchemy.orm import sessionmaker

from bench.common import scratch_postgres

ENTRIES = int(os.environ.get("CLAIMDESK_BENCH_AUDIT_ENTRIES", "100000"))
PER_COMMIT = 10


def run() -> dict[str, Any]:
    from claimdesk.audit.service import record, verify_chain
    from claimdesk.auth.principal import Principal
    from claimdesk.db import make_engine

    actor = Principal.build(user_id=1, username="bench", roles=["claims_handler"], ip="10.0.0.1")
    with scratch_postgres("claimdesk_bench_audit") as url:
        engine = make_engine(url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        started = time.perf_counter()
        for start in range(0, ENTRIES, PER_COMMIT):
            with factory() as session:
                for n in range(start, min(start + PER_COMMIT, ENTRIES)):
                    record(
                        session,
                        actor=actor,
                        action="claim.updated",
                        entity_type="claim",
                        entity_id=n % 5000,
                        reason="bench",
                        details={"field": "status", "to": "assessed", "n": n},
                    )
                session.commit()
        append_seconds = time.perf_counter() - started

        started = time.perf_counter()
        with factory() as session:
            result = verify_chain(session)
        verify_seconds = time.perf_counter() - started
        engine.dispose()

    figures = {
        "entries": ENTRIES,
        "entries_per_commit": PER_COMMIT,
        "append_seconds": round(append_seconds, 2),
        "appended_per_second": round(ENTRIES / append_seconds),
        "verify_seconds": round(verify_seconds, 2),
        "verified_per_second": round(result.entries_checked / verify_seconds),
        "chain_ok": result.ok,
    }
    print(
        f"audit: appended {ENTRIES} entries ({PER_COMMIT}/commit) at "
        f"{figures['appended_per_second']}/s; verified at {figures['verified_per_second']}/s "
        f"(chain {'intact' if result.ok else 'BROKEN'})"
    )
    return figures


if __name__ == "__main__":
    run()
