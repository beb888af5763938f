"""What each deadline of a claim is for and which rule made it, in words a person reads
(GEN-4: "every deadline the system shows says which rule made it").

A clock row keeps its basis as it was written when it started (for the audit of old
clocks); the staff claim page shows this table instead: the purpose of the deadline and
the article of law, the service standard or the company's claims manual that sets it —
never a requirement ID of the specification. Keyed by the clock's name (workflow.CLOCKS,
callbacks, disputes, complaints, consultations, policy changes and disputes, security
incidents): the management pages show the same words beside their clocks, in the
reader's language (``claimdesk.web.kit.deadline_basis``). Each text is (zh-CN, English).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimdesk.field_labels import without_spec_refs

# The two source documents, as a person cites them.
_STANDARDS = ("《健康保险服务标准及实施指南》", "Health Insurance Service Standards")
_MANUAL = ("《保险理赔流程规范化操作手册》", "Claims Process Operations Manual")
# The regulator's rules on complaints (2020).
_COMPLAINT_RULES = (
    "《银行业保险业消费投诉处理管理办法》",
    "Measures for Handling Consumer Complaints in Banking and Insurance",
)
# A security incident's limits are the administrator's, by severity (SEC-7).
_SET_ZH = "时限由管理员按严重程度设定"
_SET_EN = "the administrator sets the limit by severity"


@dataclass(frozen=True)
class DeadlineName:
    purpose_zh: str
    purpose_en: str
    basis_zh: str
    basis_en: str

    def purpose(self, language: str) -> str:
        return self.purpose_zh if language.startswith("zh") else self.purpose_en

    def basis(self, language: str) -> str:
        return self.basis_zh if language.startswith("zh") else self.basis_en


def _std(clause: str, zh: str, en: str) -> tuple[str, str]:
    return f"{_STANDARDS[0]} {clause}：{zh}", f"{_STANDARDS[1]} {clause}: {en}"


_NUMERALS = str.maketrans("一二三四五六七八九", "123456789")


def _manual(clause: str, zh: str, en: str) -> tuple[str, str]:
    # The manual numbers its parts 三(一)2; in English: §3(1)2.
    return f"{_MANUAL[0]} {clause}：{zh}", f"{_MANUAL[1]} §{clause.translate(_NUMERALS)}: {en}"


def _law(article_zh: str, article_en: str, zh: str, en: str) -> tuple[str, str]:
    return f"《保险法》{article_zh}：{zh}", f"Insurance Law {article_en}: {en}"


def _name(purpose: tuple[str, str], basis: tuple[str, str]) -> DeadlineName:
    return DeadlineName(purpose[0], purpose[1], basis[0], basis[1])


# A dispute about a claim and a complaint about one run on the same rule of the manual.
_DISPUTE_ANSWER = _manual(
    "四(三)", "理赔争议2小时内由专人答复", "a named person answers within 2 hours"
)


NAMES: dict[str, DeadlineName] = {
    "claim.report_entry": _name(
        ("录入报案", "Entering the report"),
        _manual("三(一)2", "接到报案后1小时内录入", "entered within 1 hour of receipt"),
    ),
    "claim.review": _name(
        ("完成审核", "Completing the review"),
        _std(
            "8.2.1(1)",
            "收到理赔资料后3个工作日内完成审核",
            "review completed within 3 working days of complete materials",
        ),
    ),
    "claim.determination": _name(
        ("作出核定", "Deciding whether the claim is payable"),
        _law(
            "第二十三条",
            "art. 23",
            "材料齐全后30日内作出核定",
            "determination within 30 days of complete materials",
        ),
    ),
    "claim.survey_contact": _name(
        ("查勘员联系客户", "Surveyor contacts the customer"),
        _manual("三(三)1", "指派后1小时内联系客户", "contact within 1 hour of assignment"),
    ),
    "claim.survey_report": _name(
        ("提交查勘报告", "Submitting the survey report"),
        _manual("三(三)3", "查勘后24小时内提交报告", "report within 24 hours of the survey"),
    ),
    "claim.advance_payment": _name(
        ("先予支付", "Paying the part that can be fixed in advance"),
        _law(
            "第二十五条",
            "art. 25",
            "自索赔之日起60日内不能确定金额的，先予支付可确定部分",
            "what can be fixed is paid if the amount is not fixed within 60 days of the claim",
        ),
    ),
    "claim.rejection_notice": _name(
        ("发出拒赔通知书", "Sending the rejection notice"),
        _law(
            "第二十四条",
            "art. 24",
            "作出核定之日起3日内发出拒赔通知书",
            "rejection notice within 3 days of the decision",
        ),
    ),
    "claim.payment_small": _name(
        ("小额案件赔付", "Paying a small claim"),
        _manual(
            "三(七)3",
            "小额案件核赔通过后24小时内支付",
            "small claims paid within 24 hours of approval",
        ),
    ),
    "claim.payment_working": _name(
        ("赔付到账", "Paying the claim"),
        _std(
            "8.2.1(1)",
            "收到理赔资料后5个工作日内完成赔付",
            "payment within 5 working days of complete materials",
        ),
    ),
    "claim.payment_agreement": _name(
        ("按协议赔付", "Paying the agreed amount"),
        _law(
            "第二十三条",
            "art. 23",
            "达成赔付协议后10日内履行赔付义务",
            "payment within 10 days of the agreement on the amount",
        ),
    ),
    "claim.callback": _name(
        ("赔付后回访", "Calling the customer back"),
        _manual("三(八)2", "赔付后3个工作日内回访", "callback within 3 working days of payment"),
    ),
    "claim.rejection_callback": _name(
        ("拒赔回访", "Explaining the rejection by phone"),
        _manual(
            "三(八)2",
            "拒赔通知发出后3个工作日内回访，说明理由及调解、仲裁途径",
            "callback within 3 working days explaining the reason, mediation and arbitration",
        ),
    ),
    "claim_dispute.response": _name(
        ("答复理赔争议", "Answering the dispute"),
        _DISPUTE_ANSWER,
    ),
    "complaint.claim_response": _name(
        ("答复理赔投诉", "Answering the complaint about the claim"),
        _DISPUTE_ANSWER,
    ),
    # The service desk (SVC-3, SVC-4)
    "service.consultation_answer": _name(
        ("答复咨询", "Answering the consultation"),
        _std("8.2.1(2)", "咨询2小时内答复", "a consultation is answered within 2 hours"),
    ),
    "complaint.acknowledgement": _name(
        ("确认投诉并告知进展", "Acknowledging the complaint"),
        _std(
            "6.3",
            "投诉24小时内确认并告知进展",
            "a complaint is acknowledged, with its progress, within 24 hours",
        ),
    ),
    "complaint.decision": _name(
        ("作出投诉处理决定", "Deciding the complaint"),
        (
            f"{_STANDARDS[0]} 6.3（15个工作日）与{_COMPLAINT_RULES[0]}（15日），取其早者",
            f"{_STANDARDS[1]} 6.3 (15 working days) and the {_COMPLAINT_RULES[1]} "
            "(15 days), whichever comes first",
        ),
    ),
    # Policies: changes (POL-2) and contract disputes (POL-5)
    "policy_change.completion": _name(
        ("完成批改", "Completing the policy change"),
        _std("8.2.1(3)", "批改2个工作日内完成", "a change is completed within 2 working days"),
    ),
    "policy_dispute.answer": _name(
        ("答复合同纠纷", "Answering the contract dispute"),
        _std("4.3.3", "受理后15日内答复", "answered within 15 days of the application"),
    ),
    "policy_dispute.formalities": _name(
        ("办理协议手续", "Completing the formalities of the agreement"),
        _std("4.3.3", "达成协议后5日内办理手续", "formalities within 5 days of an agreement"),
    ),
    "policy_dispute.performance": _name(
        ("履行裁决或判决", "Performing the award or judgment"),
        _std(
            "4.3.3",
            "裁决/判决生效后5日内履行",
            "performed within 5 days of an award or judgment taking effect",
        ),
    ),
    # Security incidents (SEC-7): the administrator sets each limit by severity
    "security_incident.report": _name(
        ("报告安全事件", "Reporting the incident"),
        _std("9.3.1", f"发现信息安全事件后及时报告；{_SET_ZH}", f"reported once found; {_SET_EN}"),
    ),
    "security_incident.contain": _name(
        ("控制事件", "Containing the incident"),
        _std("9.3.2", f"隔离、修复、恢复；{_SET_ZH}", f"isolate, repair and restore; {_SET_EN}"),
    ),
    "security_incident.root_cause": _name(
        ("分析原因", "Finding the root cause"),
        _std("9.3.2", f"分析事件原因；{_SET_ZH}", f"the cause is analysed; {_SET_EN}"),
    ),
    "security_incident.correct": _name(
        ("落实整改", "Carrying out the corrective actions"),
        _std(
            "9.3.2",
            f"制定并落实整改措施；{_SET_ZH}",
            f"corrective actions are set and carried out; {_SET_EN}",
        ),
    ),
    "security_incident.review": _name(
        ("总结评估", "Reviewing the incident"),
        _std("9.3.3", f"总结评估；{_SET_ZH}", f"the incident is reviewed; {_SET_EN}"),
    ),
}

# A clock whose rule changed on the way (an extended complaint, SVC-3) shows the basis it
# was moved to, not its name's: keyed by the stored basis without its requirement ID.
BY_BASIS: dict[str, DeadlineName] = {
    f"{_COMPLAINT_RULES[0]}：延长至 30 日，已记录理由并告知投诉人": _name(
        ("作出投诉处理决定", "Deciding the complaint"),
        (
            f"{_COMPLAINT_RULES[0]}：延长至30日，已记录理由并告知投诉人",
            f"{_COMPLAINT_RULES[1]}: extended to 30 days, with the reason recorded and "
            "the complainant told",
        ),
    ),
}

# A requirement ID of the specification ("CLM-R3", "SVC-4"), never shown to people.
SPEC_ID = re.compile(r"\(?\b[A-Z]{2,4}-[A-Z]?\d+[A-Z]?\)?[：:]?\s*")


def name_of(name: str, basis: str | None) -> DeadlineName:
    """The deadline's purpose and basis; a clock this table does not know keeps its
    stored basis, with any requirement ID taken out."""
    varied = BY_BASIS.get(without_spec_refs(basis)) if basis else None
    if varied is not None:
        return varied
    found = NAMES.get(name)
    if found is not None:
        return found
    text = SPEC_ID.sub("", basis or "").strip() or name
    return DeadlineName(text, text, text, text)
