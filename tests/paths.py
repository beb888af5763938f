"""Where the read-only shared inputs are: ``../shared`` beside the checkout (as in CI),
or the path given by CLAIMDESK_SHARED_VECTORS. A missing folder makes the vector tests
fail, never skip."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_vectors() -> Path:
    candidates = []
    if os.environ.get("CLAIMDESK_SHARED_VECTORS"):
        candidates.append(Path(os.environ["CLAIMDESK_SHARED_VECTORS"]))
    candidates += [REPO.parent / "shared" / "vectors", Path("/work/shared/vectors")]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]
