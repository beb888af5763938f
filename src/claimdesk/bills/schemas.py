"""API shapes of bills as data (CLM-T1): the medical e-receipt (医疗收费电子票据) and the
medical-insurance settlement statement (医保结算单), field names as in docs/bills.md.

These models check types and sizes (missing field, not a decimal, too many places); the
rules that need several fields or the date (formats, sums, dates not in the future) are
in ``claimdesk.rules.bills`` so that each refusal names its field and rule in zh-CN and
English (GEN-6). Money is Decimal with at most 2 places (GEN-1); a JSON number is read
as its decimal text, never through float arithmetic.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# Bounds that fit the columns (Numeric(18,2), (18,4), (14,4)): a value no column can hold
# is refused here as a validation error naming the field, never by the database (GEN-6).
Amount = Annotated[Decimal, Field(ge=0, lt=Decimal(10) ** 16, max_digits=18, decimal_places=2)]
# Unit prices of drugs are often quoted to 4 places (0.0325 per tablet); the line's
# amount is what the receipt charges, in yuan and fen.
UnitPrice = Annotated[Decimal, Field(ge=0, lt=Decimal(10) ** 14, max_digits=18, decimal_places=4)]
Quantity = Annotated[Decimal, Field(gt=0, lt=Decimal(10) ** 10, max_digits=14, decimal_places=4)]
Fraction = Annotated[Decimal, Field(ge=0, le=1, max_digits=9, decimal_places=6)]
Code = Annotated[str, Field(min_length=1, max_length=60)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
# 收费项目等级 of the national platform: 1/01 甲类, 2/02 乙类, 3/03 丙类.
ItemLevel = Literal["1", "2", "3", "01", "02", "03"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IssuerIn(_In):
    """开票单位: the hospital that issued the receipt."""

    name: Name
    credit_code: Code  # 统一社会信用代码 (GB 32100-2015)


class PayerIn(_In):
    """交款人: must be the claim's insured."""

    name: Annotated[str, Field(min_length=1, max_length=100)]


class ReceiptItemIn(_In):
    code: Code  # 医保目录编码 (national medical-insurance catalogue code)
    name: Name
    quantity: Quantity
    unit_price: UnitPrice
    amount: Amount
    chrgitm_lv: ItemLevel
    # 乙类 self-pay ratio (自付比例): the share of the line the insured pays first.
    self_pay_ratio: Fraction | None = None
    # Optional category the product may exclude, e.g. "cosmetic" (CLM-L3, PRD-3).
    category: Annotated[str, Field(min_length=1, max_length=40)] | None = None


class ReceiptIn(_In):
    receipt_code: Code  # 票据代码
    receipt_number: Code  # 票据号码
    check_code: Code  # 校验码
    issuer: IssuerIn
    payer: PayerIn
    issue_date: dt.date  # 开票日期
    total: Amount  # 合计金额
    items: list[ReceiptItemIn] = Field(min_length=1, max_length=500)


class SettlementIn(_In):
    """医保结算单 with the national medical-insurance platform's field names."""

    setl_id: Code  # 结算ID
    setl_time: dt.datetime  # 结算时间; without an offset it is Beijing time (GEN-2)
    medfee_sumamt: Amount  # 医疗费总额
    fund_pay_sumamt: Amount  # 基金支付总额 (统筹 + 大病 + 医疗救助 …)
    acct_pay: Amount  # 个人账户支出
    psn_cash_pay: Amount  # 个人现金支出
    fulamt_ownpay_amt: Amount  # 全自费金额 (丙类)
    overlmt_selfpay: Amount  # 超限价自费金额
    preselfpay_amt: Amount  # 先行自付金额 (乙类 self-pay part)
    inscp_scp_amt: Amount  # 符合政策范围金额
    # 主诊断 (main diagnosis), optional: ICD-10 code and name as the platform names them,
    # with the 医疗类别 (med_type) that tells an outpatient visit from an inpatient stay.
    # The amount check (CLM-F3) compares a bill with bills of the same diagnosis.
    dise_codg: Annotated[str, Field(min_length=1, max_length=30)] | None = None
    dise_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    med_type: Annotated[str, Field(min_length=1, max_length=10)] | None = None


class BillIn(_In):
    receipt: ReceiptIn
    settlement: SettlementIn | None = None


class FromBillsIn(_In):
    """Assessment from the claim's bills (CLM-T1): the coverage, and compensation from
    elsewhere (other insurers, a liable third party) that no bill shows."""

    coverage_code: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    other_compensation: Amount = Decimal("0")


class BillLineOut(BaseModel):
    position: int
    code: str
    name: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    catalog: str
    self_pay_ratio: Decimal | None
    category: str | None


class BillOut(BaseModel):
    id: int
    claim_id: int
    receipt_code: str
    receipt_number: str
    issuer_name: str
    issuer_credit_code: str
    issue_date: dt.date
    total: Decimal
    settled: bool
    setl_id: str | None
    fund_pay_sumamt: Decimal | None
    acct_pay: Decimal | None
    dise_codg: str | None = None
    dise_name: str | None = None
    med_type: str | None = None
    source: str
    auth_method: str
    submitted_at: dt.datetime
    lines: list[BillLineOut]


class AssessedLineOut(BaseModel):
    description: str
    amount: Decimal
    catalog: str | None
    kind: str
    self_pay_ratio: Decimal | None
    removed: bool
    removal_reason: str | None


class FromBillsOut(BaseModel):
    """The assessment made from the bills: its lines as the engine reads them."""

    claim_id: int
    state: str
    assessment_id: int
    coverage_code: str
    bill_ids: list[int]
    settled_with_social_insurance: bool
    social_insurance_paid: Decimal
    other_compensation: Decimal
    lines: list[AssessedLineOut]
