"""Which keyed hash (blind index) belongs to which encrypted column.

Key rotation with ``--reindex`` and ``claimdesk keys verify`` need to know, for each
look-up hash, the encrypted column it is computed from and the purpose string mixed
into the HMAC. A domain that adds a hashed column adds one line here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from claimdesk.crypto.keyring import blind_index

PURPOSE_ID_NUMBER = "id_number"
PURPOSE_PHONE = "phone"
PURPOSE_BANK_ACCOUNT = "bank_account"
PURPOSE_NAME = "name"
PURPOSE_DIAGNOSIS_GROUP = "diagnosis_group"
PURPOSE_ITEM_CODE = "item_code"

# Separators people type differently in the same name: spaces (any width) and the
# middle dots of transliterated names (阿依古丽·买买提, 阿依古丽・买买提, 阿依古丽.买买提).
_NAME_SEPARATORS = frozenset("·・•‧.")


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
    # A claim's contact phone (CLM-F3: a ring gives its organiser's phone on many claims).
    BlindIndexSpec("claims", "contact_phone", "contact_phone_hash", PURPOSE_PHONE),
    BlindIndexSpec("claim_bills", "dise_group", "dise_group_hash", PURPOSE_DIAGNOSIS_GROUP),
    # A bill line's national item code (CLM-F3: the usual price of an item).
    BlindIndexSpec("claim_bill_lines", "item_code", "item_code_hash", PURPOSE_ITEM_CODE),
)


# Keyed hashes of names (issue 12: search by the insured's or claimant's name). The names
# are in clear columns today; the search goes through the hash only, so it keeps working,
# unchanged, once they are encrypted. ``crypto.rotation.reindex_all`` recomputes these
# from the clear column when the index key changes.
NAME_INDEXES: tuple[BlindIndexSpec, ...] = (
    BlindIndexSpec("people", "name", "name_hash", PURPOSE_NAME),
    BlindIndexSpec("claims", "claimant_name", "claimant_name_hash", PURPOSE_NAME),
)


def normalise_name(value: str) -> str:
    """The form of a name that is hashed: NFKC (full-width letters, compatibility
    characters), no spaces or middle dots, case-folded (Latin names)."""
    text = unicodedata.normalize("NFKC", value)
    return "".join(c for c in text if not c.isspace() and c not in _NAME_SEPARATORS).casefold()


def name_index(value: str | None) -> str | None:
    """HMAC-SHA256 of the normalised name under the keyring's index key (SEC-1); None
    for no name."""
    if value is None:
        return None
    normalised = normalise_name(value)
    return blind_index(normalised, PURPOSE_NAME) if normalised else None
