"""English msgids for the codes the management pages show (states, causes, lines,
clocks ...). Translated through the "admin" catalogue like every other label; an
unknown code is shown as it is. The closed lists a refusal can name (complaint causes,
channels) come from ``claimdesk.code_labels``, so pages and messages say them alike."""

from __future__ import annotations

from collections.abc import Callable

from claimdesk.code_labels import CATALOG_WORDS, COLUMN_LABELS, LABELS, MORE_LABELS, STP_LABELS
from claimdesk.field_labels import without_spec_refs
from claimdesk.rules.checks.rules import RULES

# A medical expense line's class (甲类 / Class A (甲)): code_labels.CATALOG_WORDS, which
# the claim page, the assessor's form, the e-bills and the adjustment trace all read.

# Item categories a product may exclude (PRD-3 medical 'excluded_kinds'); msgids.
KIND_LABELS = {
    "cosmetic": "Cosmetic item",
    "non_necessary_exam": "Examination that was not necessary",
}


def labeller(gettext: Callable[..., str]) -> Callable[[object], str]:
    def label(code: object) -> str:
        text = str(code) if code is not None else ""
        msgid = LABELS.get(text) or MORE_LABELS.get(text)
        return gettext(msgid) if msgid else text

    return label


def column_labeller(gettext: Callable[..., str]) -> Callable[[object], str]:
    """A dashboard column's header (code_labels.column_label), in the page's language."""
    label = labeller(gettext)

    def column_label(column: object) -> str:
        msgid = COLUMN_LABELS.get(str(column))
        return gettext(msgid) if msgid else label(column)

    return column_label


__all__ = ["CATALOG_WORDS", "LABELS", "MORE_LABELS", "STP_LABELS", "column_labeller", "labeller"]


# The rules the system raises flags by (msgids): the fraud holds list and the claim page
# printed their codes, with the SPEC ID in them ("CLM-S2.survey_inconsistent",
# "check:duplicate_receipt").
FLAG_RULES = {
    "CLM-S2.survey_inconsistent": "Survey found an inconsistency",
    "CLM-A5.suspected_forgery": "Suspected forgery",
}


def rule_words(code: str | None, language: str, gettext: Callable[..., str]) -> str:
    """Which rule raised a flag, in words: an automatic check by its title, a rule of the
    claims process by its name; a code a person typed on a manual flag as typed."""
    if not code:
        return ""
    if code.startswith("check:") and code[6:] in RULES:
        rule = RULES[code[6:]]
        return rule.title_zh if language == "zh-CN" else rule.title_en
    if code in FLAG_RULES:
        return gettext(FLAG_RULES[code])
    return without_spec_refs(code)
