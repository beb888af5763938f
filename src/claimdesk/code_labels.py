"""The words a person reads for the stored codes that pages list and refusals name
(GEN-6, issue 12 "no raw codes").

One table per closed list, code → English msgid (translated through the Babel
catalogues like every page label). The pages' labels (``claimdesk.web.labels``) take these
tables as they are, and a domain error that names allowed values — "the product is sold
through 直销、银行 only" — says them with the same words (``code_list``): the customer
portal, the staff lists and the refusals cannot drift apart. An unknown code is shown as
it is. Imports nothing of the app but the catalogues.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from claimdesk.i18n import gettext

# What a complaint is about (SVC-3): the portal's choice, the desk's lists, the service
# dashboard's breakdown by cause. Each msgid says the cause as the customer and the desk
# both read it.
COMPLAINT_CAUSES: dict[str, str] = {
    "attitude": "Attitude of staff",
    "delay": "Slow handling",
    "claim_amount": "Amount paid",
    "claim_rejection": "Claim rejected",
    "misleading_sales": "Misleading sales",
    "policy_terms": "Policy terms",
    "fees": "Fees",
    "process": "Service process",
    "other": "Other",
}

# The sales channel a policy was sold through (POL-1) and a product may be limited to
# (PRD-6).
POLICY_CHANNELS: dict[str, str] = {
    "direct": "Direct",
    "agency": "Agency",
    "bank": "Bank",
    "securities": "Securities firm",
    "internet": "Internet",
    "phone": "Phone",
    "other": "Other",
}

# The channel a consultation, request or complaint came in on (SVC-1, SVC-3).
CONTACT_CHANNELS: dict[str, str] = {
    "branch": "Branch",
    "web_app": "Website / app",
    "phone": "Phone",
    "email": "Email",
    "sms": "SMS",
}

# How a sales channel sells (SAL-*): its kind.
SALES_CHANNEL_KINDS: dict[str, str] = {
    "direct_team": "Direct sales team",
    "agency": "Agency",
    "bank": "Bank",
    "securities_firm": "Securities firm",
    "internet": "Internet",
    "other": "Other",
}

TABLES: tuple[Mapping[str, str], ...] = (
    COMPLAINT_CAUSES,
    POLICY_CHANNELS,
    CONTACT_CHANNELS,
    SALES_CHANNEL_KINDS,
)
# Every code above; a code means the same in every list (tests/test_code_labels.py).
CODE_LABELS: dict[str, str] = {code: msgid for table in TABLES for code, msgid in table.items()}


def register(table: Mapping[str, str]) -> None:
    """Add the codes of a page's label table (``claimdesk.web.labels`` registers its
    tables when it is imported, as every process serving requests does), so that a
    refusal naming a closed list — a pydantic ``literal_error`` such as a refund rule or
    a state — says the values as the pages show them. A code already known keeps its
    label: the tables above win."""
    for code, msgid in table.items():
        CODE_LABELS.setdefault(code, msgid)


def code_label(code: object, language: str) -> str:
    """The code in words in ``language`` ("internet" → 互联网 / Internet); an unknown
    code as it is."""
    text = "" if code is None else str(code)
    msgid = CODE_LABELS.get(text)
    return gettext(msgid, language) if msgid else text


def code_list(codes: Iterable[object], language: str) -> str:
    """Codes in words, listed as the language lists them: 直销、银行 / Direct, Bank."""
    separator = "、" if language.lower().startswith("zh") else ", "
    return separator.join(code_label(code, language) for code in codes)


class NamesCodes:
    """A mixin for a ``ClaimdeskError`` whose message names the ``allowed`` codes of a
    closed list: a person reads them in words (the codes stay in ``params`` for
    programs). ``allowed`` given as a tuple or list is listed in words; a string (a format
    such as "YYYY-MM") is kept as it is. The refused ``value`` is said in words too when
    it is a code of the list that this case does not allow (``value_is_code``: a channel
    the product is not sold through); a value that is no code of the list is shown as it
    was sent."""

    params: dict[str, Any]
    value_is_code: ClassVar[bool] = False

    def words(self, language: str) -> dict[str, Any]:
        shown = dict(self.params)
        allowed = shown.get("allowed")
        if isinstance(allowed, tuple | list):
            shown["allowed"] = code_list(allowed, language)
        if self.value_is_code and "value" in shown:
            shown["value"] = code_label(shown["value"], language)
        return shown
