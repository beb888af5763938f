"""The pages router: every area's pages under one CSRF guard (SEC-8), in display order.

Order matters where paths overlap (``/claims/new`` before ``/claims/{claim_id}``), so the
areas are included in the order they always were.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from claimdesk.auth.csrf import page_csrf_guard
from claimdesk.web.admin.calendar import router as calendar_pages
from claimdesk.web.admin.checks import router as checks_pages
from claimdesk.web.admin.claim_network import router as claim_network_pages
from claimdesk.web.admin.events import router as event_pages
from claimdesk.web.admin.fraud_holds import router as fraud_pages
from claimdesk.web.admin.people import router as people_pages
from claimdesk.web.admin.policies import router as policy_pages
from claimdesk.web.admin.products import router as product_pages
from claimdesk.web.admin.sales import router as sales_pages
from claimdesk.web.admin.security import router as security_pages
from claimdesk.web.admin.service import router as service_pages
from claimdesk.web.admin.thresholds import router as threshold_pages
from claimdesk.web.admin.users import router as users_pages
from claimdesk.web.claims.bill_pages import router as claim_bill_pages
from claimdesk.web.claims.claim_payees import router as claim_payee_pages
from claimdesk.web.claims.claim_sections import router as claim_section_pages
from claimdesk.web.claims.pages import router as claims_pages
from claimdesk.web.claims.workbench import router as workbench_pages
from claimdesk.web.dashboards.pages import router as dashboard_pages
from claimdesk.web.login import router as login_pages
from claimdesk.web.payments.batches import router as payment_batch_pages
from claimdesk.web.portal.bills import router as portal_bill_pages
from claimdesk.web.portal.language import router as portal_language
from claimdesk.web.portal.my_account import router as portal_account_pages
from claimdesk.web.portal.pages import router as portal_pages

# Every state-changing form is checked here, once, for all areas (SEC-8).
pages_router = APIRouter(include_in_schema=False, dependencies=[Depends(page_csrf_guard)])

for area in (
    login_pages,
    workbench_pages,
    claims_pages,
    claim_section_pages,
    claim_payee_pages,
    claim_bill_pages,
    payment_batch_pages,
    portal_pages,
    portal_bill_pages,
    portal_account_pages,
    portal_language,
    dashboard_pages,
    service_pages,
    product_pages,
    policy_pages,
    threshold_pages,
    checks_pages,
    sales_pages,
    fraud_pages,
    claim_network_pages,
    event_pages,
    users_pages,
    people_pages,
    calendar_pages,
    security_pages,
):
    pages_router.include_router(area)
