"""The figures of an adjustment trace in words (msgids, English; zh-CN in the
catalogues): the claim page and the adjustment report PDF name each input alike."""

from __future__ import annotations

# The engine's input names (msgids), and how each figure is written.
INPUT_LABELS = {
    "amount": "Amount",
    "sum_insured": "Sum insured",
    "paid": "Already paid",
    "remaining": "Remaining",
    "eligible": "Eligible expense",
    "social_insurance_paid": "Paid by social insurance",
    "other_compensation": "Other compensation",
    "net": "Net expense",
    "deductible": "Deductible",
    "deductible_used": "Deductible used this year",
    "deductible_remaining": "Deductible remaining",
    "deductible_applied": "Deductible applied",
    "base": "Base",
    "exact": "Exact figure",
    # A repair's parts cost, not the claim's materials (理赔材料, the checklist's word).
    "materials": "Repair materials",
    "labour": "Labour",
    "salvage": "Salvage",
    "actual_value": "Actual value",
    "replacement_value": "Replacement value",
    "agreed_value": "Agreed value",
    "insured_value": "Insured value",
    "loss": "Loss",
    "damages": "Damages",
    "limit": "Limit",
    "disability_paid": "Disability already paid",
    "self_pay_ratio": "Self-pay share",
    "payout_ratio": "Payout ratio",
    "percent": "Percentage",
    "liability_ratio": "Liability ratio",
    "deductible_rate": "Deductible rate",
    "depreciation_rate": "Depreciation rate a year",
    "factor": "Factor",
    "grade": "Grade",
    "grades": "Grades",
    "most_severe": "Most severe grade",
    "injuries_at_grade": "Injuries at that grade",
    "line": "Expense line no.",
    "lines": "Lines",
    "catalog": "Catalogue",
    "kind": "Item category",
    "years_in_use": "Years in use",
    "waiting_period_days": "Waiting period (days)",
    "first_covered_day": "First covered day",
    "date_of_loss": "Date of loss",
    "start": "Policy start",
    "end": "Policy end",
    "disease": "Disease",
    "settled_with_social_insurance": "Settled through social insurance",
    "severe_paid": "Severe benefit already paid",
    "mild_paid_count": "Mild benefits paid",
    "max_times": "Most times payable",
    "proportional": "Paid in proportion",
}
MONEY = frozenset(
    {
        "amount",
        "sum_insured",
        "paid",
        "remaining",
        "eligible",
        "social_insurance_paid",
        "other_compensation",
        "net",
        "deductible",
        "deductible_used",
        "deductible_remaining",
        "deductible_applied",
        "base",
        "exact",
        "materials",
        "labour",
        "salvage",
        "actual_value",
        "replacement_value",
        "agreed_value",
        "insured_value",
        "loss",
        "damages",
        "limit",
        "disability_paid",
    }
)
# Days the engine states as ISO text (a policy's start, the date of loss): a page writes
# them as people do (2026年9月14日 / 14 Sept 2026, GEN-2).
DATES = frozenset({"first_covered_day", "date_of_loss", "start", "end"})
RATIOS = frozenset(
    {
        "self_pay_ratio",
        "payout_ratio",
        "percent",
        "liability_ratio",
        "deductible_rate",
        "depreciation_rate",
        "factor",
    }
)
