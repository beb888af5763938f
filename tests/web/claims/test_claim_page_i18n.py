"""Every word the claim page's forms and views can show has its zh-CN translation: the
labels, help texts and choices of every action form, and the tables that put stored
codes and calculation steps into words (tests/web/test_i18n.py reads only the labels)."""

from __future__ import annotations

import ast
from pathlib import Path

import claimdesk.web.claims
from claimdesk.i18n import reload_translations, translations

CLAIMS = Path(claimdesk.web.claims.__file__).parent
MODULES = (
    "pages.py",
    "page_forms.py",
    "assess_forms.py",
    "case_forms.py",
    "payment_forms.py",
    "special_forms.py",
    "page_views.py",
    "report_pages.py",
)
# Tables whose values are msgids (their keys are stored codes).
TABLE_SUFFIXES = (
    "_LABELS",
    "_NAMES",
    "_WORDS",
    "_STATUS",
    "_OUTCOMES",
    "PURPOSES",
    "_OPTIONS",
    "_CHANNELS",
    "RELATIONSHIPS",
)


def _strings(node: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _option_labels(node: ast.AST) -> list[str]:
    """The second element of each (value, label) pair written in the code."""
    return [
        n.elts[1].value
        for n in ast.walk(node)
        if isinstance(n, ast.Tuple)
        and len(n.elts) == 2
        and isinstance(n.elts[1], ast.Constant)
        and isinstance(n.elts[1].value, str)
    ]


def shown_msgids() -> set[str]:
    found: set[str] = set()
    for name in MODULES:
        tree = ast.parse((CLAIMS / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                "FormField",
                "ActionForm",
            ):
                if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                    found.add(str(node.args[1].value))
                for keyword in node.keywords:
                    if keyword.arg == "help":
                        found |= set(_strings(keyword.value))
                    if keyword.arg == "options":
                        found |= set(_option_labels(keyword.value))
            targets = (
                [t.id for t in node.targets if isinstance(t, ast.Name)]
                if isinstance(node, ast.Assign)
                else [node.target.id]
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                else []
            )
            value = getattr(node, "value", None)
            if value is not None and any(t.endswith(TABLE_SUFFIXES) for t in targets):
                if isinstance(value, ast.Dict):
                    for v in value.values:
                        inner = v.values if isinstance(v, ast.Dict) else [v]  # a table of tables
                        found |= {text for item in inner if item for text in _strings(item)}
                else:
                    found |= set(_option_labels(value))
    # Option labels that are data or codes, not words.
    return {m for m in found if any(c.isalpha() for c in m) and m not in {"A", "B", "C"}}


def test_every_word_of_the_claim_page_forms_has_a_zh_cn_translation() -> None:
    # SPEC GEN-6 (messages and labels in the user's language), issue 6 (zh-CN first)
    reload_translations()
    catalogue = translations("zh-CN")
    msgids = shown_msgids()
    assert len(msgids) > 300  # the extraction found the forms, not nothing
    missing = sorted(m for m in msgids if catalogue.gettext(m) == m)
    assert not missing, f"{len(missing)} without zh-CN: {missing[:40]}"
