"""Every English msgid the interface can show has a zh-CN translation (zh-CN first)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract, extract_python
from jinja2.ext import babel_extract

import claimdesk
import claimdesk.web.router  # registers every area's pages before they are imported here
from claimdesk.i18n import catalogue_files, gettext, reload_translations, translations

PACKAGE = Path(claimdesk.__file__).parent
# Python call sites whose Nth argument is a msgid shown to users.
PY_KEYWORDS = {"_": None, "gettext": None, "FormField": (2,), "ActionForm": (2,), "NavItem": (3,)}


def _template_msgids() -> set[str]:
    found: set[str] = set()
    for path in sorted((PACKAGE / "templates").rglob("*.html")):
        with path.open("rb") as handle:
            for _lineno, _func, message, _comments in babel_extract(
                handle, ("_", "gettext", "ngettext"), [], {}
            ):
                if isinstance(message, str) and message:
                    found.add(message)
                elif isinstance(message, tuple):
                    found.update(m for m in message if isinstance(m, str) and m)
    return found


def _python_msgids() -> set[str]:
    found: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        with path.open("rb") as handle:
            for _lineno, message, _comments, _context in extract(
                extract_python, handle, keywords=PY_KEYWORDS
            ):
                if isinstance(message, str) and message and not message.startswith("%"):
                    found.add(message)
    return found


def _table_msgids() -> set[str]:
    """Msgids kept in tables and translated with _(value) in templates."""
    from claimdesk import code_labels
    from claimdesk.rules import survey_plan
    from claimdesk.web.claims import pages as claims_pages
    from claimdesk.web.kit import NAV_ITEMS
    from claimdesk.web.login import START_ITEMS
    from claimdesk.web.portal import pages as portal_pages

    found = {item.msgid for item in NAV_ITEMS}
    found |= {msgid for items in START_ITEMS.values() for msgid, _href in items}
    found |= set(code_labels.CLAIM_STATES.values()) | set(code_labels.CLAIM_LINES.values())
    found |= {msgid for table in code_labels.STATE_TABLES.values() for msgid in table.values()}
    found |= {label for _code, label in claims_pages.REVIEW_CHECKS}
    found |= {a.label for a in claims_pages.ACTIONS.values()}
    found |= set(portal_pages.PLAIN_STATUS.values()) | set(portal_pages.PLAIN_EVENTS.values())
    found |= set(portal_pages.UPLOAD_EVENTS.values())
    found |= {m for i in survey_plan.ALL_ITEMS for m in (i.name_en, i.label_en)}
    found |= {en for _zh, en in survey_plan.STATUS_LABELS.values()} | {"Choose a result"}
    for table in (
        code_labels.LOSS_CAUSES,
        portal_pages.COMPLAINT_CAUSES,
        portal_pages.SERVICE_REQUESTS,
    ):
        found |= {label for _code, label in table}
    return found


def all_msgids() -> set[str]:
    return _template_msgids() | _python_msgids() | _table_msgids()


def test_every_msgid_has_a_zh_cn_translation() -> None:
    # SPEC GEN-6 (messages in the user's language), issue 6 (every label translated)
    reload_translations()
    catalogue = translations("zh-CN")
    missing = sorted(m for m in all_msgids() if catalogue.gettext(m) == m)
    assert not missing, f"{len(missing)} msgids without a zh-CN translation: {missing[:40]}"


def test_catalogues_of_both_web_domains_are_merged() -> None:
    # SPEC issue 6 (Babel catalogues per domain, one language switch)
    names = {path.stem for path in catalogue_files("zh-CN")}
    assert "workbench" in names
    assert gettext("Log out", "zh-CN") == "退出"
    assert gettext("Log out", "en") == "Log out"


INLINE_LABEL = re.compile(r"[\"'][^\"']*[\u4e00-\u9fff][^\"']*[\"']\s+if\s+zh\s+else")


def test_templates_use_msgids_not_inline_chinese_labels() -> None:
    # SPEC issue 6: labels come from the catalogues, not `"中文标签" if zh else "Label"`
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in (PACKAGE / "templates").rglob("*.html")
        if INLINE_LABEL.search(path.read_text(encoding="utf-8"))
        and path.name != "base.html"  # the language switch names each language in itself
    ]
    assert offenders == []


# An English label with Chinese in it shows Chinese on the English page. Only where the
# Chinese is what the reader types or holds: a holiday's name as the calendar stores it,
# the Chinese names of the bill documents a customer is asked to send.
CHINESE_MSGID = re.compile(r"""_\((["'])([^"']*[\u4e00-\u9fff][^"']*)\1""")
CHINESE_ON_PURPOSE = {
    "Name (e.g. 春节)",
    "If the hospital gave you an electronic receipt (医疗收费电子票据) and a "
    "medical-insurance settlement statement (医保结算单) as data files, send them here: "
    "nobody has to type them, and a small medical claim can be paid automatically.",
}


def test_english_labels_carry_no_chinese_gloss() -> None:
    # SPEC GEN-6: "The insured is the policyholder's (投保人与被保险人关系; …)" put a
    # Chinese term on the English policy pages; the Chinese page says it in its own label.
    found = {
        match.group(2)
        for path in (PACKAGE / "templates").rglob("*.html")
        for match in CHINESE_MSGID.finditer(path.read_text(encoding="utf-8"))
    }
    assert found - CHINESE_ON_PURPOSE == set()
