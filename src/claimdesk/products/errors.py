"""Business errors of the products domain (GEN-6): one class per condition."""

from __future__ import annotations

from typing import Any

from claimdesk.errors import ClaimdeskError, Conflict, ValidationFailed


class UnknownCoverageType(ValidationFailed):
    code = "unknown_coverage_type"
    message_zh = "{field}：未知的保障类型 “{value}”（可选：{allowed}）"
    message_en = "{field}: unknown coverage type '{value}' (allowed: {allowed})"


class InvalidCoverage(ValidationFailed):
    code = "invalid_coverage_parameter"
    message_zh = "{field}：保障参数无效（{rule_zh}）"
    message_en = "{field}: invalid coverage parameter ({rule_en})"


class UnknownMaterial(ValidationFailed):
    code = "unknown_material"
    message_zh = "{field}：未知的理赔材料 “{value}”"
    message_en = "{field}: unknown claim material '{value}'"


class DuplicateCoverageCode(ValidationFailed):
    code = "duplicate_coverage_code"
    message_zh = "{field}：保障代码 “{value}” 重复"
    message_en = "{field}: coverage code '{value}' is used twice"


class VersionNotEditable(Conflict):
    code = "product_version_not_editable"
    message_zh = "产品第 {version} 版已{status_zh}，不可修改；请新建草稿版本"
    message_en = "Product version {version} is {status}; it cannot change — create a new draft"


class VersionNotDraft(Conflict):
    code = "product_version_not_draft"
    message_zh = "只有草稿版本可以发布（第 {version} 版当前为 {status}）"
    message_en = "Only a draft can be published (version {version} is {status})"


class ProductCodeTaken(Conflict):
    code = "product_code_taken"
    message_zh = "产品代码 {value} 已存在"
    message_en = "Product code {value} already exists"


class ImportConflict(Conflict):
    code = "product_import_conflict"
    message_zh = "导入冲突：产品 {code} 第 {version} 版已发布且内容不同"
    message_en = "Import conflict: product {code} version {version} is published with other content"


class ProductNotCompliant(ClaimdeskError):
    """Publishing refused: every problem is named (PRD-1)."""

    status_code = 422
    code = "product_not_compliant"
    message_zh = "产品未通过合规检查：{summary_zh}"
    message_en = "The product fails the compliance check: {summary_en}"

    def __init__(self, *, problems: list[dict[str, Any]]) -> None:
        self.problems = problems
        super().__init__(
            field=problems[0]["field"] if problems else None,
            summary_zh="；".join(p["message_zh"] for p in problems),
            summary_en="; ".join(p["message_en"] for p in problems),
        )

    def to_dict(self, language: str) -> dict[str, Any]:
        data = super().to_dict(language)
        zh = language.lower().startswith("zh")
        data["problems"] = [
            {
                "code": p["code"],
                "field": p["field"],
                "message": p["message_zh"] if zh else p["message_en"],
            }
            for p in self.problems
        ]
        return data


class ProductHasNoVersion(Conflict):
    """An export file carries at least one version (PRD-2); a product without one has
    nothing to export yet (GEN-6: it used to be a server error)."""

    code = "product_has_no_version"
    message_zh = "产品 {code} 尚无任何版本，无法导出；请先创建版本"
    message_en = (
        "Product {code} has no version yet, so there is nothing to export; add a version first"
    )


class UnknownTerm(ValidationFailed):
    """An English explanation for a term the version does not explain (PRD-5)."""

    code = "unknown_term"
    message_zh = "{field}：“{term}” 不是本版本条款通俗解释中的术语"
    message_en = "{field}: '{term}' is not one of the terms this version explains"


class EnglishWithoutChinese(ValidationFailed):
    """An English explanation of liabilities or exclusions the version does not state in
    Chinese (GEN-6): the English page would say what the contract does not."""

    code = "english_without_chinese"
    message_zh = "{field}：须先填写对应的中文内容，英文只是其说明"
    message_en = "{field}: state the Chinese text first; the English only explains it"
