"""E-bill upload from a page (CLM-T1): the medical e-receipt and the settlement statement
(医保结算单) arrive as two JSON files in the format of docs/bills.md; they are read here,
validated by the same schema and bills service as ``POST /api/v1/claims/{id}/bills``,
and a refusal is said beside the file it came from, naming the receipt line and the field
in words (not the JSON path), in zh-CN or English (GEN-6).

Shared by the portal (the customer's own claim) and the staff claim's bills page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from claimdesk.auth.principal import Principal
from claimdesk.bills import service as bills_service
from claimdesk.bills.errors import BillFileInvalid
from claimdesk.bills.schemas import BillIn
from claimdesk.claims.read import claim_for
from claimdesk.field_labels import field_label, nested
from claimdesk.models.bill import Bill
from claimdesk.web.field_words import PREFIXES, without_spec_ids
from claimdesk.web.kit import Refusal, attempt, language_of, translator

RECEIPT_FILE = "receipt_file"
SETTLEMENT_FILE = "settlement_file"
FILE_FIELDS = (RECEIPT_FILE, SETTLEMENT_FILE)
# A receipt of 500 lines is about 150 kB of JSON; a file far larger is not a receipt.
MAX_FILE_BYTES = 2 * 1024 * 1024

# Field names of docs/bills.md → what a person calls them (msgids).
FIELD_WORDS: dict[str, str] = {
    "receipt": "Receipt",
    "settlement": "Settlement statement",
    "receipt_code": "Receipt code",
    "receipt_number": "Receipt number",
    "check_code": "Check code",
    "issuer": "Issuer",
    "issuer.name": "Issuer",
    "issuer.credit_code": "Issuer's unified social credit code",
    "payer": "Payer",
    "payer.name": "Payer",
    "issue_date": "Date of issue",
    "total": "Total amount",
    "items": "Items",
    "code": "Catalogue code",
    "name": "Item name",
    "quantity": "Quantity",
    "unit_price": "Unit price",
    "amount": "Amount",
    "chrgitm_lv": "Item class (A, B or C)",
    "self_pay_ratio": "Self-pay ratio",
    "category": "Category",
    "setl_id": "Settlement number",
    "setl_time": "Settlement time",
    "medfee_sumamt": "Total medical fees",
    "fund_pay_sumamt": "Paid by the insurance fund",
    "acct_pay": "Paid from the personal account",
    "psn_cash_pay": "Paid in cash",
    "fulamt_ownpay_amt": "Fully self-funded",
    "overlmt_selfpay": "Self-paid above the price limit",
    "preselfpay_amt": "Self-paid first",
    "inscp_scp_amt": "Within the insurance scope",
}
RECEIPT_WORDS = FIELD_WORDS["receipt"]
SETTLEMENT_WORDS = FIELD_WORDS["settlement"]
FILE_WORDS = {
    RECEIPT_FILE: "Electronic receipt (JSON file)",
    SETTLEMENT_FILE: "Settlement statement (JSON file, optional)",
}


@dataclass(frozen=True)
class Upload:
    """What the form sent: the bill's JSON and which file each part came from."""

    body: dict[str, Any]
    original: str
    settlement_from: str  # the form field the settlement came from


def _chosen(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    if isinstance(value, UploadFile) and value.filename:
        return value
    return None


def _read(upload: UploadFile, field: str) -> tuple[str, Any]:
    raw = upload.file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise BillFileInvalid(
            field=field,
            rule_zh="文件超过 2 MB，不是电子票据数据文件",
            rule_en="the file is larger than 2 MB; it is not an e-bill data file",
        )
    try:
        text = raw.decode("utf-8-sig")
        return text, json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        where = (
            f"（第 {error.lineno} 行第 {error.colno} 列）"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        where_en = (
            f" (line {error.lineno}, column {error.colno})"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        raise BillFileInvalid(
            field=field,
            rule_zh=f"不是有效的 JSON 数据文件{where}；照片或 PDF 请在“材料”处上传",
            rule_en=f"not a valid JSON data file{where_en}; upload a photo or PDF under materials",
        ) from None


def read_upload(form: FormData) -> Upload:
    """The bill from the two files: the receipt file holds the receipt (or a whole API
    body with ``receipt`` and ``settlement``); the settlement file the statement."""
    receipt_upload = _chosen(form, RECEIPT_FILE)
    if receipt_upload is None:
        raise BillFileInvalid(
            field=RECEIPT_FILE,
            rule_zh="请选择电子票据的 JSON 文件",
            rule_en="choose the e-receipt's JSON file",
        )
    receipt_text, receipt_json = _read(receipt_upload, RECEIPT_FILE)
    settlement_upload = _chosen(form, SETTLEMENT_FILE)
    whole = isinstance(receipt_json, dict) and "receipt" in receipt_json
    if settlement_upload is None:
        body = receipt_json if whole else {"receipt": receipt_json}
        return Upload(body=body, original=receipt_text, settlement_from=RECEIPT_FILE)
    settlement_text, settlement_json = _read(settlement_upload, SETTLEMENT_FILE)
    if whole and "settlement" in receipt_json:
        raise BillFileInvalid(
            field=SETTLEMENT_FILE,
            rule_zh="票据文件已包含结算单，请不要再单独上传结算单",
            rule_en="the receipt file already holds a settlement statement; do not add another",
        )
    receipt_part = receipt_json["receipt"] if whole else receipt_json
    whole_settlement = isinstance(settlement_json, dict) and "settlement" in settlement_json
    settlement_part = settlement_json["settlement"] if whole_settlement else settlement_json
    # The original keeps both files' text exactly as uploaded, as one JSON document.
    original = '{"receipt_file": ' + receipt_text + ', "settlement_file": ' + settlement_text + "}"
    return Upload(
        body={"receipt": receipt_part, "settlement": settlement_part},
        original=original,
        settlement_from=SETTLEMENT_FILE,
    )


def submit(
    request: Request, db: Session, principal: Principal, claim_id: int, form: FormData
) -> Bill | Refusal:
    """Read, validate and store the bill (bills service); the refusal said in words."""
    settlement_from = {"field": RECEIPT_FILE}

    def call() -> Bill:
        upload = read_upload(form)
        settlement_from["field"] = upload.settlement_from
        body = BillIn.model_validate(upload.body)
        claim = claim_for(db, principal, claim_id, for_update=True)
        return bills_service.submit_bill(
            db, actor=principal, claim=claim, data=body, original=upload.original
        )

    done = attempt(request, db, call)
    if isinstance(done, Refusal):
        done.error = in_words(request, done.error, settlement_from["field"])
    return done


def _path_words(request: Request, path: str) -> str:
    """``receipt.items.1.amount`` → "第 2 行的金额" / "Line 2, amount": one phrase, as
    every nested field reads (field_labels.nested)."""
    gettext = translator(request)
    parts = path.split(".")
    if parts and parts[0] in ("receipt", "settlement"):
        parts = parts[1:]
    words: list[str] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        if part == "items" and index + 1 < len(parts) and parts[index + 1].isdigit():
            words.append(gettext("Line %(number)s", number=int(parts[index + 1]) + 1))
            index += 2
            continue
        if part in ("issuer", "payer") and index + 1 < len(parts):
            joined = f"{part}.{parts[index + 1]}"
            words.append(gettext(FIELD_WORDS.get(joined, FIELD_WORDS[part])))
            index += 2
            continue
        msgid = FIELD_WORDS.get(part)
        # A name the format does not have is the sender's own: quoted as sent.
        words.append(gettext(msgid) if msgid else f"“{part}”")
        index += 1
    phrase = words[0] if words else ""
    for part in words[1:]:
        phrase = nested(phrase, part, language_of(request))
    return phrase


def in_words(request: Request, error: dict[str, Any], settlement_from: str) -> dict[str, Any]:
    """The refusal beside the file it came from: which line and field, in words."""
    gettext = translator(request)
    shown = dict(error)
    path = str(error.get("field") or "")
    message = without_spec_ids(str(error.get("message") or ""))
    if path in FILE_FIELDS:
        target, words = path, ""
    elif path.startswith("settlement"):
        target = settlement_from
        words = _path_words(request, path) or gettext(SETTLEMENT_WORDS)
    elif path.startswith("receipt") or path == "body":
        target = RECEIPT_FILE
        words = _path_words(request, path) or gettext(RECEIPT_WORDS)
    else:
        target, words = None, ""
    zh = language_of(request) == "zh-CN"
    generic = field_label(path, language_of(request)) if path else None
    for prefix in PREFIXES:
        found = prefix.match(message)
        # The error base's "字段 … 无效：" names this error's field, by path or label.
        if found and found.group("path") in (path, "body", generic, words):
            message = message[found.end() :].strip() or message
            break
    if path and path in message:
        message = message.replace(path, words or gettext(FILE_WORDS.get(path, RECEIPT_WORDS)))
    if words:
        # The field is named once, by the words of this form: a message that already
        # names it (by the path, the form's words or the error base's label) loses that.
        for named in (words, generic):
            if named and message.startswith(named) and message[len(named) :][:1] in (":", "："):
                message = message[len(named) + 1 :].strip()
                break
        message = f"{words}：{message}" if zh else f"{words}: {message}"
    shown["message"] = message
    shown["form_field"] = target
    return shown
