"""The words of the adjustment report (理算报告, CLM-C3): each trace step's clause and
its description in zh-CN and English.

The engine records a step as a cheap tuple ``(code, figure, inputs)``; this table turns
it into a :class:`TraceStep` only when a report, a file or a test reads the trace.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from claimdesk.rules.adjudication.steps import RawStep, TraceStep

_PERIOD = (
    "出险日期须在保险期间内（起止日均含）",
    "The date of loss must fall inside the policy period (both days included)",
)
# The period step of a policy a termination ended early (POL-3, rules.cover): its words
# name the day, as the intake flag and the automatic check do.
_TERMINATED = (
    "出险日期须在保险期间内（起止日均含），且早于保单解除生效日：本保单已于 {day} 解除，"
    "当日起不再承保",
    "The date of loss must fall inside the policy period (both days included) and before"
    " the policy's termination: the policy was terminated on {day}, not covered from that"
    " day",
)
_NO_POLICY = (
    "未提供保险期间：按保单有效处理",
    "No policy period given: treated as in force",
)
_WAITING = (
    "首个保障日 = 起保日 + 等待期天数；此前出险不予赔付",
    "First covered day = policy start + waiting period days; an earlier date pays nothing",
)
_ROUND = (
    "四舍五入至 0.01 元，每个公式末尾仅一次，不低于 0",
    "Rounded half-up to 0.01 once, at the end of the formula, never below 0",
)


def _period_texts(prefix: str, clause: str, waiting_clause: str) -> dict[str, tuple[str, str, str]]:
    return {
        f"{prefix}.PERIOD": (clause, *_PERIOD),
        f"{prefix}.NO_POLICY": (clause, *_NO_POLICY),
        f"{prefix}.WAITING": (waiting_clause, *_WAITING),
    }


TEXTS: dict[str, tuple[str, str, str]] = {
    **_period_texts("MED", "ADJ-MED step 5", "ADJ-MED step 5"),
    **_period_texts("CI", "ADJ-CI", "ADJ-CI"),
    **_period_texts("DIS", "CLM-V2", "ADJ-DIS"),
    **_period_texts("DTH", "CLM-V2", "ADJ-DTH"),
    **_period_texts("PRP", "CLM-V2", "ADJ-PRP"),
    **_period_texts("LIA", "CLM-V2", "ADJ-LIA"),
    "ROUND": ("GEN-1", *_ROUND),
    # ADJ-MED
    "MED.LINE.EXCLUDED": (
        "ADJ-MED step 1",
        "属于除外项目类别，计 0",
        "Excluded item category: counts 0",
    ),
    "MED.LINE.A": ("ADJ-MED step 1", "甲类项目：全额计入", "Class A (甲) item: counts in full"),
    "MED.LINE.B": (
        "ADJ-MED step 1",
        "乙类项目：金额 × (1 − 自付比例)",
        "Class B (乙) item: amount × (1 − self-pay ratio)",
    ),
    "MED.LINE.C": (
        "ADJ-MED step 1",
        "丙类或自费项目（仅限社保范围的产品）：计 0",
        "Class C (丙) or self-funded item under a social-insurance-only product: counts 0",
    ),
    "MED.LINE.ALL": (
        "ADJ-MED step 1",
        "合理且必要的费用：全额计入",
        "Reasonable and necessary expense: counts in full",
    ),
    "MED.ELIGIBLE": (
        "ADJ-MED step 1",
        "可赔费用 = Σ 各费用明细的可赔部分",
        "Eligible expense = Σ of the covered part of each line",
    ),
    "MED.NET": (
        "ADJ-MED step 2",
        "净额 = 可赔费用 − 社保报销 − 其他已获补偿（不低于 0）",
        "Net = eligible − social-insurance reimbursement − other compensation (not below 0)",
    ),
    "MED.DEDUCTIBLE": (
        "ADJ-MED step 3",
        "本次免赔额 = min(净额, 本保单年度剩余免赔额)",
        "Deductible applied = min(net, deductible remaining this policy year)",
    ),
    "MED.BASE": (
        "ADJ-MED step 3",
        "理算基数 = 净额 − 本次免赔额",
        "Base = net − deductible applied",
    ),
    "MED.RATIO": (
        "ADJ-MED step 4",
        "基数 × 赔付比例（未经社保结算时适用相应比例）",
        "Base × payout ratio (the ratio without social insurance when the"
        " claimant did not settle through it)",
    ),
    "MED.CAP": (
        "ADJ-MED step 4",
        "以剩余保险金额（保险金额 − 本保单年度已赔付）为限",
        "Capped at the remaining sum insured (sum insured − paid this policy year)",
    ),
    "MED.NOT_COVERED": (
        "ADJ-MED step 1",
        "没有任何可赔费用",
        "No expense is covered",
    ),
    # ADJ-CI
    "CI.ENDED": (
        "ADJ-CI",
        "重大疾病保险金已给付，本保障已终止",
        "The severe-illness benefit was already paid; the coverage has ended",
    ),
    "CI.SEVERE": (
        "ADJ-CI",
        "首次确诊合同约定的重大疾病：给付保险金额（仅一次，其后保障终止）",
        "First diagnosis of a covered severe disease: pays the sum insured"
        " (once; the coverage then ends)",
    ),
    "CI.MILD": (
        "ADJ-CI",
        "确诊合同约定的轻症：保险金额 × 给付比例",
        "Covered mild disease: sum insured × its percentage",
    ),
    "CI.MILD_EXHAUSTED": (
        "ADJ-CI",
        "轻症保险金给付次数已达上限",
        "The mild-disease benefit has been paid its maximum number of times",
    ),
    "CI.NOT_COVERED": (
        "ADJ-CI",
        "所患疾病不在合同约定的疾病范围内",
        "The disease is not one the contract covers",
    ),
    # ADJ-DIS / PER-3
    "DIS.GRADE": (
        "ADJ-DIS",
        "各处伤残分别评定，取最重等级",
        "Each injury is graded; the most severe grade counts",
    ),
    "DIS.RAISE": (
        "ADJ-DIS",
        "两处及以上伤残同为最重等级：晋升一级，最高至一级",
        "Two or more injuries share the most severe grade: raised by one, at most to grade 1",
    ),
    "DIS.PERCENT": (
        "PER-3",
        "伤残等级对应给付比例（JR/T 0083-2013）",
        "Payout percentage of the grade (JR/T 0083-2013)",
    ),
    "DIS.AMOUNT": ("ADJ-DIS", "给付比例 × 保险金额", "Grade percentage × sum insured"),
    "DIS.CAP": (
        "ADJ-DIS",
        "以剩余保险金额（保险金额 − 保单期内已赔付）为限",
        "Capped at the remaining sum insured (sum insured − paid over the policy's life)",
    ),
    # ADJ-DTH
    "DTH.AMOUNT": (
        "ADJ-DTH",
        "保险金额 − 同一保单同一被保险人已给付的伤残保险金（不低于 0）",
        "Sum insured − disability already paid under the same policy for the"
        " same insured (not below 0)",
    ),
    "DTH.CAP": (
        "ADJ-DTH",
        "以剩余保险金额为限",
        "Capped at the remaining sum insured",
    ),
    # ADJ-PRP
    "PRP.REPAIR": (
        "ADJ-PRP",
        "修复费用 = 材料费 + 工时费 − 残值（不低于 0）",
        "Repair cost = materials + labour − salvage (not below 0)",
    ),
    "PRP.ACTUAL_VALUE": (
        "ADJ-PRP",
        "修复费用以出险时实际价值为限",
        "Repair cost capped at the actual value",
    ),
    "PRP.TOTAL.replacement": (
        "ADJ-PRP",
        "全损，按重置价值",
        "Total loss at replacement value",
    ),
    "PRP.TOTAL.depreciated": (
        "ADJ-PRP",
        "全损，按折旧后价值 = 重置价值 × max(0, 1 − 年折旧率 × 整年使用年数)",
        "Total loss at depreciated value = replacement × max(0, 1 − annual"
        " rate × whole years of use)",
    ),
    "PRP.TOTAL.agreed": ("ADJ-PRP", "全损，按约定价值", "Total loss at the agreed value"),
    "PRP.PROPORTIONAL": (
        "ADJ-PRP",
        "不足额保险按比例赔付：损失 × 保险金额 ÷ 保险价值",
        "Under-insurance paid proportionally: loss × sum insured ÷ insured value",
    ),
    "PRP.PROPORTIONAL_NOT_APPLIED": (
        "ADJ-PRP",
        "不适用比例赔付（合同未约定、保险价值未知或足额投保）",
        "Proportional payment does not apply (not agreed, insured value unknown, or fully insured)",
    ),
    "PRP.FORMULA": (
        "ADJ-PRP",
        "损失 × 责任比例 × (1 − 免赔率) − 绝对免赔额（不低于 0）",
        "Loss × liability ratio × (1 − deductible rate) − absolute deductible (not below 0)",
    ),
    "PRP.CAP": (
        "ADJ-PRP",
        "以剩余保险金额为限",
        "Capped at the remaining sum insured",
    ),
    # ADJ-LIA
    "LIA.FORMULA": (
        "ADJ-LIA",
        "赔偿金额 × 被保险人责任比例 × (1 − 免赔率) − 绝对免赔额（不低于 0）",
        "Damages × the insured's liability ratio × (1 − deductible rate) −"
        " absolute deductible (not below 0)",
    ),
    "LIA.CAP": ("ADJ-LIA", "以每次事故赔偿限额为限", "Capped at the limit per occurrence"),
}


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        # Exact intermediate figures: no exponent notation in a report.
        return format(value, "f")
    if isinstance(value, list | tuple | frozenset | set):
        return ", ".join(_text(v) for v in value)
    if value is None:
        return ""
    return str(value)


def render(step: RawStep) -> TraceStep:
    code, figure, inputs = step
    clause, zh, en = TEXTS[code]
    terminated_on = dict(inputs).get("terminated_on") if code.endswith(".PERIOD") else None
    if terminated_on is not None:
        zh, en = (words.format(day=_text(terminated_on)) for words in _TERMINATED)
    return TraceStep(
        code=code,
        clause=clause,
        zh=zh,
        en=en,
        inputs={name: _text(value) for name, value in inputs},
        figure=_text(figure),
    )


# What a person reads for a step's clause: the policy terms or the article of law the
# step applies, never the requirement ID it was specified by (issue 12). (zh-CN, English)
CLAUSE_WORDS: dict[str, tuple[str, str]] = {
    "ADJ-MED step 1": (
        "保险条款·医疗费用：可赔付的费用范围与除外项目",
        "Policy terms, medical expenses: what is covered and what is excluded",
    ),
    "ADJ-MED step 2": (
        "保险条款·医疗费用：扣除社保报销及其他已获补偿（损失补偿原则）",
        "Policy terms, medical expenses: less social insurance and other compensation",
    ),
    "ADJ-MED step 3": ("保险条款·免赔额", "Policy terms: deductible"),
    "ADJ-MED step 4": (
        "保险条款·赔付比例与保险金额",
        "Policy terms: payout ratio and sum insured",
    ),
    "ADJ-MED step 5": (
        "保险条款·保险期间与等待期",
        "Policy terms: policy period and waiting period",
    ),
    "ADJ-CI": ("保险条款·重大疾病保险金", "Policy terms: critical illness benefit"),
    "ADJ-DIS": ("保险条款·伤残保险金", "Policy terms: disability benefit"),
    "ADJ-DTH": ("保险条款·身故保险金", "Policy terms: death benefit"),
    "ADJ-PRP": (
        "保险条款·财产损失赔偿；《保险法》第五十五条",
        "Policy terms: property loss; Insurance Law, Article 55",
    ),
    "ADJ-LIA": ("保险条款·赔偿限额", "Policy terms: limit of indemnity"),
    "CLM-V2": (
        "《保险法》第十四条：按约定的时间开始承担保险责任",
        "Insurance Law, Article 14: cover starts at the agreed time",
    ),
    "GEN-1": ("金额计算规则：四舍五入至分", "Amounts: rounded half-up to the fen"),
    "PER-3": (
        "《人身保险伤残评定标准》（JR/T 0083—2013）",
        "Disability grading standard for personal insurance (JR/T 0083-2013)",
    ),
}


def clause_words(clause: str, language: str) -> str:
    """The clause of a trace step as a person cites it, in ``language``."""
    found = CLAUSE_WORDS.get(clause)
    if found is None:
        return clause
    return found[0] if language.lower().startswith("zh") else found[1]
