"""Memory-hard password hashing (SEC-8): argon2id.

The cost parameters come from configuration. Production keeps the library's defaults
(RFC 9106 low-memory profile: 64 MiB, 3 passes); the test suite lowers them so that
hundreds of logins stay fast — the algorithm and the code path are the same.
Hashes carry their parameters, so a hash made with other costs still verifies and is
re-hashed at the next login (``needs_rehash``).
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from claimdesk.config import get_settings


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Verified against when the username does not exist, so timing does not reveal it."""
    return str(_hasher().hash("claimdesk-dummy-password"))


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher().verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return bool(_hasher().check_needs_rehash(password_hash))


def reset_hasher_cache() -> None:
    _hasher.cache_clear()
    dummy_hash.cache_clear()
