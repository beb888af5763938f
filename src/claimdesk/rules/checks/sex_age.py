"""The maintained list of sex- and age-specific items (sex_age_items.json, CLM-F3)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("sex_age_items.json")


@dataclass(frozen=True)
class RestrictedItem:
    id: str
    label_zh: str
    label_en: str
    sex: str | None
    min_age: int | None
    max_age: int | None
    code_prefixes: tuple[str, ...]
    keywords: tuple[str, ...]
    except_keywords: tuple[str, ...]

    def matches(self, item_code: str | None, name: str) -> bool:
        if item_code and any(item_code.startswith(p) for p in self.code_prefixes):
            return True
        if any(word in name for word in self.except_keywords):
            return False
        return any(word in name for word in self.keywords)


@cache
def restricted_items() -> tuple[RestrictedItem, ...]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(
        RestrictedItem(
            id=row["id"],
            label_zh=row["label_zh"],
            label_en=row["label_en"],
            sex=row.get("sex"),
            min_age=row.get("min_age"),
            max_age=row.get("max_age"),
            code_prefixes=tuple(row.get("code_prefixes", ())),
            keywords=tuple(row.get("keywords", ())),
            except_keywords=tuple(row.get("except_keywords", ())),
        )
        for row in data["items"]
    )


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years on ``day`` (a birthday counts on the day itself)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
