"""Coverage types of PRD-3: one pydantic model per type holding exactly its parameters,
and the default claim materials of each type (PRD-4).

Parameter names are those of the conformance vectors (vectors/README.md), so a stored
coverage can be handed to the adjudication engine as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from claimdesk.products.diseases import MILD, SEVERE
from claimdesk.products.errors import InvalidCoverage, UnknownCoverageType
from claimdesk.validation import rule_words

Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
PositiveAmount = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=2)]
# Ratios may exceed 1 here: whether that is allowed is a compliance question (PRD-1),
# answered with a named problem rather than a parsing error.
RatioValue = Annotated[Decimal, Field(ge=0, le=10, max_digits=9, decimal_places=6)]
Fraction = Annotated[Decimal, Field(ge=0, le=1, max_digits=9, decimal_places=6)]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MedicalParams(_Params):
    sum_insured: PositiveAmount
    deductible: Amount = Decimal("0")
    payout_ratio: RatioValue
    payout_ratio_without_social_insurance: RatioValue | None = None
    scope: Literal["social_insurance_only", "all_necessary"]
    excluded_kinds: list[str] = Field(default_factory=list)
    waiting_period_days: int = Field(default=0, ge=0, le=365)


class MildBenefit(_Params):
    diseases: list[str] = Field(min_length=1)
    percent: Fraction
    max_times: int = Field(default=1, ge=1, le=10)

    @model_validator(mode="after")
    def _known_codes(self) -> MildBenefit:
        unknown = [c for c in self.diseases if c not in MILD]
        if unknown:
            raise ValueError(f"unknown mild disease codes {unknown}")
        return self


class CriticalIllnessParams(_Params):
    sum_insured: PositiveAmount
    severe: list[str] = Field(min_length=1)
    mild: MildBenefit | None = None
    waiting_period_days: int = Field(default=0, ge=0, le=365)

    @model_validator(mode="after")
    def _known_codes(self) -> CriticalIllnessParams:
        unknown = [c for c in self.severe if c not in SEVERE]
        if unknown:
            raise ValueError(f"unknown severe disease codes {unknown}")
        return self


class AccidentParams(_Params):
    sum_insured: PositiveAmount


class PropertyParams(_Params):
    sum_insured: PositiveAmount
    deductible: Amount = Decimal("0")
    deductible_rate: Fraction = Decimal("0")
    valuation: Literal["replacement", "depreciated", "agreed"]
    depreciation_rate: Fraction | None = None
    agreed_value: PositiveAmount | None = None
    proportional: bool = False

    @model_validator(mode="after")
    def _basis_needs_its_value(self) -> PropertyParams:
        if self.valuation == "depreciated" and self.depreciation_rate is None:
            raise ValueError("valuation 'depreciated' needs depreciation_rate")
        if self.valuation == "agreed" and self.agreed_value is None:
            raise ValueError("valuation 'agreed' needs agreed_value")
        return self


class LiabilityParams(_Params):
    limit: PositiveAmount
    deductible: Amount = Decimal("0")
    deductible_rate: Fraction = Decimal("0")


PARAMS: dict[str, type[_Params]] = {
    "medical": MedicalParams,
    "critical_illness": CriticalIllnessParams,
    "accident_disability": AccidentParams,
    "accident_death": AccidentParams,
    "accident_medical": MedicalParams,
    "property": PropertyParams,
    "liability": LiabilityParams,
}

TYPE_LABELS: dict[str, tuple[str, str]] = {
    "medical": ("医疗费用", "Medical expenses"),
    "critical_illness": ("重大疾病", "Critical illness"),
    "accident_disability": ("意外伤残", "Accidental disability"),
    "accident_death": ("意外身故", "Accidental death"),
    "accident_medical": ("意外医疗", "Accident medical"),
    "property": ("财产损失", "Property damage"),
    "liability": ("责任", "Liability"),
}

# PRD-4 materials, code → (zh, en).
MATERIALS: dict[str, tuple[str, str]] = {
    "claim_form": ("理赔申请书", "Claim form"),
    "identity_proof": ("身份证明", "Identity proof"),
    "medical_record": ("病历/诊断证明", "Medical record / diagnosis"),
    "expense_invoices": ("医疗费用发票", "Expense invoices"),
    "disability_assessment": ("伤残鉴定书", "Disability assessment"),
    "accident_proof": ("意外事故证明", "Accident proof"),
    "death_certificate": ("死亡证明", "Death certificate"),
    "ownership_proof": ("财产权属证明", "Ownership proof"),
    "loss_list": ("损失清单", "Loss list"),
    "incident_proof": ("事故证明（消防/公安证明等）", "Incident proof (fire/police certificate)"),
    "repair_quote": ("修复或重置报价", "Repair or replacement quote"),
    "damages_proof": ("第三者索赔/判决/和解材料", "Third-party claim, judgment or settlement"),
}

_PERSONAL = ["claim_form", "identity_proof", "medical_record"]
DEFAULT_MATERIALS: dict[str, list[str]] = {
    "medical": [*_PERSONAL, "expense_invoices"],
    "accident_medical": [*_PERSONAL, "expense_invoices", "accident_proof"],
    # A fixed benefit: the diagnosis proves the claim, invoices prove nothing here.
    "critical_illness": list(_PERSONAL),
    "accident_disability": [*_PERSONAL, "disability_assessment", "accident_proof"],
    "accident_death": ["claim_form", "identity_proof", "death_certificate", "accident_proof"],
    "property": ["claim_form", "ownership_proof", "loss_list", "incident_proof", "repair_quote"],
    "liability": ["claim_form", "identity_proof", "loss_list", "incident_proof", "damages_proof"],
}


def validate_parameters(coverage_type: str, parameters: Any, *, field: str) -> dict[str, Any]:
    """Parse parameters for a type; returns the canonical JSON form (decimals as strings).

    Raises UnknownCoverageType / InvalidCoverage naming the field and the rule (GEN-6)."""
    model = PARAMS.get(coverage_type)
    if model is None:
        raise UnknownCoverageType(
            field=f"{field}.type", value=coverage_type, allowed=", ".join(PARAMS)
        )
    try:
        parsed = model.model_validate(parameters)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        name = f"{field}.parameters" + (f".{where}" if where else "")
        # The rule with its limit, in both languages (GEN-6): "不得大于 1" / "must be at
        # most 1", not pydantic's English in a Chinese message.
        raise InvalidCoverage(
            field=name, rule_zh=rule_words(first, "zh-CN"), rule_en=rule_words(first, "en")
        ) from exc
    return parsed.model_dump(mode="json", exclude_none=True)


def parse(coverage_type: str, parameters: dict[str, Any]) -> _Params:
    """The typed parameters of a stored (already validated) coverage."""
    return PARAMS[coverage_type].model_validate(parameters)


def effective_materials(
    coverage_type: str, added: Sequence[str], dropped: Sequence[str]
) -> list[str]:
    """The materials a claim on this coverage needs (PRD-4, CLM-A1)."""
    base = [m for m in DEFAULT_MATERIALS.get(coverage_type, []) if m not in dropped]
    return base + [m for m in added if m not in base]
