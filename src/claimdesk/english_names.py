"""The input types of an English name (GEN-6), shared by every domain whose records have
one — products and coverages, org units, sales channels and organisations: English pages
show it in place of the Chinese ``name`` (formatting.name_in), which shows when there is
none.

- ``EnglishName`` where a record is created (or a whole draft written): optional,
  trimmed, a blank one is none, at most 100 characters.
- ``EditedEnglishName`` where an existing record's English name is changed: trimmed,
  then 1..100 characters — a blank one is refused naming the field in the reader's
  language ("英文名称：不能为空" / "English name: may not be empty"); null removes it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

NAME_EN_MAX = 100


def _blank_is_none(value: Any) -> Any:
    """An English name left blank is no English name (the page shows the Chinese one)."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _trimmed(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


EnglishName = Annotated[
    Annotated[str, Field(max_length=NAME_EN_MAX)] | None, BeforeValidator(_blank_is_none)
]
EditedEnglishName = Annotated[
    Annotated[str, Field(min_length=1, max_length=NAME_EN_MAX)] | None,
    BeforeValidator(_trimmed),
]
