"""All JSON API routers, mounted under /api/v1. Each domain adds its router here."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from claimdesk.audit.endpoints import router as audit_router
from claimdesk.auth.csrf import api_csrf_guard
from claimdesk.auth.endpoints import router as auth_router
from claimdesk.auth.endpoints import users_router
from claimdesk.bills.endpoints import router as bills_router
from claimdesk.calendar.endpoints import deadlines_router
from claimdesk.calendar.endpoints import router as calendar_router
from claimdesk.checks.endpoints import router as checks_router
from claimdesk.claims.automatic.endpoints import router as automatic_router
from claimdesk.claims.endpoints import router as claims_router
from claimdesk.claims.notes.endpoints import router as claim_notes_router
from claimdesk.claims.queues.endpoints import router as work_router
from claimdesk.claims.settlement.endpoints import router as settlement_router
from claimdesk.claims.special.endpoints import public_router as claims_public_router
from claimdesk.claims.special.endpoints import reports_router as claims_reports_router
from claimdesk.claims.special.endpoints import router as claims_special_router
from claimdesk.dashboards.endpoints import router as dashboards_router
from claimdesk.dashboards.endpoints import service_router as service_dashboards_router
from claimdesk.errors import ERROR_RESPONSES
from claimdesk.org.endpoints import router as org_router
from claimdesk.payments.endpoints import payments_router
from claimdesk.people.endpoints import me_router as people_me_router
from claimdesk.people.endpoints import router as people_router
from claimdesk.policies.endpoints import router as policies_router
from claimdesk.products.endpoints import router as products_router
from claimdesk.sales.endpoints import router as sales_router
from claimdesk.security.endpoints import router as security_router
from claimdesk.service.endpoints import router as service_router
from claimdesk.thresholds.endpoints import router as thresholds_router

# Cookie-authenticated calls must carry the session's CSRF token (SEC-8). Every route
# declares the error responses it can give, in the one error shape (GEN-6).
api_router = APIRouter(dependencies=[Depends(api_csrf_guard)], responses=ERROR_RESPONSES)
api_router.include_router(auth_router)
# Routes are matched in order, every request walks the list until its own: the claim
# report, the busiest write, comes right after the token routes (57 routes earlier it
# cost 0.15 ms of CPU per report, issue 14). No route before it starts with /claims.
api_router.include_router(claims_router)
api_router.include_router(users_router)
api_router.include_router(org_router)
api_router.include_router(audit_router)
api_router.include_router(calendar_router)
api_router.include_router(deadlines_router)
api_router.include_router(products_router)
api_router.include_router(policies_router)
api_router.include_router(people_router)
api_router.include_router(people_me_router)
api_router.include_router(work_router)
api_router.include_router(claim_notes_router)
api_router.include_router(bills_router)
api_router.include_router(claims_special_router)
api_router.include_router(claims_public_router)
api_router.include_router(claims_reports_router)
api_router.include_router(settlement_router)
api_router.include_router(payments_router)
api_router.include_router(service_router)
api_router.include_router(sales_router)
api_router.include_router(security_router)
api_router.include_router(thresholds_router)
api_router.include_router(checks_router)
api_router.include_router(automatic_router)
api_router.include_router(dashboards_router)
api_router.include_router(service_dashboards_router)
