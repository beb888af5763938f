"""The web layer's own rules, which import-linter cannot express (issue 11):

- pages never commit and roll back in one place only (``kit.undo_refused``): the request
  edge (deps.get_db) commits whatever a page returns, as it does for the API;
- pages run no queries of their own (``select(`` belongs in a domain repository/service);
- pages call domain services, never API route functions (no ``endpoints`` import), nor a
  domain's ``queries`` module (the dashboards' datasets come through dashboards.service),
  nor a domain's ``repository`` (its row filters are reached through the service the API
  calls; import-linter forbids the import too, this names the page in words).

No exception is left (issue 11 moved the last ones into the domains): any query or route
call in a page fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import claimdesk.web

WEB = Path(claimdesk.web.__file__).parent

ENDPOINTS_IMPORT = re.compile(r"^\s*from claimdesk\.[\w.]*\bendpoints\b|import endpoints\b", re.M)


def _modules() -> dict[str, str]:
    return {
        path.relative_to(WEB).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(WEB.rglob("*.py"))
    }


def test_pages_never_commit_and_roll_back_only_in_the_kit() -> None:
    # SPEC GEN-6 (a refused form writes nothing), issue 11 (the edge commits)
    offenders = {
        name: text.count(".commit(") + text.count(".rollback(")
        for name, text in _modules().items()
        if ".commit(" in text or (".rollback(" in text and name != "kit.py")
    }
    assert offenders == {}
    kit = (WEB / "kit.py").read_text(encoding="utf-8")
    assert kit.count(".rollback(") == 1, "one place rolls a refused attempt back"
    assert ".commit(" not in kit


def test_no_page_runs_queries() -> None:
    # issue 11: queries live in the domains' repositories and services
    found = {name: text.count("select(") for name, text in _modules().items() if "select(" in text}
    assert found == {}, f"queries belong in a repository or service: {found}"


def test_no_page_calls_api_routes() -> None:
    # issue 11: pages call domain services, never API route functions
    callers = sorted(name for name, text in _modules().items() if ENDPOINTS_IMPORT.search(text))
    assert callers == []


REPOSITORY_IMPORT = re.compile(
    r"^\s*from claimdesk\.[\w.]*\brepository\b|^\s*from claimdesk\.[\w.]+ import [^\n]*\brepository\b",
    re.M,
)


def test_no_page_reads_a_repository() -> None:
    # Team rule: pages call the services the API calls, never a domain's repository. Until
    # 2026-12-07 a shrinking list (REPOSITORY_READERS, 22 modules) named the pages that
    # still did; the last three (policies, security, the claim page) now call services.
    readers = sorted(name for name, text in _modules().items() if REPOSITORY_IMPORT.search(text))
    assert readers == [], f"pages call the domain's service, not its repository: {readers}"


QUERIES_IMPORT = re.compile(
    r"^\s*from claimdesk\.[\w.]*\bqueries\b|^\s*from claimdesk\.[\w.]+ import [^\n]*\bqueries\b",
    re.M,
)


def test_no_page_reads_a_domains_queries() -> None:
    # Team rule: pages call services. The dashboards page ran dashboards.queries itself
    # (its datasets and their CLM-T4 section); it now asks dashboards.service, as the API
    # does. No exception: a page reading a domain's queries module fails here.
    readers = sorted(name for name, text in _modules().items() if QUERIES_IMPORT.search(text))
    assert readers == []


def test_sales_pages_read_no_rows_themselves() -> None:
    # The agent's account was read with db.get(User, ...) in the page.
    assert ".get(User" not in (WEB / "admin" / "sales.py").read_text(encoding="utf-8")
