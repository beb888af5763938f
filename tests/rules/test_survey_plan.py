"""The survey plan follows the line (pure rules). # SPEC CLM-S2 CLM-S4"""

from __future__ import annotations

import pytest

from claimdesk.i18n import gettext, reload_translations
from claimdesk.rules import survey_plan as sp
from claimdesk.rules.survey_plan import PlanAnswer


def codes(line: str, cause: str, **kw: frozenset[str]) -> list[str]:
    return [item.code for item in sp.plan_for(line=line, loss_cause=cause, **kw)]


PERSONAL_CORE = [
    "account_consistency",
    "treatment_timeline",
    "patient_identity",
    "hospital_records",
]
SITE_CORE = ["site_inspected", "cause_vs_damage", "site_photos", "extent_measured"]


@pytest.mark.parametrize(
    ("line", "cause", "expected"),
    [
        ("health", "illness", PERSONAL_CORE),
        ("medical", "illness", PERSONAL_CORE),
        ("health", "accident", [*PERSONAL_CORE, "injury_vs_account"]),
        ("accident", "accident", [*PERSONAL_CORE, "injury_vs_account"]),
        ("accident", "collision", [*PERSONAL_CORE, "injury_vs_account"]),
        ("critical_illness", "illness", [*PERSONAL_CORE, "diagnosis_evidence"]),
        ("life", "illness", PERSONAL_CORE),
        ("property", "water", SITE_CORE),
        ("property", "weather", SITE_CORE),
        ("property", "fire", [*SITE_CORE, "certificate"]),
        ("property", "theft", [*SITE_CORE, "certificate"]),
        ("liability", "liability", [*SITE_CORE, "third_party_loss"]),
        ("liability", "fire", [*SITE_CORE, "third_party_loss", "certificate"]),
        # CLM-S4 holds on any line: a personal claim caused by a fire needs the certificate.
        ("accident", "fire", [*PERSONAL_CORE, "injury_vs_account", "certificate"]),
    ],
)
def test_plan_follows_the_line_and_cause(line: str, cause: str, expected: list[str]) -> None:
    # SPEC CLM-S2 (personal: account and treatment timeline; property: site, cause v damage)
    # SPEC CLM-S4 (fire or theft: the official certificate)
    assert codes(line, cause) == expected


def test_families() -> None:
    # SPEC CLM-S2
    assert {sp.family(line) for line in ("health", "critical_illness", "accident")} == {"personal"}
    # Liability is surveyed at the site: the incident, its cause and the third party's loss.
    assert sp.family("property") == sp.family("liability") == "site"
    with pytest.raises(sp.NoSurveyPlan) as raised:
        sp.plan_for(line="marine", loss_cause="weather")
    assert raised.value.field == "line" and "marine" in raised.value.message("zh-CN")


def test_personal_plan_checks_account_and_timeline_consistency() -> None:
    # SPEC CLM-S2: the two consistency questions the SPEC names come first and can only be
    # answered consistent or inconsistent (not waved through as "not applicable").
    plan = sp.plan_for(line="health", loss_cause="illness")
    assert [(i.code, i.kind) for i in plan[:2]] == [
        ("account_consistency", "consistency"),
        ("treatment_timeline", "consistency"),
    ]
    assert plan[0].statuses == ("consistent", "inconsistent")
    assert "policy period" in plan[1].label_en and "保险期间" in plan[1].label_zh


def test_site_plan_checks_cause_versus_damage() -> None:
    # SPEC CLM-S2
    plan = {i.code: i for i in sp.plan_for(line="property", loss_cause="water")}
    assert plan["cause_vs_damage"].kind == "consistency"
    assert plan["site_inspected"].statuses == ("done", "not_applicable")


def test_certificate_causes_come_from_configuration() -> None:
    # SPEC CLM-S4: the caller's configured causes decide (claims.config.certificate_causes).
    assert "certificate" not in codes("property", "fire", certificate_causes=frozenset())
    assert codes("property", "water", certificate_causes=frozenset({"water"}))[-1] == (
        "certificate"
    )
    certificate = sp.plan_for(line="property", loss_cause="theft")[-1]
    assert certificate.statuses == ("done",) and certificate.spec == "CLM-S4"


def test_codes_are_unique_and_every_label_is_in_both_languages() -> None:
    # SPEC CLM-S2 (stable codes), GEN-6 (zh-CN and English)
    assert len({i.code for i in sp.ALL_ITEMS}) == len(sp.ALL_ITEMS)
    reload_translations()
    for item in sp.ALL_ITEMS:
        # The claim page shows the English msgid translated by the catalogue: it must say
        # what the rules (and the API) say in Chinese.
        assert gettext(item.label_en, "zh-CN") == item.label_zh, item.code
        assert gettext(item.name_en, "zh-CN") == item.name_zh, item.code
    for zh, en in sp.STATUS_LABELS.values():
        assert gettext(en, "zh-CN") == zh


def test_snapshot_round_trip() -> None:
    for item in sp.ALL_ITEMS:
        assert sp.PlanItem.from_dict(item.as_dict()) == item


def _all_fine(plan: tuple[sp.PlanItem, ...]) -> dict[str, PlanAnswer]:
    return {i.code: PlanAnswer("consistent" if i.kind == sp.CONSISTENCY else "done") for i in plan}


HEALTH = sp.plan_for(line="health", loss_cause="illness")
FIRE = sp.plan_for(line="property", loss_cause="fire")


def test_complete_answers_come_back_in_plan_order() -> None:
    # SPEC CLM-S2
    answers = dict(reversed(list(_all_fine(HEALTH).items())))
    answers["hospital_records"] = PlanAnswer(
        "not_applicable", "  出院后医院已撤销，病历由卫健委调取 "
    )
    results = sp.check_results(HEALTH, answers, evidence_count=0, certificate_attached=False)
    assert [r.code for r in results] == [i.code for i in HEALTH]
    assert results[3] == sp.PlanResult(
        "hospital_records", "not_applicable", "出院后医院已撤销，病历由卫健委调取"
    )
    assert sp.inconsistencies(results) == ()


def test_a_missing_item_is_named() -> None:
    # SPEC CLM-S2
    answers = _all_fine(HEALTH)
    del answers["treatment_timeline"]
    with pytest.raises(sp.PlanItemMissing) as raised:
        sp.check_results(HEALTH, answers, evidence_count=1, certificate_attached=False)
    assert raised.value.field == "plan.treatment_timeline"
    assert "治疗时间线" in raised.value.message("zh-CN")
    assert "Treatment timeline" in raised.value.message("en")
    assert "Consistent / Inconsistent" in raised.value.message("en")


def test_an_unknown_item_is_named() -> None:
    answers = {**_all_fine(HEALTH), "site_photos": PlanAnswer("done")}
    with pytest.raises(sp.PlanItemUnknown) as raised:
        sp.check_results(HEALTH, answers, evidence_count=1, certificate_attached=False)
    assert raised.value.field == "plan.site_photos"


@pytest.mark.parametrize(
    ("code", "status"),
    [("account_consistency", "done"), ("account_consistency", "not_applicable")],
)
def test_a_consistency_item_is_consistent_or_inconsistent(code: str, status: str) -> None:
    # SPEC CLM-S2
    answers = {**_all_fine(HEALTH), code: PlanAnswer(status, "无证人")}
    with pytest.raises(sp.PlanStatusNotAllowed) as raised:
        sp.check_results(HEALTH, answers, evidence_count=1, certificate_attached=False)
    assert raised.value.field == f"plan.{code}"
    assert "一致 / 不一致" in raised.value.message("zh-CN")


def test_a_check_is_done_or_not_applicable() -> None:
    answers = {**_all_fine(HEALTH), "hospital_records": PlanAnswer("consistent")}
    with pytest.raises(sp.PlanStatusNotAllowed) as raised:
        sp.check_results(HEALTH, answers, evidence_count=1, certificate_attached=False)
    assert raised.value.field == "plan.hospital_records"


@pytest.mark.parametrize("note", [None, "", "   "])
def test_inconsistent_needs_its_finding(note: str | None) -> None:
    # SPEC CLM-S2
    answers = {**_all_fine(HEALTH), "treatment_timeline": PlanAnswer("inconsistent", note)}
    with pytest.raises(sp.PlanNoteRequired) as raised:
        sp.check_results(HEALTH, answers, evidence_count=1, certificate_attached=False)
    assert raised.value.field == "plan.treatment_timeline"
    assert "finding" in raised.value.message("en") and "不一致" in raised.value.message("zh-CN")


def test_not_applicable_needs_its_reason() -> None:
    answers = {**_all_fine(HEALTH), "hospital_records": PlanAnswer("not_applicable")}
    with pytest.raises(sp.PlanNoteRequired) as raised:
        sp.check_results(HEALTH, answers, evidence_count=1, certificate_attached=False)
    assert raised.value.field == "plan.hospital_records"


def test_an_inconsistency_is_kept_with_its_finding() -> None:
    # SPEC CLM-S2
    finding = "入院记录显示 9 月 20 日已就诊，早于所报出险日 9 月 28 日"
    answers = {**_all_fine(HEALTH), "treatment_timeline": PlanAnswer("inconsistent", finding)}
    results = sp.check_results(HEALTH, answers, evidence_count=0, certificate_attached=False)
    assert sp.inconsistencies(results) == (
        sp.PlanResult("treatment_timeline", "inconsistent", finding),
    )


def test_site_photos_done_needs_an_evidence_file() -> None:
    # SPEC CLM-S2 CLM-S3 (the report carries the evidence it says was taken)
    answers = _all_fine(FIRE)
    with pytest.raises(sp.PlanPhotosMissing) as raised:
        sp.check_results(FIRE, answers, evidence_count=0, certificate_attached=True)
    assert raised.value.field == "plan.site_photos"
    answers["site_photos"] = PlanAnswer("not_applicable", "现场已清理")
    results = sp.check_results(FIRE, answers, evidence_count=0, certificate_attached=True)
    assert results[2].status == "not_applicable"


def test_fire_certificate_cannot_be_waved_through() -> None:
    # SPEC CLM-S4
    answers = {**_all_fine(FIRE), "certificate": PlanAnswer("not_applicable", "消防未出具")}
    with pytest.raises(sp.PlanStatusNotAllowed):
        sp.check_results(FIRE, answers, evidence_count=1, certificate_attached=True)
    with pytest.raises(sp.PlanCertificateMissing) as raised:
        sp.check_results(FIRE, _all_fine(FIRE), evidence_count=1, certificate_attached=False)
    assert raised.value.field == "plan.certificate"


def test_the_account_item_names_the_people_as_the_report_does() -> None:
    # SPEC CLM-S2, CLM-R1, GEN-6: the statements compared are the insured's, the claimant's
    # (申请人) and the reporter's (报案人, who reported for them), named as the report form
    # and its refusals name them, the same people in both languages — the item said
    # 报案人 in Chinese where its English said "claimant".
    from claimdesk.field_labels import FIELD_LABELS

    item = sp.ACCOUNT_CONSISTENCY
    claimant_zh, claimant_en = FIELD_LABELS["claimant_name"]
    reporter_zh, reporter_en = FIELD_LABELS["reporter"]
    assert claimant_zh.startswith("申请人") and claimant_en.startswith("Claimant")
    assert claimant_zh[:3] in item.label_zh and reporter_zh in item.label_zh
    assert "the claimant" in item.label_en and f"the {reporter_en.lower()}" in item.label_en


def test_a_stored_plan_item_is_shown_in_todays_words() -> None:
    # SPEC CLM-S2, GEN-6: a plan stored with an earlier assignment keeps its items and
    # results, but is worded as its code is now (its old English is no msgid any more).
    old = sp.ACCOUNT_CONSISTENCY.as_dict() | {
        "label_zh": "被保险人、报案人及证人的陈述相互一致，并与报案内容一致",
        "label_en": "The statements of the insured, the claimant and any witnesses "
        "agree with each other and with the report",
    }
    shown = sp.in_current_words(sp.PlanItem.from_dict(old))
    assert shown == sp.ACCOUNT_CONSISTENCY
    unknown = sp.PlanItem.from_dict(old | {"code": "retired_item"})
    assert sp.in_current_words(unknown) == unknown
