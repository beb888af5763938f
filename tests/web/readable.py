"""What a person sees on a page, and the codes that must never be part of it (issue 12).

``visible_text`` keeps the text nodes and the values a person reads (a text input's
value, a placeholder, a title, an image's alt text), never tags, attributes, scripts or
hidden inputs. ``raw_codes`` lists what is not words: snake_case codes, stored codes
left untranslated, SPEC IDs shown as if they were clauses, ISO timestamps, "3d 18h".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never shown (data for scripts, styles, templates).
_SILENT = {"script", "style", "template", "noscript", "head"}
_VISIBLE_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label")
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class _Visible(HTMLParser):
    def __init__(self, skip_lang: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.silent = 0
        self.skip_lang = skip_lang
        # The elements that opened a part in ``skip_lang`` (lang="en" on a Chinese page:
        # a product's English name the administrator entered, said to be English).
        self.foreign: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _SILENT and tag not in _VOID:
            self.silent += 1
            return
        if self.silent:
            return
        lang = str(values.get("lang") or "")
        if self.skip_lang and tag not in _VOID and lang.startswith(self.skip_lang):
            self.foreign.append(tag)
        if self.foreign:
            return
        if self.skip_lang and tag in _VOID and lang.startswith(self.skip_lang):
            return  # an input holding an English name, said to be English (lang="en")
        for name in _VISIBLE_ATTRIBUTES:
            if values.get(name):
                self.parts.append(str(values[name]))
        shown_input = values.get("type", "text") not in ("hidden", "checkbox", "radio")
        if tag == "input" and shown_input and values.get("value"):
            self.parts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SILENT and self.silent:
            self.silent -= 1
        elif self.foreign and self.foreign[-1] == tag:
            self.foreign.pop()

    def handle_data(self, data: str) -> None:
        if not self.silent and not self.foreign and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str, skip_lang: str | None = None) -> list[str]:
    """The text a person reads; with ``skip_lang`` ("en"), less what the page marks as
    written in that language (``lang="en"``): on a Chinese page, a name entered in English
    is a name, not a code left untranslated."""
    parser = _Visible(skip_lang)
    parser.feed(html)
    parser.close()
    return parser.parts


SNAKE = re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])")
SPEC_ID = re.compile(
    r"\b(?:CLM-[A-Z]\d+|(?:SEC|GEN|PRD|POL|SVC|PER|SAL|FIN)-\d+|ADJ-(?:MED|CI|DIS|DTH|LIA|PRP))\b"
)
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
SHORT_DURATION = re.compile(r"\b\d+d \d+h\b|\b\d+h \d+m\b")
# "#2 service · acknowledged": a record's kind and state as stored.
CODE_AFTER_DOT = re.compile(r"·\s*([a-z]+)\b")
IN_BRACKETS = re.compile(r"[（(]([a-z][a-z]+)[)）]")


# Stored codes that are also plain English words where the English page says them.
# "provisional" too: the English badge of a deadline counted on a year not loaded yet
# (GEN-3). It shows only when today's date puts a demo deadline in such a year (faketime
# '2031-02-28 23:59:30'), and the word is the translation, not a leaked code.
ENGLISH_WORDS = frozenset({"met", "missed", "paused", "breached", "due", "open", "provisional"})


def known_codes() -> set[str]:
    """Stored codes a page must translate before it shows them (one-word codes: the
    snake_case ones are caught by the pattern anyway)."""
    from claimdesk import code_labels
    from claimdesk.products.coverage_types import MATERIALS
    from claimdesk.web.labels import LABELS, MORE_LABELS

    codes = set(LABELS) | set(MORE_LABELS) | set(MATERIALS)
    codes |= set(code_labels.CLAIM_STATES) | set(code_labels.CLAIM_LINES)
    codes |= {"illness", "app", "hotline", "cosmetic", "medical", "covered"}
    return {c for c in codes if re.fullmatch(r"[a-z]+", c)}


def raw_codes(
    parts: list[str], *, language: str, codes: set[str], allowed: frozenset[str] = frozenset()
) -> list[str]:
    """Every piece of ``parts`` a person could not read, with the reason. ``allowed``:
    whole texts that are identifiers people type (the login names on the users page)."""
    found: list[str] = []
    for text in parts:
        for pattern, why in (
            (SNAKE, "snake_case"),
            (SPEC_ID, "SPEC ID"),
            (ISO_TIME, "ISO time"),
            (SHORT_DURATION, "short duration"),
        ):
            for match in pattern.finditer(text):
                found.append(f"{why}: {match.group(0)!r} in {text[:120]!r}")
        if text in allowed:
            continue
        if text in codes and not (language == "en" and text in ENGLISH_WORDS):
            found.append(f"code: {text!r}")
        elif language == "zh-CN":
            # In English "Reviewed (closed)" is words; in a Chinese sentence it is a code.
            for pattern in (CODE_AFTER_DOT, IN_BRACKETS):
                for match in pattern.finditer(text):
                    if match.group(1) in codes:
                        found.append(f"code: {match.group(1)!r} in {text[:120]!r}")
            for word in re.findall(r"(?<![A-Za-z@./-])[a-z]{3,}(?![A-Za-z@./-])", text):
                if word in codes:
                    found.append(f"code: {word!r} in {text[:120]!r}")
    return found
