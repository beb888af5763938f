"""The demo catalogue: five published products, one per line (PRD-3). Idempotent —
a product whose code exists is left as it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.models.product import Product
from claimdesk.products import repository, service
from claimdesk.products.diseases import MILD, SEVERE
from claimdesk.products.schemas import CoverageIn, ProductIn, VersionIn

EFFECTIVE = dt.date(2026, 1, 1)

_MEDICAL_TERMS = {
    "免赔额": "一个保单年度内，先由您自己承担的医疗费用金额，超过这个金额的部分才由保险公司按比例赔付。",
    "赔付比例": "扣除免赔额后，保险公司承担的费用比例；经社保结算的按 100%，未经社保结算的按 60%。",
    "等待期": "保单生效后的一段时间（30 天）内因疾病发生的费用不赔，意外不受此限。",
}


# The terms' English (PRD-5, GEN-6): what English pages and messages show beside them.
_MEDICAL_TERMS_EN = {
    "免赔额": {
        "term": "Deductible",
        "text": "The medical costs you bear yourself in a policy year; the insurer pays its "
        "share of what is above it.",
    },
    "赔付比例": {
        "term": "Payout ratio",
        "text": "The share of the costs above the deductible the insurer pays: 100% when "
        "settled through social medical insurance, 60% when not.",
    },
    "等待期": {
        "term": "Waiting period",
        "text": "Illness costs in the first 30 days after the policy starts are not paid; "
        "accidents are not subject to it.",
    },
}


def _version(**kwargs: Any) -> VersionIn:
    base: dict[str, Any] = {
        "effective_date": EFFECTIVE,
        "period_months": 12,
        "refund_rule": "pro_rata_days",
    }
    base.update(kwargs)
    return VersionIn.model_validate(base)


def _medical_million() -> ProductIn:
    medical = CoverageIn(
        code="medical",
        name="一般医疗保险金",
        name_en="General medical benefit",
        type="medical",
        parameters={
            "sum_insured": "3000000.00",
            "deductible": "10000.00",
            "payout_ratio": "1.00",
            "payout_ratio_without_social_insurance": "0.60",
            "scope": "all_necessary",
            "excluded_kinds": ["cosmetic", "non_necessary_exam"],
            "waiting_period_days": 30,
        },
    )
    return ProductIn(
        code="MED-MILLION",
        name="百万医疗保险",
        name_en="Million medical insurance",
        line="health",
        version=_version(
            insured_liabilities="被保险人在等待期后因疾病或在保险期间内因意外伤害，经医院诊断必须住院治疗的，"
            "对其发生的合理且必要的医疗费用，扣除免赔额后按约定比例给付医疗保险金。",
            exclusions="既往症；整容、美容手术；非必要的检查；战争、核辐射；酒后驾驶、醉酒。",
            insured_liabilities_en="If the insured, after the waiting period for an illness or during the period for an "
            "accident, must be treated in hospital, reasonable and necessary medical costs are paid "
            "after the deductible at the agreed ratio.",
            exclusions_en="Conditions existing before cover; cosmetic surgery; examinations that were not "
            "necessary; war and nuclear radiation; driving after drinking or drunk.",
            sum_insured=Decimal("3000000.00"),
            premium_rate=Decimal("0.000100"),
            terms=_MEDICAL_TERMS,
            terms_en=_MEDICAL_TERMS_EN,
            coverages=[medical],
        ),
    )


def _critical_illness() -> ProductIn:
    ci = CoverageIn(
        code="ci",
        name="重大疾病保险金",
        name_en="Critical illness benefit",
        type="critical_illness",
        parameters={
            "sum_insured": "500000.00",
            "severe": sorted(SEVERE),
            "waiting_period_days": 90,
            "mild": {"diseases": sorted(MILD), "percent": "0.20", "max_times": 1},
        },
    )
    return ProductIn(
        code="CI-28",
        name="成人重大疾病保险",
        name_en="Adult critical illness insurance",
        line="critical_illness",
        version=_version(
            insured_liabilities="被保险人在等待期后初次确诊本合同约定的 28 种重大疾病之一的，按基本保险金额给付重大疾病保险金；"
            "初次确诊约定的 3 种轻症之一的，按基本保险金额的 20% 给付轻症保险金。",
            exclusions="投保人对被保险人的故意伤害；故意自伤；等待期内确诊；遗传性疾病、先天性畸形。",
            insured_liabilities_en="After the waiting period, the sum insured is paid on the first diagnosis of one of "
            "the 28 critical illnesses the contract names, and 20% of it on the first diagnosis of "
            "one of the 3 mild illnesses it names.",
            exclusions_en="Harm done on purpose to the insured by the policyholder; self-harm; a diagnosis in "
            "the waiting period; hereditary illness and congenital malformation.",
            sum_insured=Decimal("500000.00"),
            premium_rate=Decimal("0.012000"),
            terms={
                "等待期": "保单生效后 90 天内确诊的疾病不赔，这是防止带病投保的约定。",
                "轻症": "比重大疾病程度轻的疾病，按保额的 20% 先行给付。",
            },
            terms_en={
                "等待期": {
                    "term": "Waiting period",
                    "text": "An illness diagnosed in the first 90 days after the policy "
                    "starts is not paid: it keeps people from insuring an illness they "
                    "already have.",
                },
                "轻症": {
                    "term": "Mild illness",
                    "text": "An illness less severe than a critical one; 20% of the sum "
                    "insured is paid for it first.",
                },
            },
            coverages=[ci],
        ),
    )


def _accident() -> ProductIn:
    return ProductIn(
        code="ACC-PLUS",
        name="综合意外伤害保险",
        name_en="Comprehensive accident insurance",
        line="accident",
        version=_version(
            insured_liabilities="被保险人因意外伤害身故、伤残或发生医疗费用的，按约定给付保险金。",
            exclusions="故意犯罪；酒后驾驶；高风险运动；战争。",
            insured_liabilities_en="The agreed benefit is paid if the insured dies, is disabled or has medical costs "
            "because of an accident.",
            exclusions_en="Crimes committed on purpose; driving after drinking; high-risk sports; war.",
            sum_insured=Decimal("500000.00"),
            premium_rate=Decimal("0.000600"),
            terms={
                "伤残": "按《人身保险伤残评定标准》（JR/T 0083-2013）十级评定，一级 100%，十级 10%。"
            },
            terms_en={
                "伤残": {
                    "term": "Disability",
                    "text": "Graded in ten grades by the disability standard of personal "
                    "insurance (JR/T 0083-2013): grade 1 pays 100%, grade 10 pays 10%.",
                }
            },
            coverages=[
                CoverageIn(
                    code="death",
                    name="意外身故保险金",
                    name_en="Accidental death benefit",
                    type="accident_death",
                    parameters={"sum_insured": "500000.00"},
                ),
                CoverageIn(
                    code="disability",
                    name="意外伤残保险金",
                    name_en="Accidental disability benefit",
                    type="accident_disability",
                    parameters={"sum_insured": "500000.00"},
                ),
                CoverageIn(
                    code="acc_medical",
                    name="意外医疗保险金",
                    name_en="Accident medical benefit",
                    type="accident_medical",
                    parameters={
                        "sum_insured": "50000.00",
                        "deductible": "100.00",
                        "payout_ratio": "0.90",
                        "scope": "social_insurance_only",
                        "waiting_period_days": 0,
                    },
                ),
            ],
        ),
    )


def _home_property() -> ProductIn:
    return ProductIn(
        code="HOME-PROP",
        name="家庭财产保险",
        name_en="Home property insurance",
        line="property",
        version=_version(
            insured_liabilities="保险期间内，因火灾、爆炸、暴雨、洪水等自然灾害或意外事故造成保险财产的直接损失，按约定赔偿。",
            exclusions="战争；故意行为；自然磨损；地震（另有约定除外）。",
            insured_liabilities_en="Direct loss to the insured property during the period from fire, explosion, rainstorm, "
            "flood or another natural disaster or accident is paid as agreed.",
            exclusions_en="War; acts done on purpose; wear and tear; earthquake (unless agreed otherwise).",
            sum_insured=Decimal("800000.00"),
            premium_rate=Decimal("0.000500"),
            terms={
                "免赔率": "每次损失中由您自己承担的比例。",
                "不足额投保": "保额低于财产实际价值时，按比例赔偿。",
            },
            terms_en={
                "免赔率": {
                    "term": "Deductible rate",
                    "text": "The share of each loss you bear yourself.",
                },
                "不足额投保": {
                    "term": "Under-insurance",
                    "text": "When the sum insured is below the property's actual value, "
                    "the loss is paid in proportion.",
                },
            },
            coverages=[
                CoverageIn(
                    code="property",
                    name="房屋及室内财产",
                    name_en="House and contents",
                    type="property",
                    parameters={
                        "sum_insured": "800000.00",
                        "deductible": "500.00",
                        "deductible_rate": "0.00",
                        "valuation": "depreciated",
                        "depreciation_rate": "0.10",
                        "proportional": True,
                    },
                )
            ],
        ),
    )


def _public_liability() -> ProductIn:
    return ProductIn(
        code="PUB-LIAB",
        name="公众责任保险",
        name_en="Public liability insurance",
        line="liability",
        for_adults=True,
        version=_version(
            insured_liabilities="被保险人在约定场所内因经营活动造成第三者人身伤亡或财产损失，依法应承担的经济赔偿责任。",
            exclusions="被保险人的故意行为；合同责任；雇员伤害（另有约定除外）。",
            insured_liabilities_en="The insured's legal liability to pay for a third party's injury, death or damaged "
            "property caused by its business at the agreed premises.",
            exclusions_en="Acts of the insured done on purpose; liability taken on by contract; injury to "
            "employees (unless agreed otherwise).",
            sum_insured=Decimal("1000000.00"),
            premium_rate=Decimal("0.002000"),
            terms={"每次事故赔偿限额": "一次事故保险公司最多赔付的金额。"},
            terms_en={
                "每次事故赔偿限额": {
                    "term": "Limit per accident",
                    "text": "The most the insurer pays for one accident.",
                }
            },
            coverages=[
                CoverageIn(
                    code="liability",
                    name="第三者责任",
                    name_en="Third-party liability",
                    type="liability",
                    parameters={
                        "limit": "1000000.00",
                        "deductible": "1000.00",
                        "deductible_rate": "0.10",
                    },
                )
            ],
        ),
    )


def catalogue() -> list[ProductIn]:
    """The demo products, one of each line, each with its English names and terms."""
    return [
        _medical_million(),
        _critical_illness(),
        _accident(),
        _home_property(),
        _public_liability(),
    ]


def load_demo_products(session: Session, actor: Principal) -> list[Product]:
    """Create and publish the demo products that are not there yet."""
    loaded = []
    for item in catalogue():
        product = repository.find_product_by_code(session, code=item.code)
        if product is None:
            product = service.create_product(session, actor=actor, data=item)
            draft = repository.latest_version(session, product_id=product.id)
            assert draft is not None
            service.publish_version(session, actor=actor, version_id=draft.id)
        loaded.append(product)
    return loaded
