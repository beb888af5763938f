"""The survey plan through the API and the claim page, on both databases.

# SPEC CLM-S2 (the plan follows the line), CLM-S3 (the signed report carries the plan
# results), CLM-S4 (fire: the certificate item), CLM-F1 (an inconsistency flags the
# claim), CLM-F2 (a surveyor reads only their own claims' plans), GEN-6."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.audit.repository import timeline
from claimdesk.claims.intake.survey import content_hash
from claimdesk.models.claim import Claim, FraudFlag, SurveyAssignment, SurveyReport
from tests.builders import demo_version, issue_policy
from tests.claims.helpers import PDF, PNG, FrozenClock, World, build_world, local, plan_answers
from tests.web.helpers import HIDDEN, staff_login

API = "/api/v1/claims"
PERSONAL = ["account_consistency", "treatment_timeline", "patient_identity", "hospital_records"]
SITE = ["site_inspected", "cause_vs_damage", "site_photos", "extent_measured"]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    # Reported and assigned at 10:00, surveyed at 10:30, the report written at 11:00.
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient, clock: FrozenClock) -> World:
    w = build_world(db, client)
    holder = w.policies["MED-MILLION"].policyholder_id  # type: ignore[attr-defined]
    hq = w.policies["MED-MILLION"].org_unit_id  # type: ignore[attr-defined]
    policy = issue_policy(db, version_id=demo_version(db, "PUB-LIAB").id, policyholder_id=holder)
    policy.org_unit_id = hq
    w.policies["PUB-LIAB"] = policy
    db.commit()
    return w


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def accepted(w: World, *, policy: str, cause: str, coverage: str) -> int:
    claim = ok(
        w.client.post(
            API,
            json={
                "channel": "hotline",
                "policy_number": w.policies[policy].number,  # type: ignore[attr-defined]
                "claimant_name": "李四",
                "contact_phone": "13912345678",
                "loss_date": "2026-09-28",
                "loss_place": "北京市朝阳区",
                "loss_cause": cause,
                "loss_overview": "出险经过",
                "estimated_amount": "20000.00",
                "coverage_codes": [coverage],
            },
            headers=w.h["handler"],
        ),
        201,
    )
    cid = int(claim["id"])
    for item in claim["checklist"]:
        ok(
            w.client.post(
                f"{API}/{cid}/materials/receive",
                json={"code": item["code"]},
                headers=w.h["handler"],
            )
        )
    ok(w.client.post(f"{API}/{cid}/accept", json={}, headers=w.h["handler"]))
    return cid


def assign(w: World, cid: int, clock: FrozenClock) -> dict[str, Any]:
    clock.set("2026-09-30T10:00:00")
    body = ok(
        w.client.post(
            f"{API}/{cid}/survey/assign",
            json={"surveyor_id": w.users["surveyor"]},
            headers=w.h["handler"],
        )
    )
    clock.set("2026-09-30T11:00:00")
    return body


def plan(w: World, cid: int, who: str = "surveyor") -> dict[str, Any]:
    return ok(w.client.get(f"{API}/{cid}/survey/plan", headers=w.h[who]))


def upload(w: World, cid: int, purpose: str) -> int:
    content, name, kind = (
        (PDF, "fire.pdf", "application/pdf")
        if purpose == "certificate"
        else (PNG, "p.png", "image/png")
    )
    body = ok(
        w.client.post(
            f"{API}/{cid}/files",
            data={"purpose": purpose},
            files={"file": (name, content, kind)},
            headers=w.h["surveyor"],
        ),
        201,
    )
    return int(body["id"])


def report(**extra: Any) -> dict[str, Any]:
    return {
        "surveyed_at": "2026-09-30T10:30:00+08:00",
        "place": "北京协和医院",
        "people": "李四、主治医生",
        "actions": "调阅病历、询问经过",
        "conclusion": "属保险责任",
        "covered": True,
        "cause": "急性阑尾炎",
        "extent": "住院七天",
        **extra,
    }


def test_the_plan_follows_the_line_and_is_fixed_at_assignment(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S2 (personal: account, treatment timeline; property: site, cause v damage)
    # SPEC CLM-S4 (fire: the certificate is an item of the plan)
    w = world
    health = accepted(w, policy="MED-MILLION", cause="illness", coverage="medical")
    before = plan(w, health, "handler")
    assert (before["family"], before["assignment_id"], before["report_id"]) == (
        "personal",
        None,
        None,
    )
    assert [i["code"] for i in before["items"]] == PERSONAL
    timeline_item = before["items"][1]
    assert timeline_item["kind"] == "consistency"
    assert timeline_item["statuses"] == ["consistent", "inconsistent"]
    assert timeline_item["name_zh"] == "治疗时间线" and "policy period" in timeline_item["label_en"]

    assign(w, health, clock)
    after = plan(w, health)
    assignment = db.scalars(
        select(SurveyAssignment).where(SurveyAssignment.claim_id == health)
    ).one()
    assert after["assignment_id"] == assignment.id
    # The plan given to the surveyor is stored with the assignment and on the trail.
    assert [i["code"] for i in assignment.plan or []] == PERSONAL
    db.commit()
    [assigned] = [
        e
        for e in timeline(db, entity_type="claim", entity_id=health)
        if e.action == "claim.assign_surveyor"
    ]
    assert json.loads(assigned.details or "{}")["survey_plan"] == PERSONAL

    fire = accepted(w, policy="HOME-PROP", cause="fire", coverage="property")
    site = plan(w, fire, "handler")
    assert site["family"] == "site"
    assert [i["code"] for i in site["items"]] == [*SITE, "certificate"]
    assert site["items"][-1]["statuses"] == ["done"] and site["items"][-1]["spec"] == "CLM-S4"

    liability = accepted(w, policy="PUB-LIAB", cause="liability", coverage="liability")
    assert [i["code"] for i in plan(w, liability, "handler")["items"]] == [
        *SITE,
        "third_party_loss",
    ]


def test_a_report_without_every_plan_item_is_refused_naming_it(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S2, GEN-6 (the field and rule named in zh-CN and English; nothing changed)
    w = world
    cid = accepted(w, policy="MED-MILLION", cause="illness", coverage="medical")
    assign(w, cid, clock)
    db.commit()

    def changes() -> list[str]:  # the trail without the (audited) reads of the plan
        return [
            e.action
            for e in timeline(db, entity_type="claim", entity_id=cid)
            if e.action != "claim.read"
        ]

    audit_before = changes()

    r = w.client.post(f"{API}/{cid}/survey/report", json=report(), headers=w.h["surveyor"])
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "plan.account_consistency"
    assert r.json()["error"]["code"] == "survey_plan_item_missing"
    assert "陈述一致性" in r.json()["error"]["message"]  # the surveyor's language: zh-CN

    answers = plan_answers(w.client, cid, w.h["surveyor"])
    del answers["hospital_records"]
    r = w.client.post(
        f"{API}/{cid}/survey/report",
        json=report(plan=answers),
        headers=w.h["surveyor"],
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "plan.hospital_records"

    wrong = [
        ({"account_consistency": {"status": "done"}}, "plan.account_consistency"),
        ({"hospital_records": {"status": "not_applicable"}}, "plan.hospital_records"),
        (
            {"treatment_timeline": {"status": "inconsistent", "note": " "}},
            "plan.treatment_timeline",
        ),
        ({"site_photos": {"status": "done"}}, "plan.site_photos"),
    ]
    for override, field in wrong:
        body = report(plan={**plan_answers(w.client, cid, w.h["surveyor"]), **override})
        r = w.client.post(f"{API}/{cid}/survey/report", json=body, headers=w.h["surveyor"])
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (override, r.text)
    # A status outside the four is refused by the schema, naming the item's status.
    body = report(
        plan={**plan_answers(w.client, cid, w.h["surveyor"]), "patient_identity": {"status": "ok"}}
    )
    r = w.client.post(f"{API}/{cid}/survey/report", json=body, headers=w.h["surveyor"])
    assert r.status_code == 422 and r.json()["error"]["field"] == "plan.patient_identity.status"

    db.expire_all()
    assert db.scalar(select(Claim.state).where(Claim.id == cid)) == "accepted"
    assert db.scalar(select(func.count()).select_from(SurveyReport)) == 0
    assert changes() == audit_before


def test_a_complete_plan_is_signed_with_the_report(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S2, CLM-S3 (the signature's hash covers the plan results), CLM-S4
    w = world
    cid = accepted(w, policy="HOME-PROP", cause="fire", coverage="property")
    assign(w, cid, clock)
    photo, cert = upload(w, cid, "evidence"), upload(w, cid, "certificate")
    answers = plan_answers(
        w.client,
        cid,
        w.h["surveyor"],
        extent_measured={"status": "done", "note": "厨房 12 平方米，橱柜 3 组"},
    )
    body = ok(
        w.client.post(
            f"{API}/{cid}/survey/report",
            json=report(
                place="现场",
                cause="电器短路",
                extent="橱柜烧毁",
                evidence_file_ids=[photo],
                certificate_file_id=cert,
                plan=answers,
            ),
            headers=w.h["surveyor"],
        )
    )
    assert body["state"] == "surveyed"
    shown = plan(w, cid)
    assert [(i["code"], i["status"]) for i in shown["items"]] == [
        ("site_inspected", "done"),
        ("cause_vs_damage", "consistent"),
        ("site_photos", "done"),
        ("extent_measured", "done"),
        ("certificate", "done"),
    ]
    assert shown["items"][3]["note"] == "厨房 12 平方米，橱柜 3 组"
    assert shown["inconsistent"] == []
    saved = db.scalars(select(SurveyReport).where(SurveyReport.claim_id == cid)).one()
    assert shown["report_id"] == saved.id
    assert saved.plan_results is not None and len(saved.plan_results) == 5
    # The hash is over the content including the plan: tampering with a result shows.
    signed = {
        "claim": db.get(Claim, cid).number,  # type: ignore[union-attr]
        "surveyed_at": saved.surveyed_at.isoformat(),
        "place": "现场",
        "people": saved.people,
        "actions": saved.actions,
        "conclusion": saved.conclusion,
        "covered": True,
        "cause": "电器短路",
        "extent": "橱柜烧毁",
        "evidence": [photo],
        "certificate": cert,
        "plan": saved.plan_results,
        "signed_by": "surveyor",
        "signed_at": saved.signed_at.isoformat(),
    }
    if content_hash(signed) != saved.content_hash:
        # SQLite hands instants back naive; the signature was made over the aware ones.
        signed["surveyed_at"] = local("2026-09-30T10:30:00").isoformat()
        signed["signed_at"] = local("2026-09-30T11:00:00").isoformat()
    assert content_hash(signed) == saved.content_hash
    tampered = [
        {**r, "status": "not_applicable"} if r["code"] == "site_photos" else r
        for r in saved.plan_results
    ]
    assert content_hash({**signed, "plan": tampered}) != saved.content_hash
    assert db.scalar(select(func.count()).select_from(FraudFlag)) == 0


def test_an_inconsistency_is_kept_shown_and_flags_the_claim(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S2 (the treatment timeline does not fit), CLM-F1 (a data cross-check flags
    # the claim: it is held until an investigator clears or confirms it)
    w = world
    cid = accepted(w, policy="MED-MILLION", cause="illness", coverage="medical")
    assign(w, cid, clock)
    finding = "医院记录显示 9 月 20 日已因同一病症就诊，早于所报出险日"
    answers = plan_answers(
        w.client,
        cid,
        w.h["surveyor"],
        treatment_timeline={"status": "inconsistent", "note": finding},
    )
    body = ok(
        w.client.post(
            f"{API}/{cid}/survey/report", json=report(plan=answers), headers=w.h["surveyor"]
        )
    )
    # The survey is done (and its clocks stopped); the claim is then held for fraud review.
    assert body["state"] == "suspended" and body["resume_state"] == "surveyed"
    shown = plan(w, cid, "handler")
    assert shown["inconsistent"] == ["treatment_timeline"]
    [item] = [i for i in shown["items"] if i["code"] == "treatment_timeline"]
    assert (item["status"], item["note"]) == ("inconsistent", finding)

    [flag] = db.scalars(select(FraudFlag).where(FraudFlag.claim_id == cid)).all()
    assert flag.status == "open" and flag.rule_code == "CLM-S2.survey_inconsistent"
    assert finding in flag.description and "治疗时间线" in flag.description
    assert flag.flagged_by_id == w.users["surveyor"]
    # Shown on the claim's timeline (the page and the API) with the finding.
    detail = ok(w.client.get(f"{API}/{cid}", headers=w.h["handler"]))
    actions = [(e["action"], e["actor"]) for e in detail["timeline"]]
    assert actions[-3:] == [
        ("claim.submit_survey", "surveyor"),
        ("claim.suspend", "surveyor"),
        ("claim.read", "handler"),
    ]
    suspend = next(e for e in detail["timeline"] if e["action"] == "claim.suspend")
    assert finding in suspend["reason"]
    submitted = next(e for e in detail["timeline"] if e["action"] == "claim.submit_survey")
    assert submitted["details"]["inconsistent"] == ["treatment_timeline"]

    # The hold works as for any flag: the assessor cannot go on; clearing resumes it.
    r = w.client.post(f"{API}/{cid}/assessment/complete", json={}, headers=w.h["assessor"])
    assert r.status_code == 409
    cleared = ok(
        w.client.post(
            f"{API}/{cid}/fraud-flags/{flag.id}/resolve",
            json={"outcome": "cleared", "note": "复诊记录系笔误，医院已出具更正说明"},
            headers=w.h["investigator"],
        )
    )
    assert cleared["state"] == "surveyed"


def test_a_surveyor_reads_only_their_own_claims_plans(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-F2 (row filter), SEC-4: findings are for the people working the claim
    w = world
    cid = accepted(w, policy="MED-MILLION", cause="illness", coverage="medical")
    # Not yet assigned: no surveyor sees it.
    assert w.client.get(f"{API}/{cid}/survey/plan", headers=w.h["surveyor"]).status_code == 404
    assign(w, cid, clock)
    assert plan(w, cid)["claim_id"] == cid
    r = w.client.get(f"{API}/{cid}/survey/plan", headers=w.h["surveyor2"])
    assert r.status_code == 404 and r.json()["error"]["field"] == "claim_id"
    # The customer may read their claim but not the survey's findings about it.
    assert w.client.get(f"{API}/{cid}", headers=w.h["customer"]).status_code == 200
    assert w.client.get(f"{API}/{cid}/survey/plan", headers=w.h["customer"]).status_code == 403
    for who in ("handler", "assessor", "adjuster", "supervisor", "investigator"):
        assert plan(w, cid, who)["items"], who


def test_the_claim_page_asks_for_every_plan_item(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S2 (the form follows the plan), GEN-6 (the missing item named in place),
    # issue 6 (every label translated)
    w = world
    cid = accepted(w, policy="MED-MILLION", cause="accident", coverage="medical")
    assign(w, cid, clock)
    w.client.headers.clear()
    w.client.cookies.clear()
    staff_login(w.client, "surveyor")
    form = w.client.get(f"/claims/{cid}/actions/submit_survey")
    assert form.status_code == 200
    for code in [*PERSONAL, "injury_vs_account"]:
        assert f'name="plan__{code}"' in form.text and f'name="plan_note__{code}"' in form.text
    assert "说明或发现：治疗时间线" in form.text
    assert "入院、确诊、治疗日期与出险日期相符" in form.text  # zh-CN first
    assert '<option value="inconsistent">不一致</option>' in form.text
    token = HIDDEN.search(w.client.get(f"/claims/{cid}").text).group(1)  # type: ignore[union-attr]
    fields = {
        "csrf_token": token,
        "surveyed_at": "2026-09-30T10:30",
        "place": "医院",
        "people": "李四",
        "actions": "调阅病历",
        "cause": "摔伤",
        "extent": "骨折",
        "conclusion": "属保险责任",
        "covered": "1",
        "plan__account_consistency": "consistent",
        "plan__treatment_timeline": "consistent",
        "plan__patient_identity": "consistent",
        "plan__hospital_records": "done",
        "plan__injury_vs_account": "",
    }
    refused = w.client.post(f"/claims/{cid}/actions/submit_survey", data=fields)
    assert refused.status_code == 200 and 'role="alert"' in refused.text
    assert "伤情与经过" in refused.text
    assert db.scalar(select(Claim.state).where(Claim.id == cid)) == "accepted"

    fields |= {
        "plan__injury_vs_account": "inconsistent",
        "plan_note__injury_vs_account": "伤情为旧伤",
    }
    done = w.client.post(f"/claims/{cid}/actions/submit_survey", data=fields)
    assert (
        done.status_code == 200
        and done.headers.get("HX-Redirect") == f"/claims/{cid}?done=submit_survey"
    )
    db.expire_all()
    saved = db.scalars(select(SurveyReport).where(SurveyReport.claim_id == cid)).one()
    assert saved.plan_results is not None
    assert saved.plan_results[-1] == {
        "code": "injury_vs_account",
        "status": "inconsistent",
        "note": "伤情为旧伤",
    }
    page = w.client.get(f"/claims/{cid}")
    assert "伤情为旧伤" in page.text  # the finding, on the timeline of the held claim


def test_a_plan_stored_in_older_words_is_asked_in_todays(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S2, GEN-6: an assignment made before the account item named the claimant
    # and the reporter keeps its items, but the form and the API word them as today: the
    # old English msgid is not in the catalogue, and was shown untranslated on a Chinese
    # page.
    w = world
    cid = accepted(w, policy="MED-MILLION", cause="illness", coverage="medical")
    assign(w, cid, clock)
    assignment = db.scalars(select(SurveyAssignment).where(SurveyAssignment.claim_id == cid)).one()
    old_en = (
        "The statements of the insured, the claimant and any witnesses "
        "agree with each other and with the report"
    )
    assignment.plan = [
        item
        | {"label_zh": "被保险人、报案人及证人的陈述相互一致，并与报案内容一致", "label_en": old_en}
        if item["code"] == "account_consistency"
        else item
        for item in assignment.plan or []
    ]
    db.commit()
    [item] = [i for i in plan(w, cid)["items"] if i["code"] == "account_consistency"]
    assert item["label_zh"] == "被保险人、申请人、报案人及证人的陈述相互一致，并与报案内容一致"
    assert "the claimant, the reporter and any witnesses" in item["label_en"]
    w.client.headers.clear()
    w.client.cookies.clear()
    staff_login(w.client, "surveyor")
    form = w.client.get(f"/claims/{cid}/actions/submit_survey")
    assert form.status_code == 200
    assert "被保险人、申请人、报案人及证人的陈述相互一致" in form.text
    assert old_en not in form.text


def test_a_survey_time_after_now_is_refused_the_right_way_round(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S3 (the report clock runs from the survey to the report), GEN-6, GEN-2:
    # a survey time in the future is said as such, in local time as people write it,
    # not as the report clock's "时间不能早于 2026-12-20T10:00:00+08:00".
    w = world
    cid = accepted(w, policy="MED-MILLION", cause="illness", coverage="medical")
    assign(w, cid, clock)  # now 2026-09-30 11:00 Beijing time
    answers = plan_answers(w.client, cid, w.h["surveyor"])
    body = report(surveyed_at="2026-12-20T10:00:00+08:00", plan=answers)
    r = w.client.post(f"{API}/{cid}/survey/report", json=body, headers=w.h["surveyor"])
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "survey_time_in_future" and error["field"] == "surveyed_at"
    assert error["message"] == "查勘时间：不能晚于现在（2026年9月30日 11:00）"
    english = w.client.post(
        f"{API}/{cid}/survey/report?lang=en", json=body, headers=w.h["surveyor"]
    ).json()["error"]
    assert english["message"] == "Time of the survey: may not be later than now (30 Sep 2026 11:00)"
    assert db.scalar(select(func.count()).select_from(SurveyReport)) == 0
    # A survey that happened before now is accepted as before.
    ok(
        w.client.post(
            f"{API}/{cid}/survey/report", json=report(plan=answers), headers=w.h["surveyor"]
        )
    )


def test_a_survey_time_before_the_loss_is_refused_and_changes_nothing(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S3 (the 24-hour report clock runs from the survey), GEN-6, GEN-2: a survey
    # is of a loss that happened; a time before the date of loss (a mistyped year) was
    # signed into the report and started the report clock then, breached for good.
    w = world
    cid = accepted(w, policy="MED-MILLION", cause="illness", coverage="medical")
    assign(w, cid, clock)  # the loss on 2026-09-28
    answers = plan_answers(w.client, cid, w.h["surveyor"])
    for typo in ("1999-09-30T10:30:00+08:00", "2026-09-27T23:59:00+08:00"):
        body = report(surveyed_at=typo, plan=answers)
        r = w.client.post(f"{API}/{cid}/survey/report", json=body, headers=w.h["surveyor"])
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "survey_time_before_loss" and error["field"] == "surveyed_at"
        assert error["message"] == "查勘时间：不能早于出险日期（2026年9月28日）"
    english = w.client.post(
        f"{API}/{cid}/survey/report?lang=en", json=body, headers=w.h["surveyor"]
    ).json()["error"]
    assert english["message"] == (
        "Time of the survey: may not be before the date of loss (28 Sep 2026)"
    )
    assert db.scalar(select(func.count()).select_from(SurveyReport)) == 0
    db.expire_all()
    assert db.get(Claim, cid).state == "accepted"  # type: ignore[union-attr]
    # A survey from the day of the loss on (here the day after the report) is taken.
    ok(
        w.client.post(
            f"{API}/{cid}/survey/report", json=report(plan=answers), headers=w.h["surveyor"]
        )
    )
