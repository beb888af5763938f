"""Backups carry the uploaded files, sealed; restore writes them to the file store and
opens every one before committing (issue 15 item 5). Clock frozen on 2026-09-30."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from claimdesk.crypto.keyring import Keyring, set_keyring
from claimdesk.db import make_engine
from claimdesk.models.claim import MaterialFile
from claimdesk.ops.backup import RestoreVerificationFailed, backup, read_manifest, restore
from claimdesk.storage import LocalDiskStorage, load_file
from tests.crypto.conftest import keyring  # noqa: F401  (fixture)
from tests.crypto.test_medical_at_rest import (  # noqa: F401  (fixture)
    DOCUMENT,
    MARKER,
    OVERVIEW,
    Medical,
    medical,
)
from tests.ops.test_backup import second_db_url  # noqa: F401  (fixture)


def _files_of(url: str, store: LocalDiskStorage, file_id: int) -> bytes:
    from sqlalchemy.orm import Session

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            stored = session.get(MaterialFile, file_id)
            assert stored is not None and stored.data_key is not None
            return load_file(store, key=stored.storage_path, data_key=stored.data_key)
    finally:
        engine.dispose()


def test_backup_carries_sealed_files_and_restore_opens_them(
    medical: Medical,  # noqa: F811
    second_db_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:  # SPEC SEC-2 SEC-1
    source_url = medical.engine.url.render_as_string(hide_password=False)
    path = tmp_path / "claimdesk.backup.gz"
    result = backup(source_url, path)
    assert result.files == 2  # the surveyor's evidence and the uploaded document
    assert read_manifest(path)["files"] == 2
    raw = gzip.decompress(path.read_bytes())
    for secret in (MARKER, OVERVIEW, "FILE-7731", "OVERVIEW-7731"):
        assert secret.encode() not in raw, f"{secret!r} in clear in the backup"

    store = LocalDiskStorage(tmp_path / "restored-store")
    restored = restore(path, second_db_url, storage=store)
    assert restored.files == 2
    assert _files_of(second_db_url, store, medical.file_id) == DOCUMENT


def test_restore_without_the_keys_rolls_back_and_leaves_no_files(
    medical: Medical,  # noqa: F811
    second_db_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:  # SPEC SEC-2 SEC-1
    source_url = medical.engine.url.render_as_string(hide_password=False)
    path = tmp_path / "claimdesk.backup.gz"
    backup(source_url, path)
    store = LocalDiskStorage(tmp_path / "restored-store")
    set_keyring(Keyring.generate())  # another installation's keys (restored by the fixture)
    with pytest.raises(RestoreVerificationFailed, match="does not open"):
        restore(path, second_db_url, storage=store)
    assert not any(p.is_file() for p in store.root.rglob("*"))
    engine = make_engine(second_db_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(text("claims"))).scalar_one() == 0
    engine.dispose()
