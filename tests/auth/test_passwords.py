"""The argon2id costs: production keeps RFC 9106's low-memory profile; the suite's
cheaper costs (tests/conftest.py) are set only through the environment and take the same
code path, and a hash carries its own costs (SEC-8)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from claimdesk.auth import passwords
from claimdesk.config import Settings, reset_settings_cache

PRODUCTION = "$argon2id$v=19$m=65536,t=3,p=4$"
COST_VARIABLES = (
    "CLAIMDESK_ARGON2_TIME_COST",
    "CLAIMDESK_ARGON2_MEMORY_KIB",
    "CLAIMDESK_ARGON2_PARALLELISM",
)


@pytest.fixture
def production_costs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The hasher as a deployment without the suite's variables gets it."""
    for name in COST_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    reset_settings_cache()
    passwords.reset_hasher_cache()
    yield
    monkeypatch.undo()  # the suite's cheap costs back before the caches are emptied
    reset_settings_cache()
    passwords.reset_hasher_cache()


def test_the_defaults_are_rfc_9106s_low_memory_profile() -> None:
    # SPEC SEC-8
    defaults = Settings.model_fields
    assert defaults["argon2_time_cost"].default == 3
    assert defaults["argon2_memory_kib"].default == 65536
    assert defaults["argon2_parallelism"].default == 4


@pytest.mark.usefixtures("production_costs")
def test_without_the_suites_variables_a_hash_has_the_production_costs() -> None:
    # SPEC SEC-8
    hashed = passwords.hash_password("Correct-Horse-9")
    assert hashed.startswith(PRODUCTION), hashed
    assert passwords.verify_password(hashed, "Correct-Horse-9")
    assert not passwords.verify_password(hashed, "Correct-Horse-8")
    assert not passwords.needs_rehash(hashed)


def test_a_cheaper_hash_verifies_in_production_and_is_rehashed(
    production_costs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC SEC-8: a hash made at the suite's costs is re-hashed at the next login
    monkeypatch.setenv("CLAIMDESK_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("CLAIMDESK_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("CLAIMDESK_ARGON2_PARALLELISM", "1")
    reset_settings_cache()
    passwords.reset_hasher_cache()
    cheap = passwords.hash_password("Correct-Horse-9")
    assert cheap.startswith("$argon2id$v=19$m=1024,t=1,p=1$"), cheap
    for name in COST_VARIABLES:
        monkeypatch.delenv(name)
    reset_settings_cache()
    passwords.reset_hasher_cache()
    assert passwords.verify_password(cheap, "Correct-Horse-9")
    assert passwords.needs_rehash(cheap)
