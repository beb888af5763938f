"""The bank file leaves through a configured pick-up folder, owner-only (SEC-1, FIN-1)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from claimdesk.config import reset_settings_cache
from claimdesk.payments import tasks as payment_tasks


@pytest.fixture
def drop_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "bank-outbox"
    monkeypatch.setenv("CLAIMDESK_PAYMENT_FILE_DIR", str(folder))
    reset_settings_cache()
    yield folder
    monkeypatch.delenv("CLAIMDESK_PAYMENT_FILE_DIR")
    reset_settings_cache()


def test_the_configured_folder_is_where_files_go(drop_dir: Path) -> None:
    # SPEC FIN-1: every worker node writes where the one bank pick-up reads.
    assert payment_tasks.payment_file_dir() == drop_dir


def test_default_folder_sits_beside_the_uploads() -> None:
    reset_settings_cache()
    from claimdesk.config import get_settings

    assert payment_tasks.payment_file_dir() == get_settings().upload_dir.parent / "payment_files"


def test_file_is_owner_only_complete_and_leaves_no_temporary(drop_dir: Path) -> None:
    # SPEC SEC-1: the bank file carries account numbers in the clear; nobody but the
    # service account may read it while it waits for the pick-up.
    payment_tasks.drop_bank_file(drop_dir, "PAY-20261009-1.csv", b"a,b\n1,2\n")
    payment_tasks.drop_bank_file(drop_dir, "PAY-20261009-1.csv", b"a,b\n1,3\n")  # a retried job
    target = drop_dir / "PAY-20261009-1.csv"
    assert target.read_bytes() == b"a,b\n1,3\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in drop_dir.iterdir()) == ["PAY-20261009-1.csv"]
