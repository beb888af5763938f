"""SQLAlchemy column type that encrypts on write and decrypts on read."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Text, TypeDecorator
from sqlalchemy.engine import Dialect

from claimdesk.crypto.keyring import get_keyring, reload_keyring
from claimdesk.errors import KeyUnavailable


class EncryptedString(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def __init__(self, context: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return get_keyring().encrypt(value, self.context)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return get_keyring().decrypt(value, self.context)
        except KeyUnavailable:
            # Another process may have rotated the key file since this one loaded it.
            fresh = reload_keyring()
            if fresh is None:
                raise
            return fresh.decrypt(value, self.context)


class EncryptedJSON(EncryptedString):
    """A JSON document stored as one ciphertext (medical facts of an assessment, SEC-1).

    A subclass of EncryptedString on purpose: rotation, ``keys verify`` and ``keys
    status`` find every EncryptedString column, and the ciphertext is the same format
    (the JSON text encrypted with the column name as associated data)."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return super().process_bind_param(text, dialect)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        text = super().process_result_value(value, dialect)
        return None if text is None else json.loads(text)
