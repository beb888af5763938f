"""One label set for each closed list, shared by the pages and the refusals (GEN-6,
issue 12 "no raw codes"): a complaint cause reads the same on the portal and the desk, and
a refusal names allowed channels in words."""

from __future__ import annotations

import re
from enum import StrEnum

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


def _state_enums() -> list[type[StrEnum]]:
    from claimdesk.models import states

    return [
        found
        for found in vars(states).values()
        if isinstance(found, type) and issubclass(found, StrEnum) and found is not StrEnum
    ]


def test_every_state_enum_has_a_table_of_its_own() -> None:
    # SPEC GEN-6 (issue 12 "no raw codes"): a new entity's states are labelled before
    # a page can show them
    assert set(_state_enums()) == set(code_labels.STATE_TABLES)
    assert set(code_labels.STATE_KINDS.values()) == set(code_labels.STATE_TABLES)


@pytest.mark.parametrize("enum", code_labels.STATE_TABLES, ids=lambda enum: enum.__name__)
def test_every_state_has_a_label_in_both_languages(enum: type[StrEnum]) -> None:
    # SPEC GEN-6: every member in words, in English and in Chinese; no stale code
    table = code_labels.STATE_TABLES[enum]
    assert set(table) == {member.value for member in enum}
    for member in enum:
        msgid = code_labels.state_msgid(enum, member)
        assert msgid and not re.fullmatch(r"[a-z_]+", msgid), (enum.__name__, member)
        assert code_labels.state_label(enum, member, "en") == msgid
        assert CJK.search(code_labels.state_label(enum, member, "zh-CN")), (enum, member, msgid)


def test_every_role_has_a_label_in_both_languages() -> None:
    # SPEC GEN-6 SEC-4: the roles a user holds, in words
    from claimdesk.auth.permissions import ROLE_LABELS, Role

    for role in Role:
        zh, en = ROLE_LABELS[role]
        assert CJK.search(zh) and en and not CJK.search(en), role


def test_a_state_reads_as_its_own_list_says_it() -> None:
    # SPEC GEN-6 CLM-V3 SVC-3 SAL-2 POL-2: a code two lists share means two things
    label = code_labels.state_label
    assert label("claim", "decided", "zh-CN") == "已核定，无需支付"
    assert label("claim", "decided", "en") == "Decided, nothing to pay"
    assert label("complaint", "decided", "zh-CN") == "已决定"
    assert label("complaint", "accepted", "zh-CN") == "投诉人已接受"
    assert label("claim", "accepted", "zh-CN") == "已受理"
    assert label("sales_agent", "suspended", "zh-CN") == "已暂停"
    assert label("claim", "suspended", "zh-CN") == "已中止（反欺诈）"
    assert label("policy_change", "approved", "zh-CN") == "已批准"
    assert label("policy_change", "rejected", "zh-CN") == "不予批准"
    assert label("claim", "rejected", "zh-CN") == "已拒赔"
    assert label("claim", "no_such_state", "zh-CN") == "no_such_state"


def test_the_pages_read_claim_states_from_the_one_table() -> None:
    # SPEC GEN-6: the workbench and the claim page keep no table of their own
    from claimdesk.web.claims import pages, workbench

    for module in (pages, workbench):
        assert not hasattr(module, "STATE_LABELS") and not hasattr(module, "LINE_LABELS")


def test_a_dispute_path_refusal_names_the_paths_in_words() -> None:
    # SPEC CLM-Z3 GEN-6: the allowed paths in words, 、 in Chinese; the codes for programs
    from claimdesk.claims.special.disputes import DisputePathNotAllowed

    error = DisputePathNotAllowed(field="path", size="large", allowed=("arbitration", "court"))
    assert error.message("zh-CN") == "路径：大额争议只能走 仲裁、诉讼"
    assert error.message("en") == "Path: a large dispute may only go to Arbitration, Court"
    assert error.params["allowed"] == ("arbitration", "court")


def test_every_major_reason_the_report_writes_has_its_code() -> None:
    # SPEC CLM-R4: the API serves each stored reason's stable code (major_reason_codes);
    # the texts the report writes, the demo history's "amount" and an unknown text.
    from decimal import Decimal
    from types import SimpleNamespace

    from claimdesk.claims.config import rules
    from claimdesk.claims.intake.report import major_reasons
    from claimdesk.code_labels import MAJOR_REASON_CODES, major_reason_code

    data = SimpleNamespace(
        casualties=rules().major_casualties,
        estimated_amount=Decimal("250000.50"),
        group_incident=True,
    )
    written = major_reasons(data, limits=SimpleNamespace(major_amount=Decimal("200000.00")))  # type: ignore[arg-type]
    assert [major_reason_code(r) for r in written] == [
        "casualties",
        "estimated_amount",
        "group_incident",
    ]
    assert major_reason_code("amount") == "estimated_amount"
    assert major_reason_code("a flood") == "other"
    assert set(MAJOR_REASON_CODES) == {
        *(major_reason_code(r) for r in written),
        major_reason_code("a flood"),
    }


def test_every_clock_is_named_apart_with_its_rule() -> None:
    # SPEC GEN-4 (every deadline says which rule made it), GEN-7 (the scorecard counts each
    # time limit apart): a claims complaint's answer read "Claim dispute answer (2 h)" as a
    # dispute's does, and the complaint decision named no rule at all.
    from claimdesk.claims.deadline_names import NAMES

    clocks = [name for name in NAMES if name in code_labels.LABELS]
    assert {"claim_dispute.response", "complaint.claim_response", "complaint.decision"} <= set(
        clocks
    )
    for language, bracket in (("en", "("), ("zh-CN", "（")):
        words = {name: gettext(code_labels.LABELS[name], language) for name in clocks}
        assert len(set(words.values())) == len(words), words
        assert all(bracket in text for text in words.values()), words
