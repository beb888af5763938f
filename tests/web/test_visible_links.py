"""Tabs and links are shown only to whoever may open them (issue 12: the claims dashboard
offered a tier-3 reviewer a "客服看板" tab answering 403). For every staff role: start on
the home page, the workbench and each dashboard the role may open, follow every link
those pages show, and none answers 403 (or fails)."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from tests.builders import make_org_unit, make_user, seed_calendar
from tests.web.helpers import staff_login

LINK = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)"')
SKIPPED = ("/static/", "/logout", "/api/")
STAFF = sorted(r for r in Role if r is not Role.CUSTOMER)


def _start_pages(role: Role) -> list[str]:
    granted = ROLE_PERMISSIONS[role]
    pages = ["/"]
    if Permission.CLAIMS_READ in granted:
        pages.append("/workbench")
    if Permission.CLAIMS_REPORTS in granted:
        pages.append("/dashboards/claims")
    if Permission.SERVICE_REPORTS in granted:
        pages.append("/dashboards/service")
    return pages


@pytest.mark.parametrize("role", STAFF, ids=[r.value for r in STAFF])
def test_every_link_a_role_is_shown_opens(client: TestClient, db: Session, role: Role) -> None:
    # SPEC SEC-4 (least privilege, enforced on every request), issue 12 (no dead ends)
    seed_calendar(db, years=(2026,))
    make_user(db, username="walker", roles=[role.value], org_unit=make_org_unit(db))
    db.commit()
    staff_login(client, "walker")
    seen: dict[str, int] = {}
    for start in _start_pages(role):
        page = client.get(start)
        assert page.status_code == 200, (role, start, page.status_code)
        for href in LINK.findall(page.text):
            target = urljoin(start, href.replace("&amp;", "&"))
            if target in seen or target.startswith(SKIPPED) or "lang=" in target:
                continue
            seen[target] = client.get(target).status_code
    refused = {path: status for path, status in seen.items() if status == 403 or status >= 500}
    assert refused == {}, f"{role.value} is shown links it may not open: {refused}"
    assert seen, "the walk found no links at all"
