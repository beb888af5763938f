"""One error per business condition of the checks (GEN-6: field, rule, zh/en)."""

from __future__ import annotations

from claimdesk.errors import NotFound, ValidationFailed


class UnknownCheck(NotFound):
    code = "unknown_check"
    message_zh = "没有代码为 {check} 的自动核查规则"
    message_en = "There is no automatic check with code {check}"

    def __init__(self, *, check: str) -> None:
        super().__init__(what="check", field="code", check=check)


class CheckParameterInvalid(ValidationFailed):
    code = "check_parameter_invalid"
    message_zh = "parameters.{field}：{detail_zh}（规则 {check}）"
    message_en = "parameters.{field}: {detail_en} (check {check})"
