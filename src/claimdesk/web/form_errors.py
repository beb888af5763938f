"""Every problem of a refused form beside its own field, all at once (GEN-6, issue 12).

A pydantic refusal lists every field that is wrong; a page shows each message next to
the field it is about, in the user's language, naming the field by the label the person
sees and the rule it broke — never an API path or a code. A business refusal (one
``ClaimdeskError``) is shown the same way, beside its field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from claimdesk.errors import ClaimdeskError
from claimdesk.i18n import gettext
from claimdesk.validation import rule_words


def _path(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts)


def _field_of(path: str, aliases: Mapping[str, str]) -> str:
    if path in aliases:
        return aliases[path]
    head = path.split(".")[0]
    return aliases.get(head, head)


def labelled(label_msgid: str | None, rule: str, language: str) -> str:
    """'“Mobile number”: 11 digits …' — the field as the person sees it, then the rule."""
    if not label_msgid:
        return rule
    # In the language the rule is said in: a page's request language is not yet the
    # context's (render sets it), so an English page said the label in Chinese.
    label = gettext(label_msgid, language)
    return f"“{label}”：{rule}" if language.startswith("zh") else f"“{label}”: {rule}"


def problems_of_validation(
    errors: Sequence[Any],
    *,
    labels: Mapping[str, str],
    language: str,
    aliases: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Field name → message, for every field pydantic refused (the first rule per field),
    the rule said with its limit (``claimdesk.validation.rule_words``)."""
    out: dict[str, str] = {}
    for error in errors:
        path = _path(error.get("loc", ()))
        field = _field_of(path, aliases or {})
        if field in out:
            continue
        kind = str(error.get("type", ""))
        if error.get("input", "") is None or error.get("input") == "":
            kind = "missing"  # an empty field reaches the schema as None
        rule = rule_words({**error, "type": kind}, language)
        out[field] = labelled(labels.get(field), rule, language)
    return out


def problem_of_error(
    error: ClaimdeskError,
    *,
    labels: Mapping[str, str],
    language: str,
    aliases: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Field name → message for one business refusal; a refusal about no known field is
    keyed "" (shown above the form)."""
    message = error.message(language)
    path = error.field or ""
    field = _field_of(path, aliases or {}) if path else ""
    if field not in labels:
        return {"": message}
    label = gettext(labels[field])
    # The service names its API field ("loss_date：…"); the person sees the label.
    if path and message.startswith(path):
        message = f"“{label}”" + message[len(path) :]
    elif path and path in message:
        message = message.replace(path, f"“{label}”", 1)
    return {field: message}
