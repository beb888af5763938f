"""A trace step: as the engines record it (plain tuples) and as a reader sees it.

Kept apart from ``types`` so that ``trace`` (which words the steps) and ``types`` (whose
result renders its trace on demand) both import it and neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# One trace step as the engine records it: (code, figure, inputs). Plain tuples keep the
# hot path cheap; ``TraceStep`` adds the clause and the zh/en text when someone reads it.
RawStep = tuple[str, Any, tuple[tuple[str, Any], ...]]


@dataclass(frozen=True, slots=True)
class TraceStep:
    code: str
    clause: str
    zh: str
    en: str
    inputs: dict[str, str]
    figure: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "clause": self.clause,
            "zh": self.zh,
            "en": self.en,
            "inputs": self.inputs,
            "figure": self.figure,
        }
