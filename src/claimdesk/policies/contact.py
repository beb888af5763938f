"""变更联系方式 — a change (批改, POL-2) of the policyholder's contact details: mobile,
e-mail, address.

It runs the one change process (request → review → approval → done, service.py, with
the 2-working-day clock); this module holds what only a change of contact does:

* the request: at least one new value, each checked (a mainland mobile, an e-mail
  address, a full address), each refusal naming its field (``contact.phone`` ...). The
  details are the policyholder's: a customer asks only on a policy they hold (SEC-4);
  they are the holder of the day of the request, and stay theirs should the holder
  change later;
* the record: the new values — personal data (SEC-1) — are kept encrypted in the
  change's ``contact`` document (EncryptedJSON), never in its plain ``payload``, which
  names the fields only (``{"contact": ["address", "phone"]}``), nor in the audit trail;
* the application: when the change is done, the person's details are replaced
  (people.change_contact, the phone's keyed hash with it), the values replaced kept in
  the same encrypted document (the history), and the old mobile is told by SMS — a
  change nobody asked for is then noticed. Like a change of beneficiaries, it applies
  when the change is done; the person's details are the same on all their policies.
* the view: masked for everyone (138****5678, z***@example.com, 北京市朝阳区****).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.jobs.outbox import queue_customer_message
from claimdesk.models.policy import Policy, PolicyChange
from claimdesk.people import service as people
from claimdesk.policies.errors import (
    AddressTooShort,
    ContactChangeEmpty,
    ContactNotPolicyholder,
    ContactWithHolderChange,
    InvalidEmail,
)
from claimdesk.policies.schemas import ChangeIn, ContactChangeOut
from claimdesk.rules.identity import is_email, mask_phone, validate_mobile

FIELD = "contact"
# An address names at least a city and a street: shorter is a typing slip.
ADDRESS_MIN = 6


def is_contact_change(change: PolicyChange) -> bool:
    return change.kind == "change" and FIELD in change.payload


def checked(actor: Principal, policy: Policy, data: ChangeIn) -> dict[str, str]:
    """The new values, normalised, or the refusal naming the field. Nothing is written."""
    assert data.contact is not None
    if actor.is_customer and actor.person_id != policy.policyholder_id:
        raise ContactNotPolicyholder(field=FIELD)
    if data.new_policyholder is not None:
        raise ContactWithHolderChange(field=FIELD)
    given = data.contact
    new: dict[str, str] = {}
    if given.phone and given.phone.strip():
        new["phone"] = validate_mobile(given.phone, field=f"{FIELD}.phone")
    if given.email and given.email.strip():
        email = given.email.strip()
        if not is_email(email):
            raise InvalidEmail(field=f"{FIELD}.email")
        new["email"] = email
    if given.address and given.address.strip():
        address = " ".join(given.address.split())
        if len(address) < ADDRESS_MIN:
            raise AddressTooShort(field=f"{FIELD}.address")
        new["address"] = address
    if not new:
        raise ContactChangeEmpty(field=FIELD)
    return new


def request_document(policy: Policy, new: dict[str, str]) -> dict[str, Any]:
    """The change's encrypted ``contact`` document at the request: whose, and what."""
    return {"person_id": policy.policyholder_id, "new": new}


def apply(
    session: Session, *, actor: Principal, policy: Policy, change: PolicyChange
) -> dict[str, Any]:
    """At completion: the person's details replaced, the values replaced kept in the
    encrypted document, the old mobile told. Returns the change's ``before`` part (the
    fields only)."""
    document = dict(change.contact or {})
    new: dict[str, str] = dict(document.get("new", {}))
    person_id = int(document["person_id"])
    replaced = people.change_contact(
        session,
        actor=actor,
        person_id=person_id,
        values=new,
        reason=f"policy change #{change.id} (POL-2)",
    )
    change.contact = {**document, "before": replaced}
    old_phone = replaced.get("phone")
    if old_phone and old_phone != new.get("phone", old_phone):
        masked = mask_phone(new["phone"])
        # Both languages kept (GEN-6): sent in the person's, shown in the portal's.
        queue_customer_message(
            session,
            bodies={
                "zh-CN": (
                    f"您在保单 {policy.number} 登记的手机号已变更为 {masked}。"
                    "如非本人申请，请立即致电客服。"
                ),
                "en": (
                    f"The mobile number registered on policy {policy.number} was changed to "
                    f"{masked}. If you did not ask for this, call customer service at once."
                ),
            },
            channel="sms",
            recipient=old_phone,
            template="policy.contact_changed",
            body="",
            person_id=person_id,
            dedupe_key=f"policy-contact-changed:{change.id}",
            related_type="policy_change",
            related_id=str(change.id),
        )
    return {FIELD: sorted(new)}


def mask_email(value: str) -> str:
    """``z***@example.com``."""
    name, _, domain = value.partition("@")
    return f"{name[:1]}***@{domain}"


def mask_address(value: str) -> str:
    """The first six characters (province, city) kept: ``北京市朝阳区****``."""
    return value[:ADDRESS_MIN] + "****"


def _masked(values: dict[str, Any]) -> dict[str, str | None]:
    shown: dict[str, str | None] = {}
    for field, value in values.items():
        if not value:
            shown[field] = None
        elif field == "phone":
            shown[field] = mask_phone(str(value))
        elif field == "email":
            shown[field] = mask_email(str(value))
        else:
            shown[field] = mask_address(str(value))
    return shown


def contact_out(change: PolicyChange) -> ContactChangeOut | None:
    """The change of contact as shown, masked (None for any other change)."""
    if not is_contact_change(change) or not change.contact:
        return None
    document = change.contact
    new = {k: v for k, v in _masked(document.get("new", {})).items() if v is not None}
    before = document.get("before")
    return ContactChangeOut(
        person_id=int(document["person_id"]),
        fields=sorted(document.get("new", {})),
        new=new,
        before=None if before is None else _masked(before),
    )
