"""Roles (SPEC section 7) and the permissions each one holds: least privilege.

Routes declare the permission they need; this table is the one place that says which
role holds it. Row-level rules (a surveyor's own claims, a customer's own records) live
in the repositories, and object checks before writes in the services.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CUSTOMER = "customer"
    SERVICE_AGENT = "service_agent"
    CLAIMS_HANDLER = "claims_handler"
    SURVEYOR = "surveyor"
    ASSESSOR = "assessor"
    ADJUSTER = "adjuster"
    REVIEWER_1 = "reviewer_1"
    REVIEWER_2 = "reviewer_2"
    REVIEWER_3 = "reviewer_3"
    PAYMENT_OFFICER = "payment_officer"
    FRAUD_INVESTIGATOR = "fraud_investigator"
    SALES_AGENT = "sales_agent"
    COMPLIANCE_AUDITOR = "compliance_auditor"
    ADMINISTRATOR = "administrator"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.CUSTOMER: ("客户", "Customer"),
    Role.SERVICE_AGENT: ("客服", "Service agent"),
    Role.CLAIMS_HANDLER: ("理赔专员", "Claims handler"),
    Role.SURVEYOR: ("查勘员", "Surveyor"),
    Role.ASSESSOR: ("定损员", "Assessor"),
    Role.ADJUSTER: ("理算员", "Adjuster"),
    Role.REVIEWER_1: ("理赔主管（一级核赔）", "Claims supervisor (review tier 1)"),
    Role.REVIEWER_2: ("核赔专员（二级核赔）", "Review specialist (review tier 2)"),
    Role.REVIEWER_3: ("部门经理（三级核赔）", "Department manager (review tier 3)"),
    Role.PAYMENT_OFFICER: ("财务", "Payment officer"),
    Role.FRAUD_INVESTIGATOR: ("反欺诈调查员", "Fraud investigator"),
    Role.SALES_AGENT: ("代理人", "Sales agent"),
    Role.COMPLIANCE_AUDITOR: ("合规审计", "Compliance auditor"),
    Role.ADMINISTRATOR: ("系统管理员", "Administrator"),
}

# The review tiers (CLM-V1) by the role that decides each: the claim page names a tier
# by its role's label above, as the users of that role read it.
REVIEW_TIER_ROLES: dict[int, Role] = {1: Role.REVIEWER_1, 2: Role.REVIEWER_2, 3: Role.REVIEWER_3}


class Permission(StrEnum):
    # own account
    SELF = "self"
    # administration
    USERS_MANAGE = "users:manage"
    USERS_READ = "users:read"
    ORG_MANAGE = "org:manage"
    ORG_READ = "org:read"
    CALENDAR_MANAGE = "calendar:manage"
    CALENDAR_READ = "calendar:read"
    # claim thresholds (CLM-V1, CLM-R4, CLM-P4): administrators set, staff read
    THRESHOLDS_MANAGE = "thresholds:manage"
    THRESHOLDS_READ = "thresholds:read"
    # audit and integrity
    AUDIT_READ = "audit:read"
    # people and their personal data
    PEOPLE_READ = "people:read"
    PEOPLE_WRITE = "people:write"
    PEOPLE_READ_PII = "people:read_pii"
    OWN_PROFILE = "own:profile"
    # deadline engine (a calculator every staff member may use)
    DEADLINES_COMPUTE = "deadlines:compute"
    # customer service desk and sales (SPEC section 4)
    SERVICE_DESK = "service:desk"
    SERVICE_OWN = "service:own"
    SERVICE_REPORTS = "reports:service"
    SALES_MANAGE = "sales:manage"
    SALES_READ = "sales:read"
    SALES_OWN = "sales:own"
    # claims (SPEC section 3)
    CLAIMS_REPORT = "claims:report"
    CLAIMS_READ = "claims:read"
    CLAIMS_UPLOAD = "claims:upload"
    # submit a medical e-receipt and settlement statement as data (CLM-T1)
    CLAIMS_BILLS = "claims:bills"
    CLAIMS_ACCEPT = "claims:accept"
    CLAIMS_SURVEY = "claims:survey"
    CLAIMS_ASSESS = "claims:assess"
    CLAIMS_ADJUST = "claims:adjust"
    CLAIMS_RESERVE = "claims:reserve"
    CLAIMS_REVIEW = "claims:review"
    CLAIMS_PAY = "claims:pay"
    # a supervisor hands claims to handlers and surveyors, several at once (issue 12)
    CLAIMS_ASSIGN = "claims:assign"
    FRAUD_FLAG = "fraud:flag"
    FRAUD_INVESTIGATE = "fraud:investigate"
    # automatic checks on claims (CLM-F3): administrators configure, staff read
    CHECKS_MANAGE = "checks:manage"
    CHECKS_READ = "checks:read"
    # claims special cases and analysis (CLM-Z1..Z3, CLM-Q2)
    CLAIM_EVENTS_MANAGE = "claims:events"
    CLAIM_DISPUTES = "claims:disputes"
    CLAIMS_REPORTS = "reports:claims"
    # claim callbacks (CLM-X2) and recoveries (FIN-2)
    CLAIMS_CALLBACK = "claims:callback"
    CLAIMS_RECOVERY = "claims:recovery"
    # a claim's case reserves and net cost: internal figures, never the customer's (SEC-4)
    CLAIMS_FINANCIALS = "claims:financials"
    # notes on a claim by the staff who work it (issue 12; visible by role)
    CLAIMS_NOTES = "claims:notes"
    # products (PRD) and policies (POL)
    PRODUCTS_MANAGE = "products:manage"
    PRODUCTS_READ = "products:read"
    POLICIES_ISSUE = "policies:issue"
    POLICIES_READ = "policies:read"
    POLICIES_SERVICE = "policies:service"
    POLICIES_APPROVE = "policies:approve"
    # security incidents (SEC-7)
    SECURITY_INCIDENT_REPORT = "security_incidents:report"
    SECURITY_INCIDENT_READ = "security_incidents:read"
    SECURITY_INCIDENT_MANAGE = "security_incidents:manage"


STAFF_ROLES = frozenset(Role) - {Role.CUSTOMER}

_STAFF_COMMON = {
    Permission.SELF,
    Permission.DEADLINES_COMPUTE,
    Permission.CALENDAR_READ,
    Permission.ORG_READ,
    Permission.THRESHOLDS_READ,
}
_PEOPLE_WORKERS = {Permission.PEOPLE_READ, Permission.PEOPLE_WRITE, Permission.PEOPLE_READ_PII}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CUSTOMER: frozenset({Permission.SELF, Permission.OWN_PROFILE}),
    Role.SERVICE_AGENT: frozenset(_STAFF_COMMON | _PEOPLE_WORKERS),
    Role.CLAIMS_HANDLER: frozenset(_STAFF_COMMON | _PEOPLE_WORKERS),
    Role.SURVEYOR: frozenset(_STAFF_COMMON),
    Role.ASSESSOR: frozenset(_STAFF_COMMON),
    Role.ADJUSTER: frozenset(_STAFF_COMMON | {Permission.PEOPLE_READ}),
    Role.REVIEWER_1: frozenset(_STAFF_COMMON | {Permission.PEOPLE_READ}),
    Role.REVIEWER_2: frozenset(_STAFF_COMMON | {Permission.PEOPLE_READ}),
    Role.REVIEWER_3: frozenset(_STAFF_COMMON | {Permission.PEOPLE_READ}),
    # Finance registers a payee who is not the insured and their account (CLM-P1).
    Role.PAYMENT_OFFICER: frozenset(
        _STAFF_COMMON
        | {Permission.PEOPLE_READ, Permission.PEOPLE_READ_PII, Permission.PEOPLE_WRITE}
    ),
    Role.FRAUD_INVESTIGATOR: frozenset(
        _STAFF_COMMON | {Permission.PEOPLE_READ, Permission.PEOPLE_READ_PII}
    ),
    Role.SALES_AGENT: frozenset(_STAFF_COMMON | {Permission.PEOPLE_READ, Permission.PEOPLE_WRITE}),
    Role.COMPLIANCE_AUDITOR: frozenset(
        _STAFF_COMMON | {Permission.AUDIT_READ, Permission.USERS_READ}
    ),
    Role.ADMINISTRATOR: frozenset(
        _STAFF_COMMON
        | {
            Permission.USERS_MANAGE,
            Permission.USERS_READ,
            Permission.ORG_MANAGE,
            Permission.THRESHOLDS_MANAGE,
            Permission.CALENDAR_MANAGE,
            Permission.AUDIT_READ,
        }
    ),
}


# Products and policies: administrators define products; sales agents issue; service
# agents change, terminate, renew and handle disputes (a different agent approves); the
# claims side reads policies; customers read their own (row filter in the repository).
_PRODUCT_POLICY_GRANTS: dict[Role, set[Permission]] = {
    Role.ADMINISTRATOR: {Permission.PRODUCTS_MANAGE, Permission.PRODUCTS_READ},
    Role.SALES_AGENT: {
        Permission.PRODUCTS_READ,
        Permission.POLICIES_ISSUE,
        Permission.POLICIES_READ,
    },
    Role.SERVICE_AGENT: {
        Permission.PRODUCTS_READ,
        Permission.POLICIES_READ,
        Permission.POLICIES_SERVICE,
        Permission.POLICIES_APPROVE,
    },
    Role.CUSTOMER: {Permission.POLICIES_READ},
    **{
        role: {Permission.PRODUCTS_READ, Permission.POLICIES_READ}
        for role in (
            Role.CLAIMS_HANDLER,
            Role.SURVEYOR,
            Role.ASSESSOR,
            Role.ADJUSTER,
            Role.REVIEWER_1,
            Role.REVIEWER_2,
            Role.REVIEWER_3,
            Role.FRAUD_INVESTIGATOR,
            Role.COMPLIANCE_AUDITOR,
        )
    },
}
for _role, _extra in _PRODUCT_POLICY_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | frozenset(_extra)


# Claims: each step's role holds that step's permission; every claims role may read
# claims (row-filtered in claims.repository) and flag a suspected fraud (CLM-F1).
_CLAIM_STAFF = {Permission.CLAIMS_READ, Permission.FRAUD_FLAG}
_CLAIM_GRANTS: dict[Role, set[Permission]] = {
    Role.CUSTOMER: {Permission.CLAIMS_REPORT, Permission.CLAIMS_READ, Permission.CLAIMS_UPLOAD},
    Role.SERVICE_AGENT: {Permission.CLAIMS_REPORT, Permission.CLAIMS_READ},
    Role.SALES_AGENT: {Permission.CLAIMS_REPORT},
    Role.CLAIMS_HANDLER: _CLAIM_STAFF
    | {
        Permission.CLAIMS_REPORT,
        Permission.CLAIMS_UPLOAD,
        Permission.CLAIMS_ACCEPT,
        Permission.CLAIMS_RESERVE,
    },
    Role.SURVEYOR: _CLAIM_STAFF | {Permission.CLAIMS_SURVEY, Permission.CLAIMS_UPLOAD},
    Role.ASSESSOR: _CLAIM_STAFF | {Permission.CLAIMS_ASSESS, Permission.CLAIMS_UPLOAD},
    Role.ADJUSTER: _CLAIM_STAFF | {Permission.CLAIMS_ADJUST, Permission.CLAIMS_RESERVE},
    # The claims supervisor (理赔主管) also hands out the work.
    Role.REVIEWER_1: _CLAIM_STAFF | {Permission.CLAIMS_REVIEW, Permission.CLAIMS_ASSIGN},
    Role.REVIEWER_2: _CLAIM_STAFF | {Permission.CLAIMS_REVIEW},
    Role.REVIEWER_3: _CLAIM_STAFF | {Permission.CLAIMS_REVIEW},
    Role.PAYMENT_OFFICER: {Permission.CLAIMS_READ, Permission.CLAIMS_PAY},
    # An investigator adds evidence to the held claims that are theirs or nobody's yet
    # (CLM-F1; the row rule is the upload service's: claims.fraud.service.upload_refusal).
    Role.FRAUD_INVESTIGATOR: _CLAIM_STAFF
    | {Permission.FRAUD_INVESTIGATE, Permission.CLAIMS_UPLOAD},
    Role.COMPLIANCE_AUDITOR: {Permission.CLAIMS_READ},
}
for _role, _extra in _CLAIM_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | frozenset(_extra)

# Bills as data (CLM-T1): the customer for their own claim, the handler who takes in the
# materials and the assessor who assesses from them. No hospital system role exists yet;
# a hospital feed would get this permission alone (docs/bills.md).
for _role in (Role.CUSTOMER, Role.CLAIMS_HANDLER, Role.ASSESSOR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Permission.CLAIMS_BILLS}


# Service and sales (SPEC section 4): service agents work the desk; customers file
# complaints and rate their own records (row filter in service.repository); auditors
# and administrators read the service scorecard; administrators manage sales staff,
# auditors read them; a sales agent sees their own qualification and assessments.
_SERVICE_SALES_GRANTS: dict[Role, set[Permission]] = {
    Role.SERVICE_AGENT: {Permission.SERVICE_DESK},
    Role.CUSTOMER: {Permission.SERVICE_OWN},
    Role.COMPLIANCE_AUDITOR: {Permission.SERVICE_REPORTS, Permission.SALES_READ},
    Role.ADMINISTRATOR: {
        Permission.SERVICE_REPORTS,
        Permission.SALES_MANAGE,
        Permission.SALES_READ,
    },
    Role.SALES_AGENT: {Permission.SALES_OWN},
}
for _role, _extra in _SERVICE_SALES_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | frozenset(_extra)


# Claim callbacks are made by the service desk and claims handlers (CLM-X2); salvage and
# subrogation money is recorded by claims handlers and finance (FIN-2).
_SETTLEMENT_GRANTS: dict[Role, set[Permission]] = {
    Role.SERVICE_AGENT: {Permission.CLAIMS_CALLBACK},
    Role.CLAIMS_HANDLER: {Permission.CLAIMS_CALLBACK, Permission.CLAIMS_RECOVERY},
    Role.PAYMENT_OFFICER: {Permission.CLAIMS_RECOVERY},
}
for _role, _extra in _SETTLEMENT_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | frozenset(_extra)

# Notes on a claim (issue 12): everyone who works claims writes them; the compliance
# auditor reads (read-only role) and the customer never sees them.
for _role in (
    Role.SERVICE_AGENT,
    Role.CLAIMS_HANDLER,
    Role.SURVEYOR,
    Role.ASSESSOR,
    Role.ADJUSTER,
    Role.REVIEWER_1,
    Role.REVIEWER_2,
    Role.REVIEWER_3,
    Role.PAYMENT_OFFICER,
    Role.FRAUD_INVESTIGATOR,
):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Permission.CLAIMS_NOTES}


# Claims special cases and analysis: supervisors and managers set up mass events;
# handlers, service agents and reviewers work claim disputes; reviewers, compliance
# auditors and administrators read the claims analysis (CLM-Q2, GEN-7).
_CLAIM_SPECIAL_GRANTS: dict[Role, set[Permission]] = {
    Role.REVIEWER_1: {
        Permission.CLAIM_EVENTS_MANAGE,
        Permission.CLAIM_DISPUTES,
        Permission.CLAIMS_REPORTS,
    },
    Role.REVIEWER_2: {
        Permission.CLAIM_EVENTS_MANAGE,
        Permission.CLAIM_DISPUTES,
        Permission.CLAIMS_REPORTS,
    },
    Role.REVIEWER_3: {
        Permission.CLAIM_EVENTS_MANAGE,
        Permission.CLAIM_DISPUTES,
        Permission.CLAIMS_REPORTS,
    },
    Role.CLAIMS_HANDLER: {Permission.CLAIM_DISPUTES},
    Role.SERVICE_AGENT: {Permission.CLAIM_DISPUTES},
    Role.COMPLIANCE_AUDITOR: {Permission.CLAIMS_REPORTS},
    Role.ADMINISTRATOR: {Permission.CLAIMS_REPORTS},
}
for _role, _extra in _CLAIM_SPECIAL_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | frozenset(_extra)


# Security incidents (SEC-7): every member of staff reports what they see; the
# administrator works an incident through its stages and sets the time limits; the
# compliance auditor reads every incident (a reporter sees their own, row filter in
# security.repository).
_SECURITY_GRANTS: dict[Role, set[Permission]] = {
    **{role: {Permission.SECURITY_INCIDENT_REPORT} for role in STAFF_ROLES},
    Role.COMPLIANCE_AUDITOR: {
        Permission.SECURITY_INCIDENT_REPORT,
        Permission.SECURITY_INCIDENT_READ,
    },
    Role.ADMINISTRATOR: {
        Permission.SECURITY_INCIDENT_REPORT,
        Permission.SECURITY_INCIDENT_READ,
        Permission.SECURITY_INCIDENT_MANAGE,
    },
}
for _role, _extra in _SECURITY_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | frozenset(_extra)


# A claim's case reserves and net cost are internal figures (SEC-4, CLM-F2): the claims
# staff who set, review, pay or audit them read them; the customer and the service desk
# (which speaks to customers) do not.
for _role in (
    Role.CLAIMS_HANDLER,
    Role.SURVEYOR,
    Role.ASSESSOR,
    Role.ADJUSTER,
    Role.REVIEWER_1,
    Role.REVIEWER_2,
    Role.REVIEWER_3,
    Role.PAYMENT_OFFICER,
    Role.FRAUD_INVESTIGATOR,
    Role.COMPLIANCE_AUDITOR,
):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Permission.CLAIMS_FINANCIALS}


# Automatic checks (CLM-F3): administrators set them; the people who act on their hits
# (investigators, reviewers) and the auditors read how they are set.
for _role in (
    Role.ADMINISTRATOR,
    Role.FRAUD_INVESTIGATOR,
    Role.REVIEWER_1,
    Role.REVIEWER_2,
    Role.REVIEWER_3,
    Role.COMPLIANCE_AUDITOR,
):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Permission.CHECKS_READ}
ROLE_PERMISSIONS[Role.ADMINISTRATOR] = ROLE_PERMISSIONS[Role.ADMINISTRATOR] | {
    Permission.CHECKS_MANAGE
}


def permissions_for(roles: frozenset[str] | set[str]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(Role(role), frozenset())
    return frozenset(granted)
