"""A finding found again on a later day is one hit (SPEC CLM-F3, CLM-F1, CLM-T4, GEN-5).

A re-run of the same claim (a new e-bill, a series re-check) meets a book that moved:
provider_cluster's usual at the provider, amount_outlier's median, claim_frequency's
book rate. The finding — the same claims at the same provider — is the same: it is
recorded and acted on once (no second hold of a claim the investigator cleared), its row
shows the latest figures (audited), and CLM-T4 counts one hit and one false hold."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.checks import service
from claimdesk.dashboards import queries
from claimdesk.dashboards import service as dashboards
from claimdesk.models.audit import AuditEntry
from claimdesk.models.check import CheckHit
from claimdesk.models.claim import Claim, FraudFlag
from tests.checks.helpers import ReceiptBook, only_checks, report, stranger_claim
from tests.claims.helpers import World

CLINIC = "某某诊所"


def _run(db: Session, claim_id: int) -> service.RunResult:
    result = service.run_checks(db, claim_id=claim_id, actor=service.system_actor())
    db.commit()
    return result


def test_a_finding_found_again_with_moved_figures_is_one_hit(
    world: World, db: Session, book: ReceiptBook
):
    # SPEC CLM-F3 CLM-F1 CLM-T4 GEN-5
    only_checks(
        db,
        provider_cluster={"action": "hold", "parameters": {"window_days": 3, "min_insureds": 3}},
    )
    others = [stranger_claim(world, db, "701"), stranger_claim(world, db, "702")]
    mine = int(report(world, policy_number=world.policies["MED-MILLION"].number)["id"])  # type: ignore[attr-defined]
    for n, cid in enumerate([*others, mine]):
        book.add(claim_id=cid, number=str(n), issuer=CLINIC, on=f"2026-06-0{n + 1}")
    first = _run(db, mine)
    (hit,) = first.new_hits
    assert first.held and hit.evidence["usual"] == "0.00"
    flag = db.scalars(select(FraudFlag).where(FraudFlag.claim_id == mine)).one()
    cleared = world.client.post(
        f"/api/v1/claims/{mine}/fraud-flags/{flag.id}/resolve",
        json={"outcome": "cleared", "note": "诊所周边体检活动，核实无误"},
        headers=world.h["investigator"],
    )
    assert cleared.status_code == 200, cleared.text
    state = cleared.json()["state"]

    # Days later the book has moved: an earlier visit at the clinic, before the window,
    # gives it a usual. The cluster — the same claims at the same clinic — is unchanged.
    earlier = stranger_claim(world, db, "703")
    book.add(claim_id=earlier, number="9", issuer=CLINIC, on="2026-05-10")
    again = _run(db, mine)

    assert again.new_hits == []
    assert not again.held
    db.expire_all()
    (row,) = db.scalars(select(CheckHit).where(CheckHit.claim_id == mine)).all()
    assert row.id == hit.id and row.outcome == "false_hold"
    assert row.evidence["usual"] != "0.00"  # the latest figures are the row's
    assert row.evidence["claim_ids"] == sorted(others)
    assert "通常约 0.0 位" not in row.reason_zh
    # Not held again: one flag (cleared), the claim where the investigator left it.
    assert len(db.scalars(select(FraudFlag).where(FraudFlag.claim_id == mine)).all()) == 1
    assert db.get_one(Claim, mine).state == state
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.check_hit_updated", AuditEntry.entity_id == str(mine)
        )
    ).one()
    details = json.loads(entry.details)
    assert details["hit_id"] == hit.id and "usual" in details["changed"]
    assert "claim_ids" not in details["changed"]

    # CLM-T4 counts findings: this claim's one (its false hold) and the series re-check's
    # on the two other claims of the cluster (held too) — not a fourth for the re-run.
    june = queries.Filters(dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    measures = dashboards.stp_checks(db, actor=Principal.system("test"), filters=june)
    (found,) = [r for r in measures.rows if r[0] == "provider_cluster"]
    assert found[3:7] == (3, 3, 0, 1)

    # The same figures once more: nothing to update, nothing audited.
    assert _run(db, mine).new_hits == []
    assert (
        len(
            db.scalars(
                select(AuditEntry).where(AuditEntry.action == "claim.check_hit_updated")
            ).all()
        )
        == 1
    )


def test_a_new_claim_in_the_cluster_is_a_new_finding(world: World, db: Session, book: ReceiptBook):
    # SPEC CLM-F3: the identity is the claims the finding names — one more claim in the
    # window is more than moved figures, and the hit names it (the series re-check's
    # reach).
    only_checks(
        db,
        provider_cluster={"action": "refer", "parameters": {"window_days": 3, "min_insureds": 3}},
    )
    others = [stranger_claim(world, db, "711"), stranger_claim(world, db, "712")]
    mine = int(report(world, policy_number=world.policies["MED-MILLION"].number)["id"])  # type: ignore[attr-defined]
    for n, cid in enumerate([*others, mine]):
        book.add(claim_id=cid, number=str(n), issuer=CLINIC, on=f"2026-06-0{n + 1}")
    assert len(_run(db, mine).new_hits) == 1
    later = stranger_claim(world, db, "713")
    book.add(claim_id=later, number="8", issuer=CLINIC, on="2026-06-04")
    (grown,) = _run(db, mine).new_hits
    assert grown.evidence["claim_ids"] == sorted([*others, later])
