"""``claimdesk payments vouchers`` (SPEC CLM-P3, SEC-3): the paid transfers whose kept
bank reference is empty or not a voucher — confirmed before the voucher rule — listed for
finance to chase, with a CSV; cash payments, payments not paid and transfers with their
voucher are not listed. Read in pages; on the schema before this session's payments
migrations too (0049). Exit 1 while anything is to chase, 0 when nothing is."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from alembic import command
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from claimdesk.cli import app
from claimdesk.migrate import alembic_config
from claimdesk.models.payment import Payment
from tests.builders import demo_version, issue_policy, make_claim, make_person, resident_id

PAID_AT = dt.datetime(2026, 9, 1, 2, 30, tzinfo=dt.UTC)  # 10:30 in Shanghai


def _seed(engine: Engine, rows: list[tuple[str, str, str | None, str]]) -> dict[str, int]:
    """One claim per row (claim number, means, bank reference, status): its payment."""
    ids = {}
    with Session(engine) as db:
        person = make_person(db, id_number=resident_id(seq="613"))
        policy = issue_policy(db, version_id=demo_version(db).id, policyholder_id=person.id)
        for n, (number, means, reference, status) in enumerate(rows, start=1):
            claim = make_claim(db, number=number, policy=policy, state="paid")
            payment = Payment(
                claim_id=claim.id,
                kind="indemnity",
                sequence=1,
                idempotency_key=f"voucher-report-{n:04d}",
                amount=Decimal("1000.00") * n,
                allocations={},
                means=means,
                payee_person_id=person.id,
                payee_name=person.name,
                payee_basis="insured",
                account_last4="" if means == "offline" else "1234",
                status=status,
                created_at=PAID_AT,
                paid_at=PAID_AT if status == "paid" else None,
                bank_reference=reference,
            )
            db.add(payment)
            db.flush()
            ids[number] = payment.id
        db.commit()
    return ids


def test_paid_transfers_without_a_voucher_are_listed_for_finance(
    engine_of_cli: Engine, fresh_db_url: str, tmp_path: Path
) -> None:
    # SPEC CLM-P3 (the electronic voucher is kept) SEC-3 (periodic checks of important data)
    ids = _seed(
        engine_of_cli,
        [
            ("C-VOUCHER-1", "bank_transfer", None, "paid"),  # listed: no reference
            ("C-VOUCHER-2", "third_party", "  ", "paid"),  # listed: blank
            ("C-VOUCHER-3", "bank_transfer", "ICBC-2026-0003", "paid"),  # a voucher
            ("C-VOUCHER-4", "bank_transfer", "BK 004", "paid"),  # listed: malformed
            ("C-VOUCHER-5", "offline", None, "paid"),  # cash: ID check and signature
            ("C-VOUCHER-6", "bank_transfer", None, "exported"),  # not paid yet
        ],
    )
    # Where the operator may run it: before this session's payments migrations.
    command.downgrade(alembic_config(fresh_db_url), "0049_claim_reporter")
    out = tmp_path / "vouchers.csv"
    runner = CliRunner()
    # Two payments a page: several pages, nothing lost between them.
    done = runner.invoke(app, ["payments", "vouchers", "--batch-size", "2", "--csv", str(out)])
    assert done.exit_code == 1, done.output
    assert "paid transfers without a valid voucher: 3 (¥7,000.00)" in done.output
    assert (
        f"claim C-VOUCHER-1: payment #{ids['C-VOUCHER-1']} ¥1,000.00 bank_transfer paid "
        "2026-09-01 10:30 +08:00 (Asia/Shanghai) batch - — no bank reference"
    ) in done.output
    # SPEC GEN-2: a time printed says its zone (formatting.local_stamp), never a bare
    # local time an operator on a UTC server would misread by eight hours.
    assert "claim C-VOUCHER-4" in done.output and "reference is not a voucher ('BK 004')" in (
        done.output
    )
    for absent in ("C-VOUCHER-3", "C-VOUCHER-5", "C-VOUCHER-6"):
        assert absent not in done.output
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["claim_number"], r["amount"], r["why"]) for r in rows] == [
        ("C-VOUCHER-1", "1000.00", "empty"),
        ("C-VOUCHER-2", "2000.00", "empty"),
        ("C-VOUCHER-4", "4000.00", "malformed"),
    ]
    assert rows[0]["payment_id"] == str(ids["C-VOUCHER-1"])
    # The CSV's instant in local time with its offset, as a program reads it.
    assert rows[0]["paid_at"] == "2026-09-01T10:30:00+08:00"
    assert dt.datetime.fromisoformat(rows[0]["paid_at"]) == PAID_AT


def test_nothing_to_chase_exits_zero(engine_of_cli: Engine) -> None:
    # SPEC CLM-P3: a book where every paid transfer kept its voucher.
    _seed(engine_of_cli, [("C-VOUCHER-9", "bank_transfer", "ICBC-2026-0009", "paid")])
    done = CliRunner().invoke(app, ["payments", "vouchers"])
    assert done.exit_code == 0, done.output
    assert "paid transfers without a valid voucher: 0 (¥0.00)" in done.output
