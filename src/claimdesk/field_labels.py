"""The name a person reads for each field an error can name (GEN-6, issue 12).

Services and schemas name a field by its path (``contact_phone``, ``lines[2].amount``);
that path stays in the error's ``field`` for programs. The message a person reads names
the field by its label instead: ``联系电话：应为 11 位手机号码`` rather than
``字段 contact_phone 无效``. Pure table, imported by the error base (no app imports).
"""

from __future__ import annotations

import re

# path (or the last part of a path) -> (zh-CN, English)
FIELD_LABELS: dict[str, tuple[str, str]] = {
    # people, accounts, logins
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "current_password": ("当前密码", "Current password"),
    "new_password": ("新密码", "New password"),
    "role": ("角色", "Role"),
    "roles": ("角色", "Roles"),
    "display_name": ("姓名", "Name"),
    "name": ("姓名", "Name"),
    # a product's or coverage's English name (products.schemas.EnglishName, GEN-6)
    "name_en": ("英文名称", "English name"),
    "id_number": ("身份证号码", "ID number"),
    "id_type": ("证件类型", "ID type"),
    "birth_date": ("出生日期", "Date of birth"),
    "gender": ("性别", "Gender"),
    "phone": ("手机号码", "Mobile number"),
    "mobile": ("手机号码", "Mobile number"),
    "email": ("电子邮箱", "Email"),
    "address": ("地址", "Address"),
    "contact": ("联系方式", "Contact"),
    "person_id": ("人员", "Person"),
    "user_id": ("用户", "User"),
    "owner_id": ("负责人", "Owner"),
    "responder_id": ("答复人", "Responder"),
    "handler_user_id": ("处理人", "Handler"),
    # the portal's and the claim page's e-bill files (web/bill_forms.py)
    "receipt_file": ("电子票据文件", "E-receipt file"),
    "settlement_file": ("医保结算单文件", "Settlement statement file"),
    "org_unit_id": ("机构", "Org unit"),
    "local_org_unit_id": ("当地机构", "Local org unit"),
    "parent_id": ("上级机构", "Parent unit"),
    "region_code": ("行政区划代码", "Region code"),
    "code": ("编号", "Code"),
    "kind": ("类型", "Kind"),
    "language": ("语言", "Language"),
    "csrf_token": ("表单", "Form"),
    "consent": ("授权同意", "Consent"),
    "consent_id": ("授权同意", "Consent"),
    "consent.scope": ("授权范围", "Consent scope"),
    "customer_consent": ("客户同意", "Customer's consent"),
    "consent_method": ("同意方式", "How the consent was given"),
    "customer_group": ("客户群体", "Customer group"),
    "account_id": ("银行账户", "Bank account"),
    "bank_account_id": ("银行账户", "Bank account"),
    # a bank account's fields, as the payee form and the portal's payout accounts label
    # them (claims/payee_new.html, portal/accounts.html): one term for one field
    "account_number": ("银行账号", "Account number"),
    "holder_name": ("开户名", "Account holder"),
    "bank_name": ("开户银行", "Bank name"),
    "subject_id": ("对象", "Subject"),
    "recipient": ("收件人", "Recipient"),
    # products and policies
    "product_id": ("产品", "Product"),
    "product_version_id": ("产品版本", "Product version"),
    "version_id": ("产品版本", "Product version"),
    "version": ("版本", "Version"),
    # a product version's content (products.schemas.VersionIn)
    "insured_liabilities": ("保险责任", "Insured liabilities"),
    "exclusions": ("责任免除", "Exclusions"),
    # their English explanations (GEN-6; the contract stays Chinese)
    "insured_liabilities_en": ("保险责任（英文说明）", "Insured liabilities, in English"),
    "exclusions_en": ("责任免除（英文说明）", "Exclusions, in English"),
    "period_months": ("保险期间（月）", "Policy period (months)"),
    "premium_rate": ("费率", "Premium rate"),
    "refund_rule": ("退费规则", "Refund rule"),
    "limits": ("销售限制", "Sales limits"),
    "regions": ("销售地区", "Regions"),
    "channels": ("销售渠道", "Channels"),
    "customer_groups": ("客户群体", "Customer groups"),
    "for_adults": ("适用成人", "For adults"),
    "line": ("险种", "Line"),
    "terms": ("条款通俗解释", "Terms in plain language"),
    # a product version's English explanations of its terms (PRD-5, GEN-6)
    "terms_en": ("条款通俗解释（英文）", "Terms in plain language, in English"),
    "coverages": ("保障责任", "Coverages"),
    "coverage_code": ("保障责任", "Coverage"),
    "coverage_codes": ("保障责任", "Coverages"),
    "coverage_type": ("保障类型", "Coverage type"),
    "coverage.type": ("保障类型", "Coverage type"),
    # a coverage of a product version's list (products.schemas.CoverageIn): a thing's
    # name is 名称, not a person's 姓名
    "coverages.name": ("名称", "Name"),
    "coverages.name_en": ("英文名称", "English name"),
    "coverages.type": ("保障类型", "Coverage type"),
    "coverages.parameters": ("保障参数", "Parameters"),
    "coverages.materials_add": ("增加的理赔材料", "Claim materials added"),
    "coverages.materials_drop": ("不需要的理赔材料", "Claim materials dropped"),
    "requirements": ("材料要求", "Required materials"),
    "policy_id": ("保单", "Policy"),
    "policy_number": ("保单号", "Policy number"),
    "policyholder_id": ("投保人", "Policyholder"),
    "new_policyholder": ("新投保人", "New policyholder"),
    "insured_id": ("被保险人", "Insured"),
    "insured_id_number": ("被保险人身份证号码", "Insured's ID number"),
    "beneficiaries": ("受益人", "Beneficiaries"),
    "share": ("受益份额", "Share"),
    "relationship": ("与被保险人关系", "Relationship to the insured"),
    "premium": ("保费", "Premium"),
    "sum_insured": ("保险金额", "Sum insured"),
    "period": ("保险期间", "Policy period"),
    "period_start": ("保险起期", "Policy start"),
    "period_end": ("保险止期", "Policy end"),
    "policy_start": ("保险起期", "Policy start"),
    "policy_end": ("保险止期", "Policy end"),
    "change": ("保全变更", "Policy change"),
    "change.kind": ("变更类型", "Kind of change"),
    "change_id": ("保全变更", "Policy change"),
    "effective_date": ("生效日期", "Effective date"),
    "effective_from": ("生效时间", "Effective from"),
    "channel": ("渠道", "Channel"),
    "channel_id": ("销售渠道", "Sales channel"),
    "agent_id": ("代理人", "Agent"),
    "agent_user_id": ("代理人", "Agent"),
    "licence_number": ("执业证号", "Licence number"),
    "valid_until": ("有效期至", "Valid until"),
    "self_pay_ratio": ("自付比例", "Self-pay ratio"),
    "depreciation_rate": ("折旧率", "Depreciation rate"),
    # claims: report
    "claim": ("案件", "Claim"),
    # records a "not found" names (errors.NotFound's ``what``)
    "decision_notice": ("理赔决定通知书", "Settlement notice"),
    "rejection_notice": ("拒赔通知书", "Rejection notice"),
    "sales_agent": ("代理人", "Sales agent"),
    "mailing": ("邮寄记录", "Mailing"),
    "claim_id": ("案件", "Claim"),
    "loss_date": ("出险日期", "Date of loss"),
    "date_of_loss": ("出险日期", "Date of loss"),
    "loss_at": ("出险时间", "Time of loss"),
    "received_at": ("接报时间", "Time the report was received"),
    "claimant_name": ("申请人姓名", "Claimant's name"),
    "claimant_relationship": ("申请人与被保险人关系", "Claimant's relationship to the insured"),
    "contact_phone": ("联系电话", "Contact phone"),
    "reporter": ("报案人", "Reporter"),
    "reporter.name": ("报案人姓名", "Reporter's name"),
    "reporter.relationship": ("报案人与被保险人关系", "Reporter's relationship to the insured"),
    "reporter.phone": ("报案人手机号码", "Reporter's mobile number"),
    "loss_place": ("出险地点", "Place of loss"),
    "loss_cause": ("出险原因", "Cause of loss"),
    "loss_overview": ("出险经过", "What happened"),
    "estimated_amount": ("估损金额", "Estimated amount"),
    "casualties": ("伤亡人数", "Casualties"),
    "reason": ("原因", "Reason"),
    "reason_code": ("原因类别", "Kind of reason"),
    "customer_note": ("告知客户的说明", "Explanation for the customer"),
    "justification": ("理由", "Justification"),
    "extension_reason": ("延期理由", "Reason for the extension"),
    # materials and files
    "file": ("文件", "File"),
    "material_code": ("材料类别", "Which material"),
    "file_id": ("文件", "File"),
    "certificate_file_id": ("证明文件", "Certificate"),
    "external_report_file_id": ("外部报告文件", "External report"),
    "purpose": ("用途", "Purpose"),
    "items": ("项目", "Items"),
    "death_certificate": ("死亡证明", "Death certificate"),
    "tracking_number": ("快递单号", "Tracking number"),
    "mailing_id": ("寄送记录", "Mailing"),
    # survey
    "surveyor_id": ("查勘员", "Surveyor"),
    "at": ("时间", "Time"),
    "surveyed_at": ("查勘时间", "Time of the survey"),
    "planned_at": ("计划查勘时间", "Planned survey time"),
    "place": ("地点", "Place"),
    "people": ("在场人员", "People present"),
    "actions": ("查勘经过", "What was done"),
    "conclusion": ("结论", "Conclusion"),
    "covered": ("是否属保险责任", "Covered"),
    "cause": ("原因", "Cause"),
    "extent": ("损失程度", "Extent of the loss"),
    "evidence_file_ids": ("证据文件", "Evidence files"),
    "plan": ("查勘计划", "Survey plan"),
    "note": ("备注", "Note"),
    "external_adjuster": ("公估机构", "Loss adjuster"),
    # assessment and adjustment
    "assessment_id": ("定损记录", "Assessment"),
    "lines": ("费用明细", "Expense lines"),
    # A complaint's or a contact's description; a bill line's is its item.
    "description": ("描述", "Description"),
    "lines.description": ("项目", "Description"),
    "amount": ("金额", "Amount"),
    "social_insurance_paid": ("医保已支付", "Paid by social insurance"),
    "settled_with_social_insurance": ("已经医保结算", "Settled with social insurance"),
    "repair": ("维修费用", "Repair"),
    "materials": ("材料费", "Materials"),
    "labour": ("工时费", "Labour"),
    "salvage": ("残值", "Salvage"),
    "actual_value": ("实际价值", "Actual value"),
    "insured_value": ("保险价值", "Insured value"),
    "agreed_value": ("约定价值", "Agreed value"),
    "replacement_value": ("重置价值", "Replacement value"),
    "total_replacement_value": ("重置价值合计", "Total replacement value"),
    "total_loss": ("全损", "Total loss"),
    "injuries": ("伤残情况", "Injuries"),
    "grade": ("伤残等级", "Disability grade"),
    "disease": ("疾病", "Disease"),
    "severe_paid": ("已赔重症", "Severe illness already paid"),
    "exaggerated_amount": ("夸大金额", "Exaggerated amount"),
    "liability": ("责任认定", "Liability"),
    "covered_items": ("赔付项目", "Covered items"),
    "rejection_clause": ("拒赔条款", "Clause"),
    "rejection_reason": ("拒赔理由", "Reason"),
    # a liability decision's stated terms (CLM-C1)
    "ratio": ("赔付比例", "Ratio"),
    "deductible": ("免赔额", "Deductible"),
    "rejection_evidence": ("拒赔证据", "Evidence"),
    "rejection_ground": ("拒赔依据", "Ground for rejection"),
    "rejection_facts": ("拒赔事实", "Facts"),
    "options_explained": ("已告知救济途径", "Options explained"),
    # review, payment, closing
    "decision": ("审核意见", "Decision"),
    "checklist": ("审核要点", "Checklist"),
    # the quality sample's verdict (CLM-T3)
    "agrees": ("是否同意自动理赔结果", "Agrees with the automatic decision"),
    "outcome": ("结果", "Outcome"),
    # a satisfaction rating (SVC-5), as the portal's stars are labelled
    "score_speed": ("速度", "Speed"),
    "score_attitude": ("态度", "Attitude"),
    "score_result": ("结果", "Result"),
    "score_process": ("流程", "Process"),
    "score_value_added": ("增值服务", "Value-added services"),
    "payee": ("收款人", "Payee"),
    "payee_person_id": ("收款人", "Payee"),
    "payee_id_number": ("收款人身份证号码", "Payee's ID number"),
    # CLM-P3: the means of payment and a cash/offline payment's hand-over.
    "means": ("支付方式", "Means of payment"),
    "offline_reason": ("现金/线下支付的特殊情况", "Special case for a cash/offline payment"),
    "payee_document_number": ("收款人证件号码", "Payee's ID document number"),
    "receipt_file_id": ("收款人签字确认书", "Payee's signed confirmation"),
    "payment_id": ("支付", "Payment"),
    "idempotency_key": ("请求编号", "Request key"),
    "result": ("结果", "Result"),
    "callback_id": ("回访", "Callback"),
    "satisfaction": ("满意度", "Satisfaction"),
    "dispute_id": ("争议", "Dispute"),
    "flag_id": ("风险提示", "Flag"),
    "event_id": ("重大事件", "Mass event"),
    "initiator": ("发起方", "Initiator"),
    "route": ("处理途径", "Route"),
    "step": ("步骤", "Step"),
    "state": ("状态", "State"),
    "action_id": ("整改措施", "Corrective action"),
    "incident_id": ("安全事件", "Security incident"),
    "complaint_id": ("投诉", "Complaint"),
    "service_record_id": ("服务记录", "Service record"),
    "service_type": ("服务类型", "Service type"),
    "customer": ("客户", "Customer"),
    "subject": ("主题", "Subject"),
    "request": ("详细说明", "Details"),
    "response": ("对处理决定的答复", "Answer to the decision"),
    "comment": ("意见", "Comment"),
    "question": ("客户的问题", "The customer's question"),
    "record_id": ("记录", "Record"),
    "modes": ("方式", "Modes"),
    # a security incident (SEC-7)
    "title": ("标题", "Title"),
    "severity": ("严重程度", "Severity"),
    "detected_at": ("发现时间", "Time detected"),
    "affected_systems": ("受影响的系统", "Affected systems"),
    "affected_data": ("受影响的数据", "Affected data"),
    "performed_at": ("执行时间", "Time carried out"),
    "performed_by": ("执行人", "Carried out by"),
    "root_cause": ("根本原因", "Root cause"),
    "notes": ("说明", "Notes"),
    # calendar, thresholds, dashboards, lists
    "day": ("日期", "Day"),
    "year": ("年度", "Year"),
    "years": ("年度", "Years"),
    "import_year": ("导入年度", "Year to import"),
    "due_on": ("到期日", "Due on"),
    "ends_on": ("结束日期", "Ends on"),
    "end": ("结束", "End"),
    "date_from": ("起始日期", "From"),
    "date_to": ("截止日期", "To"),
    "hours": ("小时数", "Hours"),
    "n": ("时限", "Time limit"),
    "rule": ("时限规则", "Time-limit rule"),
    "rule.n": ("时限", "Time limit"),
    "dataset": ("数据集", "Dataset"),
    "by": ("时限分组", "Time limits by"),
    "limit": ("每页条数", "Page size"),
    "offset": ("起始位置", "Offset"),
    "path": ("路径", "Path"),
    "review_tier1_max": ("一级核赔上限", "Tier-1 review limit"),
    "review_tier2_max": ("二级核赔上限", "Tier-2 review limit"),
    "major_amount": ("重大案件金额", "Major-case amount"),
    "major_casualties": ("重大案件伤亡人数", "Major-case casualties"),
    "small_payment_max": ("小额赔款上限", "Small-payment limit"),
    "skip_survey_lines": ("可免查勘险种", "Lines that may skip the survey"),
    "skip_survey_max_amount": ("免查勘金额上限", "Skip-survey amount limit"),
    "automatic_max_amount": ("自动理赔金额上限", "Automatic payment limit"),
    "automatic_lines": ("自动理赔险种", "Coverage types paid automatically"),
    "sample_share": ("质量抽检比例", "Quality sample share"),
    "small_cash_max": ("现金/线下支付限额", "Cash/offline payment limit"),
    # bills (medical e-receipts)
    "receipt": ("电子票据", "E-receipt"),
    "receipt.receipt_number": ("票据号码", "Receipt number"),
    "receipt.payer.name": ("交款人", "Payer"),
    "settlement": ("医保结算单", "Settlement statement"),
    "settlement.dise_codg": ("主诊断编码", "Main diagnosis code"),
    "settlement.dise_name": ("主诊断名称", "Main diagnosis name"),
    "settlement.med_type": ("医疗类别", "Medical type"),
}

# A field a schema names otherwise than FIELD_LABELS does: context → path → (zh-CN,
# English). A schema (pydantic ``field_context`` ClassVar) or an error
# (``ClaimdeskError.field_context``) names its context; any path the context does not
# name reads as in FIELD_LABELS.
CONTEXT_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    # The bank's answer to a payment batch (payments.schemas.ConfirmationIn): its
    # ``lines`` answer payments, not an assessment's expense lines (费用明细).
    "bank_answer": {
        "lines": ("付款明细", "Payment lines"),
        "csv": ("回盘文件", "Answer file"),
    },
    # The rejection of a policy change or termination (policies.schemas.StepIn, the
    # policy page's reject form): its note is the reason for rejecting, 驳回理由, as the
    # form labels it — not a 备注 added beside the step.
    "change_rejection": {
        "note": ("驳回理由", "Reason for rejection"),
    },
    # A complaint (service.schemas.ComplaintIn): its description is the story the
    # customer tells — the portal asks 请描述经过 / "Tell us what happened".
    "complaint": {
        "description": ("投诉经过", "What happened"),
    },
    # An org unit, a sales channel or organisation edited (org.schemas.OrgUnitUpdate,
    # sales.schemas.ChannelUpdate, OrganisationUpdate): its name is 名称, not 姓名.
    "named_record": {
        "name": ("名称", "Name"),
    },
}

# "(CLM-R3)", "（SVC-3）", "(SPEC CLM-T1)", "(CLM-R4、CLM-P4)": references for the
# code and its tests, not for the reader.
_SPEC_ID = r"(?:CLM-[A-Z]\d+|(?:SEC|GEN|PRD|POL|SVC|PER|SAL|FIN)-\d+|ADJ-[A-Z]+(?: step \d+)?)"
SPEC_REF = re.compile(rf"\s*[（(]\s*(?:SPEC\s+)?{_SPEC_ID}(?:\s*[,，、/;]\s*{_SPEC_ID})*\s*[)）]")


def without_spec_refs(text: object) -> str:
    """``text`` without the SPEC IDs in brackets a requirement was cited by."""
    if text is None:
        return ""
    return SPEC_REF.sub("", str(text)).strip()


_PART = re.compile(r"[^.\[\]]+")


def field_label(path: str | None, language: str, context: str | None = None) -> str | None:
    """The label of ``path`` in ``language``, or None when no label is known; in
    ``context`` (CONTEXT_LABELS) its own labels first.

    A path into a list names the list's row, then the field, as one phrase that a
    message's "：必填" / ": required" follows: ``lines[2].amount`` → "费用明细第 3 行的金额"
    / "Expense lines, line 3, amount" (the field's word in the sentence: a name's or an
    abbreviation's capitals kept, ``in_sentence``); a list inside an object is named by
    the list, whose rows they are: ``version.coverages.0.name_en`` → "保障责任第 1 行的
    英文名称" / "Coverages, line 1, English name"."""
    if not path:
        return None
    own = CONTEXT_LABELS.get(context or "", {})

    def known(key: str) -> tuple[str, str] | None:
        return own.get(key) or FIELD_LABELS.get(key)

    zh = language.lower().startswith("zh")
    found = known(path)
    if found:
        return found[0] if zh else found[1]
    tokens = _PART.findall(path)
    parts = [t for t in tokens if not t.isdigit()]
    rows = [int(t) for t in tokens if t.isdigit()]
    if not parts:
        return None
    # The list whose row is named: the part just before the first index (else the first).
    # (Every token before the first index is a name, so the list is parts[first - 1].)
    first = next((i for i, t in enumerate(tokens) if t.isdigit()), 0)
    start = first - 1 if first else 0
    head = known(parts[start])
    if head is None and start:
        start, head = 0, known(parts[0])
    rest = parts[start:]
    leaf = known(".".join(rest)) or known(".".join(parts)) or known(parts[-1])
    if head is None or (len(rest) > 1 and leaf is None):
        # A part of a document only programs send: the path says more than a guess.
        return None
    pick = 0 if zh else 1
    row = ""
    if rows:
        row = f"第 {rows[0] + 1} 行" if zh else f"line {rows[0] + 1}"
    if len(rest) == 1:
        if zh:
            return f"{head[pick]}{row}"
        return f"{head[pick]}, {row}" if row else head[pick]
    assert leaf is not None
    return nested(
        f"{head[pick]}{row}" if zh else f"{head[pick]}{', ' + row if row else ''}",
        leaf[pick],
        language,
    )


# A label's first word that keeps its capital inside a sentence (a name, not a word).
_PROPER = frozenset({"English", "Chinese", "Beijing"})


def in_sentence(label: str) -> str:
    """An English label as a word inside a sentence: "Result" → "result", but "English
    name", "ID number", "SMS code" keep their capitals (a name, an abbreviation)."""
    first = label.split(" ", 1)[0]
    if not first or first in _PROPER or sum(c.isupper() for c in first) > 1:
        return label
    return first[0].lower() + label[1:]


def nested(whole: str, part: str, language: str) -> str:
    """The label of ``part`` of ``whole`` (a row, a record), one phrase in each language:
    "付款明细第 2 行" + "结果" → "付款明细第 2 行的结果"; "Payment lines, line 2" +
    "Result" → "Payment lines, line 2, result". Every place that names a field inside
    another says it so (the bank's answer's lines, the e-bill forms' lines)."""
    if language.lower().startswith("zh"):
        return f"{whole}的{part}"
    return f"{whole}, {in_sentence(part)}"


def field_words(path: str | None, language: str, context: str | None = None) -> str:
    """What a message says for a field: its label, or the path when none is known."""
    return field_label(path, language, context) or (path or "")
