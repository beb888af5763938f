"""变更投保人: a change (批改) that gives the policy a new policyholder — through the one
change process, verified as at issue, applied at its effective date, customers' access
following the holder (POL-2, POL-1, SEC-4)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from claimdesk import timeutil
from claimdesk.audit.service import write_pending
from claimdesk.auth.principal import Principal
from claimdesk.claims import repository as claims
from claimdesk.claims.intake.report import ReportIn, report_claim
from claimdesk.errors import InvalidIdNumber, NotFound
from claimdesk.models.audit import AuditEntry
from claimdesk.models.base import utcnow
from claimdesk.models.claim import Claim
from claimdesk.models.job import Job
from claimdesk.models.person import Consent, Person
from claimdesk.models.policy import Policy, PolicyChange
from claimdesk.people.errors import NameMismatch, PhoneMismatch
from claimdesk.policies import repository, service, tasks
from claimdesk.policies.errors import (
    CurrentHolderConsentMissing,
    InsuredRelationshipMissing,
    NewHolderConsentMissing,
    PolicyholderChangeOnEndedPolicy,
    PolicyholderChangePending,
    SamePolicyholder,
    UnsupportedIdType,
)
from claimdesk.policies.schemas import ChangeIn
from tests.builders import (
    demo_version,
    issue_policy,
    login_headers,
    make_claim,
    make_user,
    resident_id,
)
from tests.claims.helpers import FrozenClock
from tests.policies.helpers import at, family_policy, person, seed_calendar, staff

CHILD_ID = resident_id(birth="20000101", seq="302")


@pytest.fixture
def setup(db: Session) -> dict[str, Any]:
    """A parent's policy on their child (issued 2026-01-01), the child now grown."""
    seed_calendar(db)
    parent = person(db, "钱父", "301", birth="19700101")
    child = person(db, "钱子", "302", birth="20000101")
    policy = issue_policy(
        db,
        version_id=demo_version(db).id,
        policyholder_id=parent.id,
        insured_id=child.id,
        insured_relationship="child",
    )
    return {
        "policy": policy,
        "parent": parent,
        "child": child,
        "agent": staff(db, "svc1", "service_agent"),
        "supervisor": staff(db, "svc2", "service_agent"),
    }


def _holder_change(**holder: Any) -> ChangeIn:
    """The child takes the policy over: the insured is the new holder (self)."""
    new = {
        "name": "钱子",
        "id_number": CHILD_ID,
        "phone": "13812340302",
        "consent": True,
        "consent_method": "written",
        **holder,
    }
    return ChangeIn.model_validate(
        {
            "kind": "change",
            "description": "变更投保人：父亲转给成年子女",
            "effective_date": "2026-10-10",
            "customer_consent": True,
            "customer_consent_method": "written",
            "insured_relationship": "self",
            "new_policyholder": new,
        }
    )


def _request(
    db: Session, setup: dict[str, Any], data: ChangeIn, on: str = "2026-10-08 10:00"
) -> PolicyChange:
    policy_id = setup["policy"].id
    return service.request_change(
        db, actor=setup["agent"], policy_id=policy_id, data=data, at=at(on)
    )


def _through(db: Session, setup: dict[str, Any], change_id: int, done_at: str) -> PolicyChange:
    agent, supervisor = setup["agent"], setup["supervisor"]
    service.review_change(db, actor=agent, change_id=change_id, lawful=True, note="合法")
    service.approve_change(db, actor=supervisor, change_id=change_id)
    return service.complete_change(db, actor=agent, change_id=change_id, at=at(done_at))


def _customer(person: Person) -> Principal:
    return Principal.build(
        user_id=None, username=f"c{person.id}", roles=["customer"], person_id=person.id
    )


def _sees(db: Session, who: Person, policy: Policy) -> bool:
    found = db.scalars(
        repository.policies_query(actor=_customer(who)).where(Policy.id == policy.id)
    )
    return found.first() is not None


def _details(db: Session, action: str) -> list[dict[str, Any]]:
    write_pending(db)
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == action))
    return [json.loads(e.details) for e in entries]


def _counts(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(PolicyChange)) or 0,
        db.scalar(select(func.count()).select_from(Person)) or 0,
        db.scalar(select(func.count()).select_from(Consent)) or 0,
    )


def test_a_new_holder_takes_over_when_the_change_is_done_and_access_follows(db, setup):
    # SPEC POL-2 POL-1 SEC-4: request → review → approval → done; the policy names the
    # child as holder, the parent stays in the history, access moves from parent to child
    policy, parent, child = setup["policy"], setup["parent"], setup["child"]
    outsider = person(db, "孙外人", "399")
    claim = make_claim(db, number="R-HOLDER-1", policy=policy)
    change = _request(db, setup, _holder_change())
    consents = change.payload["policyholder"]["consents"]
    assert consents == {
        "current": {"person_id": parent.id, "method": "written"},
        "new": {"person_id": child.id, "method": "written"},
    }
    assert change.payload["insured_relationship"] == "self"
    assert "钱子" not in json.dumps(change.payload, ensure_ascii=False)  # ids, never the data
    assert policy.policyholder_id == parent.id  # requested is not done
    assert change.switched_at is None
    _through(db, setup, change.id, "2026-10-10 09:00")
    assert (policy.policyholder_id, policy.insured_relationship) == (child.id, "self")
    assert change.switched_at == at("2026-10-10 09:00")  # done on its date: switched then
    out = service.policy_out(db, policy=policy, as_of=dt.date(2026, 10, 10))
    assert out.policyholder.id == child.id
    assert [(h.person_id, h.held_from, h.held_until) for h in out.policyholders] == [
        (parent.id, dt.date(2026, 1, 1), dt.date(2026, 10, 10)),
        (child.id, dt.date(2026, 10, 10), None),
    ]
    shown = out.changes[0].policyholder
    assert shown is not None and shown.applied
    assert shown.switched_at == at("2026-10-10 09:00")
    assert (shown.old.name, shown.new.name) == ("钱父", "钱子")
    assert out.changes[0].before == {"policyholder_id": parent.id, "insured_relationship": "child"}
    # SEC-4: the old holder no longer sees the policy nor its claims; the insured (now
    # also the holder) still sees both; an outsider neither.
    assert not _sees(db, parent, policy) and _sees(db, child, policy)
    assert not _sees(db, outsider, policy)
    seen = db.scalars(claims.scoped(query=select(type(claim)), actor=_customer(parent))).all()
    assert claim not in seen
    assert (
        claim in db.scalars(claims.scoped(query=select(type(claim)), actor=_customer(child))).all()
    )


def test_the_audit_names_old_and_new_holder_masked(db, setup):
    # SPEC POL-2 GEN-5: request, done and switch entries name both holders by id and the
    # ID number's last four, never the name or the number
    parent, child = setup["parent"], setup["child"]
    change = _request(db, setup, _holder_change())
    _through(db, setup, change.id, "2026-10-10 09:00")
    expected = {
        "before": {"person_id": parent.id, "id_number_last4": parent.id_number_last4},
        "after": {"person_id": child.id, "id_number_last4": child.id_number_last4},
    }
    for action in ("policy.change_request", "policy.change_done", "policy.policyholder_switch"):
        (details,) = _details(db, action)
        assert details["policyholder"] == expected, action
        text = json.dumps(details, ensure_ascii=False)
        assert "钱" not in text and CHILD_ID not in text
    (requested,) = _details(db, "policy.change_request")
    assert requested["changes"] == ["insured_relationship", "policyholder"]
    assert requested["consents"]["new"] == {"person_id": child.id, "method": "written"}


def test_a_new_person_is_registered_encrypted_with_their_consent(db, setup):
    # SPEC POL-2 POL-1 SEC-1 SEC-6: an employee taking over the employer's policy on them
    # is not yet registered as a person: registered with a policy-service consent
    number = resident_id(birth="19900505", seq="311")
    before = _counts(db)
    other = {"insured_relationship": "other"}
    change = _request(
        db, setup, _holder_change(name="李新", id_number=number).model_copy(update=other)
    )
    new = db.get(Person, change.payload["policyholder"]["person_id"])
    assert new is not None and new.name == "李新" and new.id_number == number
    stored = text("SELECT id_number, phone FROM people WHERE id = :i")
    raw_number, raw_phone = db.execute(stored, {"i": new.id}).one()
    assert number not in raw_number and "13812340302" not in raw_phone  # encrypted at rest
    (consent,) = db.scalars(select(Consent).where(Consent.person_id == new.id))
    assert (consent.purpose, consent.scope, consent.method) == (
        "policy_service",
        "contact,identity",
        "written",
    )
    assert _counts(db) == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_done_before_its_effective_date_the_switch_waits_for_that_day(db, setup):
    # SPEC POL-2 SEC-4: completed on Oct 9 for Oct 20, the parent keeps the policy (and
    # access) until a job switches it on Oct 20; run again, it changes nothing
    policy, parent, child = setup["policy"], setup["parent"], setup["child"]
    data = _holder_change().model_copy(update={"effective_date": dt.date(2026, 10, 20)})
    change = _request(db, setup, data)
    _through(db, setup, change.id, "2026-10-09 15:00")
    assert change.status == "done" and policy.policyholder_id == parent.id
    assert _sees(db, parent, policy)
    job = db.scalars(select(Job).where(Job.kind == "policies.policyholder_switch")).one()
    run_at = job.run_at if job.run_at.tzinfo else job.run_at.replace(tzinfo=dt.UTC)
    assert run_at == at("2026-10-20 00:00")
    view = service.change_out(db, change=change)
    assert view.policyholder is not None and not view.policyholder.applied
    assert change.switched_at is None and view.policyholder.switched_at is None
    with pytest.raises(PolicyholderChangePending):  # one change of holder at a time
        mother = _holder_change(name="钱母", id_number=resident_id(birth="19720101", seq="304"))
        _request(
            db,
            setup,
            mother.model_copy(update={"insured_relationship": "child"}),
            on="2026-10-12 10:00",
        )
    tasks.policyholder_switch_task(db, {"change_id": change.id}, now=at("2026-10-20 00:01"))
    assert policy.policyholder_id == child.id
    assert change.switched_at == at("2026-10-20 00:01")  # the fact, set by the switch
    assert not _sees(db, parent, policy) and _sees(db, child, policy)
    assert service.change_out(db, change=change).before == {
        "policyholder_id": parent.id,
        "insured_relationship": "child",
    }
    tasks.policyholder_switch_task(db, {"change_id": change.id}, now=at("2026-10-20 00:02"))
    assert len(_details(db, "policy.policyholder_switch")) == 1
    assert change.switched_at == at("2026-10-20 00:01")


def test_a_policy_ended_before_the_date_never_switches_and_says_why(db, setup):
    # SPEC POL-2 POL-3 GEN-5: done on Oct 9 for Oct 20, but the policy is terminated on
    # Oct 15 by its own change: the job switches nothing, records no switch instant, and
    # its decision is on the trail; the history names the parent alone
    policy, parent = setup["policy"], setup["parent"]
    data = _holder_change().model_copy(update={"effective_date": dt.date(2026, 10, 20)})
    change = _request(db, setup, data)
    _through(db, setup, change.id, "2026-10-09 15:00")
    ending = ChangeIn(
        kind="termination",
        description="投保人申请解除",
        effective_date=dt.date(2026, 10, 15),
        customer_consent=True,
        customer_consent_method="written",
        initiator="policyholder",
    )
    termination = _request(db, setup, ending, on="2026-10-12 10:00")
    _through(db, setup, termination.id, "2026-10-12 15:00")
    assert policy.status == "terminated"
    tasks.policyholder_switch_task(db, {"change_id": change.id}, now=at("2026-10-20 00:01"))
    assert policy.policyholder_id == parent.id and change.switched_at is None
    assert _details(db, "policy.policyholder_switch") == []
    (skipped,) = _details(db, "policy.policyholder_switch_skipped")
    assert skipped == {"change_id": change.id, "reason": "policy_ended_first"}
    out = service.policy_out(db, policy=policy, as_of=dt.date(2026, 10, 20))
    assert [h.person_id for h in out.policyholders] == [parent.id]
    assert out.changes[0].policyholder is not None
    assert not out.changes[0].policyholder.applied


def _refused(db: Session, setup: dict[str, Any], data: ChangeIn, on: str = "2026-10-08 10:00"):
    before = _counts(db)
    policy = setup["policy"]
    with pytest.raises(Exception) as refused:
        _request(db, setup, data, on)
    assert _counts(db) == before  # no change, no person, no consent
    assert policy.policyholder_id == setup["parent"].id
    return refused.value


BAD_CHECK_DIGIT = CHILD_ID[:-1] + ("0" if CHILD_ID[-1] != "0" else "1")
NEWCOMER = {"id_number": resident_id(birth="19900505", seq="311"), "name": "李新"}
ID_FIELD = "new_policyholder.id_number"


@pytest.mark.parametrize(
    ("holder", "change", "error", "field"),
    [
        ({"id_number": BAD_CHECK_DIGIT}, {}, InvalidIdNumber, ID_FIELD),
        ({"id_number": "11010120261301123X"}, {}, InvalidIdNumber, ID_FIELD),
        (
            {"id_type": "passport", "id_number": "E12345678"},
            {},
            UnsupportedIdType,
            "new_policyholder.id_type",
        ),
        ({"id_number": resident_id(birth="19700101", seq="301")}, {}, SamePolicyholder, ID_FIELD),
        ({"name": "钱错"}, {}, NameMismatch, "new_policyholder.name"),
        ({"phone": "13900000302"}, {}, PhoneMismatch, "new_policyholder.phone"),
        ({}, {"customer_consent": False}, CurrentHolderConsentMissing, "customer_consent"),
        ({"consent": False}, {}, NewHolderConsentMissing, "new_policyholder.consent"),
        ({"consent_method": None}, {}, NewHolderConsentMissing, "new_policyholder.consent_method"),
        (
            NEWCOMER,
            {"insured_relationship": None},
            InsuredRelationshipMissing,
            "insured_relationship",
        ),
    ],
)
def test_each_refusal_names_its_field_and_changes_nothing(db, setup, holder, change, error, field):
    # SPEC POL-2 POL-1 GEN-6: a bad check digit, a birth date that does not exist, a
    # passport, the current holder again, another name or mobile than the ones
    # registered with the number, either consent missing, no relationship to a new holder who is not the
    # insured: refused with nothing written
    data = _holder_change(**holder).model_copy(update=change)
    refused = _refused(db, setup, data)
    assert isinstance(refused, error) and refused.field == field
    assert refused.message("zh-CN") != refused.message("en")
    if field.startswith("new_policyholder."):
        assert refused.message("zh-CN").startswith("新投保人")
        assert refused.message("en").startswith("New policyholder")


def test_a_registered_holder_keeps_the_mobile_on_record(db, setup):
    # SPEC POL-2 SEC-9 GEN-6: the child is registered with 13812340302. The request's
    # other number is refused naming the field, in both languages, and nothing changes
    # (the registered mobile takes the child's login codes: never replaced through the
    # parent's request); the same number written another way is the same number
    child = setup["child"]
    refused = _refused(db, setup, _holder_change(phone="139 0000 0302"))
    assert isinstance(refused, PhoneMismatch) and refused.field == "new_policyholder.phone"
    assert refused.message("zh-CN").startswith("新投保人的手机号码：")
    assert "登记的手机号码不一致" in refused.message("zh-CN")
    assert "does not change it" in refused.message("en")
    assert child.phone == "13812340302"
    change = _request(db, setup, _holder_change(phone="+86 138-1234-0302"))
    assert change.payload["policyholder"]["person_id"] == child.id
    assert child.phone == "13812340302"


@pytest.mark.parametrize("ended", ["terminated", "lapsed"])
def test_no_holder_change_on_an_ended_policy(db, setup, ended):
    # SPEC POL-2 POL-3: terminated, or lapsed (its term over), the policy keeps its holder
    policy = setup["policy"]
    on = "2026-10-08 10:00"
    if ended == "terminated":
        policy.status, policy.terminated_on = "terminated", dt.date(2026, 9, 30)
        db.flush()
    else:
        on = "2027-01-05 10:00"
    refused = _refused(db, setup, _holder_change(), on=on)
    assert isinstance(refused, PolicyholderChangeOnEndedPolicy)
    assert refused.status_code == 409
    assert "不能变更投保人" in refused.message("zh-CN")
    assert "cannot change" in refused.message("en")


def test_the_api_takes_a_new_holder_refusing_a_bad_id_in_both_languages(db, client, setup):
    # SPEC POL-2 POL-1 GEN-6 GEN-3: the policies endpoint runs the same change; a bad
    # check digit is refused naming new_policyholder.id_number, nothing written. A
    # policy in force today, whatever today is (the endpoint reads the clock).
    today = timeutil.local_date(utcnow())
    parent, child = setup["parent"], setup["child"]
    policy = family_policy(db, parent_id=parent.id, child_id=child.id, start=today)
    db.commit()
    headers = login_headers(client, "svc1")
    body = _holder_change().model_dump(mode="json")
    body["effective_date"] = today.isoformat()
    url = f"/api/v1/policies/{policy.id}/changes"
    bad = {**body, "new_policyholder": {**body["new_policyholder"], "id_number": BAD_CHECK_DIGIT}}
    before = _counts(db)
    refused = client.post(url, json=bad, headers=headers)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_id_number", ID_FIELD)
    assert error["message"].startswith("新投保人的身份证号码：") and "校验码" in error["message"]
    english = client.post(f"{url}?lang=en", json=bad, headers=headers).json()["error"]
    assert english["message"].startswith("New policyholder, ID number: invalid resident ID")
    assert _counts(db) == before
    asked = client.post(url, json=body, headers=headers)
    assert asked.status_code == 201, asked.text
    shown = asked.json()["policyholder"]
    assert (shown["old"]["id"], shown["new"]["id"], shown["applied"]) == (
        setup["parent"].id,
        child.id,
        False,
    )


MOTHER_ID = resident_id(birth="19720101", seq="304")


def _to_mother(db: Session, setup: dict[str, Any], done_at: str = "2026-10-10 09:00") -> Person:
    """The parent hands the child's policy to the mother (the child stays the insured);
    done on its effective date, Oct 10. The mother is registered by the request."""
    data = _holder_change(name="钱母", id_number=MOTHER_ID, phone="13812340304")
    change = _request(db, setup, data.model_copy(update={"insured_relationship": "child"}))
    _through(db, setup, change.id, done_at)
    mother = db.get(Person, change.payload["policyholder"]["person_id"])
    assert mother is not None and setup["policy"].policyholder_id == mother.id
    return mother


def _customer_user(db: Session, person: Person) -> Principal:
    """A customer with a login of their own: what they report is entered by them."""
    user = make_user(db, username=f"cust{person.id}", roles=["customer"], person_id=person.id)
    return Principal.build(
        user_id=user.id, username=user.username, roles=["customer"], person_id=person.id
    )


def _report(db: Session, actor: Principal, policy: Policy, name: str) -> Claim:
    data = ReportIn(
        channel="app" if actor.is_customer else "hotline",
        policy_number=policy.number,
        claimant_name=name,
        loss_date=dt.date(2026, 9, 27),
        loss_place="北京",
        loss_cause="illness",
        loss_overview="门诊",
    )
    return report_claim(db, actor=actor, data=data)


# Who reads which claims after the hand-over: the old holder the one they reported
# themselves (to its decision and payment), the new holder and the insured all of them.
READERS = {
    "old holder": {"by old holder"},
    "new holder": {"by old holder", "by insured", "by hotline", "after"},
    "insured": {"by old holder", "by insured", "by hotline", "after"},
    "outsider": set(),
}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_former_holder_follows_the_claims_they_reported_and_no_other(
    db, setup, monkeypatch, reader
):
    # SPEC SEC-4 POL-2 CLM-F2: before Oct 10 the parent holds the policy and sees every
    # claim on it; after the hand-over to the mother they keep the claim they reported
    # themselves (its notice and payments are read through it), not the one the child
    # reported, nor one taken by the hotline, nor any new one. The mother (new holder) and
    # the child (insured) see all four; an outsider none.
    policy, parent, child = setup["policy"], setup["parent"], setup["child"]
    clock = FrozenClock(monkeypatch, at("2026-10-08 09:00"))
    users = {"old holder": _customer_user(db, parent), "insured": _customer_user(db, child)}
    users["outsider"] = _customer_user(db, person(db, "孙外人", "399"))
    claims_by = {
        "by old holder": _report(db, users["old holder"], policy, "钱父"),
        "by insured": _report(db, users["insured"], policy, "钱子"),
        "by hotline": _report(db, setup["agent"], policy, "钱父"),
    }
    # the holder's, all of them (the three reported so far)
    assert _visible(db, users["old holder"]) == {c.number for c in claims_by.values()}
    users["new holder"] = _customer_user(db, _to_mother(db, setup))
    clock.set("2026-10-12T10:00:00")
    claims_by["after"] = _report(db, users["insured"], policy, "钱子")
    numbers = {c.number: label for label, c in claims_by.items()}
    seen = {numbers[n] for n in _visible(db, users[reader])}
    assert seen == READERS[reader]
    for label, claim in claims_by.items():  # one claim by id: as the notice page reads it
        if label in READERS[reader]:
            assert claims.get_claim(db, actor=users[reader], claim_id=claim.id).id == claim.id
        else:
            with pytest.raises(NotFound):
                claims.get_claim(db, actor=users[reader], claim_id=claim.id)


def _visible(db: Session, actor: Principal) -> set[str]:
    """The numbers of the claims in the actor's list (the portal's, the API's)."""
    return {c.number for c in db.scalars(claims.visible_claims(actor=actor))}


# A customer reads past and future holders masked; staff read every name.
NAMES_SEEN = {
    "service agent": ("钱父", "钱母"),
    "new holder": ("钱*", "钱母"),
    "insured": ("钱*", "钱母"),
}


@pytest.mark.parametrize("viewer", sorted(NAMES_SEEN))
def test_the_holder_history_masks_former_holders_for_customers(db, setup, viewer):
    # SPEC SEC-4 POL-2: who held the policy when is shown to whoever reads the policy;
    # to a customer a former holder is no party of theirs — the family name only — while
    # the current holder and the insured, named on the policy anyway, stay in full.
    # Staff read every name (their own masking rules are for identity data, not names).
    policy, parent, child = setup["policy"], setup["parent"], setup["child"]
    mother = _to_mother(db, setup)
    readers = {
        "service agent": setup["agent"],
        "new holder": _customer(mother),
        "insured": _customer(child),
    }
    out = service.policy_out(db, policy=policy, as_of=dt.date(2026, 10, 12), viewer=readers[viewer])
    old_name, new_name = NAMES_SEEN[viewer]
    assert [(h.person_id, h.name) for h in out.policyholders] == [
        (parent.id, old_name),
        (mother.id, new_name),
    ]
    shown = out.changes[0].policyholder
    assert shown is not None and (shown.old.name, shown.new.name) == (old_name, new_name)
    assert (out.policyholder.name, out.insured.name) == ("钱母", "钱子")


def test_the_api_masks_a_former_holder_for_the_customer_reading_the_policy(db, client, setup):
    # SPEC SEC-4 POL-2 SEC-9: GET /policies/{id} as the insured child (logged in with the
    # SMS code) names the former holder 钱*; the service agent reads 钱父
    policy, child = setup["policy"], setup["child"]
    _to_mother(db, setup)
    make_user(db, username="child", roles=["customer"], person_id=child.id)
    db.commit()
    url = f"/api/v1/policies/{policy.id}"
    as_child = client.get(url, headers=login_headers(client, "child"))
    as_agent = client.get(url, headers=login_headers(client, "svc1"))
    assert as_child.status_code == as_agent.status_code == 200, as_child.text
    assert [h["name"] for h in as_child.json()["policyholders"]] == ["钱*", "钱母"]
    assert [h["name"] for h in as_agent.json()["policyholders"]] == ["钱父", "钱母"]
    assert as_child.json()["changes"][0]["policyholder"]["old"]["name"] == "钱*"
