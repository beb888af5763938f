"""Which keyed hash (blind index) belongs to which encrypted column.

Key rotation with ``--reindex`` and ``claimdesk keys verify`` need to know, for each
look-up hash, the encrypted column it is computed from and the purpose string mixed
into the HMAC. A domain that adds a hashed column adds one line here.
"""

from __future__ import annotations

from dataclasses import dataclass

PURPOSE_ID_NUMBER = "id_number"
PURPOSE_PHONE = "phone"
PURPOSE_BANK_ACCOUNT = "bank_account"


@dataclass(frozen=True)
class BlindIndexSpec:
    table: str
    source_column: str  # an EncryptedString column holding the normalised clear value
    hash_column: str
    purpose: str


BLIND_INDEXES: tuple[BlindIndexSpec, ...] = (
    BlindIndexSpec("people", "id_number", "id_number_hash", PURPOSE_ID_NUMBER),
    BlindIndexSpec("people", "phone", "phone_hash", PURPOSE_PHONE),
    BlindIndexSpec("bank_accounts", "account_number", "account_hash", PURPOSE_BANK_ACCOUNT),
)
