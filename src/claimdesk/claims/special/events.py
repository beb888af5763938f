"""Mass events (群体性理赔, SPEC CLM-Z2).

An event (earthquake, flood, accident …) groups its claims and has a special team. Its
claims take the green channel:

* simplified materials — the event names the checklist items that may come later; on
  an event claim they are *deferred*, not missing, so acceptance does not wait for them
  (``deferred_codes`` is read by ``claims.acceptance.missing_codes``);
* priority — the work queue puts event claims first, small losses (≤ the event's
  amount) before the others (``queue_priority`` is used by ``claims.repository.queue``);
* a public guide per event, readable without logging in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimdesk import lifecycle
from claimdesk.audit.service import record
from claimdesk.auth import repository as users
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.claims.repository import materials_of
from claimdesk.claims.special import repository
from claimdesk.errors import Conflict, ValidationFailed
from claimdesk.models.claim import Claim
from claimdesk.models.event import MassEvent, MassEventClaim, MassEventMember, MaterialDeferral
from claimdesk.models.user import User
from claimdesk.paging import PageRequest, Slice
from claimdesk.products.coverage_types import MATERIALS

EVENT_TYPES = ("earthquake", "flood", "typhoon", "fire", "accident", "other")


class UnknownMaterialCode(ValidationFailed):
    code = "unknown_material_code"
    message_zh = "{field}：未知的材料代码 {value}"
    message_en = "{field}: unknown material code {value}"


class EventDatesOutOfOrder(ValidationFailed):
    code = "event_dates_out_of_order"
    message_zh = "{field}：结束日期不能早于开始日期"
    message_en = "{field}: the end date may not be before the start date"


class EventClosed(Conflict):
    code = "event_closed"
    message_zh = "群体性事件“{name}”已关闭，不能再归集案件"
    message_en = 'The mass event "{name}" is closed; no more claims can be added'


class ClaimAlreadyInEvent(Conflict):
    code = "claim_already_in_event"
    message_zh = "该案件已归入群体性事件 {event_id}"
    message_en = "The claim already belongs to mass event {event_id}"


class LossOutsideEvent(ValidationFailed):
    code = "loss_outside_event"
    message_zh = "出险日期 {loss_date} 不在事件期间（{starts_on} 起）内"
    message_en = "The date of loss {loss_date} is outside the event's dates (from {starts_on})"


class NotActiveStaff(ValidationFailed):
    code = "not_active_staff"
    message_zh = "{field}：须为在职员工"
    message_en = "{field}: must be an active staff member"


def _check_materials(codes: list[str], field: str) -> list[str]:
    for index, code in enumerate(codes):
        if code not in MATERIALS:
            raise UnknownMaterialCode(field=f"{field}.{index}", value=code)
    return list(dict.fromkeys(codes))


def create_event(
    session: Session,
    *,
    actor: Principal,
    name: str,
    event_type: str,
    region: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    deferrable_materials: list[str],
    small_loss_amount: Decimal,
    guide_zh: str,
    guide_en: str,
    hotline: str | None = None,
) -> MassEvent:
    if ends_on is not None and ends_on < starts_on:
        raise EventDatesOutOfOrder(field="ends_on")
    event = MassEvent(
        name=name,
        event_type=event_type,
        region=region,
        starts_on=starts_on,
        ends_on=ends_on,
        status="active",
        deferrable_materials=_check_materials(deferrable_materials, "deferrable_materials"),
        small_loss_amount=small_loss_amount,
        guide_zh=guide_zh,
        guide_en=guide_en,
        hotline=hotline,
        created_by_id=actor.user_id,
    )
    session.add(event)
    session.flush()
    record(
        session,
        actor=actor,
        action="mass_event.created",
        entity_type="mass_event",
        entity_id=event.id,
        details={
            "name": name,
            "type": event_type,
            "deferrable": event.deferrable_materials,
            "small_loss_amount": str(small_loss_amount),
        },
    )
    return event


def add_member(
    session: Session, *, actor: Principal, event: MassEvent, user_id: int, duty: str | None
) -> MassEventMember:
    user = session.get(User, user_id)
    if user is None or not user.is_active or not users.holds_role(session, user_id=user_id):
        raise NotActiveStaff(field="user_id")
    existing = repository.member(session, event_id=event.id, user_id=user_id)
    if existing is not None:
        return existing
    member = MassEventMember(event_id=event.id, user_id=user_id, duty=duty, added_at=timeutil.now())
    session.add(member)
    session.flush()
    record(
        session,
        actor=actor,
        action="mass_event.member_added",
        entity_type="mass_event",
        entity_id=event.id,
        details={"user_id": user_id, "duty": duty},
    )
    return member


def close_event(session: Session, *, actor: Principal, event: MassEvent, reason: str) -> MassEvent:
    event.closed_at = timeutil.now()
    # CLM-Z2: a closed event stays closed (a second close is a 409).
    lifecycle.transition(
        session, entity=event, table=lifecycle.MASS_EVENT, to="closed", actor=actor, reason=reason
    )
    return event


def link_claim(
    session: Session, *, actor: Principal, event: MassEvent, claim: Claim
) -> MassEventClaim:
    """Group a claim under the event and open the green channel for it: the event's
    deferrable items not yet in are marked deferred (recorded, with the event)."""
    if event.status != "active":
        raise EventClosed(name=event.name)
    existing = repository.link_of(session, claim_id=claim.id)
    if existing is not None:
        raise ClaimAlreadyInEvent(event_id=existing.event_id)
    if claim.loss_date < event.starts_on or (event.ends_on and claim.loss_date > event.ends_on):
        raise LossOutsideEvent(
            field="claim_id",
            loss_date=claim.loss_date.isoformat(),
            starts_on=event.starts_on.isoformat(),
        )
    at = timeutil.now()
    small = claim.estimated_amount is not None and claim.estimated_amount <= event.small_loss_amount
    link = MassEventClaim(
        event_id=event.id,
        claim_id=claim.id,
        small_loss=small,
        linked_at=at,
        linked_by_id=actor.user_id,
    )
    session.add(link)
    deferred = []
    for material in materials_of(session, claim_id=claim.id):
        if material.code in event.deferrable_materials and not material.received:
            session.add(
                MaterialDeferral(
                    claim_id=claim.id, code=material.code, event_id=event.id, deferred_at=at
                )
            )
            deferred.append(material.code)
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.event_linked",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={"event_id": event.id, "small_loss": small, "deferred": deferred},
    )
    return link


def checklist(session: Session, claim: Claim) -> list[dict[str, Any]]:
    """Each item as received, deferred (green channel: may come later) or missing."""
    deferred = repository.deferred_codes(session, claim=claim)
    items = []
    for material in materials_of(session, claim_id=claim.id):
        if material.received:
            status = "received"
        elif material.code in deferred:
            status = "deferred"
        else:
            status = "missing"
        zh, en = MATERIALS.get(material.code, (material.code, material.code))
        items.append({"code": material.code, "label_zh": zh, "label_en": en, "status": status})
    return items


def public_guide(session: Session, event_id: int) -> dict[str, Any]:
    """What the public may read about an event: no claim, person or staff data."""
    event = repository.get_event(session, event_id=event_id)
    return {
        "id": event.id,
        "name": event.name,
        "event_type": event.event_type,
        "region": event.region,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "status": event.status,
        "hotline": event.hotline,
        "guide_zh": event.guide_zh,
        "guide_en": event.guide_en,
        "small_loss_amount": event.small_loss_amount,
        "materials_later": [
            {"code": c, "label_zh": MATERIALS[c][0], "label_en": MATERIALS[c][1]}
            for c in event.deferrable_materials
            if c in MATERIALS
        ],
    }


def link_of(session: Session, claim_id: int) -> MassEventClaim | None:
    """The claim's place in a mass event (its green channel), or None."""
    return repository.link_of(session, claim_id=claim_id)


# -- what the mass event pages read (they call the domain, not its repository) -----------


def get_event(session: Session, event_id: int, *, for_update: bool = False) -> MassEvent:
    """The event (locked ``FOR UPDATE`` when a form changes it); ``NotFound`` naming
    event_id."""
    return repository.get_event(session, event_id=event_id, for_update=for_update)


def events_page(session: Session, request: PageRequest) -> Slice[MassEvent]:
    """Every mass event, the latest first (a page of them, with the total)."""
    return repository.events_page(session, request=request)


def members_of(session: Session, event_id: int) -> list[MassEventMember]:
    """The event's special team."""
    return repository.members_of(session, event_id=event_id)


def event_claims(
    session: Session, event_id: int, *, actor: Principal
) -> list[tuple[MassEventClaim, Claim]]:
    """The event's claims ``actor`` may see (row-filtered, CLM-F2), small losses first."""
    return repository.event_claims(session, event_id=event_id, actor=actor)


def active_events(session: Session) -> list[MassEvent]:
    """The events still open, to which a claim can be linked."""
    return repository.active_events(session)
