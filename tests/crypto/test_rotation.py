"""Key rotation, index-key rotation and the `claimdesk keys` commands. # SPEC SEC-1"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from claimdesk.auth.principal import Principal
from claimdesk.config import reset_settings_cache
from claimdesk.crypto import rotation
from claimdesk.crypto.cli import app as keys_app
from claimdesk.crypto.keyring import Keyring, set_keyring
from claimdesk.models.audit import AuditEntry
from claimdesk.models.person import BankAccount, Person
from claimdesk.people import service
from claimdesk.people.demo import DEMO_PEOPLE
from tests.conftest import TEST_KEYRING


def _read_all(engine: Engine) -> dict[str, tuple[str, str | None, str | None]]:
    with Session(engine) as session:
        people = session.scalars(select(Person)).all()
        return {p.name: (p.id_number, p.phone, p.medical_notes) for p in people}


def test_rotation_reencrypts_everything_and_old_key_can_go(
    demo_engine: Engine, keyring: Keyring
) -> None:
    # SPEC SEC-1
    before = _read_all(demo_engine)
    old = keyring.active
    assert set(rotation.key_usage(demo_engine)) == {old}
    new = keyring.add_key()
    counts = rotation.reencrypt_all(demo_engine, keyring, batch_size=2)  # several batches
    columns = {c.label for c in rotation.encrypted_columns()}
    assert {"people.id_number", "people.phone", "bank_accounts.account_number"} <= columns
    assert counts["people.id_number"] == len(DEMO_PEOPLE)
    assert counts["bank_accounts.account_number"] == len(DEMO_PEOPLE)
    usage = rotation.key_usage(demo_engine)
    assert set(usage) == {new} and usage[new] == sum(counts.values())
    # A second run has nothing left to do.
    assert sum(rotation.reencrypt_all(demo_engine, keyring).values()) == 0
    keyring.remove_key(old)
    assert _read_all(demo_engine) == before
    assert rotation.verify(demo_engine, keyring) == []


def test_reindex_recomputes_hashes_with_new_index_key(
    demo_engine: Engine, keyring: Keyring
) -> None:  # SPEC SEC-1
    with Session(demo_engine) as session:
        old_hashes = set(session.scalars(select(Person.id_number_hash)))
    keyring.new_index_key()
    assert len(rotation.verify(demo_engine, keyring)) == 3 * len(DEMO_PEOPLE)  # stale hashes
    counts = rotation.reindex_all(demo_engine, keyring, batch_size=3)
    assert counts == {
        "people.id_number_hash": len(DEMO_PEOPLE),
        "people.phone_hash": len(DEMO_PEOPLE),
        "bank_accounts.account_hash": len(DEMO_PEOPLE),
        # A claim's contact phone (issue 13; the demo book has no claims).
        "claims.contact_phone_hash": 0,
        # The keyed name index (issue 12) is recomputed with the others.
        "people.name_hash": len(DEMO_PEOPLE),
        "claims.claimant_name_hash": 0,
        # The amount check's diagnosis groups (CLM-F3): no bill in the demo data.
        "claim_bills.dise_group_hash": 0,
        # The amount check's item codes (CLM-F3): no bill line either.
        "claim_bill_lines.item_code_hash": 0,
    }
    with Session(demo_engine) as session:
        assert set(session.scalars(select(Person.id_number_hash))).isdisjoint(old_hashes)
        found = service.find_by_id_number(
            session, actor=Principal.system(), id_number=DEMO_PEOPLE[0].id_number
        )
        assert [p.name for p in found] == [DEMO_PEOPLE[0].name]
    assert rotation.verify(demo_engine, keyring) == []


@pytest.fixture
def key_file_env(tmp_path: Path, fresh_db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    path = tmp_path / "keys.json"
    Keyring.from_json(TEST_KEYRING.to_json()).save(path)
    monkeypatch.delenv("CLAIMDESK_KEYS", raising=False)
    monkeypatch.setenv("CLAIMDESK_KEY_FILE", str(path))
    monkeypatch.setenv("CLAIMDESK_DATABASE_URL", fresh_db_url)
    reset_settings_cache()
    yield path
    monkeypatch.undo()
    reset_settings_cache()
    set_keyring(TEST_KEYRING)


def test_cli_rotate_status_retire(demo_engine: Engine, key_file_env: Path) -> None:  # SPEC SEC-1
    runner = CliRunner()
    status = runner.invoke(keys_app, ["status"])
    assert status.exit_code == 0, status.output
    assert "k1 (active)" in status.output
    rotated = runner.invoke(keys_app, ["rotate", "--reindex", "--batch-size", "2"])
    assert rotated.exit_code == 0, rotated.output
    assert "new active key: k2" in rotated.output
    assert f"re-encrypted people.id_number: {len(DEMO_PEOPLE)}" in rotated.output
    saved = Keyring.from_json(key_file_env.read_text())
    assert saved.active == "k2" and saved.index_key != TEST_KEYRING.index_key
    status = runner.invoke(keys_app, ["status"])
    assert "k1: 0 ciphertexts" in status.output and "k2 (active)" in status.output
    retired = runner.invoke(keys_app, ["retire", "k1"])
    assert retired.exit_code == 0, retired.output
    assert set(Keyring.from_json(key_file_env.read_text()).keys) == {"k2"}
    verified = runner.invoke(keys_app, ["verify"])
    assert verified.exit_code == 0, verified.output
    set_keyring(Keyring.from_json(key_file_env.read_text(), source=key_file_env))
    assert _read_all(demo_engine)[DEMO_PEOPLE[1].name][1] == DEMO_PEOPLE[1].phone
    with Session(demo_engine) as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "keys.rotated"))
        assert entry.entity_id == "k2"
        assert session.scalars(select(BankAccount)).first() is not None


def test_cli_retire_refuses_key_in_use(demo_engine: Engine, key_file_env: Path) -> None:
    # SPEC SEC-1 — k1 still encrypts data until a rotation re-encrypts it.
    runner = CliRunner()
    saved = Keyring.from_json(key_file_env.read_text())
    saved.add_key()
    saved.save(key_file_env)
    refused = runner.invoke(keys_app, ["retire", "k1"])
    assert refused.exit_code == 1
    assert "still encrypts" in refused.output
    assert "k1" in Keyring.from_json(key_file_env.read_text()).keys


def test_rotate_refuses_inline_keys() -> None:  # SPEC SEC-1
    # The test session gives the keys inline (CLAIMDESK_KEYS), like a container might.
    result = CliRunner().invoke(keys_app, ["rotate"])
    assert result.exit_code == 2
    assert "CLAIMDESK_KEYS" in result.output and "cannot be persisted" in result.output


def test_other_process_rotation_is_picked_up(demo_engine: Engine, tmp_path: Path) -> None:
    # SPEC SEC-1 — a server that loaded the key file before a rotation re-reads it when
    # it meets a ciphertext naming a key it has not seen.
    path = tmp_path / "keys.json"
    stale = Keyring.from_json(TEST_KEYRING.to_json(), source=path)
    stale.save(path)
    fresh = Keyring.from_json(path.read_text(), source=path)
    fresh.add_key()
    fresh.save(path)
    rotation.reencrypt_all(demo_engine, fresh)
    set_keyring(stale)
    try:
        assert _read_all(demo_engine)[DEMO_PEOPLE[0].name][0] == DEMO_PEOPLE[0].id_number
    finally:
        set_keyring(TEST_KEYRING)
