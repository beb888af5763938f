"""变更投保人 — a change (批改, POL-2) that gives the policy a new policyholder.

It runs the one change process (request → review → approval → done, service.py); this
module holds what only a change of holder does:

* the request: the policy must be in force and not lapsed; the current holder's consent
  (the change's ``customer_consent``) and the new holder's are both required and both
  recorded on the change; the new holder's resident ID is checked as at issue (POL-1:
  GB 11643 check digit, a real birth date) and they are found by its keyed hash or
  registered, encrypted as every person (SEC-1, SEC-6);
* the application: when the change is done the policy names the new holder from the
  effective date — at once when that date has come, else a job switches it on that
  day (``policies.policyholder_switch``). Customers' access follows the policy's
  holder (policies.repository.scoped, SEC-4), so it moves on that date too;
* the history: every done change of holder keeps the holder it replaced (``before``),
  from which ``holder_history`` tells who held the policy when, and the instant the
  policy began naming the new holder (``switched_at``, NULL until then).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from claimdesk import timeutil
from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.jobs.queue import enqueue
from claimdesk.models.person import Person
from claimdesk.models.policy import Policy, PolicyChange
from claimdesk.people import service as people
from claimdesk.people.schemas import ConsentIn
from claimdesk.policies import repository
from claimdesk.policies.errors import (
    CurrentHolderConsentMissing,
    NewHolderConsentMissing,
    PolicyholderChangeOnEndedPolicy,
    PolicyholderChangePending,
    SamePolicyholder,
    UnsupportedIdType,
)
from claimdesk.policies.schemas import (
    ChangeIn,
    HolderChangeOut,
    HolderPeriodOut,
    NewPolicyholderIn,
    PartyOut,
)
from claimdesk.rules.identity import mask_name, validate_mobile, validate_resident_id

FIELD = "new_policyholder"
SWITCH_KIND = "policies.policyholder_switch"
OPEN = ("requested", "reviewed", "approved")
# What the new holder agrees to (SEC-6): their identity and contact, for policy service.
CONSENT_SCOPE = ["identity", "contact"]


def is_holder_change(change: PolicyChange) -> bool:
    return change.kind == "change" and "policyholder" in change.payload


def check_request(session: Session, policy: Policy, data: ChangeIn, today: dt.date) -> None:
    """Refusals that depend on the policy and the consents, before any person is read."""
    if policy.status != "in_force" or policy.terminated_on is not None or policy.period_end < today:
        status = policy.status if policy.status != "in_force" else "expired"
        raise PolicyholderChangeOnEndedPolicy(number=policy.number, status=status)
    refuse_while_pending(session, policy, today)
    new = data.new_policyholder
    assert new is not None
    if not data.customer_consent:
        raise CurrentHolderConsentMissing(field="customer_consent")
    if not new.consent:
        raise NewHolderConsentMissing(field=f"{FIELD}.consent")
    if new.consent_method is None:
        raise NewHolderConsentMissing(field=f"{FIELD}.consent_method")


def refuse_while_pending(session: Session, policy: Policy, today: dt.date) -> None:
    """One change of holder at a time: none while another is open, or done and not yet
    in effect — nor a change of the relationship, which is the holder's."""
    for change in repository.changes_of(session, policy_id=policy.id):
        if is_holder_change(change) and (
            change.status in OPEN or (change.status == "done" and change.effective_date > today)
        ):
            raise PolicyholderChangePending(number=policy.number, change_id=change.id)


def verified_document(data: NewPolicyholderIn, today: dt.date) -> tuple[str, str]:
    """The new holder's resident ID and mobile, checked as at issue (POL-1), each error
    naming its field; (normalised number, normalised mobile)."""
    if data.id_type != "resident_id":
        raise UnsupportedIdType(field=f"{FIELD}.id_type", value=data.id_type)
    number = validate_resident_id(data.id_number, field=f"{FIELD}.id_number", today=today).number
    return number, validate_mobile(data.phone, field=f"{FIELD}.phone")


def known_holder(session: Session, policy: Policy, number: str) -> int | None:
    """The person already registered with this number (None: a new person); refused
    when it is the current holder. Nothing is written."""
    known = people.person_id_for_document(session, id_number=number)
    if known == policy.policyholder_id:
        raise SamePolicyholder(field=f"{FIELD}.id_number")
    return known


def register(
    session: Session, *, actor: Principal, data: NewPolicyholderIn, number: str, phone: str
) -> Person:
    """The new holder found or registered with their consent (SEC-6), and their
    identity check audited as at issue."""
    assert data.consent_method is not None  # check_request
    consent = ConsentIn(purpose="policy_service", scope=CONSENT_SCOPE, method=data.consent_method)
    person = people.person_for_document(
        session,
        actor=actor,
        name=data.name,
        id_number=number,
        phone=phone,
        consent=consent,
        field=FIELD,
    )
    reason = "change of policyholder (POL-1, POL-2)"
    people.record_identity_verified(session, actor=actor, person_id=person.id, reason=reason)
    return person


def request_payload(policy: Policy, person: Person, data: ChangeIn) -> dict[str, Any]:
    """The change's record of who takes over and of both consents (POL-2): ids and
    methods only, the personal data stays encrypted on the people."""
    assert data.new_policyholder is not None
    return {
        "person_id": person.id,
        "from_person_id": policy.policyholder_id,
        "consents": {
            "current": {
                "person_id": policy.policyholder_id,
                "method": data.customer_consent_method,
            },
            "new": {"person_id": person.id, "method": data.new_policyholder.consent_method},
        },
    }


def audit_names(session: Session, old_id: int, new_id: int) -> dict[str, Any]:
    """Old and new holder for an audit entry: ids and the ID number's last four, as the
    audit names people elsewhere (never the data itself)."""
    return {"policyholder": {"before": _party(session, old_id), "after": _party(session, new_id)}}


def _party(session: Session, person_id: int) -> dict[str, Any]:
    person = session.get(Person, person_id)
    return {"person_id": person_id, "id_number_last4": person.id_number_last4 if person else None}


def apply_when_due(
    session: Session, *, actor: Principal, policy: Policy, change: PolicyChange, now: dt.datetime
) -> dict[str, Any]:
    """At completion: the holder switches now when the effective date has come, else a
    job switches it on that day. Returns the change's ``before``."""
    if change.effective_date <= timeutil.local_date(now):
        return switch(session, actor=actor, policy=policy, change=change, at=now)
    enqueue(
        session,
        kind=SWITCH_KIND,
        payload={"change_id": change.id},
        run_at=dt.datetime.combine(change.effective_date, dt.time(), timeutil.local_zone()),
        dedupe_key=f"policyholder-switch:{change.id}",
    )
    return {"policyholder_id": policy.policyholder_id}


def switch(
    session: Session, *, actor: Principal, policy: Policy, change: PolicyChange, at: dt.datetime
) -> dict[str, Any]:
    """The policy names the new holder, and the insured's relation to them; the values
    replaced are returned (the change's ``before``) and the switch is audited."""
    new_id = int(change.payload["policyholder"]["person_id"])
    before = {
        "policyholder_id": policy.policyholder_id,
        "insured_relationship": policy.insured_relationship,
    }
    names = audit_names(session, policy.policyholder_id, new_id)
    policy.policyholder_id = new_id
    policy.insured_relationship = change.payload["insured_relationship"]
    change.switched_at = at
    session.flush()
    record(
        session,
        actor=actor,
        action="policy.policyholder_switch",
        entity_type="policy",
        entity_id=policy.id,
        at=at,
        details={
            "change_id": change.id,
            "effective_date": str(change.effective_date),
            **names,
        },
    )
    return before


def switch_due(session: Session, *, change_id: int, now: dt.datetime) -> bool:
    """The job of a change done before its effective date: switch the holder unless the
    policy ended first (terminated on or before that date) or it switched already."""
    actor = Principal.system(SWITCH_KIND)
    change = repository.get_change(session, actor=actor, change_id=change_id, for_update=True)
    policy = repository.get_policy(
        session, actor=actor, policy_id=change.policy_id, for_update=True
    )
    before = change.before or {}
    if change.status != "done" or switched(change):
        return False
    if _ended_first(policy, change):
        return _skipped(session, actor, change, reason="policy_ended_first", at=now)
    if policy.policyholder_id != before.get("policyholder_id"):
        return _skipped(session, actor, change, reason="policyholder_changed", at=now)
    change.before = {**before, **switch(session, actor=actor, policy=policy, change=change, at=now)}
    return True


def _skipped(
    session: Session, actor: Principal, change: PolicyChange, *, reason: str, at: dt.datetime
) -> bool:
    """A switch the job decided not to make, audited with why (GEN-5): staff see why a
    done change never named its new holder."""
    record(
        session,
        actor=actor,
        action="policy.policyholder_switch_skipped",
        entity_type="policy",
        entity_id=change.policy_id,
        at=at,
        details={"change_id": change.id, "reason": reason},
    )
    return False


def switched(change: PolicyChange) -> bool:
    """Whether the change's switch has run (its instant is recorded): a second run of
    the job finds it and does nothing."""
    return change.switched_at is not None


def _ended_first(policy: Policy, change: PolicyChange) -> bool:
    """The policy was terminated on or before the change's effective date."""
    return policy.terminated_on is not None and policy.terminated_on <= change.effective_date


def _takes_effect(policy: Policy, change: PolicyChange) -> bool:
    """A done change of holder that switched, or will: not one whose policy ended first."""
    if not is_holder_change(change) or change.status != "done":
        return False
    return switched(change) or not _ended_first(policy, change)


def named_in_full(viewer: Principal | None, policy: Policy) -> frozenset[int] | None:
    """Whose names the viewer reads in full in the holder history and the changes
    (None: everyone's). Staff read them as they read every name. A customer (SEC-4) their
    own, and the policy's current holder's and insured's, which the policy shows them
    anyway; a past or future holder is no party of theirs: masked (钱*)."""
    if viewer is None or not viewer.is_customer:
        return None
    return frozenset(p for p in (viewer.person_id, policy.policyholder_id, policy.insured_id) if p)


def _names(session: Session, person_ids: set[int], full: frozenset[int] | None) -> dict[int, str]:
    names = repository.names_of(session, person_ids=person_ids)
    if full is None:
        return names
    return {pid: name if pid in full else mask_name(name) for pid, name in names.items()}


def holder_history(
    session: Session,
    policy: Policy,
    changes: list[PolicyChange],
    *,
    full: frozenset[int] | None = None,
) -> list[HolderPeriodOut]:
    """Who held the policy when, from its ``changes``: the first holder from the term's
    start, then each done change of holder from its effective date (the last one may lie
    ahead); names masked but those in ``full`` (named_in_full)."""
    done = [c for c in changes if _takes_effect(policy, c)]
    done.sort(key=lambda c: (c.effective_date, c.id))
    first = (
        int(done[0].payload["policyholder"]["from_person_id"]) if done else policy.policyholder_id
    )
    periods: list[tuple[int, dt.date]] = [(first, policy.period_start)]
    periods += [(int(c.payload["policyholder"]["person_id"]), c.effective_date) for c in done]
    names = _names(session, {person_id for person_id, _ in periods}, full)
    return [
        HolderPeriodOut(
            person_id=person_id,
            name=names.get(person_id, ""),
            held_from=start,
            held_until=periods[i + 1][1] if i + 1 < len(periods) else None,
        )
        for i, (person_id, start) in enumerate(periods)
    ]


def change_parties(
    session: Session, change: PolicyChange, *, full: frozenset[int] | None = None
) -> HolderChangeOut | None:
    """Old → new holder of a change of holder (None for any other change): the holder
    it replaced once switched, the holder when it was requested before; names masked
    but those in ``full`` (named_in_full)."""
    if not is_holder_change(change):
        return None
    asked = change.payload["policyholder"]
    before = change.before or {}
    old_id = int(before.get("policyholder_id", asked["from_person_id"]))
    new_id = int(asked["person_id"])
    names = _names(session, {old_id, new_id}, full)
    return HolderChangeOut(
        old=PartyOut(id=old_id, name=names.get(old_id, "")),
        new=PartyOut(id=new_id, name=names.get(new_id, "")),
        applied=switched(change),
        switched_at=change.switched_at,
    )
