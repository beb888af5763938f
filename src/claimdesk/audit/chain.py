"""Pure hash-chain arithmetic, shared by the writer, the verifier and the restore check."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_details(details: dict[str, Any] | None) -> str:
    return json.dumps(
        details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )


def entry_hash(
    *,
    seq: int,
    occurred_at: dt.datetime,
    actor_id: int | None,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | None,
    ip: str | None,
    reason: str | None,
    details: str,
    prev_hash: str,
) -> str:
    occurred = occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    material = json.dumps(
        [
            seq, occurred, actor_id, actor, action, entity_type, entity_id, ip, reason, details,
            prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode()).hexdigest()
