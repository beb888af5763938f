"""The Babel catalogues are merged into one per language (claimdesk.i18n.translations),
keyed by the English msgid alone: a msgid translated one way in admin.po and another in
workbench.po showed whichever catalogue came first, on every page. One msgid, one
translation (GEN-6: the user's language, said the same everywhere)."""

from __future__ import annotations

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
