"""Keys for field encryption and keyed look-up hashes.

A keyring is a JSON document::

    {"active": "k2", "keys": {"k1": "<base64 32 bytes>", "k2": "..."},
     "index_key": "<base64 32 bytes>"}

It comes from ``CLAIMDESK_KEYS`` (inline JSON) or the key file (``CLAIMDESK_KEY_FILE``),
created on first run. Keys are never stored in the database. Ciphertexts name the key
they were made with, so old keys decrypt until ``claimdesk keys rotate`` has
re-encrypted everything under the new active key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from claimdesk.config import Settings, get_settings
from claimdesk.errors import KeyUnavailable

log = logging.getLogger(__name__)

PREFIX = "v1"


@dataclass
class Keyring:
    active: str
    keys: dict[str, bytes]
    index_key: bytes
    source: Path | None = field(default=None)

    @classmethod
    def generate(cls) -> Keyring:
        return cls(
            active="k1",
            keys={"k1": AESGCM.generate_key(bit_length=256)},
            index_key=secrets.token_bytes(32),
        )

    @classmethod
    def from_json(cls, text: str, source: Path | None = None) -> Keyring:
        data = json.loads(text)
        keys = {kid: base64.b64decode(value) for kid, value in data["keys"].items()}
        if data["active"] not in keys:
            raise ValueError("the active key is not in the keyring")
        return cls(
            active=data["active"],
            keys=keys,
            index_key=base64.b64decode(data["index_key"]),
            source=source,
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "active": self.active,
                "keys": {kid: base64.b64encode(k).decode() for kid, k in self.keys.items()},
                "index_key": base64.b64encode(self.index_key).decode(),
            },
            indent=2,
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(self.to_json())
        tmp.replace(path)

    def add_key(self) -> str:
        """Add a fresh key and make it active; returns its id."""
        number = max(int(kid.lstrip("k")) for kid in self.keys if kid[1:].isdigit()) + 1
        kid = f"k{number}"
        self.keys[kid] = AESGCM.generate_key(bit_length=256)
        self.active = kid
        return kid

    def remove_key(self, kid: str) -> None:
        """Drop a retired key. The caller checks first that no ciphertext still uses it."""
        if kid == self.active:
            raise ValueError("the active key cannot be removed")
        del self.keys[kid]

    def new_index_key(self) -> None:
        """Replace the look-up hash key; every keyed hash must then be recomputed."""
        self.index_key = secrets.token_bytes(32)

    # --- encryption -------------------------------------------------------------------

    def encrypt(self, plaintext: str, context: str) -> str:
        """AES-256-GCM; the column name is bound in as associated data so a ciphertext
        moved to another column fails to decrypt."""
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext.encode(), context.encode())
        return f"{PREFIX}:{self.active}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, context: str) -> str:
        prefix, kid, payload = token.split(":", 2)
        if prefix != PREFIX:
            raise ValueError(f"unknown ciphertext format {prefix!r}")
        key = self.keys.get(kid)
        if key is None:
            raise KeyUnavailable(kid=kid)
        raw = base64.b64decode(payload)
        return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode()

    @staticmethod
    def key_id_of(token: str) -> str:
        return token.split(":", 2)[1]

    def blind_index(self, value: str, purpose: str) -> str:
        """Keyed hash for equality look-ups (ID number, phone, bank account)."""
        normalised = "".join(value.split()).upper()
        message = f"{purpose}:{normalised}".encode()
        return hmac.new(self.index_key, message, hashlib.sha256).hexdigest()


_keyring: Keyring | None = None


def load_keyring(settings: Settings | None = None) -> Keyring:
    settings = settings or get_settings()
    if settings.keys:
        return Keyring.from_json(settings.keys)
    path = settings.key_file
    if path.exists():
        return Keyring.from_json(path.read_text(), source=path)
    keyring = Keyring.generate()
    keyring.source = path
    keyring.save(path)
    if settings.is_development:
        log.info("created a new field-encryption key file at %s", path)
    else:
        log.warning(
            "!!! CREATED A NEW FIELD-ENCRYPTION KEY FILE AT %s — back it up and keep it "
            "out of the database backups; without it personal data cannot be read !!!",
            path,
        )
    return keyring


def get_keyring() -> Keyring:
    global _keyring
    if _keyring is None:
        _keyring = load_keyring()
    return _keyring


def set_keyring(keyring: Keyring | None) -> None:
    """Replace the process keyring (tests, key rotation)."""
    global _keyring
    _keyring = keyring


def reload_keyring() -> Keyring | None:
    """Re-read the key file after another process rotated it (a ciphertext names a key
    this process has not seen). Inline keys cannot change under us: returns None."""
    global _keyring
    current = _keyring
    if current is None or current.source is None or not current.source.exists():
        return None
    _keyring = Keyring.from_json(current.source.read_text(), source=current.source)
    log.info(
        "reloaded the field-encryption keyring from %s (active key %s)",
        current.source,
        _keyring.active,
    )
    return _keyring


def blind_index(value: str, purpose: str) -> str:
    return get_keyring().blind_index(value, purpose)
