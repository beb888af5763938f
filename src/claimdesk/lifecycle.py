"""Entities with a life (GEN-5): their transition tables and the one function that moves
them.

Every status change of a policy, policy change, policy dispute, service record,
complaint, payment or payment batch goes through :func:`transition`: the entity's table
allows the move or it is refused with :class:`IllegalTransition` (409, nothing changed);
an allowed move sets the state and writes an audit entry with from/to. Claims and
security incidents have richer tables of actions (permissions, guards, clocks:
``claims.workflow``, ``security.workflow``); their tables of states are here too, and
the incident's moves are applied by this function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.models.states import (
    CallbackState,
    ClaimDisputeState,
    ClaimState,
    ComplaintState,
    FraudFlagState,
    ImprovementActionState,
    MassEventState,
    PaymentBatchState,
    PaymentState,
    PolicyChangeState,
    PolicyDisputeState,
    PolicyState,
    ProductVersionState,
    ReviewRoundState,
    SalesAgentState,
    SecurityIncidentState,
    ServiceRecordState,
)
from claimdesk.rules.transitions import IllegalTransition, Table, moves

__all__ = ["TABLES", "IllegalTransition", "Table", "transition"]

S = TypeVar("S", bound=StrEnum)

_C = ClaimState
_CLAIM_OPEN = (
    _C.REPORTED,
    _C.AWAITING_MATERIALS,
    _C.ACCEPTED,
    _C.SURVEYED,
    _C.ASSESSED,
    _C.ADJUSTED,
    _C.IN_REVIEW,
    _C.APPROVED,
    _C.REOPENED,
)
# SPEC section 3: the states a claim may reach from each (claims.workflow.MOVES names
# the actions; tests check that every action's move is one of these).
CLAIM = Table(
    "claim",
    "理赔案件",
    ClaimState,
    moves(
        {
            _C.REPORTED: (_C.AWAITING_MATERIALS, _C.ACCEPTED, _C.WITHDRAWN, _C.SUSPENDED),
            # Back where the notice found it (from reported: accepted).
            _C.AWAITING_MATERIALS: (
                _C.ACCEPTED,
                _C.SURVEYED,
                _C.ASSESSED,
                _C.WITHDRAWN,
                _C.SUSPENDED,
            ),
            # Accepted → accepted: surveyor assigned, contact recorded (clocks only).
            _C.ACCEPTED: (
                _C.ACCEPTED,
                _C.AWAITING_MATERIALS,
                _C.SURVEYED,
                _C.WITHDRAWN,
                _C.SUSPENDED,
            ),
            _C.SURVEYED: (_C.AWAITING_MATERIALS, _C.ASSESSED, _C.WITHDRAWN, _C.SUSPENDED),
            # → surveyed: the assessor re-opens the assessment (claims.workflow "reassess").
            _C.ASSESSED: (
                _C.AWAITING_MATERIALS,
                _C.SURVEYED,
                _C.ADJUSTED,
                _C.WITHDRAWN,
                _C.SUSPENDED,
            ),
            _C.ADJUSTED: (_C.SURVEYED, _C.IN_REVIEW, _C.WITHDRAWN, _C.SUSPENDED),
            # A return goes back to adjustment (CLM-V3): the state the adjuster signs in.
            _C.IN_REVIEW: (_C.APPROVED, _C.REJECTED, _C.ASSESSED, _C.SUSPENDED),
            _C.APPROVED: (_C.PAID, _C.DECIDED, _C.SUSPENDED),
            _C.PAID: (_C.CLOSED,),
            _C.REJECTED: (_C.CLOSED,),
            _C.DECIDED: (_C.CLOSED,),
            _C.CLOSED: (_C.REOPENED,),
            _C.REOPENED: (_C.ASSESSED, _C.SUSPENDED),
            # Back to the state remembered, or rejected (CLM-F1).
            _C.SUSPENDED: (*_CLAIM_OPEN, _C.REJECTED),
            _C.WITHDRAWN: (),
        }
    ),
    field="state",
)

_P = PolicyState
POLICY = Table("policy", "保单", PolicyState, moves({_P.IN_FORCE: (_P.TERMINATED,)}))

_PC = PolicyChangeState
# POL-2 / POL-3: four eyes between review and approval; rejected at any open step.
POLICY_CHANGE = Table(
    "policy_change",
    "保全申请",
    PolicyChangeState,
    moves(
        {
            _PC.REQUESTED: (_PC.REVIEWED, _PC.REJECTED),
            _PC.REVIEWED: (_PC.APPROVED, _PC.REJECTED),
            _PC.APPROVED: (_PC.DONE, _PC.REJECTED),
        }
    ),
)

_PD = PolicyDisputeState
# POL-5: negotiated to an agreement, or escalated to arbitration / court and decided.
POLICY_DISPUTE = Table(
    "policy_dispute",
    "合同纠纷",
    PolicyDisputeState,
    moves(
        {
            _PD.APPLIED: (_PD.NEGOTIATING, _PD.ARBITRATION, _PD.COURT),
            _PD.NEGOTIATING: (_PD.AGREED, _PD.ARBITRATION, _PD.COURT),
            _PD.AGREED: (_PD.CLOSED,),
            _PD.ARBITRATION: (_PD.DECIDED,),
            _PD.COURT: (_PD.DECIDED,),
            _PD.DECIDED: (_PD.CLOSED,),
        }
    ),
)

_SR = ServiceRecordState
# SVC-1 / SVC-2: a further answer may follow the first; a closed record stays closed.
SERVICE_RECORD = Table(
    "service_record",
    "服务记录",
    ServiceRecordState,
    moves(
        {
            _SR.OPEN: (_SR.ANSWERED, _SR.CLOSED),
            _SR.ANSWERED: (_SR.ANSWERED, _SR.CLOSED),
        }
    ),
)

_CP = ComplaintState
# SVC-3: acknowledged in 24 h, decided in time, then accepted or escalated, archived.
COMPLAINT = Table(
    "complaint",
    "投诉",
    ComplaintState,
    moves(
        {
            _CP.RECEIVED: (_CP.ACKNOWLEDGED, _CP.DECIDED),
            _CP.ACKNOWLEDGED: (_CP.DECIDED,),
            _CP.DECIDED: (_CP.ACCEPTED, _CP.ESCALATED, _CP.ARCHIVED),
            _CP.ACCEPTED: (_CP.ARCHIVED,),
            _CP.ESCALATED: (_CP.ARCHIVED,),
        }
    ),
)

_PM = PaymentState
# CLM-P5: exactly once: a paid payment never moves; a failed one is exported again.
PAYMENT = Table(
    "payment",
    "付款",
    PaymentState,
    moves(
        {
            # CLM-P3: a transfer goes to the bank; a cash/offline payment is handed over,
            # or cancelled by the officer when the hand-over does not happen.
            _PM.PENDING: (_PM.EXPORTED, _PM.PAID, _PM.CANCELLED),
            _PM.EXPORTED: (_PM.PAID, _PM.FAILED),
            _PM.FAILED: (_PM.EXPORTED,),
        }
    ),
)

_PB = PaymentBatchState
PAYMENT_BATCH = Table(
    "payment_batch",
    "付款批次",
    PaymentBatchState,
    moves({_PB.EXPORTED: (_PB.CONFIRMED,)}),
)

_SI = SecurityIncidentState
# SEC-7 (security.workflow adds permissions, guards and stage clocks per action).
SECURITY_INCIDENT = Table(
    "security_incident",
    "安全事件",
    SecurityIncidentState,
    moves(
        {
            _SI.REPORTED: (_SI.CONTAINED,),
            _SI.CONTAINED: (_SI.ROOT_CAUSED,),
            _SI.ROOT_CAUSED: (_SI.CORRECTED,),
            _SI.CORRECTED: (_SI.REVIEWED, _SI.ROOT_CAUSED),
        }
    ),
    field="state",
)

_CD = ClaimDisputeState
# CLM-Z3: a step of the path may follow another (re-review, then mediation ...).
CLAIM_DISPUTE = Table(
    "claim_dispute",
    "理赔争议",
    ClaimDisputeState,
    moves(
        {
            _CD.OPEN: (_CD.ANSWERED,),
            _CD.ANSWERED: (_CD.IN_PROGRESS, _CD.RESOLVED),
            _CD.IN_PROGRESS: (_CD.IN_PROGRESS, _CD.RESOLVED),
        }
    ),
)

FRAUD_FLAG = Table(
    "fraud_flag",
    "欺诈标记",
    FraudFlagState,
    moves({FraudFlagState.OPEN: (FraudFlagState.CLEARED, FraudFlagState.CONFIRMED)}),
)

CALLBACK = Table(
    "callback",
    "回访",
    CallbackState,
    moves({CallbackState.OPEN: (CallbackState.DONE,)}),
)

MASS_EVENT = Table(
    "mass_event",
    "群体性事件",
    MassEventState,
    moves({MassEventState.ACTIVE: (MassEventState.CLOSED,)}),
)

_RR = ReviewRoundState
REVIEW_ROUND = Table(
    "review_round",
    "核赔轮次",
    ReviewRoundState,
    moves({_RR.OPEN: (_RR.APPROVED, _RR.REJECTED, _RR.RETURNED)}),
)

_SA = SalesAgentState
SALES_AGENT = Table(
    "sales_agent",
    "销售人员",
    SalesAgentState,
    moves({_SA.ACTIVE: (_SA.SUSPENDED,), _SA.SUSPENDED: (_SA.ACTIVE,)}),
)

IMPROVEMENT_ACTION = Table(
    "improvement_action",
    "整改措施",
    ImprovementActionState,
    moves({ImprovementActionState.OPEN: (ImprovementActionState.DONE,)}),
)

PRODUCT_VERSION = Table(
    "product_version",
    "产品版本",
    ProductVersionState,
    moves(
        {
            ProductVersionState.DRAFT: (ProductVersionState.PUBLISHED,),
            ProductVersionState.PUBLISHED: (ProductVersionState.RETIRED,),
        }
    ),
)

TABLES: tuple[Table[Any], ...] = (
    CLAIM,
    CLAIM_DISPUTE,
    FRAUD_FLAG,
    CALLBACK,
    MASS_EVENT,
    POLICY,
    POLICY_CHANGE,
    POLICY_DISPUTE,
    SERVICE_RECORD,
    COMPLAINT,
    PAYMENT,
    PAYMENT_BATCH,
    PRODUCT_VERSION,
    REVIEW_ROUND,
    SALES_AGENT,
    IMPROVEMENT_ACTION,
    SECURITY_INCIDENT,
)


class _Entity(Protocol):
    id: Any


def transition(
    session: Session,
    *,
    entity: _Entity,
    table: Table[S],
    to: str,
    actor: Principal,
    reason: str | None = None,
    at: dt.datetime | None = None,
    action: str | None = None,
    details: Mapping[str, object] | None = None,
    audit_as: tuple[str, int] | None = None,
) -> S:
    """Move ``entity`` to ``to`` if its table allows it, or refuse (409, nothing changed).

    The audit entry is ``<entity>.<to>`` unless ``action`` names the step; ``audit_as``
    files it under another record when the step is the owner's (a policy change done is
    an entry of the policy)."""
    source = getattr(entity, table.field)
    target = table.check(source, to)
    setattr(entity, table.field, target)
    session.flush()
    entity_type, entity_id = audit_as or (table.entity, entity.id)
    # Filed under another record, from/to are named after the entity: a claim's timeline
    # reads "from"/"to" as the claim's own move.
    prefix = f"{table.entity}_" if audit_as else ""
    record(
        session,
        actor=actor,
        action=action or f"{table.entity}.{target.value}",
        entity_type=entity_type,
        entity_id=entity_id,
        reason=reason,
        at=at,
        details={
            f"{prefix}from": str(source),
            f"{prefix}to": target.value,
            **(details or {}),
        },
    )
    return target
