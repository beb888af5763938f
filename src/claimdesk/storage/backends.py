"""The file store behind every upload read and write.

A store maps a key (``"<claim number>/<random name>"``, no ``..``, no leading ``/``) to
bytes. It only ever sees sealed bytes (files.py encrypts before ``put``), so a store may
be shared or outsourced without widening who can read medical documents.

``CLAIMDESK_STORAGE`` chooses the backend; ``local`` (the default) writes under
``CLAIMDESK_UPLOAD_DIR``. Several application nodes share it when that directory is one
shared mount (NFS); an S3-compatible object store is the production choice documented
in docs/operations.md and implements the same methods (``listing`` feeds the orphan sweep).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol, runtime_checkable

from claimdesk.config import Settings, get_settings


class BlobNotFound(LookupError):
    """The store holds nothing under the key (a lost file, or a restore without files)."""


@dataclass(frozen=True)
class StoredBlob:
    key: str
    modified_at: dt.datetime  # aware, UTC
    size: int


@runtime_checkable
class BlobStorage(Protocol):
    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` atomically (a reader never sees half a file)."""

    def get(self, key: str) -> bytes:
        """The bytes under ``key``; BlobNotFound when there are none."""

    def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error."""

    def exists(self, key: str) -> bool: ...

    def listing(self) -> Iterator[StoredBlob]:
        """Every key held, with when it was last written (the orphan sweep reads it;
        an object store lists its bucket)."""


def check_key(key: str) -> str:
    """Refuse keys that could leave the store's root (``..``, absolute, empty parts)."""
    parts = PurePosixPath(key).parts
    if (
        not key
        or key.startswith("/")
        or "\\" in key
        or any(p in {"", ".", ".."} for p in parts)
        or len(key) > 400
    ):
        raise ValueError(f"invalid storage key {key!r}")
    return key


def write_atomically(target: Path, data: bytes) -> None:
    """Write a file owner-only (0600), flushed to disk before it appears under its name:
    a reader never sees half a file, nor one a crash could still lose."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


class LocalDiskStorage:
    """Files under one directory (local disk, or a mount every node shares)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> None:
        write_atomically(self._path(key), data)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as error:
            raise BlobNotFound(key) from error

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def listing(self) -> Iterator[StoredBlob]:
        # Half-written temporaries (".<name>.<hex>.tmp", a crash inside put) are listed
        # too: no row names them, so the sweep removes them once they are old.
        for folder, _dirs, names in os.walk(self.root):
            for name in names:
                path = Path(folder) / name
                try:
                    stat = path.stat()
                except FileNotFoundError:  # removed while we walked
                    continue
                yield StoredBlob(
                    key=path.relative_to(self.root).as_posix(),
                    modified_at=dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC),
                    size=stat.st_size,
                )


_storage: BlobStorage | None = None


def make_storage(settings: Settings) -> BlobStorage:
    if settings.storage == "local":
        return LocalDiskStorage(settings.upload_dir)
    raise ValueError(
        f"CLAIMDESK_STORAGE={settings.storage!r} is not a known file store (known: local)"
    )


def get_storage() -> BlobStorage:
    """The process store, built from the settings on first use."""
    global _storage
    if _storage is None:
        _storage = make_storage(get_settings())
    return _storage


def set_storage(storage: BlobStorage | None) -> None:
    """Replace the process store (tests; None rebuilds it from the settings)."""
    global _storage
    _storage = storage
