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


# One encoder reused for every entry: json.dumps builds a new one per call when given
# options, which dominated verification time. Same output as json.dumps(...).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _utc_text(occurred_at: dt.datetime) -> str:
    utc = occurred_at.astimezone(dt.UTC)
    if utc.year >= 1000:  # isoformat equals strftime below for 4-digit years, and is faster
        return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
    material = _ENCODER.encode(
        [
            seq,
            _utc_text(occurred_at),
            actor_id,
            actor,
            action,
            entity_type,
            entity_id,
            ip,
            reason,
            details,
            prev_hash,
        ]
    )
    return hashlib.sha256(material.encode()).hexdigest()
