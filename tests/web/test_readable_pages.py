"""Every page of the demo, for every demo role, in both languages, shows words a person
can read: no snake_case code, no stored code left untranslated, no SPEC ID shown as if
it were a clause, no ISO timestamp (SPEC GEN-6, GEN-2; issue 12 "Words a person can read")."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.claim import Claim
from claimdesk.ops.demo import DEMO_CUSTOMERS, DEMO_PASSWORD, DEMO_STAFF, load_demo
from tests.web.helpers import customer_login, staff_login
from tests.web.readable import known_codes, raw_codes, visible_text

HREF = re.compile(r'href="(/[^"#]*)"')
# Links that are not pages: files, the API, leaving, switching language.
NOT_PAGES = ("/static/", "/api/", "/logout", "/portal/logout")
FILE_SUFFIXES = (".pdf", ".csv", ".png", ".js", ".css")
PAGES_PER_LOGIN = 60
LANGUAGES = ("zh-CN", "en")
HISTORY_CLAIMS = 40


def _pages_of(client: TestClient, starts: list[str]) -> dict[str, str]:
    """The HTML pages reachable from ``starts`` by links (breadth first, capped)."""
    seen: dict[str, str] = {}
    queue = deque(starts)
    queued = set(starts)
    while queue and len(seen) < PAGES_PER_LOGIN + len(starts):
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.headers.get(
            "content-type", ""
        ):
            continue
        seen[path] = response.text
        for href in HREF.findall(response.text):
            href = href.replace("&amp;", "&")
            parts = urlsplit(href)
            if (
                href in queued
                or href.startswith(NOT_PAGES)
                or parts.path.endswith(FILE_SUFFIXES)
                or "lang=" in parts.query
                or "/files/" in parts.path
                or "/download" in parts.path
            ):
                continue
            queued.add(href)
            queue.append(href)
    return seen


def _phones() -> dict[str, str]:
    from claimdesk.people.demo import DEMO_PEOPLE

    return {name: person.phone for name, person in zip(DEMO_CUSTOMERS, DEMO_PEOPLE, strict=False)}


def _claims_by_state(db: Session) -> list[int]:
    """One demo claim of each state: their pages are visited by every role."""
    rows = db.execute(select(Claim.state, func.min(Claim.id)).group_by(Claim.state)).all()
    return sorted(claim_id for _state, claim_id in rows)


@pytest.fixture
def demo(db: Session) -> Session:
    # The demo with some claims of its year of history, in every state they reach.
    load_demo(db, history_claims=HISTORY_CLAIMS)
    db.commit()
    return db


LOGINS = [username for username, _role, _unit, _name in DEMO_STAFF] + ["customer1"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_demo_pages_show_no_codes(demo: Session, app, language: str) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-6 (messages in the user's language), issue 12: no raw codes in visible text
    codes = known_codes()
    usernames = frozenset(LOGINS) | {"agent.wang", "agent.li", "customer2"}
    claims = _claims_by_state(demo)
    assert len(claims) >= 2, claims
    problems: dict[str, list[str]] = {}
    pages = 0
    claim_pages = 0
    for username in LOGINS:
        with TestClient(app, raise_server_exceptions=False) as client:
            client.cookies.set("lang", language)
            if username in DEMO_CUSTOMERS:
                customer_login(client, demo, username, _phones()[username], DEMO_PASSWORD)
                starts = ["/portal"] + [f"/portal/claims/{c}" for c in claims]
            else:
                staff_login(client, username, DEMO_PASSWORD)
                starts = ["/"] + [f"/claims/{c}" for c in claims]
            for path, html in _pages_of(client, starts).items():
                pages += 1
                claim_pages += path.startswith("/claims/") and path[8:].isdigit()
                found = raw_codes(
                    # A product's English name, marked lang="en", is a name on a Chinese
                    # page (GEN-6), not a code.
                    visible_text(html, "en" if language == "zh-CN" else None),
                    language=language,
                    codes=codes,
                    allowed=usernames,
                )
                if found:
                    problems[f"{username} {path}"] = sorted(set(found))
    assert pages > len(LOGINS) * 2 and claim_pages >= len(claims)
    report = "\n".join(f"{where}: {'; '.join(what)}" for where, what in sorted(problems.items()))
    assert not problems, f"{len(problems)} pages show codes ({language}):\n{report}"
