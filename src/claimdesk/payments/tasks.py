"""Background work of payments and notices.

- payments.write_batch_file: writes a batch's bank file after the export committed,
  refusing to write anything whose SHA-256 differs from the one recorded at export.
- claims.rejection_notices_sent: stops each rejection notice's 3-day clock (CLM-V3)
  at the moment the outbox actually sent the notice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.clocks import service as clocks
from claimdesk.config import get_settings
from claimdesk.jobs.queue import periodic, task
from claimdesk.payments import repository
from claimdesk.payments.service import batch_csv, get_batch
from claimdesk.storage.backends import write_atomically

FILE_ACTOR = Principal.system("payment-file")
NOTICE_ACTOR = Principal.system("notice-monitor")


def payment_file_dir() -> Path:
    settings = get_settings()
    return settings.payment_file_dir or settings.upload_dir.parent / "payment_files"


def drop_bank_file(folder: Path, name: str, content: bytes) -> None:
    """Write the file where the bank's pick-up finds it: owner-only (it holds account
    numbers in the clear the bank needs), and whole or not at all, as uploads are."""
    write_atomically(folder / name, content)


class BatchFileMismatch(RuntimeError):
    pass


@task("payments.write_batch_file")
def write_batch_file(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    batch = get_batch(session, batch_id=int(payload["batch_id"]))
    content = batch_csv(session, batch=batch, actor=FILE_ACTOR)
    digest = hashlib.sha256(content).hexdigest()
    if digest != batch.sha256:
        raise BatchFileMismatch(f"batch {batch.id}: file {digest} != recorded {batch.sha256}")
    drop_bank_file(payment_file_dir(), batch.filename, content)
    batch.written_at = now
    record(
        session,
        actor=FILE_ACTOR,
        action="payment.batch_file_written",
        entity_type="payment_batch",
        entity_id=batch.id,
        at=now,
        details={"filename": batch.filename, "sha256": digest},
    )


@periodic("claims.rejection_notices_sent", every=dt.timedelta(minutes=1))
def rejection_notices_sent(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    rows = repository.rejection_notices_sent(session)
    for notice, message in rows:
        sent_at = message.sent_at or now
        notice.sent_at = sent_at
        for clock in clocks.clocks_for(session, subject_type="claim", subject_id=notice.claim_id):
            if clock.name == "claim.rejection_notice" and clock.stopped_at is None:
                clocks.stop_clock(
                    session, clock=clock, at=max(sent_at, clock.started_at), actor=NOTICE_ACTOR
                )
        record(
            session,
            actor=NOTICE_ACTOR,
            action="claim.rejection_notice_sent",
            entity_type="claim",
            entity_id=notice.claim_id,
            at=sent_at,
            details={"notice_id": notice.id, "message_id": message.id},
        )
