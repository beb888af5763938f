"""The Babel catalogues are merged into one per language (claimdesk.i18n.translations),
keyed by the English msgid alone: a msgid translated one way in admin.po and another in
workbench.po showed whichever catalogue came first, on every page. One msgid, one
translation (GEN-6: the user's language, said the same everywhere)."""

from __future__ import annotations

import re
from collections import defaultdict

from babel.messages.pofile import read_po

from claimdesk.i18n import catalogue_files, gettext


def _translations() -> dict[tuple[str | None, str], dict[str, str]]:
    found: dict[tuple[str | None, str], dict[str, str]] = defaultdict(dict)
    for path in catalogue_files("zh-CN"):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                if message.id and message.string and not message.fuzzy:
                    msgid = message.id if isinstance(message.id, str) else message.id[0]
                    found[(message.context, msgid)][path.name] = str(message.string)
    return found


def test_no_msgid_has_two_translations_across_the_catalogues() -> None:
    # SPEC GEN-6: the merged catalogue keys on the msgid; a clash hides one translation
    clashes = {
        msgid: by_file
        for (_context, msgid), by_file in _translations().items()
        if len(set(by_file.values())) > 1
    }
    assert clashes == {}


def test_a_shared_msgid_reads_as_every_catalogue_says() -> None:
    # SPEC GEN-6: what a page shows is what each catalogue holding the msgid says
    for (_context, msgid), by_file in _translations().items():
        for text in by_file.values():
            assert gettext(msgid, "zh-CN") == text, (msgid, by_file)


# An ASCII comma, colon, semicolon, question or exclamation mark or bracket next to a
# Chinese character, or a bare space between two: Chinese text is punctuated ，：；？！（）
# and runs on ("付款明细第 2 行的结果", never "第 2 行 结果"). Digits and Latin words keep
# their spacing ("第 2 行", "2026年3月", "ID 号码").
ASCII_IN_CHINESE = re.compile(
    r"[\u4e00-\u9fff]\s?[,:;?!()]|[,:;?!()]\s?[\u4e00-\u9fff]|[\u4e00-\u9fff] [\u4e00-\u9fff]"
)


def _error_classes() -> list[type]:
    import claimdesk.app  # noqa: F401  (every domain's errors, through its routes)
    from claimdesk.errors import ClaimdeskError

    found: list[type] = []
    todo: list[type] = [ClaimdeskError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                todo.append(sub)
    return found


def test_chinese_texts_use_chinese_punctuation() -> None:
    # SPEC GEN-6: a Chinese page, message or label reads as Chinese is written
    from claimdesk.field_labels import CONTEXT_LABELS, FIELD_LABELS

    texts = {
        f"{msgid} ({name})": text
        for (_c, msgid), by in _translations().items()
        for name, text in by.items()
    }
    texts |= {
        f"{c.__module__}.{c.__name__}": str(c.__dict__.get("message_zh") or "")
        for c in _error_classes()
    }
    texts |= {f"field {path}": zh for path, (zh, _en) in FIELD_LABELS.items()}
    texts |= {
        f"field {context}:{path}": zh
        for context, labels in CONTEXT_LABELS.items()
        for path, (zh, _en) in labels.items()
    }
    offenders = {where: text for where, text in texts.items() if ASCII_IN_CHINESE.search(text)}
    assert offenders == {}
