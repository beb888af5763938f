"""A refusal said in words beside its field: the services name a field by its API path
(``review_tier2_max``, ``receipt.items.1.amount``) and may cite a SPEC ID; a person reads
the field's label instead and no code (GEN-6, issue 12 "no raw codes")."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import Request

from claimdesk.field_labels import field_label
from claimdesk.web.kit import language_of, translator

# "(CLM-V1)", "（CLM-R4、CLM-P4）", "(SPEC CLM-T1)": references for the code, not the reader.
SPEC_REF = re.compile(
    r"\s*[（(]\s*(?:SPEC\s+)?[A-Z]{2,4}-[A-Z0-9]+(?:\s*[,，、/]\s*[A-Z]{2,4}-[A-Z0-9]+)*\s*[)）]"
)
# The generic prefixes the error base puts before a rule.
PREFIXES = (
    re.compile(r"^字段\s*(?P<path>\S+?)\s*(?:无效|必填)?[：:]\s*"),
    re.compile(r"^Field\s+(?P<path>\S+?)\s+(?:is invalid|is required)?[:：]?\s*"),
)


def in_words(
    request: Request,
    error: dict[str, Any],
    label_of: Callable[[str], str | None],
) -> dict[str, Any]:
    """A copy of ``error`` whose message names the field by its label (translated) and
    carries no SPEC ID; ``label`` is added for the template. Unknown fields keep the
    message as the service said it, without the SPEC IDs."""
    gettext = translator(request)
    shown = dict(error)
    path = str(error.get("field") or "")
    message = SPEC_REF.sub("", str(error.get("message") or "")).strip()
    msgid = label_of(path) if path else None
    # The colon after the label as the page's language writes it (名称：… / Name: …).
    colon = "：" if language_of(request).startswith("zh") else ": "
    if msgid:
        label = gettext(msgid)
        for prefix in PREFIXES:
            found = prefix.match(message)
            if found and found.group("path") == path:
                rest = message[found.end() :].strip()
                message = f"{label}{colon}{rest}" if rest else label
                break
        else:
            # The error base already names the field by its generic label
            # (claimdesk.field_labels): this page's own label replaces it.
            generic = field_label(path, language_of(request))
            if generic and message.startswith(generic):
                rest = message[len(generic) :].lstrip(":： ")
                message = f"{label}{colon}{rest}" if rest else label
            elif path in message:
                message = message.replace(path, label, 1)
            else:
                message = f"{label}{colon}{message}"
        shown["label"] = label
    shown["message"] = message
    return shown


def without_spec_ids(text: str) -> str:
    """Text a person typed or a migration seeded, without the SPEC references."""
    return SPEC_REF.sub("", text).strip()
