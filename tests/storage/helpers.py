"""A file store that remembers the keys written to it, under the test's own directory
(the upload directory is shared by a worker's tests, and claim numbers repeat)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from claimdesk.storage import LocalDiskStorage, set_storage


class RecordingStorage(LocalDiskStorage):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.written: list[str] = []

    def put(self, key: str, data: bytes) -> None:
        super().put(key, data)
        self.written.append(key)

    def kept(self) -> list[str]:
        """The keys written that are still in the store."""
        return [key for key in self.written if self.exists(key)]


@pytest.fixture
def recording_storage(tmp_path: Path) -> Iterator[RecordingStorage]:
    storage = RecordingStorage(tmp_path / "store")
    set_storage(storage)
    yield storage
    set_storage(None)
