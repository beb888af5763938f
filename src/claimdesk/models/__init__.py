"""ORM models, one module per aggregate. Importing this package registers them all."""

from claimdesk.models.audit import AuditChainHead, AuditEntry
from claimdesk.models.automatic import AutomaticDecision, AutomaticRuleSet, SampleVerdict
from claimdesk.models.base import Base
from claimdesk.models.bill import Bill, BillLine
from claimdesk.models.calendar import CalendarDay, CalendarYear
from claimdesk.models.check import CheckConfigVersion, CheckHit
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
from claimdesk.models.idempotency import IdempotencyKey
from claimdesk.models.job import Job, OutboxMessage
from claimdesk.models.note import ClaimNote
from claimdesk.models.org import OrgUnit
from claimdesk.models.payment import (
    ArchiveRecord,
    Callback,
    PayeeAuthorisation,
    Payment,
    PaymentAnswerConflict,
    PaymentAttempt,
    PaymentBatch,
    Recovery,
)
from claimdesk.models.person import BankAccount, Consent, Person
from claimdesk.models.policy import Policy, PolicyBeneficiary, PolicyChange, PolicyDispute
from claimdesk.models.product import Coverage, Product, ProductVersion
from claimdesk.models.review import (
    DecisionNotice,
    RejectionNotice,
    ReviewDecision,
    ReviewRound,
)
from claimdesk.models.sales import (
    AgentAssessment,
    EvaluationFinding,
    ImprovementAction,
    SalesAgent,
    SalesChannel,
    SalesEvaluation,
    SalesOrganisation,
    TrainingRecord,
)
from claimdesk.models.security_incident import (
    SecurityIncident,
    SecurityIncidentContainmentAction,
    SecurityIncidentCorrectiveAction,
    SecurityIncidentSequence,
    SecurityIncidentTimeLimit,
    SecurityIncidentTransition,
)
from claimdesk.models.service import (
    Complaint,
    ComplaintNote,
    ComplaintSequence,
    SatisfactionSurvey,
    ServiceDeskSupervisor,
    ServiceRecord,
)
from claimdesk.models.threshold import ClaimThresholdVersion
from claimdesk.models.user import AuthSession, LoginThrottle, User, UserRole

__all__ = [
    "AdjustmentResult",
    "AgentAssessment",
    "ArchiveRecord",
    "Assessment",
    "AssessmentItem",
    "AuditChainHead",
    "AuditEntry",
    "AuthSession",
    "AutomaticDecision",
    "AutomaticRuleSet",
    "BankAccount",
    "Base",
    "Bill",
    "BillLine",
    "CalendarDay",
    "CalendarYear",
    "Callback",
    "CheckConfigVersion",
    "CheckHit",
    "Claim",
    "ClaimDispute",
    "ClaimDisputeStep",
    "ClaimNote",
    "ClaimSequence",
    "ClaimThresholdVersion",
    "ClaimTransition",
    "Clock",
    "ClockPause",
    "Complaint",
    "ComplaintNote",
    "ComplaintSequence",
    "Consent",
    "Coverage",
    "DecisionNotice",
    "EvaluationFinding",
    "FraudFlag",
    "IdempotencyKey",
    "ImprovementAction",
    "Job",
    "LoginThrottle",
    "MassEvent",
    "MassEventClaim",
    "MassEventMember",
    "Material",
    "MaterialDeferral",
    "MaterialFile",
    "MaterialMailing",
    "MissingMaterialsNotice",
    "OrgUnit",
    "OutboxMessage",
    "PayeeAuthorisation",
    "Payment",
    "PaymentAnswerConflict",
    "PaymentAttempt",
    "PaymentBatch",
    "Person",
    "Policy",
    "PolicyBeneficiary",
    "PolicyChange",
    "PolicyDispute",
    "Product",
    "ProductVersion",
    "Recovery",
    "RejectionNotice",
    "RemoteClaim",
    "Reserve",
    "ReserveChange",
    "ReviewDecision",
    "ReviewRound",
    "SalesAgent",
    "SalesChannel",
    "SalesEvaluation",
    "SalesOrganisation",
    "SampleVerdict",
    "SatisfactionSurvey",
    "SecurityIncident",
    "SecurityIncidentContainmentAction",
    "SecurityIncidentCorrectiveAction",
    "SecurityIncidentSequence",
    "SecurityIncidentTimeLimit",
    "SecurityIncidentTransition",
    "ServiceDeskSupervisor",
    "ServiceRecord",
    "SurveyAssignment",
    "SurveyReport",
    "TrainingRecord",
    "User",
    "UserRole",
]
