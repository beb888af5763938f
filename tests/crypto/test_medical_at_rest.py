"""Medical details and uploaded files are encrypted at rest (issue 15 item 5).

A committed claim with a medical loss overview, expense lines, assessment facts and an
uploaded document: none of it is in the raw database dump or in the file store, the API
still returns it, key rotation re-wraps the file keys, and migration 0018 converts
existing clear rows and files both ways. The clock is frozen on 2026-09-30."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.app import create_app
from claimdesk.config import get_settings
from claimdesk.crypto import rotation
from claimdesk.crypto.keyring import Keyring
from claimdesk.db import make_engine
from claimdesk.models.claim import Assessment, Claim, MaterialFile
from claimdesk.storage import get_storage
from tests.claims.helpers import PDF, FrozenClock, build_world, local
from tests.claims.steps import API, MEDICAL_50K, ok, walk_to_adjusted
from tests.crypto.test_raw_dump import _dump

OVERVIEW = "患者急性阑尾炎住院行腹腔镜手术 OVERVIEW-7731"
LINE = "腹腔镜阑尾切除术 LINE-7731"
DISEASE = "DISEASE-7731"
MARKER = "扫描件-诊断证明 FILE-7731"
DOCUMENT = PDF + MARKER.encode()

MIGRATION = next(
    (Path(__file__).parents[2] / "src/claimdesk/migrations/versions").glob("*_0018_*.py")
)


@dataclass
class Medical:
    engine: Engine
    client: TestClient
    headers: dict[str, str]
    claim_id: int
    file_id: int


@pytest.fixture
def medical(
    fresh_db_url: str, keyring: Keyring, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Medical]:
    engine = make_engine(fresh_db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with (
        factory() as db,
        TestClient(create_app(factory=factory), raise_server_exceptions=False) as client,
    ):
        clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
        world = build_world(db, client)
        assessment = {
            **MEDICAL_50K,
            "disease": DISEASE,
            "lines": [{"description": LINE, "amount": "50000.00"}],
        }
        claim_id = walk_to_adjusted(
            world,
            clock,
            policy="MED-MILLION",
            report={"loss_overview": OVERVIEW},
            assessment=assessment,
        )
        uploaded = ok(
            client.post(
                f"{API}/{claim_id}/files",
                data={"purpose": "material"},
                files={"file": ("诊断证明.pdf", DOCUMENT, "application/pdf")},
                headers=world.h["handler"],
            ),
            201,
        )
        yield Medical(engine, client, world.h["handler"], claim_id, uploaded["id"])
    engine.dispose()


def _store_bytes() -> bytes:
    return b"".join(p.read_bytes() for p in get_settings().upload_dir.rglob("*") if p.is_file())


def _download(m: Medical) -> bytes:
    response = m.client.get(f"{API}/{m.claim_id}/files/{m.file_id}", headers=m.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"  # SPEC SEC-9
    return response.content


def test_medical_details_are_not_in_the_raw_dump(medical: Medical, backend: str) -> None:
    # SPEC SEC-1 — the columns hold ciphertext; the API still reads the clear values.
    read = ok(medical.client.get(f"{API}/{medical.claim_id}", headers=medical.headers))
    assert read["loss_overview"] == OVERVIEW
    with Session(medical.engine) as session:
        facts = session.query(Assessment).filter_by(claim_id=medical.claim_id).one().facts
        assert facts["disease"] == DISEASE
    with medical.engine.connect() as conn:
        raw = conn.execute(
            text("SELECT loss_overview FROM claims WHERE id = :i"), {"i": medical.claim_id}
        ).scalar_one()
        assert raw.startswith("v1:")
    dump = _dump(medical.engine, backend)
    assert "李四".encode() in dump, "the dump is not real: names must appear"
    for secret in (OVERVIEW, LINE, DISEASE, "OVERVIEW-7731", "LINE-7731", "FILE-7731"):
        assert secret.encode() not in dump, f"{secret!r} found in clear"


def test_uploaded_file_is_sealed_on_disk_and_downloads_intact(medical: Medical) -> None:
    # SPEC SEC-1 — per-file key; the store holds only sealed bytes.
    assert b"FILE-7731" not in _store_bytes()
    assert MARKER.encode() not in _store_bytes()
    with Session(medical.engine) as session:
        stored = session.get(MaterialFile, medical.file_id)
        assert stored is not None and stored.data_key is not None
        key = stored.storage_path
    sealed = get_storage().get(key)
    assert sealed.startswith(b"CDF1") and len(sealed) > len(DOCUMENT)
    assert _download(medical) == DOCUMENT
    # A sealed file copied under another key does not open (the key is bound in).
    with Session(medical.engine) as session:
        other = session.get(MaterialFile, medical.file_id)
        assert other is not None
        get_storage().put(f"{key}-copy", sealed)
        other.storage_path = f"{key}-copy"
        session.commit()
    response = medical.client.get(
        f"{API}/{medical.claim_id}/files/{medical.file_id}", headers=medical.headers
    )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "stored_file_unavailable"


def test_rotation_rewraps_file_keys_and_the_old_key_can_go(
    medical: Medical, keyring: Keyring
) -> None:
    # SPEC SEC-1 — rotation covers the medical columns and the file keys.
    old = keyring.active
    with Session(medical.engine) as session:
        stored = session.get(MaterialFile, medical.file_id)
        assert stored is not None
        sealed_before = get_storage().get(stored.storage_path)
    keyring.add_key()
    counts = rotation.reencrypt_all(medical.engine, keyring)
    for column in (
        "claims.loss_overview",
        "claim_assessment_items.description",
        "claim_assessments.facts",
        "claim_material_files.data_key",
    ):
        assert counts[column] >= 1, column
    assert old not in rotation.key_usage(medical.engine)
    keyring.remove_key(old)
    assert rotation.verify(medical.engine, keyring) == []
    assert _download(medical) == DOCUMENT
    # Re-wrapping the data key leaves the sealed file itself untouched.
    with Session(medical.engine) as session:
        stored = session.get(MaterialFile, medical.file_id)
        assert stored is not None
        assert get_storage().get(stored.storage_path) == sealed_before
        claim = session.get(Claim, medical.claim_id)
        assert claim is not None and claim.loss_overview == OVERVIEW


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migration_0018", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(engine: Engine, step: str) -> None:
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        getattr(_migration(), step)()


def test_migration_0018_converts_existing_rows_and_files_both_ways(medical: Medical) -> None:
    # SPEC SEC-1 — downgrade leaves clear values and a clear file; upgrade seals them again.
    _run(medical.engine, "downgrade")
    with medical.engine.connect() as conn:
        overview = conn.execute(
            text("SELECT loss_overview FROM claims WHERE id = :i"), {"i": medical.claim_id}
        ).scalar_one()
        descriptions = conn.execute(text("SELECT description FROM claim_assessment_items"))
        path = conn.execute(
            text("SELECT storage_path FROM claim_material_files WHERE id = :i"),
            {"i": medical.file_id},
        ).scalar_one()
        assert overview == OVERVIEW
        assert LINE in set(descriptions.scalars())
    assert Path(path).read_bytes() == DOCUMENT
    assert MARKER.encode() in _store_bytes()

    _run(medical.engine, "upgrade")
    assert not Path(path).exists()
    assert MARKER.encode() not in _store_bytes()
    with medical.engine.connect() as conn:
        raw = conn.execute(text("SELECT description FROM claim_assessment_items")).scalars()
        assert all(value.startswith("v1:") for value in raw)
    assert rotation.verify(medical.engine, _current_keyring()) == []
    assert _download(medical) == DOCUMENT
    read = ok(medical.client.get(f"{API}/{medical.claim_id}", headers=medical.headers))
    assert read["loss_overview"] == OVERVIEW


def _current_keyring() -> Keyring:
    from claimdesk.crypto.keyring import get_keyring

    return get_keyring()
