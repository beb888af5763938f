"""The rules of a medical e-receipt and its settlement statement (CLM-T1, GEN-6).

Pure: no database, no clock (``today`` is given). Each rule refuses with the field's
path in the submitted JSON (``receipt.items.2.amount``) and the rule in zh-CN and
English. The rules are the ones docs/bills.md lists, in that order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from claimdesk.errors import ValidationFailed

if TYPE_CHECKING:
    from claimdesk.bills.schemas import BillIn, ReceiptIn, ReceiptItemIn, SettlementIn


class BillInvalid(ValidationFailed):
    """A field of the receipt or the settlement statement breaks a rule of docs/bills.md
    (defined here so that the rules import nothing of the app but the error base)."""

    code = "bill_invalid"
    message_zh = "字段 {field} 无效：{rule_zh}"
    message_en = "Field {field} is invalid: {rule_en}"


CENT = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")

RECEIPT_CODE = re.compile(r"\d{8}")  # 票据代码: 8 digits
RECEIPT_NUMBER = re.compile(r"\d{10}")  # 票据号码: 10 digits
CHECK_CODE = re.compile(r"[0-9A-Za-z]{6}")  # 校验码: 6 letters or digits
# 医保目录编码: drugs "XA01ABD075A002010100483", services "001101000010000-110100001",
# consumables "C01020109900100001234".
ITEM_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-]{3,59}")
SETL_ID = re.compile(r"[0-9A-Za-z]{1,40}")
# 主诊断 dise_codg: an ICD-10 code as the national platform's 医保版 ICD-10 writes it — a
# capital letter, two digits (the category, e.g. K29), then optionally a dot and up to 8
# letters or digits (K29.500, I10.x00, J06.900x003).
DISEASE_CODE = re.compile(r"[A-Z][0-9]{2}(\.[0-9A-Za-z]{1,8})?")
# 医疗类别 med_type: 2-6 digits (11 普通门诊, 13 急诊, 14 门诊慢特病, 21 普通住院, 52 生育住院 …).
MED_TYPE = re.compile(r"[0-9]{2,6}")

# 统一社会信用代码 (GB 32100-2015): 18 characters over this alphabet, the last a check
# character computed with these weights modulo 31.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# No medical e-receipt or settlement predates this day (the national e-receipt dates
# from 2019); it also keeps every date far from the calendar's ends.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(9999, 1, 1)

# The settlement statement's amounts, as the platform names them (docs/bills.md).
SETTLEMENT_AMOUNTS = (
    "medfee_sumamt",
    "fund_pay_sumamt",
    "acct_pay",
    "psn_cash_pay",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
)

CATALOG_OF_LEVEL = {"1": "A", "01": "A", "2": "B", "02": "B", "3": "C", "03": "C"}


def _bad(field: str, zh: str, en: str) -> BillInvalid:
    return BillInvalid(field=field, rule_zh=zh, rule_en=en)


def credit_check_char(first17: str) -> str:
    """The check character of a unified social credit code's first 17 characters."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(value: str, field: str) -> None:
    if len(value) != 18 or any(c not in CREDIT_ALPHABET for c in value):
        raise _bad(
            field,
            "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）",
            "a unified social credit code is 18 digits or capital letters (no I, O, Z, S, V)",
        )
    if credit_check_char(value[:17]) != value[17]:
        raise _bad(
            field,
            "统一社会信用代码校验位错误（GB 32100-2015）",
            "the unified social credit code's check character is wrong (GB 32100-2015)",
        )


def _check_format(value: str, pattern: re.Pattern[str], field: str, zh: str, en: str) -> None:
    if not pattern.fullmatch(value):
        raise _bad(field, zh, en)


def catalog_of(item: ReceiptItemIn) -> str:
    """甲/乙/丙 as the engine's catalogue class A/B/C."""
    return CATALOG_OF_LEVEL[item.chrgitm_lv]


def _check_item(index: int, item: ReceiptItemIn) -> None:
    where = f"receipt.items.{index}"
    _check_format(
        item.code,
        ITEM_CODE,
        f"{where}.code",
        "医保目录编码应为 4–60 位字母、数字或连字符",
        "a national catalogue code is 4-60 letters, digits or hyphens",
    )
    if abs(item.quantity * item.unit_price - item.amount) > CENT:
        raise _bad(
            f"{where}.amount",
            "金额应等于数量×单价（允许 0.01 元误差）",
            "the amount must equal quantity × unit price (within 0.01)",
        )
    catalog = catalog_of(item)
    ratio = item.self_pay_ratio
    if catalog == "B" and ratio is None:
        raise _bad(
            f"{where}.self_pay_ratio",
            "乙类项目须填写自付比例",
            "a class 乙 (B) item needs its self-pay ratio",
        )
    if (catalog == "A" and ratio not in (None, ZERO)) or (
        catalog == "C" and ratio not in (None, ONE)
    ):
        raise _bad(
            f"{where}.self_pay_ratio",
            "自付比例与项目等级不符（甲类为 0，丙类为 1）",
            "the self-pay ratio contradicts the item's class (甲 A is 0, 丙 C is 1)",
        )


def check_receipt(receipt: ReceiptIn, *, today: dt.date) -> None:
    _check_format(
        receipt.receipt_code,
        RECEIPT_CODE,
        "receipt.receipt_code",
        "票据代码应为 8 位数字",
        "the receipt code is 8 digits",
    )
    _check_format(
        receipt.receipt_number,
        RECEIPT_NUMBER,
        "receipt.receipt_number",
        "票据号码应为 10 位数字",
        "the receipt number is 10 digits",
    )
    _check_format(
        receipt.check_code,
        CHECK_CODE,
        "receipt.check_code",
        "校验码应为 6 位字母或数字",
        "the check code is 6 letters or digits",
    )
    check_credit_code(receipt.issuer.credit_code, "receipt.issuer.credit_code")
    if receipt.issue_date > today:
        raise _bad(
            "receipt.issue_date", "开票日期不能晚于今天", "the issue date cannot be in the future"
        )
    if receipt.issue_date < EARLIEST:
        raise _bad(
            "receipt.issue_date",
            "开票日期不能早于 2000-01-01",
            "the issue date cannot be before 2000-01-01",
        )
    for index, item in enumerate(receipt.items):
        _check_item(index, item)
    if sum((item.amount for item in receipt.items), ZERO) != receipt.total:
        raise _bad(
            "receipt.total",
            "合计金额应等于各明细金额之和",
            "the total must equal the sum of the items' amounts",
        )


def local_date(at: dt.datetime) -> dt.date:
    """A settlement time without an offset is Beijing time (GEN-2)."""
    shanghai = ZoneInfo("Asia/Shanghai")
    aware = at if at.tzinfo is not None else at.replace(tzinfo=shanghai)
    return aware.astimezone(shanghai).date()


def check_settlement(settlement: SettlementIn, receipt: ReceiptIn, *, today: dt.date) -> None:
    s = settlement
    _check_format(
        s.setl_id,
        SETL_ID,
        "settlement.setl_id",
        "结算ID应为 1–40 位字母或数字",
        "the settlement id is 1-40 letters or digits",
    )
    # The naive date first: an extreme instant (year 1 or 9999 with an offset) is
    # refused, never overflows while converted (GEN-6).
    if not EARLIEST <= s.setl_time.replace(tzinfo=None).date() < LATEST:
        raise _bad(
            "settlement.setl_time",
            "结算时间不能早于 2000-01-01",
            "the settlement time cannot be before 2000-01-01",
        )
    if local_date(s.setl_time) > today:
        raise _bad(
            "settlement.setl_time",
            "结算时间不能晚于今天",
            "the settlement time cannot be in the future",
        )
    if s.medfee_sumamt != receipt.total:
        raise _bad(
            "settlement.medfee_sumamt",
            "医疗费总额应等于票据合计金额",
            "the medical fee total must equal the receipt's total",
        )
    if s.fund_pay_sumamt + s.acct_pay + s.psn_cash_pay != s.medfee_sumamt:
        raise _bad(
            "settlement.psn_cash_pay",
            "基金支付 + 个人账户支出 + 个人现金支出应等于医疗费总额",
            "fund payment + personal account + cash must equal the medical fee total",
        )
    by_scope = s.fulamt_ownpay_amt + s.overlmt_selfpay + s.preselfpay_amt + s.inscp_scp_amt
    if by_scope != s.medfee_sumamt:
        raise _bad(
            "settlement.inscp_scp_amt",
            "全自费 + 超限价自费 + 先行自付 + 符合政策范围金额应等于医疗费总额",
            "fully self-funded + over limit + self-pay first + in-scope must equal the "
            "medical fee total",
        )
    if s.fund_pay_sumamt > s.inscp_scp_amt:
        raise _bad(
            "settlement.fund_pay_sumamt",
            "基金支付不能超过符合政策范围金额",
            "the fund cannot pay more than the in-scope amount",
        )


def diagnosis_category(code: str) -> str:
    """The ICD-10 category (the first three characters, K29 of K29.500): the group whose
    usual amounts a bill is compared with (CLM-F3 amount_outlier)."""
    return code.strip().upper()[:3]


def inpatient(med_type: str) -> bool:
    """医疗类别 2x (住院: 21 普通住院, 22 外伤住院 …) and 52 (生育住院) are inpatient stays;
    every other (门诊, 急诊, 门诊慢特病, 药店购药 …) is outpatient."""
    return med_type.startswith("2") or med_type.startswith("52")


def setting_of(med_type: str) -> str:
    """outpatient | inpatient."""
    return "inpatient" if inpatient(med_type) else "outpatient"


# Lines only an inpatient stay bills, by the names the national price standard
# (全国医疗服务价格项目规范) gives them and hospitals print on the e-receipt: a bed-day
# (床位费), a level of nursing (分级护理: 特级, Ⅰ/Ⅱ/Ⅲ级 — also written 一/二/三级 or 1/2/3级),
# intensive care (重症监护) and the inpatient consultation (住院诊查费). Names, not codes:
# the codes' provincial parts differ, the standard's names do not. An emergency
# observation bed (急诊观察床位费, 留观) is not a stay: the patient is not admitted.
_STAY_LINE = re.compile(r"床位费|住院诊查费|重症监护|(?:特|[一二三123]|I{1,3})级护理")
_NOT_A_STAY = re.compile(r"观察|留观")


def stay_line(name: str) -> bool:
    """Is this e-receipt line one that only an inpatient stay bills?"""
    text = unicodedata.normalize("NFKC", name).upper().replace(" ", "")
    return bool(_STAY_LINE.search(text)) and not _NOT_A_STAY.search(text)


def setting_of_lines(names: Iterable[str]) -> str | None:
    """The setting of a receipt that carries no settlement statement (no 医疗类别), from
    its own lines (CLM-F3): ``inpatient`` when it bills a bed-day, a level of nursing or
    another line only a stay bills (``stay_line``); else None — unknown, not outpatient:
    a receipt without such a line may still be a stay's (a day surgery, lines named
    otherwise), and a stay compared with visits would be held for being a stay. Issue
    13's benchmark: honest stays billed without a statement were compared with the loss
    cause, whose spread of visits held them; as stays among stays they pass."""
    return "inpatient" if any(stay_line(name) for name in names) else None


def diagnosis_group(code: str, med_type: str) -> str:
    """What the amount check groups by: the category and the setting — a gastroscopy
    visit and a stay with surgery for the same diagnosis cost apart."""
    return f"{diagnosis_category(code)}:{setting_of(med_type)}"


def check_diagnosis(settlement: SettlementIn) -> None:
    """主诊断 is optional; given, code, name and 医疗类别 come together and are well formed."""
    s = settlement
    given = {name: getattr(s, name) for name in ("dise_codg", "dise_name", "med_type")}
    if all(value is None for value in given.values()):
        return
    for name, zh, en in (
        ("dise_codg", "主诊断编码", "main diagnosis code"),
        ("dise_name", "主诊断名称", "main diagnosis name"),
        ("med_type", "医疗类别", "medical type (med_type)"),
    ):
        if given[name] is None:
            raise _bad(
                f"settlement.{name}",
                f"填写主诊断时须同时填写{zh}（主诊断编码、名称与医疗类别一并提供）",
                f"the {en} is required with a main diagnosis (code, name and medical type "
                "come together)",
            )
    assert s.dise_codg is not None and s.med_type is not None
    _check_format(
        s.dise_codg,
        DISEASE_CODE,
        "settlement.dise_codg",
        "主诊断编码应为 ICD-10 编码：大写字母加两位数字，可带小数点及最多 8 位字母或数字"
        "（如 K29.500）",
        "the main diagnosis code is an ICD-10 code: a capital letter and two digits, "
        "optionally a dot and up to 8 letters or digits (e.g. K29.500)",
    )
    if not (s.dise_name or "").strip():
        raise _bad(
            "settlement.dise_name", "主诊断名称不能为空", "the main diagnosis name may not be empty"
        )
    _check_format(
        s.med_type,
        MED_TYPE,
        "settlement.med_type",
        "医疗类别应为 2–6 位数字（如 11 普通门诊、21 普通住院）",
        "the medical type is 2-6 digits (e.g. 11 outpatient, 21 inpatient)",
    )


def check_bill(bill: BillIn, *, today: dt.date) -> None:
    """Every rule of docs/bills.md; the first broken one is refused (GEN-6)."""
    check_receipt(bill.receipt, today=today)
    if bill.settlement is not None:
        check_settlement(bill.settlement, bill.receipt, today=today)
        check_diagnosis(bill.settlement)


def receipt_key(receipt_code: str, receipt_number: str) -> str:
    """One value per receipt (code + number) for an index: the same receipt on any claim
    has the same key (CLM-F3 duplicate check)."""
    return hashlib.sha256(f"{receipt_code.strip()}:{receipt_number.strip()}".encode()).hexdigest()
