"""Organisation unit errors, one per business condition (GEN-6)."""

from __future__ import annotations

from claimdesk.errors import Conflict, NotFound, ValidationFailed


class OrgCodeTaken(Conflict):
    code = "org_code_taken"
    message_zh = "{field}：机构代码 {org_code} 已被使用"
    message_en = "{field}: the unit code {org_code} is already taken"


class InvalidOrgCode(ValidationFailed):
    code = "invalid_org_code"
    message_zh = "{field}：机构代码须为 2–32 位大写字母、数字或 -"
    message_en = "{field}: a unit code is 2–32 capital letters, digits or -"


class InvalidRegionCode(ValidationFailed):
    code = "invalid_region_code"
    message_zh = "{field}：行政区划代码须为 6 位数字（GB/T 2260）"
    message_en = "{field}: a region code is 6 digits (GB/T 2260)"


class BranchNeedsHeadOffice(ValidationFailed):
    code = "branch_needs_head_office"
    message_zh = "{field}：分公司必须隶属于一个已存在的总公司"
    message_en = "{field}: a branch must belong to an existing head office"


class HeadOfficeHasNoParent(ValidationFailed):
    code = "head_office_has_no_parent"
    message_zh = "{field}：总公司不能有上级机构"
    message_en = "{field}: a head office has no parent unit"


class HeadOfficeExists(Conflict):
    code = "head_office_exists"
    message_zh = "{field}：总公司已存在（{org_code}），只能有一个"
    message_en = "{field}: there is already a head office ({org_code}); there can be only one"


class OrgUnitNotFound(NotFound):
    code = "org_unit_not_found"

    def __init__(self, *, unit: int | str) -> None:
        super().__init__(what=f"org unit {unit}", field="org_unit_id")
