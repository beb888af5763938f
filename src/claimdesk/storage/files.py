"""Uploaded files sealed at rest (SEC-1).

Each file gets its own random 256-bit data key; the bytes are AES-256-GCM encrypted with
it and the store keeps only ``MAGIC + nonce + ciphertext``. The storage key is the
associated data, so a sealed file copied under another key does not open.

The data key itself is kept in the file's database row
(``claim_material_files.data_key``), an EncryptedString column: the keyring's active
key wraps it and the ciphertext names that key. Keeping it in the row rather than in a
file header means ``keys rotate`` re-wraps every file key by re-encrypting a column (no
file is rewritten), ``keys status``/``retire`` count file keys with every other
ciphertext, and ``keys verify`` checks them.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from claimdesk.storage import transactional
from claimdesk.storage.backends import BlobStorage

MAGIC = b"CDF1"
NONCE_BYTES = 12


class SealedFileInvalid(ValueError):
    """The stored bytes are not a sealed file of this format."""


def new_file_key() -> str:
    """A fresh data key, base64 (the clear value of the data_key column)."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def seal(content: bytes, *, data_key: str, key: str) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(base64.b64decode(data_key)).encrypt(nonce, content, key.encode())
    return MAGIC + nonce + sealed


def unseal(blob: bytes, *, data_key: str, key: str) -> bytes:
    if not blob.startswith(MAGIC):
        raise SealedFileInvalid(key)
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    body = blob[len(MAGIC) + NONCE_BYTES :]
    return AESGCM(base64.b64decode(data_key)).decrypt(nonce, body, key.encode())


def save_file(
    storage: BlobStorage, *, key: str, content: bytes, session: Session | None = None
) -> str:
    """Seal ``content`` under a new data key, store it; returns the data key to record.
    With ``session``, the file is removed again if that session's transaction rolls back
    (transactional.put): the row that would name it never lands."""
    data_key = new_file_key()
    sealed = seal(content, data_key=data_key, key=key)
    if session is None:
        storage.put(key, sealed)
    else:
        transactional.put(session, storage, key, sealed)
    return data_key


def load_file(storage: BlobStorage, *, key: str, data_key: str) -> bytes:
    """The original bytes (InvalidTag if the file or its key was altered)."""
    return unseal(storage.get(key), data_key=data_key, key=key)
