"""ORM models, one module per aggregate. Importing this package registers them all."""

from claimdesk.models.audit import AuditChainHead, AuditEntry
from claimdesk.models.base import Base
from claimdesk.models.calendar import CalendarDay, CalendarYear
from claimdesk.models.claim import (
    AdjustmentResult,
    Assessment,
    AssessmentItem,
    Claim,
    ClaimSequence,
    ClaimTransition,
    FraudFlag,
    Material,
    MaterialFile,
    MissingMaterialsNotice,
    Reserve,
    ReserveChange,
    SurveyAssignment,
    SurveyReport,
)
from claimdesk.models.clock import Clock, ClockPause
from claimdesk.models.event import (
    ClaimDispute,
    ClaimDisputeStep,
    MassEvent,
    MassEventClaim,
    MassEventMember,
    MaterialDeferral,
    MaterialMailing,
    RemoteClaim,
)
from claimdesk.models.job import Job, OutboxMessage
from claimdesk.models.org import OrgUnit
from claimdesk.models.payment import (
    ArchiveRecord,
    Callback,
    PayeeAuthorisation,
    Payment,
    PaymentAttempt,
    PaymentBatch,
    Recovery,
)
from claimdesk.models.person import BankAccount, Consent, Person
from claimdesk.models.policy import Policy, PolicyBeneficiary, PolicyChange, PolicyDispute
from claimdesk.models.product import Coverage, Product, ProductVersion
from claimdesk.models.review import RejectionNotice, ReviewDecision, ReviewRound
from claimdesk.models.user import AuthSession, LoginThrottle, User, UserRole

__all__ = [
    "ArchiveRecord",
    "Callback",
    "PayeeAuthorisation",
    "Payment",
    "PaymentAttempt",
    "PaymentBatch",
    "Recovery",
    "RejectionNotice",
    "ReviewDecision",
    "ReviewRound",
    "ClaimDispute",
    "ClaimDisputeStep",
    "MassEvent",
    "MassEventClaim",
    "MassEventMember",
    "MaterialDeferral",
    "MaterialMailing",
    "RemoteClaim",
    "AdjustmentResult",
    "Assessment",
    "AssessmentItem",
    "Claim",
    "ClaimSequence",
    "ClaimTransition",
    "FraudFlag",
    "Material",
    "MaterialFile",
    "MissingMaterialsNotice",
    "Reserve",
    "ReserveChange",
    "SurveyAssignment",
    "SurveyReport",
    "AuditChainHead",
    "AuditEntry",
    "AuthSession",
    "BankAccount",
    "Base",
    "CalendarDay",
    "CalendarYear",
    "Clock",
    "ClockPause",
    "Consent",
    "Coverage",
    "Job",
    "LoginThrottle",
    "OrgUnit",
    "OutboxMessage",
    "Person",
    "Policy",
    "PolicyBeneficiary",
    "PolicyChange",
    "PolicyDispute",
    "Product",
    "ProductVersion",
    "User",
    "UserRole",
]
