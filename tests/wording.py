"""How a refusal names its field: by the label a person reads (GEN-6), the path only for a
field without one (claimdesk.field_labels). Tests look for what the message really says."""

from __future__ import annotations

from claimdesk.field_labels import field_words


def field_in(field: str, language: str = "en") -> str:
    """The words a message uses for ``field`` in ``language``."""
    return field_words(field, language)


def line_and_field(expected: str, language: str = "en") -> str:
    """``"line 3: amount"`` as the batch tools say it: ``"line 3: Amount"``."""
    if ": " not in expected:
        return field_in(expected, language)
    where, field = expected.rsplit(": ", 1)
    return f"{where}: {field_in(field, language)}"


def names_field(message: str, field: str) -> bool:
    """The message names the field, in either language."""
    return any(field_in(field, language) in message for language in ("zh-CN", "en"))
