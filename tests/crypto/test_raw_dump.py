"""The raw database holds no identity number, phone, card number, address or medical
note in clear, on either backend. # SPEC SEC-1"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import Engine, MetaData, select, text
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.crypto import rotation
from claimdesk.models.person import Person
from claimdesk.people import service
from claimdesk.people.demo import DEMO_PEOPLE


def _spaced(digits: str) -> str:
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def _dump(engine: Engine, backend: str) -> bytes:
    url = engine.url
    if backend == "sqlite":
        engine.dispose()
        path = Path(url.database or "")
        raw = path.read_bytes()
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            raw += wal.read_bytes()
        with sqlite3.connect(path) as conn:
            raw += "\n".join(conn.iterdump()).encode()
        return raw
    pg_dump = shutil.which("pg_dump")
    if pg_dump:
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        done = subprocess.run([pg_dump, "--no-owner", plain], capture_output=True, check=False)
        if done.returncode == 0:
            return done.stdout
    # pg_dump missing or older than the server: every column of every table as text
    # (reflected tables have plain column types, so the values come back as stored).
    chunks = []
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                chunks.append("|".join(str(v) for v in row))
    return "\n".join(chunks).encode()


def test_raw_dump_has_no_personal_numbers_in_clear(demo_engine: Engine, backend: str) -> None:
    # SPEC SEC-1 GEN-5 — the audit trail written meanwhile is part of the dump too.
    dump = _dump(demo_engine, backend)
    for demo in DEMO_PEOPLE:
        assert demo.name.encode() in dump, "the dump is not real: names must appear"
        for secret in (demo.id_number, demo.phone, demo.card, _spaced(demo.card), demo.address):
            assert secret.encode() not in dump, f"{secret!r} found in clear"
        if demo.medical_notes:
            assert demo.medical_notes.encode() not in dump


def test_ciphertext_moved_to_another_column_fails(demo_engine: Engine) -> None:  # SPEC SEC-1
    with demo_engine.begin() as conn:
        first, second = conn.execute(text("SELECT id, phone FROM people ORDER BY id")).all()[:2]
        # Column move: the AAD names people.phone, so people.address cannot open it.
        conn.execute(
            text("UPDATE people SET address = :c WHERE id = :i"), {"c": first.phone, "i": first.id}
        )
        # Row move within the column: decrypts (AAD is per column) but the keyed hash of
        # the row no longer matches, which `keys verify` reports.
        conn.execute(
            text("UPDATE people SET phone = :c WHERE id = :i"), {"c": first.phone, "i": second.id}
        )
    with Session(demo_engine) as session, pytest.raises(InvalidTag):
        session.get(Person, first.id)
    problems = rotation.verify(demo_engine, _current())
    assert any(p.startswith(f"people.address row {first.id}") and "decrypt" in p for p in problems)
    assert any(
        p.startswith(f"people.phone row {second.id}") and "phone_hash" in p for p in problems
    )
    assert not any(d.phone in p for p in problems for d in DEMO_PEOPLE)


def test_verify_passes_on_untouched_data(demo_engine: Engine) -> None:  # SPEC SEC-1 SEC-3
    assert rotation.verify(demo_engine, _current()) == []


def test_lookup_by_id_number_after_commit(demo_engine: Engine) -> None:  # SPEC SEC-1
    demo = DEMO_PEOPLE[2]
    with Session(demo_engine) as session:
        [found] = service.find_by_id_number(
            session, actor=Principal.system(), id_number=demo.id_number
        )
        assert found.name == demo.name and found.phone == demo.phone


def _current():  # type: ignore[no-untyped-def]
    from claimdesk.crypto.keyring import get_keyring

    return get_keyring()
