"""变更联系方式: the policyholder's mobile, e-mail and address changed through the one
change process (request → review → approval → done, the 2-working-day clock; POL-2),
the new and the old values kept encrypted on the change (SEC-1), shown masked, applied to
the person when done, the old mobile told (GEN-5: audited without the values)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from claimdesk.audit.service import write_pending
from claimdesk.crypto.indexes import PURPOSE_PHONE
from claimdesk.crypto.keyring import blind_index
from claimdesk.errors import ClaimdeskError
from claimdesk.models.audit import AuditEntry
from claimdesk.models.clock import Clock
from claimdesk.models.job import OutboxMessage
from claimdesk.models.person import Person
from claimdesk.models.policy import PolicyChange
from claimdesk.policies import service
from claimdesk.policies.schemas import ChangeIn
from tests.builders import demo_version, issue_policy, login_headers, make_user
from tests.policies.helpers import at, person, seed_calendar, staff

OLD_PHONE = "13812340401"
NEW_PHONE = "13998765432"


@pytest.fixture
def setup(db: Session) -> dict[str, Any]:
    seed_calendar(db)
    holder = person(db, "孙投保", "401", phone=OLD_PHONE)
    insured = person(db, "孙子女", "402", birth="20000101")
    policy = issue_policy(
        db,
        version_id=demo_version(db).id,
        policyholder_id=holder.id,
        insured_id=insured.id,
        insured_relationship="child",
    )
    return {
        "policy": policy,
        "holder": holder,
        "insured": insured,
        "agent": staff(db, "svc1", "service_agent"),
        "approver": staff(db, "svc2", "service_agent"),
    }


def _change(**contact: Any) -> ChangeIn:
    return ChangeIn.model_validate(
        {
            "kind": "change",
            "description": "变更联系方式",
            "effective_date": "2026-03-02",
            "customer_consent": True,
            "customer_consent_method": "phone_recorded",
            "contact": contact,
        }
    )


def _through(db: Session, setup: dict[str, Any], change_id: int) -> PolicyChange:
    when = at("2026-03-03 09:00")
    service.review_change(
        db, actor=setup["agent"], change_id=change_id, lawful=True, note="合法", at=when
    )
    service.approve_change(db, actor=setup["approver"], change_id=change_id, at=when)
    return service.complete_change(db, actor=setup["agent"], change_id=change_id, at=when)


def _details(db: Session, action: str) -> list[dict[str, Any]]:
    write_pending(db)
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == action))
    return [json.loads(e.details) for e in entries]


def test_contact_change_runs_the_change_process_and_applies_when_done(
    db: Session, setup: dict[str, Any]
) -> None:
    # SPEC POL-2: request → review → approval → done, 2 working days, history kept
    holder = setup["holder"]
    change = service.request_change(
        db,
        actor=setup["agent"],
        policy_id=setup["policy"].id,
        data=_change(phone=NEW_PHONE, email="sun@example.com", address="北京市朝阳区建国路 1 号"),
        at=at("2026-03-02 10:00"),
    )
    assert change.payload == {"contact": ["address", "email", "phone"]}
    clock = db.scalars(
        select(Clock).where(
            Clock.subject_type == "policy_change", Clock.subject_id == str(change.id)
        )
    ).one()
    assert (clock.rule_type, clock.rule_n) == ("working_days", 2)
    # Nothing changes on the person before the change is done.
    db.refresh(holder)
    assert holder.phone == OLD_PHONE and holder.email is None
    done = _through(db, setup, change.id)
    assert done.status == "done" and done.before == {"contact": ["address", "email", "phone"]}
    db.refresh(holder)
    assert (holder.phone, holder.email) == (NEW_PHONE, "sun@example.com")
    assert holder.address == "北京市朝阳区建国路 1 号"
    # SEC-1: the phone's keyed hash follows it (the look-up by phone finds the new one).
    assert holder.phone_hash == blind_index(NEW_PHONE, PURPOSE_PHONE)
    # The history: the values replaced, on the change, encrypted.
    assert done.contact is not None and done.contact["before"]["phone"] == OLD_PHONE
    # The old mobile is told, once.
    told = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "policy.contact_changed")
    ).all()
    assert [m.recipient for m in told] == [OLD_PHONE]
    assert NEW_PHONE not in told[0].body and "139****5432" in told[0].body
    # GEN-6: kept in both languages for the portal's messages page
    assert told[0].body_en and "139****5432" in told[0].body_en
    assert "If you did not ask for this" in told[0].body_en


def test_contact_values_are_encrypted_masked_and_never_audited(
    db: Session, setup: dict[str, Any]
) -> None:
    # SPEC SEC-1 (encrypted at rest), GEN-5 (audited: who, what fields — not the values)
    change = service.request_change(
        db,
        actor=setup["agent"],
        policy_id=setup["policy"].id,
        data=_change(phone=NEW_PHONE, address="上海市浦东新区世纪大道 100 号"),
        at=at("2026-03-02 10:00"),
    )
    db.flush()
    raw = db.execute(
        text("SELECT contact, payload FROM policy_changes WHERE id = :id"), {"id": change.id}
    ).one()
    assert NEW_PHONE not in str(raw[0]) and "浦东" not in str(raw[0])
    assert NEW_PHONE not in str(raw[1])
    _through(db, setup, change.id)
    shown = service.change_out(db, change=change)
    assert shown.contact is not None
    assert shown.contact.fields == ["address", "phone"]
    assert shown.contact.new == {"phone": "139****5432", "address": "上海市浦东新****"}
    assert shown.contact.before == {"phone": "138****0401", "address": None}
    assert NEW_PHONE not in shown.model_dump_json() and OLD_PHONE not in shown.model_dump_json()
    entries = [
        *_details(db, "policy.change_request"),
        *_details(db, "policy.change_done"),
        *_details(db, "person.contact_changed"),
    ]
    assert entries and all(NEW_PHONE not in json.dumps(e, ensure_ascii=False) for e in entries)
    assert _details(db, "person.contact_changed") == [{"fields": ["address", "phone"]}]


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        ({}, "contact"),
        ({"phone": "  ", "email": ""}, "contact"),
        ({"phone": "12345"}, "contact.phone"),
        ({"email": "not-an-address"}, "contact.email"),
        ({"address": "北京"}, "contact.address"),
    ],
)
def test_bad_contact_is_refused_naming_the_field_and_nothing_written(
    db: Session, setup: dict[str, Any], contact: dict[str, str], field: str
) -> None:
    # SPEC GEN-6, POL-2
    before = db.scalar(select(func.count()).select_from(PolicyChange))
    with pytest.raises(ClaimdeskError) as refused:
        service.request_change(
            db,
            actor=setup["agent"],
            policy_id=setup["policy"].id,
            data=_change(**contact),
            at=at("2026-03-02 10:00"),
        )
    assert refused.value.field == field
    zh, en = refused.value.to_dict("zh-CN")["message"], refused.value.to_dict("en")["message"]
    assert zh != en and en
    assert db.scalar(select(func.count()).select_from(PolicyChange)) == before


def test_only_the_policyholder_changes_the_contact_details(
    db: Session, setup: dict[str, Any], client
) -> None:  # type: ignore[no-untyped-def]
    # SPEC SEC-4: the insured (a customer too) may not change the holder's details
    make_user(db, username="insured", roles=["customer"], person_id=setup["insured"].id)
    db.commit()
    body = {
        "kind": "change",
        "policy_id": setup["policy"].id,
        "channel": "web_app",
        "change": {
            "kind": "change",
            "description": "改手机",
            "effective_date": "2026-03-02",
            "customer_consent": True,
            "customer_consent_method": "online_click",
            "contact": {"phone": NEW_PHONE},
        },
    }
    refused = client.post(
        "/api/v1/service/policy-requests", json=body, headers=login_headers(client, "insured")
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["field"] == "contact"
    assert db.scalar(select(func.count()).select_from(PolicyChange)) == 0


def test_a_termination_carries_no_contact_details(db: Session, setup: dict[str, Any]) -> None:
    # SPEC POL-3, GEN-6: refused rather than dropped
    data = ChangeIn.model_validate(
        {
            "kind": "termination",
            "description": "退保",
            "effective_date": "2026-03-02",
            "customer_consent": True,
            "customer_consent_method": "written",
            "initiator": "policyholder",
            "contact": {"phone": NEW_PHONE},
        }
    )
    with pytest.raises(ClaimdeskError) as refused:
        service.request_change(db, actor=setup["agent"], policy_id=setup["policy"].id, data=data)
    assert refused.value.field == "contact"


def test_the_change_applies_to_the_holder_of_the_request(
    db: Session, setup: dict[str, Any]
) -> None:
    # SPEC POL-2: the details asked for are the requesting holder's, whoever holds later
    change = service.request_change(
        db,
        actor=setup["agent"],
        policy_id=setup["policy"].id,
        data=_change(email="sun@example.com"),
        at=at("2026-03-02 10:00"),
    )
    assert change.contact == {"person_id": setup["holder"].id, "new": {"email": "sun@example.com"}}
    _through(db, setup, change.id)
    assert db.get(Person, setup["insured"].id).email is None  # type: ignore[union-attr]
    # No mobile changed: nobody is told by SMS.
    assert not db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "policy.contact_changed")
    ).all()
