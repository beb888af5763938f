"""The web layer's own rules, which import-linter cannot express (issue 11):

- pages never commit and roll back in one place only (``kit.undo_refused``): the request
  edge (deps.get_db) commits whatever a page returns, as it does for the API;
- pages run no queries of their own (``select(`` belongs in a domain repository/service);
- pages call domain services, never API route functions (no ``endpoints`` import).

The two lists below are what is left to move out (a ratchet): a new query or route call
in a page fails here, and a module that loses its last one must leave the list.
"""

from __future__ import annotations

import re
from pathlib import Path

import claimdesk.web

WEB = Path(claimdesk.web.__file__).parent

# Page modules still running their own queries: (path under web/, number of select( calls).
QUERIES_LEFT: dict[str, int] = {
    "admin/fraud_holds.py": 2,
    "admin/events.py": 2,
    "claims/payment_forms.py": 3,
    "claims/pages.py": 2,
    "claims/special_forms.py": 3,
    "claims/assess_forms.py": 1,
    "portal/pages.py": 1,
}
# Page modules still importing API route modules (claims endpoints: the stage split moves
# them; see docs/architecture.md, "web").
ROUTE_CALLERS_LEFT: frozenset[str] = frozenset(
    {
        "admin/events.py",
        "claims/payment_forms.py",
        "claims/pages.py",
        "claims/special_forms.py",
        "claims/case_forms.py",
        "claims/report_pages.py",
        "claims/assess_forms.py",
        "portal/pages.py",
    }
)
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


def test_no_page_runs_new_queries() -> None:
    # issue 11: queries live in the domains' repositories and services
    found = {name: text.count("select(") for name, text in _modules().items() if "select(" in text}
    grown = {name: n for name, n in found.items() if n > QUERIES_LEFT.get(name, 0)}
    assert grown == {}, f"queries belong in a repository or service: {grown}"
    cleared = sorted(set(QUERIES_LEFT) - set(found))
    assert cleared == [], f"no query left here; drop it from QUERIES_LEFT: {cleared}"


def test_no_page_calls_new_api_routes() -> None:
    # issue 11: pages call domain services, never API route functions
    callers = {name for name, text in _modules().items() if ENDPOINTS_IMPORT.search(text)}
    assert callers - ROUTE_CALLERS_LEFT == set()
    assert ROUTE_CALLERS_LEFT - callers == set(), "drop the cleared module from the list"
