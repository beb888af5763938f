"""Pure hash arithmetic of the audit trail, shared by the writer, the sealer, the
verifier and the restore check (GEN-5).

- ``entry_hash``: an entry's own content (with its seq). New entries have no prev_hash
  (None); entries written before the sealer keep the link they were written with.
- ``link_hash``: the sealer's chain, H(previous link, seq, entry hash), in seq order.
- ``checkpoint_signature``: an HMAC over a sealed batch with a keyring key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_details(details: dict[str, Any] | None) -> str:
    return _CANONICAL.encode(details or {})


# What json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
# default=str) writes, from one encoder built once: json.dumps builds a new encoder per
# call when given options, and every audit entry's details pass here (issue 14).
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
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
    prev_hash: str | None,
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


def link_hash(prev_link: str, seq: int, entry_digest: str) -> str:
    """One link of the sealed chain: removing, reordering or altering any sealed entry
    changes every later link."""
    return hashlib.sha256(f"{prev_link}:{seq}:{entry_digest}".encode()).hexdigest()


def checkpoint_signature(
    key: bytes, *, checkpoint_id: int, first_seq: int, last_seq: int, entries: int, chain: str
) -> str:
    """HMAC-SHA256 of a checkpoint with a key derived from a keyring key (never the
    encryption key itself): without the keyring a checkpoint cannot be forged."""
    mac_key = hmac.new(key, b"claimdesk/audit-checkpoint/v1", hashlib.sha256).digest()
    message = f"{checkpoint_id}|{first_seq}|{last_seq}|{entries}|{chain}".encode()
    return hmac.new(mac_key, message, hashlib.sha256).hexdigest()
