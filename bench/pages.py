"""Server time of every page on the demo data (issue 6: no page slower than 300 ms).

For SQLite, and for PostgreSQL when the local server answers (``CLAIMDESK_BENCH_PG``):

1. a fresh database, migrated, with the demo loaded by ``claimdesk demo``'s service
   function (``ops.demo.load_demo``);
2. ``uvicorn claimdesk.asgi:app`` (one worker, production settings) on that database;
3. the demo has no claims, so claims are reported and moved on through the HTTP API by
   the demo logins, the way a person clicking through ``make run`` would make them:
   ``BENCH_PAGE_CLAIMS_PER_STATE`` (default 2) small medical claims in each state the
   API reaches without the payment batch (reported … approved, rejected, suspended,
   withdrawn; the survey is skipped by the small-claim rule), a report on every other
   line and a mass event grouping some of them, so that queues, dashboards and claim
   pages show data;
4. every GET route of the pages router (``claimdesk.web.router.pages_router``, discovered, not
   listed here) is filled with real ids (one claim per state, a product and its version,
   a policy, a complaint, an agent, the event, a user, every dashboard CSV) and opened as
   each demo role that may open it: pages without path parameters by every such role
   (each role has its own queue and menus), pages of one object by one role, portal
   pages by customer1 after its SMS step, claim action forms by the role the claim page
   offers them to;
5. each page is opened once to warm up, then ``BENCH_PAGE_SAMPLES`` (default 20) times;
   the server time is read from the ``Server-Timing`` header (``claimdesk.timing``),
   the client time is the HTTP round trip over loopback.

The table gives p50, p95 and max server ms, SQL statements per request and the client
p50; pages whose p95 exceeds 300 ms are flagged, a page that fails (5xx) is named.
``BENCH_PAGE_BULK_CLAIMS=100000`` adds a third pass on PostgreSQL with that many more
claims bulk-loaded as ``bench/claims.py`` does: the demo is small, and this shows which
pages grow with the data. Figures are printed, never asserted (docs/benchmarks.md
records them with the machine, date and load).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

SAMPLES = int(os.environ.get("BENCH_PAGE_SAMPLES", "20"))
PER_STATE = int(os.environ.get("BENCH_PAGE_CLAIMS_PER_STATE", "2"))
# Optional third pass (PostgreSQL): the same pages after bulk-loading this many more
# claims as bench/claims.py does, to see which pages grow with the data (0: no pass).
BULK = int(os.environ.get("BENCH_PAGE_BULK_CLAIMS", "0"))
TARGET_MS = 300.0
START_TIMEOUT = float(os.environ.get("BENCH_SERVER_START_TIMEOUT", "180"))
HTTP_TIMEOUT = 120.0
API = "/api/v1"
CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')
ACTION_LINK = re.compile(r"/claims/(\d+)/actions/([a-z_]+)")
ALL_CHECKS = dict.fromkeys(
    (
        "policy_in_force",
        "adequately_insured",
        "disclosure_and_exclusions",
        "materials_complete",
        "process_compliant",
        "amount_correct",
    ),
    True,
)
MEDICAL = {
    "coverage_code": "medical",
    "settled_with_social_insurance": True,
    "social_insurance_paid": "1000.00",
    "lines": [
        {"description": "住院费", "amount": "12000.00"},
        {"description": "药品", "amount": "3000.00"},
    ],
}


# -- the server ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One uvicorn worker: pages are opened one at a time, so one process measures them."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "claimdesk.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "info",
                "--no-access-log",
            ],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._ready = threading.Event()
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if "Application startup complete" in line:
                self._ready.set()
            elif not line.startswith("INFO:"):
                sys.stderr.write(f"[server] {line}")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        # Not self._ready.wait(0.5): under faketime a timed wait never times out, and a
        # server that exited before it was ready was never noticed (docs/operations.md).
        while not self._ready.is_set():
            time.sleep(0.05)
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with code {self.process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready in {START_TIMEOUT:.0f} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


# -- the demo and its claims -----------------------------------------------------------------


def _load_demo(url: str) -> None:
    from sqlalchemy.orm import Session

    from claimdesk.db import make_engine
    from claimdesk.ops.demo import load_demo

    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session)
        session.commit()
    engine.dispose()


@dataclass
class Demo:
    """What the bench needs from the database: users, policies, ids to fill paths with."""

    url: str
    users: dict[str, int] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # username → role
    policies: dict[str, str] = field(default_factory=dict)  # product code → policy number
    customer_phone: str = ""

    def query(self, statement: Any) -> list[Any]:
        from sqlalchemy.orm import Session

        from claimdesk.db import make_engine

        engine = make_engine(self.url)
        try:
            with Session(engine) as session:
                return list(session.execute(statement).all())
        finally:
            engine.dispose()


def _demo(url: str) -> Demo:
    from sqlalchemy import select

    from claimdesk.models.person import Person
    from claimdesk.models.policy import Policy
    from claimdesk.models.product import Product, ProductVersion
    from claimdesk.models.user import User, UserRole

    demo = Demo(url)
    for user_id, username, role in demo.query(
        select(User.id, User.username, UserRole.role).join(UserRole, UserRole.user_id == User.id)
    ):
        demo.users[username] = user_id
        demo.roles[username] = role
    customer = demo.query(select(User.person_id).where(User.username == "customer1"))[0][0]
    demo.customer_phone = demo.query(select(Person).where(Person.id == customer))[0][0].phone
    for code, number in demo.query(
        select(Product.code, Policy.number)
        .join(ProductVersion, ProductVersion.id == Policy.product_version_id)
        .join(Product, Product.id == ProductVersion.product_id)
        .where(Policy.policyholder_id == customer)
    ):
        demo.policies[code] = number
    return demo


def _staff_by_permission(demo: Demo, permission: Any) -> str:
    from claimdesk.auth.permissions import ROLE_PERMISSIONS, Role
    from claimdesk.ops.demo import DEMO_STAFF

    for username, role, _unit, _name in DEMO_STAFF:
        if permission in ROLE_PERMISSIONS[Role(role)]:
            return username
    raise LookupError(f"no demo login holds {permission}")


class Api:
    """The JSON API as the demo logins (bearer tokens, one login each)."""

    def __init__(self, base: str, password: str) -> None:
        self.client = httpx.Client(base_url=base + API, timeout=HTTP_TIMEOUT, trust_env=False)
        self.password = password
        self.tokens: dict[str, str] = {}

    def _headers(self, who: str) -> dict[str, str]:
        if who not in self.tokens:
            answer = self.client.post(
                "/auth/token", json={"username": who, "password": self.password}
            )
            answer.raise_for_status()
            self.tokens[who] = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def post(self, who: str, path: str, body: dict[str, Any] | None = None, **kw: Any) -> Any:
        headers = {**self._headers(who), **kw.pop("headers", {})}
        if "files" in kw:
            answer = self.client.post(path, headers=headers, **kw)
        else:
            answer = self.client.post(path, json=body or {}, headers=headers, **kw)
        if answer.status_code >= 300:
            raise RuntimeError(f"POST {path} as {who}: {answer.status_code} {answer.text[:300]}")
        return answer.json() if answer.content else None


class ClaimMaker:
    """Claims in every state the API reaches on its own, made as the demo staff would."""

    def __init__(self, api: Api, demo: Demo) -> None:
        from claimdesk.auth.permissions import Permission

        self.api, self.demo = api, demo
        self.handler = _staff_by_permission(demo, Permission.CLAIMS_ACCEPT)
        self.assessor = _staff_by_permission(demo, Permission.CLAIMS_ASSESS)
        self.adjuster = _staff_by_permission(demo, Permission.CLAIMS_ADJUST)
        self.flagger = _staff_by_permission(demo, Permission.FRAUD_FLAG)
        self.event_manager = _staff_by_permission(demo, Permission.CLAIM_EVENTS_MANAGE)
        self.reviewers = [u for u, r in demo.roles.items() if r.startswith("reviewer_")]
        self.reviewers.sort(key=lambda u: demo.roles[u])

    def report(self, code: str = "MED-MILLION") -> dict[str, Any]:
        cause = {"HOME-PROP": "water", "PUB-LIAB": "liability", "ACC-PLUS": "accident"}
        today = dt.date.today()
        body = {
            "channel": "hotline",
            "policy_number": self.demo.policies[code],
            "claimant_name": "客户一",
            "contact_phone": "13912345678",
            "loss_date": (today - dt.timedelta(days=3)).isoformat(),
            "loss_place": "北京市朝阳区",
            "loss_cause": cause.get(code, "illness"),
            "loss_overview": "住院治疗" if code == "MED-MILLION" else "出险经过",
            "estimated_amount": "4800.00",  # small: the survey may be skipped,
        }
        if code == "MED-MILLION":
            body["coverage_codes"] = ["medical"]
        return dict(self.api.post(self.handler, "/claims", body))

    def accept(self, claim: dict[str, Any]) -> None:
        cid = claim["id"]
        for item in claim["checklist"]:
            self.api.post(self.handler, f"/claims/{cid}/materials/receive", {"code": item["code"]})
        self.api.post(self.handler, f"/claims/{cid}/accept", {"reason": "材料齐全"})

    def survey(self, cid: int) -> None:
        # A small medical claim may skip the survey by the configured rule (recorded as
        # claim.step_skipped); the survey report's own plan belongs to the claim pages.
        self.api.post(self.handler, f"/claims/{cid}/survey/skip")

    def assess(self, cid: int) -> None:
        self.api.post(self.assessor, f"/claims/{cid}/assessments", MEDICAL)
        self.api.post(self.assessor, f"/claims/{cid}/assessment/complete")

    def adjust(self, cid: int) -> None:
        body = {"coverage_code": "medical", "liability": "covered", "covered_items": ["medical"]}
        self.api.post(self.adjuster, f"/claims/{cid}/adjustments", body)
        self.api.post(self.adjuster, f"/claims/{cid}/adjustment/complete")

    def submit(self, cid: int) -> None:
        self.api.post(self.adjuster, f"/claims/{cid}/review/submit")

    def approve(self, cid: int) -> None:
        for reviewer in self.reviewers:  # tier 1, 2, 3 as the amount requires
            review = self.api.post(
                reviewer,
                f"/claims/{cid}/review/decisions",
                {"decision": "approve", "checklist": ALL_CHECKS},
            )
            if review["state"] != "in_review":
                return

    def reject(self, cid: int) -> None:
        self.api.post(
            self.reviewers[0],
            f"/claims/{cid}/review/decisions",
            {
                "decision": "reject",
                "checklist": ALL_CHECKS,
                "reason": "不属于保险责任",
                "rejection_ground": "exclusion",
                "rejection_clause": "条款第七条责任免除第（三）项",
                "rejection_facts": "就诊项目为美容治疗，属责任免除",
            },
        )

    def walk(self, state: str) -> int:
        """A medical claim taken to ``state`` (the moves a person would make)."""
        claim = self.report()
        cid = int(claim["id"])
        if state == "reported":
            return cid
        if state == "awaiting_materials":
            self.api.post(self.handler, f"/claims/{cid}/materials-notice")
            return cid
        if state == "suspended":
            body = {"description": "就诊记录与出险时间不符"}
            self.api.post(self.flagger, f"/claims/{cid}/fraud-flags", body)
            return cid
        if state == "withdrawn":
            body = {"reason": "客户撤案"}
            self.api.post(self.handler, f"/claims/{cid}/transitions/withdraw", body)
            return cid
        steps = [
            ("accepted", lambda: self.accept(claim)),
            ("surveyed", lambda: self.survey(cid)),
            ("assessed", lambda: self.assess(cid)),
            ("adjusted", lambda: self.adjust(cid)),
            ("in_review", lambda: self.submit(cid)),
        ]
        for reached, step in steps:
            step()
            if reached == state:
                return cid
        (self.reject if state == "rejected" else self.approve)(cid)
        return cid

    def event(self, claim_ids: list[int]) -> int:
        today = dt.date.today()
        event = self.api.post(
            self.event_manager,
            "/claim-events",
            {
                "name": "演示：暴雨",
                "event_type": "flood",
                "region": "北京市",
                "starts_on": (today - dt.timedelta(days=5)).isoformat(),
                "guide_zh": "暴雨理赔绿色通道：拨打热线报案，材料可后补。",
                "guide_en": "Rainstorm claims green channel: call the hotline; materials later.",
            },
        )
        for cid in claim_ids:
            self.api.post(self.handler, f"/claims/{cid}/event", {"event_id": event["id"]})
        return int(event["id"])


STATES = (
    "reported",
    "awaiting_materials",
    "accepted",
    "surveyed",
    "assessed",
    "adjusted",
    "in_review",
    "approved",
    "rejected",
    "suspended",
    "withdrawn",
)


def _make_claims(maker: ClaimMaker) -> tuple[dict[str, int], int | None, list[str]]:
    """One claim id per state reached (for the claim pages), the event id, problems."""
    by_state: dict[str, int] = {}
    problems: list[str] = []
    for state in STATES:
        for _ in range(PER_STATE):
            try:
                by_state.setdefault(state, maker.walk(state))
            except RuntimeError as error:  # say which state is missing and go on
                problems.append(f"{state}: {error}")
                break
    # Reports on the other lines, so the queues and dashboards show every line.
    for code in maker.demo.policies:
        if code != "MED-MILLION":
            try:
                maker.report(code)
            except RuntimeError as error:
                problems.append(f"report {code}: {error}")
    event_id = None
    grouped = [cid for state, cid in by_state.items() if state in ("reported", "accepted")]
    try:
        event_id = maker.event(grouped)
    except RuntimeError as error:
        problems.append(f"mass event: {error}")
    return by_state, event_id, problems


# -- the pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRoute:
    path: str
    requirements: tuple[frozenset[Any], ...]  # every clause; any permission of a clause

    @property
    def params(self) -> list[str]:
        return re.findall(r"\{([^}]+)\}", self.path)

    def allows(self, role: str) -> bool:
        from claimdesk.auth.permissions import ROLE_PERMISSIONS, Role

        granted = ROLE_PERMISSIONS[Role(role)]
        return all(clause & granted for clause in self.requirements)


def _walk(routes: list[Any]) -> Iterator[Any]:
    # FastAPI 0.165 keeps included routers as _IncludedRouter objects; their
    # effective_candidates() are the routes with full paths (and further routers).
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from _walk(route.effective_candidates())
        else:
            yield route


def _requirements(dependant: Any) -> tuple[frozenset[Any], ...]:
    found: set[frozenset[Any]] = set()
    stack = [dependant]
    while stack:
        node = stack.pop()
        permission = getattr(node.call, "required_permission", None)
        if permission is not None:
            found.add(frozenset({permission, *getattr(node.call, "alternative_permissions", ())}))
        stack.extend(node.dependencies)
    return tuple(found)


def page_routes() -> list[PageRoute]:
    """Every GET route of the pages router, with the permissions it declares."""
    from claimdesk.web.router import pages_router

    found: dict[str, PageRoute] = {}
    for route in _walk(list(pages_router.routes)):
        if "GET" not in (getattr(route, "methods", None) or set()):
            continue
        dependant = getattr(route, "dependant", None)
        found[route.path] = PageRoute(
            route.path, _requirements(dependant) if dependant is not None else ()
        )
    return list(found.values())


@dataclass(frozen=True)
class Visit:
    label: str  # the route, with what fills it
    url: str
    who: str | None  # demo username, None: anonymous


def _ids(demo: Demo) -> dict[str, list[tuple[str, str]]]:
    """Values for each path parameter: (shown label, value)."""
    from sqlalchemy import func, select

    from claimdesk.dashboards import queries
    from claimdesk.models.product import ProductVersion
    from claimdesk.models.sales import SalesAgent
    from claimdesk.models.service import Complaint

    version = demo.query(
        select(ProductVersion.product_id, func.max(ProductVersion.id))
        .group_by(ProductVersion.product_id)
        .order_by(ProductVersion.product_id)
        .limit(1)
    )[0]
    complaint = demo.query(select(func.min(Complaint.id)))[0][0]
    agent = demo.query(select(func.min(SalesAgent.id)))[0][0]
    from claimdesk.models.policy import Policy

    policy = demo.query(select(Policy.id).where(Policy.number == demo.policies["MED-MILLION"]))
    return {
        "product_id": [("", str(version[0]))],
        "version_id": [("", str(version[1]))],
        "policy_id": [("", str(policy[0][0]))],
        "complaint_id": [("", str(complaint))],
        "agent_id": [("", str(agent))],
        "user_id": [("handler", str(demo.users["handler"]))],
        "name": [(name, name) for name in (*queries.CLAIMS_DATASETS, *queries.SERVICE_DATASETS)],
    }


def _first_id(demo: Demo, param: str) -> int | None:
    """A parameter no page had when this bench was written (``incident_id``): the
    smallest id of the table named after it (``security_incidents``), if it has rows."""
    from sqlalchemy import MetaData, func, select

    if not param.endswith("_id"):
        return None
    plural = f"{param[:-3]}s"
    from claimdesk.db import make_engine

    engine = make_engine(demo.url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
    finally:
        engine.dispose()
    for name, table in sorted(metadata.tables.items()):
        if (name == plural or name.endswith(f"_{plural}")) and "id" in table.c:
            found = demo.query(select(func.min(table.c.id)))[0][0]
            if found is not None:
                return int(found)
    return None


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], path)


def plan_visits(
    routes: list[PageRoute],
    demo: Demo,
    claims: dict[str, int],
    event_id: int | None,
    offered: dict[tuple[int, str], str],
) -> tuple[list[Visit], list[str]]:
    from claimdesk.dashboards import queries
    from claimdesk.ops.demo import DEMO_STAFF

    staff = {}
    for username, role, _unit, _name in DEMO_STAFF:
        staff.setdefault(role.value, username)  # one login per role
    # One object's page is opened by the first role that may: the handler works claims.
    preferred = ["handler", *(u for u in staff.values() if u != "handler")]
    ids = _ids(demo)
    visits: list[Visit] = []
    skipped: list[str] = []
    for route in routes:
        params = route.params
        portal = route.path.startswith("/portal")
        if not route.requirements:
            # Public pages (login, a mass event's guide): anonymous. "/" answers a
            # visitor with the login redirect; it is every role's start page.
            whos: list[str | None] = [None]
            if route.path == "/":
                whos = [*staff.values(), "customer1"]
        elif portal:
            whos = ["customer1"] if route.allows("customer") else []
        else:
            allowed = [u for u in staff.values() if route.allows(demo.roles[u])]
            if params:
                allowed = [u for u in preferred if u in allowed][:1]
            whos = list(allowed)
        if not whos:
            skipped.append(f"{route.path}: no demo login may open it")
            continue
        fillings: list[tuple[str, dict[str, str], str | None]] = []
        if "claim_id" in params and "action" in params:
            for (cid, action), who in sorted(offered.items()):
                state = next(s for s, c in claims.items() if c == cid)
                fillings.append(
                    (f"{state}/{action}", {"claim_id": str(cid), "action": action}, who)
                )
        elif "claim_id" in params:
            fillings = [(state, {"claim_id": str(cid)}, None) for state, cid in claims.items()]
        elif "event_id" in params:
            if event_id is None:
                skipped.append(f"{route.path}: no mass event")
                continue
            fillings = [("", {"event_id": str(event_id)}, None)]
        elif "name" in params:
            board = (
                queries.CLAIMS_DATASETS
                if route.path.startswith("/dashboards/claims")
                else queries.SERVICE_DATASETS
            )
            fillings = [(name, {"name": name}, None) for name in board]
        elif params:
            missing = [p for p in params if p not in ids and _first_id(demo, p) is None]
            if missing:
                skipped.append(f"{route.path}: the demo has no row for {', '.join(missing)}")
                continue
            values = {p: ids[p][0][1] if p in ids else str(_first_id(demo, p)) for p in params}
            fillings = [(ids[params[0]][0][0] if params[0] in ids else "", values, None)]
        else:
            fillings = [("", {}, None)]
        for shown, values, fixed_who in fillings:
            label = route.path + (f" [{shown}]" if shown else "")
            for who in [fixed_who] if fixed_who else whos:
                visits.append(Visit(label, _fill(route.path, values), who))
    return visits, skipped


# -- logging in and measuring ------------------------------------------------------------------


def _token(page: str) -> str:
    found = CSRF.search(page)
    if not found:
        raise RuntimeError("no csrf_token on the page")
    return found.group(1)


def staff_client(base: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=HTTP_TIMEOUT, trust_env=False)
    token = _token(client.get("/login").text)
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    if answer.status_code != 303:
        raise RuntimeError(f"login {username}: {answer.status_code}")
    return client


def customer_client(base: str, demo: Demo, username: str, password: str) -> httpx.Client:
    """Password, then the 6-digit code the outbox holds for the phone on file (CLM-A2)."""
    from sqlalchemy import select

    from claimdesk.models.job import OutboxMessage

    client = httpx.Client(base_url=base, timeout=HTTP_TIMEOUT, trust_env=False)
    token = _token(client.get("/portal/login").text)
    first = client.post(
        "/portal/login", data={"username": username, "password": password, "csrf_token": token}
    )
    messages = demo.query(
        select(OutboxMessage)
        .where(OutboxMessage.template == "portal.login_code")
        .order_by(OutboxMessage.id.desc())
    )
    body = next(m.body for (m,) in messages if m.recipient == demo.customer_phone)
    code = re.search(r"\b(\d{6})\b", body)
    assert code is not None
    second = client.post(
        "/portal/login/code", data={"code": code.group(1), "csrf_token": _token(first.text)}
    )
    if second.status_code != 303:
        raise RuntimeError(f"portal login {username}: {second.status_code}")
    return client


@dataclass
class Figures:
    label: str
    who: str
    status: int
    server_ms: list[float]
    client_ms: list[float]
    statements: int
    db_ms: float
    error: str | None = None  # the page failed: no figures, only what went wrong

    def pct(self, q: float) -> float:
        ordered = sorted(self.server_ms)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    @property
    def p95(self) -> float:
        return self.pct(0.95)

    def row(self) -> dict[str, Any]:
        return {
            "page": self.label,
            "role": self.who,
            "status": self.status,
            "statements": self.statements,
            "server_p50_ms": round(statistics.median(self.server_ms), 1),
            "server_p95_ms": round(self.p95, 1),
            "server_max_ms": round(max(self.server_ms), 1),
            "db_p50_ms": round(self.db_ms, 1),
            "client_p50_ms": round(statistics.median(self.client_ms), 1),
            "over_target": self.error is None and self.p95 > TARGET_MS,
            "error": self.error,
        }


def measure(client: httpx.Client, visit: Visit, role: str) -> Figures:
    """Warm-up, then SAMPLES requests; a failing page is reported at once, not timed."""
    from claimdesk.timing import HEADER, parse

    server, wall, db = [], [], []
    status, statements = 0, 0
    for sample in range(SAMPLES + 1):  # sample 0 warms up: templates compiled, caches filled
        started = time.perf_counter()
        try:
            answer = client.get(visit.url)
        except httpx.HTTPError as error:
            return Figures(visit.label, role, 0, [0.0], [0.0], 0, 0.0, repr(error))
        elapsed = (time.perf_counter() - started) * 1000
        status = answer.status_code
        if status >= 500 or HEADER not in answer.headers:
            return Figures(
                visit.label, role, status, [elapsed], [elapsed], 0, 0.0, f"HTTP {status}"
            )
        if sample == 0:
            continue
        timing = parse(answer.headers[HEADER])
        wall.append(elapsed)
        server.append(float(timing["app"]["dur"]))
        db.append(float(timing["db"]["dur"]))
        statements = int(timing["db"]["desc"].split()[0])
    return Figures(visit.label, role, status, server, wall, statements, statistics.median(db))


def _discover_actions(
    clients: dict[str, httpx.Client], claims: dict[str, int], demo: Demo
) -> dict[tuple[int, str], str]:
    """(claim, action) → the first role whose claim page offers that action's form."""
    offered: dict[tuple[int, str], str] = {}
    for cid in claims.values():
        for who, client in clients.items():
            if who == "customer1" or who not in demo.roles:
                continue
            page = client.get(f"/claims/{cid}")
            if page.status_code != 200:
                continue
            for found_id, action in ACTION_LINK.findall(page.text):
                offered.setdefault((int(found_id), action), who)
    return offered


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _print_table(backend: str, rows: list[dict[str, Any]]) -> None:
    print(f"\nPages on {backend}: server time from Server-Timing over {SAMPLES} samples")
    head = f"{'page':<58} {'role':<20} {'st':>3} {'sql':>4} {'p50':>7} {'p95':>7} {'max':>7} {'client':>7}"
    print(head)
    print("-" * len(head))
    for r in rows:
        flag = "  << over 300 ms" if r["over_target"] else ""
        flag = f"  << FAILED: {r['error']}" if r["error"] else flag
        print(
            f"{r['page'][:58]:<58} {r['role'][:20]:<20} {r['status']:>3} {r['statements']:>4} "
            f"{r['server_p50_ms']:>7.1f} {r['server_p95_ms']:>7.1f} {r['server_max_ms']:>7.1f} "
            f"{r['client_p50_ms']:>7.1f}{flag}"
        )


def bench_backend(backend: str, url: str, bulk: int = 0) -> dict[str, Any]:
    from claimdesk.crypto.keyring import Keyring
    from claimdesk.ops.demo import DEMO_PASSWORD, DEMO_STAFF

    keys = os.environ.get("CLAIMDESK_KEYS") or Keyring.generate().to_json()
    uploads = tempfile.TemporaryDirectory(prefix="claimdesk_bench_uploads_")
    env = {
        **os.environ,
        "CLAIMDESK_DATABASE_URL": url,
        "CLAIMDESK_ENV": "production",
        "CLAIMDESK_KEYS": keys,
        "CLAIMDESK_UPLOAD_DIR": uploads.name,
    }
    with uploads, _environment(env):
        started = time.perf_counter()
        _load_demo(url)
        server = Server(env)
        try:
            demo = _demo(url)
            server.wait_ready()
            maker = ClaimMaker(Api(server.base, DEMO_PASSWORD), demo)
            claims, event_id, problems = _make_claims(maker)
            if bulk:
                from bench.claims import _bulk_claims

                print(f"bulk-loaded {bulk} claims in {_bulk_claims(url, bulk):.1f} s")
            prepared = time.perf_counter() - started
            clients: dict[str, httpx.Client] = {}
            for username, *_ in DEMO_STAFF:
                clients[username] = staff_client(server.base, username, DEMO_PASSWORD)
            clients["customer1"] = customer_client(server.base, demo, "customer1", DEMO_PASSWORD)
            offered = _discover_actions(clients, claims, demo)
            visits, skipped = plan_visits(page_routes(), demo, claims, event_id, offered)
            anonymous = httpx.Client(base_url=server.base, timeout=HTTP_TIMEOUT, trust_env=False)
            loads = [_load_average()]
            figures = []
            for visit in visits:
                client = clients[visit.who] if visit.who else anonymous
                role = demo.roles.get(visit.who, "anonymous") if visit.who else "anonymous"
                figures.append(measure(client, visit, role))
                if len(figures) % 25 == 0:
                    loads.append(_load_average())
            loads.append(_load_average())
        finally:
            server.stop()
    rows = [f.row() for f in figures]
    _print_table(backend, rows)
    slow = [r for r in rows if r["over_target"]]
    failed = [r for r in rows if r["error"]]
    print(f"claims by state: {claims}; mass event {event_id}; prepared in {prepared:.1f} s")
    for line in problems + skipped:
        print(f"  note: {line}")
    print(f"load average (1/5/15 min) during the run: {loads[0]} … {loads[-1]}")
    print(f"pages over {TARGET_MS:.0f} ms (p95): {len(slow)}")
    for r in slow:
        print(f"  {r['page']} as {r['role']}: p95 {r['server_p95_ms']} ms")
    print(f"pages that failed: {len(failed)}")
    for r in failed:
        print(f"  {r['page']} as {r['role']}: {r['error']}")
    slowest = sorted((r for r in rows if not r["error"]), key=lambda r: -r["server_p95_ms"])[:10]
    return {
        "backend": backend,
        "samples": SAMPLES,
        "page_role_pairs": len(rows),
        "routes": len({r["page"].split(" [")[0] for r in rows}),
        "claims_by_state": claims,
        "over_target": [f"{r['page']} as {r['role']}" for r in slow],
        "failed": [f"{r['page']} as {r['role']}: {r['error']}" for r in failed],
        "slowest_p95_ms": {f"{r['page']} as {r['role']}": r["server_p95_ms"] for r in slowest},
        "not_measured": skipped,
        "notes": problems,
        "load_average": loads,
    }


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """The bench process reads the same keyring and settings as the server it starts."""
    from claimdesk.config import reset_settings_cache
    from claimdesk.crypto.keyring import set_keyring

    saved = dict(os.environ)
    os.environ.update(env)
    reset_settings_cache()
    set_keyring(None)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_settings_cache()
        set_keyring(None)


def _postgres_answers() -> bool:
    import psycopg

    from bench.common import PG_SERVER

    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


def run() -> dict[str, Any]:
    from claimdesk.migrate import upgrade

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="claimdesk_bench_pages_") as folder:
        url = f"sqlite:///{folder}/pages.db"
        upgrade(url)
        results["sqlite"] = bench_backend("SQLite", url)
    if _postgres_answers():
        from bench.common import scratch_postgres

        with scratch_postgres("claimdesk_bench_pages") as url:
            results["postgresql"] = bench_backend("PostgreSQL", url)
        if BULK:
            with scratch_postgres("claimdesk_bench_pages") as url:
                label = f"PostgreSQL + {BULK:,} bulk-loaded claims"
                results["postgresql_bulk"] = bench_backend(label, url, bulk=BULK)
    else:
        print("PostgreSQL: NOT RUN (no server answers at CLAIMDESK_BENCH_PG)")
    return results
