"""The survey plan follows the line (CLM-S2).

A surveyor is not handed a blank page: the claim's line and cause fix an ordered
checklist, and the survey report answers every item of it.

- Personal lines (health, medical, critical illness, accident, life): the account and
  the treatment timeline must hang together — do the statements agree, do the admission,
  diagnosis and treatment dates fit the date of loss and the policy period, do the
  hospital's records and the patient's identity bear the story out.
- Site lines (property, liability): the site, and the cause against the damage — was
  the site inspected and photographed, does the stated cause explain the damage, how
  large is it. Liability follows the site plan because its survey establishes the
  incident where it happened and whether the insured's act caused the third party's
  loss; one item more checks that loss against the incident. (Where the third party was
  hurt, the medical bills are assessed from the materials, CLM-L*, not surveyed.)
- Fire or theft (any line): the official certificate, fire report or police receipt
  (CLM-S4).

Two kinds of item: a *check* is done (or, with a note saying why, not applicable); a
*consistency* item is consistent or inconsistent, and an inconsistency carries its
finding. Codes are stable: they are stored with every report and named in errors as
``plan.<code>``.

Pure: no database, no clock. The certificate causes are configuration
(``claims.config.ClaimRules.certificate_causes``) and passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from claimdesk.errors import Conflict, ValidationFailed

PERSONAL = "personal"
SITE = "site"

PERSONAL_LINES = frozenset({"health", "medical", "critical_illness", "accident", "life"})
SITE_LINES = frozenset({"property", "liability"})
DEFAULT_CERTIFICATE_CAUSES = frozenset({"fire", "theft"})

CHECK = "check"
CONSISTENCY = "consistency"

DONE = "done"
NOT_APPLICABLE = "not_applicable"
CONSISTENT = "consistent"
INCONSISTENT = "inconsistent"
STATUSES = (DONE, NOT_APPLICABLE, CONSISTENT, INCONSISTENT)
# A result in one of these states must say why (or what was found).
NOTE_REQUIRED = frozenset({NOT_APPLICABLE, INCONSISTENT})

# (zh-CN, English msgid) — the English is also the msgid of the claim page.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    DONE: ("已完成", "Done"),
    NOT_APPLICABLE: ("不适用", "Not applicable"),
    CONSISTENT: ("一致", "Consistent"),
    INCONSISTENT: ("不一致", "Inconsistent"),
}

_CHECK_STATUSES = (DONE, NOT_APPLICABLE)
_CONSISTENCY_STATUSES = (CONSISTENT, INCONSISTENT)


@dataclass(frozen=True)
class PlanItem:
    code: str
    kind: str  # check | consistency
    name_zh: str  # a short name (form labels, the fraud flag)
    name_en: str  # also the msgid shown on the claim page
    label_zh: str  # what the surveyor checks
    label_en: str  # also the msgid shown on the claim page
    statuses: tuple[str, ...]
    spec: str = "CLM-S2"

    def as_dict(self) -> dict[str, Any]:
        """The snapshot stored on the survey assignment (the plan the surveyor was given)."""
        return {
            "code": self.code,
            "kind": self.kind,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "statuses": list(self.statuses),
            "spec": self.spec,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanItem:
        return cls(
            code=str(data["code"]),
            kind=str(data["kind"]),
            name_zh=str(data["name_zh"]),
            name_en=str(data["name_en"]),
            label_zh=str(data["label_zh"]),
            label_en=str(data["label_en"]),
            statuses=tuple(str(s) for s in data["statuses"]),
            spec=str(data.get("spec", "CLM-S2")),
        )


def _check(code: str, name: tuple[str, str], zh: str, en: str) -> PlanItem:
    return PlanItem(code, CHECK, name[0], name[1], zh, en, _CHECK_STATUSES)


def _consistency(code: str, name: tuple[str, str], zh: str, en: str) -> PlanItem:
    return PlanItem(code, CONSISTENCY, name[0], name[1], zh, en, _CONSISTENCY_STATUSES)


ACCOUNT_CONSISTENCY = _consistency(
    "account_consistency",
    ("陈述一致性", "Account consistency"),
    # The claimant (申请人, who claims) and the reporter (报案人, who reported the loss:
    # the claimant or someone for them) as the report form and field_labels name them.
    "被保险人、申请人、报案人及证人的陈述相互一致，并与报案内容一致",
    "The statements of the insured, the claimant, the reporter and any witnesses "
    "agree with each other and with the report",
)
TREATMENT_TIMELINE = _consistency(
    "treatment_timeline",
    ("治疗时间线", "Treatment timeline"),
    "入院、确诊、治疗日期与出险日期相符，且在保险期间内",
    "The admission, diagnosis and treatment dates fit the date of loss "
    "and fall within the policy period",
)
PATIENT_IDENTITY = _consistency(
    "patient_identity",
    ("就诊人身份", "Patient identity"),
    "医院登记的就诊人与被保险人一致",
    "The patient registered at the hospital is the insured",
)
HOSPITAL_RECORDS = _check(
    "hospital_records",
    ("医院病历核查", "Hospital records"),
    "已向医院核查病历（入院记录、诊断、出院小结）",
    "Hospital records checked at the hospital (admission record, diagnosis, discharge summary)",
)
INJURY_VS_ACCOUNT = _consistency(
    "injury_vs_account",
    ("伤情与经过", "Injuries versus account"),
    "伤情与所述意外经过相符",
    "Injuries match the account of the accident",
)
DIAGNOSIS_EVIDENCE = _check(
    "diagnosis_evidence",
    ("确诊依据", "Diagnosis evidence"),
    "确诊依据已核实（病理或专科检查报告，出自合格医院）",
    "Diagnosis evidence verified (pathology or specialist report from a qualified hospital)",
)
SITE_INSPECTED = _check(
    "site_inspected",
    ("现场查勘", "Site inspection"),
    "已到现场查勘",
    "Site inspected in person",
)
CAUSE_VS_DAMAGE = _consistency(
    "cause_vs_damage",
    ("原因与损失", "Cause versus damage"),
    "所述出险原因能够解释现场的损失（痕迹、起因、时间）",
    "The stated cause explains the damage found (traces, origin, timing)",
)
SITE_PHOTOS = _check(
    "site_photos",
    ("现场照片", "Site photos"),
    "已拍摄现场及受损财产照片并附于报告",
    "Photos of the site and the damaged property taken and attached",
)
EXTENT_MEASURED = _check(
    "extent_measured",
    ("损失范围", "Extent of the damage"),
    "已测量或清点损失范围（面积、物品、数量）",
    "Extent of the damage measured or counted (area, items, quantities)",
)
THIRD_PARTY_LOSS = _consistency(
    "third_party_loss",
    ("第三者损失", "Third party's loss"),
    "第三者损失与事故经过及被保险人的责任相符",
    "The third party's loss matches the incident and the insured's part in it",
)
# CLM-S4: the certificate cannot be "not applicable" on a fire or theft loss.
CERTIFICATE = PlanItem(
    "certificate",
    CHECK,
    "官方证明",
    "Official certificate",
    "已取得官方证明（消防部门火灾证明或公安机关报案回执）",
    "Official certificate obtained (fire department report or police receipt)",
    (DONE,),
    "CLM-S4",
)

ALL_ITEMS: tuple[PlanItem, ...] = (
    ACCOUNT_CONSISTENCY,
    TREATMENT_TIMELINE,
    PATIENT_IDENTITY,
    HOSPITAL_RECORDS,
    INJURY_VS_ACCOUNT,
    DIAGNOSIS_EVIDENCE,
    SITE_INSPECTED,
    CAUSE_VS_DAMAGE,
    SITE_PHOTOS,
    EXTENT_MEASURED,
    THIRD_PARTY_LOSS,
    CERTIFICATE,
)
BY_CODE: dict[str, PlanItem] = {item.code: item for item in ALL_ITEMS}


def in_current_words(item: PlanItem) -> PlanItem:
    """A stored plan item (the snapshot given with an assignment) worded as its code is
    worded now: the snapshot fixes which items were asked and the results they allow, not
    their wording — a reworded item would otherwise show its old English msgid, which the
    catalogue no longer translates, on a Chinese page. An unknown code is kept as stored."""
    current = BY_CODE.get(item.code)
    if current is None:
        return item
    return replace(
        item,
        name_zh=current.name_zh,
        name_en=current.name_en,
        label_zh=current.label_zh,
        label_en=current.label_en,
    )


# -- errors (GEN-6: the field is plan.<code>, the rule in zh-CN and English) ------------


class NoSurveyPlan(Conflict):
    code = "no_survey_plan"
    message_zh = "险种 {line} 没有查勘计划"
    message_en = "Line {line} has no survey plan"


class PlanItemUnknown(ValidationFailed):
    code = "survey_plan_item_unknown"
    message_zh = "{field}：不是本案查勘计划中的项目"
    message_en = "{field}: not an item of this claim's survey plan"


class PlanItemMissing(ValidationFailed):
    code = "survey_plan_item_missing"
    message_zh = "{field}：查勘计划项目「{item_zh}」没有结果（应为：{allowed_zh}）"
    message_en = "{field}: survey plan item '{item_en}' has no result (give one of: {allowed_en})"


class PlanStatusNotAllowed(ValidationFailed):
    code = "survey_plan_status_not_allowed"
    message_zh = "{field}：「{item_zh}」的结果只能是：{allowed_zh}"
    message_en = "{field}: the result of '{item_en}' must be one of: {allowed_en}"


class PlanNoteRequired(ValidationFailed):
    code = "survey_plan_note_required"
    message_zh = "{field}：「{item_zh}」为“{status_zh}”时须写明原因或发现"
    message_en = "{field}: '{item_en}' marked '{status_en}' needs a note with the reason or finding"


class PlanPhotosMissing(ValidationFailed):
    code = "survey_plan_photos_missing"
    message_zh = "{field}：已标记拍摄现场照片，但报告未附任何证据文件"
    message_en = "{field}: site photos are marked done but the report carries no evidence file"


class PlanCertificateMissing(ValidationFailed):
    code = "survey_plan_certificate_missing"
    message_zh = "{field}：火灾或盗抢损失须附官方证明（火灾证明或报案回执）"
    message_en = (
        "{field}: a fire or theft loss needs the official certificate "
        "(fire report or police receipt) attached"
    )


# -- the plan -----------------------------------------------------------------------------


def family(line: str) -> str:
    """personal or site; any other line has no plan (a product line outside the set)."""
    if line in PERSONAL_LINES:
        return PERSONAL
    if line in SITE_LINES:
        return SITE
    raise NoSurveyPlan(field="line", line=line)


def plan_for(
    *,
    line: str,
    loss_cause: str,
    certificate_causes: frozenset[str] = DEFAULT_CERTIFICATE_CAUSES,
) -> tuple[PlanItem, ...]:
    """The ordered survey plan of a claim of ``line`` lost by ``loss_cause``."""
    items: list[PlanItem]
    if family(line) == PERSONAL:
        items = [ACCOUNT_CONSISTENCY, TREATMENT_TIMELINE, PATIENT_IDENTITY, HOSPITAL_RECORDS]
        if line == "accident" or loss_cause == "accident":
            items.append(INJURY_VS_ACCOUNT)
        if line == "critical_illness":
            items.append(DIAGNOSIS_EVIDENCE)
    else:
        items = [SITE_INSPECTED, CAUSE_VS_DAMAGE, SITE_PHOTOS, EXTENT_MEASURED]
        if line == "liability":
            items.append(THIRD_PARTY_LOSS)
    if loss_cause in certificate_causes:
        items.append(CERTIFICATE)
    return tuple(items)


# -- the surveyor's answers ---------------------------------------------------------------


@dataclass(frozen=True)
class PlanAnswer:
    """One answer as given (status, optional note)."""

    status: str
    note: str | None = None


@dataclass(frozen=True)
class PlanResult:
    """One checked answer as stored on the survey report."""

    code: str
    status: str
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "status": self.status, "note": self.note}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanResult:
        note = data.get("note")
        return cls(str(data["code"]), str(data["status"]), None if note is None else str(note))


def _labels(statuses: Sequence[str], language: int) -> str:
    return " / ".join(STATUS_LABELS[s][language] for s in statuses)


def check_results(
    plan: Sequence[PlanItem],
    answers: Mapping[str, PlanAnswer],
    *,
    evidence_count: int,
    certificate_attached: bool,
) -> tuple[PlanResult, ...]:
    """Every item of ``plan`` answered, in a status its kind allows, with a note where one
    is needed and consistent with what the report carries; the results in plan order.

    Raises the first problem found, naming ``plan.<code>``."""
    codes = {item.code for item in plan}
    for code in sorted(answers):
        if code not in codes:
            raise PlanItemUnknown(field=f"plan.{code}")
    results = []
    for item in plan:
        field = f"plan.{item.code}"
        names = {
            "item_zh": item.name_zh,
            "item_en": item.name_en,
            "allowed_zh": _labels(item.statuses, 0),
            "allowed_en": _labels(item.statuses, 1),
        }
        answer = answers.get(item.code)
        if answer is None:
            raise PlanItemMissing(field=field, **names)
        if answer.status not in item.statuses:
            raise PlanStatusNotAllowed(field=field, **names)
        note = (answer.note or "").strip() or None
        if answer.status in NOTE_REQUIRED and note is None:
            zh, en = STATUS_LABELS[answer.status]
            raise PlanNoteRequired(field=field, status_zh=zh, status_en=en, **names)
        if item.code == SITE_PHOTOS.code and answer.status == DONE and evidence_count < 1:
            raise PlanPhotosMissing(field=field)
        if item.code == CERTIFICATE.code and not certificate_attached:
            raise PlanCertificateMissing(field=field)
        results.append(PlanResult(item.code, answer.status, note))
    return tuple(results)


def inconsistencies(results: Sequence[PlanResult]) -> tuple[PlanResult, ...]:
    return tuple(r for r in results if r.status == INCONSISTENT)
