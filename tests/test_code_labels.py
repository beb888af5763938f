"""One label set for each closed list, shared by the pages and the refusals (GEN-6,
issue 12 "no raw codes"): a complaint cause reads the same on the portal and the desk, and
a refusal names allowed channels in words."""

from __future__ import annotations

import re

import pytest

from claimdesk import code_labels
from claimdesk.i18n import gettext
from claimdesk.policies.errors import OutsideProductLimits
from claimdesk.service.errors import UnknownCode, choose

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_a_code_means_the_same_in_every_list() -> None:
    # SPEC GEN-6: one label per code, whichever list names it
    for table in code_labels.TABLES:
        for code, msgid in table.items():
            assert code_labels.CODE_LABELS[code] == msgid, code


@pytest.mark.parametrize("table", code_labels.TABLES)
def test_every_label_has_a_chinese_translation(table) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-6 (the user's language), issue 6
    for code, msgid in table.items():
        assert CJK.search(gettext(msgid, "zh-CN")), (code, msgid)


def test_the_portal_and_the_desk_say_a_complaint_cause_alike() -> None:
    # SPEC SVC-3: one set of cause words — the portal's choice is the desk's list entry
    from claimdesk.web.kit import label
    from claimdesk.web.labels import LABELS
    from claimdesk.web.portal.pages import COMPLAINT_CAUSES

    assert {code for code, _msgid in COMPLAINT_CAUSES} <= set(code_labels.COMPLAINT_CAUSES)
    for code, msgid in COMPLAINT_CAUSES:
        assert LABELS[code] == msgid == code_labels.COMPLAINT_CAUSES[code]
    for code, msgid in code_labels.COMPLAINT_CAUSES.items():
        assert LABELS[code] == msgid
        assert label(code) == gettext(msgid)


def test_a_product_limit_names_channels_in_words() -> None:
    # SPEC PRD-6, GEN-6: "产品限定为 直销、银行", not "direct, bank"
    error = OutsideProductLimits(field="channel", value="internet", allowed=("direct", "bank"))
    assert error.message("zh-CN") == "渠道：产品限定为 直销、银行，“互联网” 不在范围内"
    assert (
        error.message("en")
        == "Channel: the product is limited to Direct, Bank; 'Internet' is outside"
    )
    assert error.params["allowed"] == ("direct", "bank")  # the codes stay for programs


def test_a_desk_refusal_lists_the_allowed_channels_in_words() -> None:
    # SPEC SVC-3, GEN-6: the allowed values in words, the value as it was sent
    from claimdesk.service.service import CHANNELS

    with pytest.raises(UnknownCode) as caught:
        choose("pigeon", CHANNELS, "channel")
    assert caught.value.message("zh-CN") == (
        "渠道：取值“pigeon”无效，允许的取值：机构、网站／App、电话、电子邮件、短信"
    )
    english = caught.value.message("en")
    assert english == (
        "Channel: unknown value 'pigeon'; allowed: Branch, Website / app, Phone, Email, SMS"
    )


def test_a_refusal_naming_a_format_keeps_it() -> None:
    # SPEC GEN-6: an allowed "value" that is a format, not codes, is shown as it is
    error = UnknownCode(field="period", value="2026", allowed="YYYY-MM")
    assert "YYYY-MM" in error.message("zh-CN") and "YYYY-MM" in error.message("en")


def test_a_process_without_the_pages_names_codes_in_words() -> None:
    # SPEC GEN-6, CLM-R1, PRD-6: a worker or the CLI never imports claimdesk.web; its
    # refusals name a claim's report channels and a product's channel limit in words all
    # the same (the tables are complete in claimdesk.code_labels, nothing registers them)
    import subprocess
    import sys

    script = """
import sys
from pydantic import ValidationError
from claimdesk.claims.schemas import ReportCreate
from claimdesk.policies.errors import OutsideProductLimits
from claimdesk.validation import describe_validation_error
try:
    ReportCreate.model_validate({"channel": "pigeon"})
except ValidationError as error:
    print(describe_validation_error(error.errors(), "zh-CN")["message"])
    print(describe_validation_error(error.errors(), "en")["message"])
print(OutsideProductLimits(field="channel", value="internet", allowed=("bank",)).message("en"))
print(sorted(name for name in sys.modules if name.startswith("claimdesk.web")))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    chinese, english, limit, web = done.stdout.strip().splitlines()
    assert web == "[]"
    assert "热线电话" in chinese and "hotline" not in chinese, chinese
    assert "Hotline" in english and "Branch counter" in english, english
    assert limit == "Channel: the product is limited to Bank; 'Internet' is outside"


def test_a_dashboard_column_is_headed_by_what_it_counts() -> None:
    # SPEC CLM-Q2, CLM-T4 (exports in the reader's language): a column named like a code
    # of another meaning has its own header, in both languages
    assert code_labels.column_label("claims", "zh-CN") == "案件数"
    assert code_labels.code_label("claims", "zh-CN") != "案件数"  # the service kind
    assert code_labels.column_label("agreed", "en") == "Agreed with the automatic decision"
    assert CJK.search(code_labels.column_label("agreed", "zh-CN"))
    assert code_labels.column_label("clock", "zh-CN") == code_labels.code_label("clock", "zh-CN")
