"""Where uploaded files live (issue 14: several nodes share one store) and how they are
sealed at rest (SEC-1). See backends.py for the store, files.py for the encryption."""

from claimdesk.storage.backends import (
    BlobNotFound,
    BlobStorage,
    LocalDiskStorage,
    StoredBlob,
    get_storage,
    set_storage,
)
from claimdesk.storage.files import load_file, new_file_key, save_file

__all__ = [
    "BlobNotFound",
    "BlobStorage",
    "LocalDiskStorage",
    "StoredBlob",
    "get_storage",
    "load_file",
    "new_file_key",
    "save_file",
    "set_storage",
]
