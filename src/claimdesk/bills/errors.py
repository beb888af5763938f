"""One error per business condition of bills as data (GEN-6: field, rule, zh/en)."""

from __future__ import annotations

from claimdesk.errors import Conflict, ValidationFailed
from claimdesk.rules.bills import BillInvalid

__all__ = [
    "BillCoverageAmbiguous",
    "BillCoverageNotMedical",
    "BillFileInvalid",
    "BillInvalid",
    "BillPayerNotInsured",
    "BillsClosed",
    "BillsMissing",
    "DuplicateReceiptOnClaim",
    "TooManyBillLines",
]


class BillPayerNotInsured(ValidationFailed):
    code = "bill_payer_not_insured"
    message_zh = "{field}：须为本案被保险人"
    message_en = "{field}: must be the claim's insured"


class DuplicateReceiptOnClaim(Conflict):
    code = "duplicate_receipt"
    message_zh = "本案已提交过票据代码 {receipt_code}、票据号码 {receipt_number} 的票据"
    message_en = (
        "A receipt with code {receipt_code} and number {receipt_number} is already on this claim"
    )


class BillsClosed(Conflict):
    code = "bills_closed"
    message_zh = "案件当前状态为 {state}，不能再提交票据"
    message_en = "The claim is {state}; bills can no longer be submitted"


class BillsMissing(Conflict):
    code = "bills_missing"
    message_zh = "本案没有电子票据，请按人工方式录入费用明细"
    message_en = "The claim has no electronic bill; enter the expense lines by hand"


class BillCoverageNotMedical(ValidationFailed):
    code = "bill_coverage_not_medical"
    message_zh = "{field}：票据只能用于医疗费用类责任（医疗费用或意外医疗）"
    message_en = (
        "{field}: bills assess a medical coverage only (medical expenses or accident medical)"
    )


class BillCoverageAmbiguous(ValidationFailed):
    code = "bill_coverage_ambiguous"
    message_zh = "字段 {field} 必填：本案有多项医疗责任，请指明责任代码"
    message_en = "Field {field} is required: the claim has several medical coverages, name one"


class TooManyBillLines(ValidationFailed):
    code = "too_many_bill_lines"
    message_zh = "本案票据明细共 {count} 条，超过一次定损的上限 {limit} 条"
    message_en = "The claim's bills have {count} lines, more than one assessment takes ({limit})"


class BillFileInvalid(ValidationFailed):
    """A bill uploaded as a file from a page that is not the JSON of docs/bills.md (not
    JSON, too large, or none chosen); ``field`` is the form's file field."""

    code = "bill_file_invalid"
    message_zh = "{field}：{rule_zh}"
    message_en = "{field}: {rule_en}"
