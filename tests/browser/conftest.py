"""Browser journeys: a REAL server (uvicorn subprocess) on a fresh migrated database with
the demo data, driven by Playwright through Debian's chromium (no `playwright install`).

Fixtures for every browser test (web engineers A and B):

* ``live_server`` (session): ``LiveServer`` with ``url``, ``db_url``, ``session()`` (a
  real-commit SQLAlchemy session on the same database, for set-up and assertions),
  ``api(username)`` (an httpx client with a bearer token, for set-up through the API)
  and ``customer_policy`` (the number of customer1's medical policy);
* ``browser`` (session): the chromium instance;
* ``page`` (1280 px, staff) and ``mobile_page`` (375 px, the customer portal): a new
  context per test, so cookies never leak between tests;
* ``login(page, live_server, username)`` and ``shot(page, name)`` (a PNG in a
  directory of the run; in docs/screenshots/, the README's pictures, only with
  ``CLAIMDESK_SCREENSHOTS=docs``).

Without /usr/bin/chromium every browser test FAILS with "BROWSER TESTS NOT RUN" (never
passes); ``CLAIMDESK_SKIP_BROWSER=1`` deselects them instead, with a loud summary line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.db import make_engine
from claimdesk.timeutil import local_date
from tests.conftest import _clone, _drop_clone
from tests.servers import wait_until_serving

CHROMIUM = Path(os.environ.get("CLAIMDESK_CHROMIUM", "/usr/bin/chromium"))


def server_today() -> dt.date:
    """The live server's business date. The journeys drive a real server on the real
    clock (chromium does not run under libfaketime), which cuts dates in Asia/Shanghai:
    ``date.today()`` on a UTC machine is the day before from 16:00 to midnight UTC, and a
    period ending on it would leave out what the journey just did."""
    return local_date(dt.datetime.now(dt.UTC))


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The README's pictures. A run writes its screenshots to a directory of its own (the
# checkout stays clean); CLAIMDESK_SCREENSHOTS=docs refreshes the README's, any other
# value names the directory to write them to (a CI artifact).
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOTS_VARIABLE = "CLAIMDESK_SCREENSHOTS"
_screenshots: dict[str, Path] = {}
DEMO_PASSWORD = "demo2026claims"  # claimdesk.ops.demo.DEMO_PASSWORD
NOT_RUN = "BROWSER TESTS NOT RUN: {why} — these journeys are NOT passing on this machine"
_BROWSER_DIR = Path(__file__).resolve().parent


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (see requirements.lock)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("CLAIMDESK_SKIP_BROWSER") != "1":
        return
    dropped = [i for i in items if _BROWSER_DIR in Path(str(i.fspath)).parents]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if i not in dropped]
        config._claimdesk_browser_deselected = len(dropped)  # type: ignore[attr-defined]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    count = getattr(config, "_claimdesk_browser_deselected", 0)
    if count:
        terminalreporter.write_sep(
            "!",
            f"BROWSER TESTS NOT RUN: {count} journeys deselected (CLAIMDESK_SKIP_BROWSER=1)",
            red=True,
            bold=True,
        )
    elif _missing():
        terminalreporter.write_sep("!", NOT_RUN.format(why=_missing()), red=True, bold=True)


# -- the server ----------------------------------------------------------------------------


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    db_url: str
    factory: sessionmaker[Session]
    customer_policy: str = ""
    log_path: Path | None = None
    _tokens: dict[str, str] = field(default_factory=dict)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose commit is real (the server sees it at once)."""
        with self.factory() as session:
            yield session
            session.commit()

    def api(self, username: str, password: str = DEMO_PASSWORD) -> httpx.Client:
        if username not in self._tokens:
            response = httpx.post(
                f"{self.url}/api/v1/auth/token",
                json={"username": username, "password": password},
                timeout=30,
            )
            assert response.status_code == 200, response.text
            self._tokens[username] = response.json()["access_token"]
        return httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers={"Authorization": f"Bearer {self._tokens[username]}"},
            timeout=30,
        )

    def server_log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path else ""


def issue_medical_policy(session: Session, *, person_id: int) -> Any:
    """A MED-MILLION policy for ``person_id`` (holder and insured), in force for the last
    200 days, issued by the system."""
    from claimdesk.auth.principal import Principal
    from claimdesk.policies.schemas import PolicyIssueIn
    from claimdesk.policies.service import issue_policy
    from claimdesk.products import repository as products

    product = products.find_product_by_code(session, code="MED-MILLION")
    assert product is not None
    version = next(v for v in product.versions if v.status == "published")
    start = server_today() - dt.timedelta(days=200)
    data = PolicyIssueIn.model_validate(
        {
            "product_version_id": version.id,
            "policyholder_id": person_id,
            "insured_id": person_id,
            "period_start": start.isoformat(),
            "premium": "365.00",
            "channel": "direct",
            "beneficiaries": [],
        }
    )
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=201)
    return issue_policy(session, actor=Principal.system("browser-tests"), data=data, at=at)


def _seed(factory: sessionmaker[Session]) -> str:
    """Demo logins, products, calendar, and a medical policy for customer1 in force now."""
    from claimdesk.auth import repository as auth_repository
    from claimdesk.auth.principal import Principal
    from claimdesk.models.org import OrgUnit
    from claimdesk.ops.demo import load_demo
    from claimdesk.products.demo import load_demo_products

    system = Principal.system("browser-tests")
    with factory() as session:
        load_demo(session, actor=system)
        load_demo_products(session, system)
        customer = auth_repository.get_user_by_username(session, username="customer1")
        assert customer is not None and customer.person_id is not None
        policy = issue_medical_policy(session, person_id=customer.person_id)
        beijing = session.query(OrgUnit).filter_by(code="BJ").one()
        policy.org_unit_id = beijing.id
        number = policy.number
        session.commit()
    return number


@pytest.fixture(scope="session")
def live_server(
    template_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    why = _missing()
    if why:
        pytest.fail(NOT_RUN.format(why=why), pytrace=False)
    base = tmp_path_factory.mktemp("live")
    db_url, handle = _clone(template_db_url, base)
    engine = make_engine(db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        policy_number = _seed(factory)
        with serve(db_url, base, factory, customer_policy=policy_number) as server:
            yield server
    finally:
        engine.dispose()
        _drop_clone(handle)


@contextlib.contextmanager
def serve(
    db_url: str, base: Path, factory: sessionmaker[Session], *, customer_policy: str = ""
) -> Iterator[LiveServer]:
    """A uvicorn subprocess on ``db_url``, answering /health, stopped on exit."""
    port = _free_port()
    env = {
        **os.environ,
        "CLAIMDESK_DATABASE_URL": db_url,
        "CLAIMDESK_ENV": "development",
        "CLAIMDESK_KEYS": os.environ["CLAIMDESK_KEYS"],
        "CLAIMDESK_UPLOAD_DIR": str(base / "uploads"),
        "PYTHONUNBUFFERED": "1",
    }
    log_path = base / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "claimdesk.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "info",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    server = LiveServer(
        url=url, db_url=db_url, factory=factory, customer_policy=customer_policy, log_path=log_path
    )
    try:
        wait_until_serving(url, process, log_path=log_path, what="the browser tests' server")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# -- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    why = _missing()
    if why:
        pytest.fail(NOT_RUN.format(why=why), pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _context(browser: Any, width: int, height: int, language: str) -> Any:
    return browser.new_context(
        viewport={"width": width, "height": height},
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )


def _csp_watch(page: Any) -> list[str]:
    """Collect the page's Content-Security-Policy violations (SEC-9): chromium reports
    each refused script, handler or style as a console error."""
    violations: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return violations


@dataclass
class _Traffic:
    """The page's latest requests and their answers, and the server, told when an action
    fails: a click that brought nothing is then seen as never sent, refused (a 4xx or
    5xx that htmx does not swap in) or unanswered, with the server's log beside."""

    server: LiveServer
    started: float = field(default_factory=time.monotonic)
    lines: deque[str] = field(default_factory=lambda: deque(maxlen=40))
    pending: dict[int, str] = field(default_factory=dict)

    def note(self, what: str) -> None:
        self.lines.append(f"{time.monotonic() - self.started:8.3f}s {what}")

    def report(self) -> str:
        return (
            "requests (latest last):\n  "
            + "\n  ".join(self.lines)
            + "\nunanswered: "
            + (", ".join(self.pending.values()) or "none")
            + "\nserver log (tail):\n"
            + self.server.server_log()[-2500:]
        )


_traffic: dict[int, _Traffic] = {}


def _watch_traffic(page: Any, server: LiveServer) -> None:
    traffic = _traffic[id(page)] = _Traffic(server)

    def name(request: Any) -> str:
        return f"{request.method} {request.url.removeprefix(server.url)}"

    def sent(request: Any) -> None:
        if request.resource_type in ("document", "xhr", "fetch"):
            traffic.pending[id(request)] = name(request)
            traffic.note(f"-> {name(request)}")

    def answered(response: Any) -> None:
        if traffic.pending.pop(id(response.request), None):
            traffic.note(f"<- {response.status} {name(response.request)}")

    def failed(request: Any) -> None:
        if traffic.pending.pop(id(request), None):
            traffic.note(f"xx {name(request)}: {request.failure}")

    page.on("request", sent)
    page.on("response", answered)
    page.on("requestfailed", failed)


def traffic_report(page: Any) -> str:
    traffic = _traffic.get(id(page))
    return traffic.report() if traffic else "(traffic not watched)"


@contextlib.contextmanager
def _new_page(browser: Any, server: LiveServer, width: int, height: int) -> Iterator[Any]:
    context = _context(browser, width, height, "zh-CN")
    context.set_default_timeout(15_000)
    new_page = context.new_page()
    violations = _csp_watch(new_page)
    _watch_traffic(new_page, server)
    try:
        yield new_page
    finally:
        _traffic.pop(id(new_page), None)
        context.close()
    assert violations == [], "CSP violations (SEC-9)"


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A staff desktop (1280 px), Chinese by default. Fails the test on any CSP
    violation (SEC-9)."""
    with _new_page(browser, live_server, 1280, 900) as new_page:
        yield new_page


@pytest.fixture
def mobile_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A customer's phone (375 px wide), Chinese. Fails the test on any CSP violation."""
    with _new_page(browser, live_server, 375, 812) as new_page:
        yield new_page


def login(page: Any, server: LiveServer, username: str, password: str = DEMO_PASSWORD) -> None:
    """Staff login through the form; lands on the user's start page."""
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    # A plain form post answered by a page: that page's load (its scripts run, htmx has
    # bound it) is the signal, not 500 ms of quiet network besides.
    with page.expect_navigation(timeout=30_000):
        page.click("button[type=submit].primary")
    assert "/login" not in page.url, f"login of {username} failed: {page.content()[:2000]}"
    settled(page)


# htmx marks the element whose request is in flight with this class (htmx.config.requestClass).
_SETTLED_JS = "() => window.htmx !== undefined && !document.querySelector('.htmx-request')"


def settled(page: Any) -> None:
    """Wait until htmx is on the page and none of its requests is in flight: the page is
    as a person sees it when they act next. Answers at once on a freshly loaded page
    (nothing on a page sends a request by itself), unlike ``networkidle``, which waited
    500 ms more on every page."""
    page.wait_for_function(_SETTLED_JS, timeout=30_000)


def follow(page: Any, selector: str) -> None:
    """Click a link (or a plain form's button) and wait for the page it leads to."""
    with page.expect_navigation(timeout=30_000):
        page.click(selector)
    settled(page)


@pytest.fixture(scope="session", autouse=True)
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where ``shot`` writes: docs/screenshots with CLAIMDESK_SCREENSHOTS=docs, the
    directory the variable names otherwise, and without it a directory of this run (a
    run leaves the checkout's pictures as they are)."""
    chosen = os.environ.get(SCREENSHOTS_VARIABLE, "")
    if chosen == "docs":
        where = DOCS_SCREENSHOTS
    elif chosen:
        where = Path(chosen)
    else:
        where = tmp_path_factory.mktemp("screenshots")
    _screenshots["dir"] = where
    return where


def shot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot named for the README (<name>.png in ``screenshot_dir``) and check
    a PNG was written."""
    where = _screenshots["dir"]
    where.mkdir(parents=True, exist_ok=True)
    path = where / f"{name}.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"no PNG written at {path}"
    return path


def latest_sms(server: LiveServer, *, recipient: str, template: str) -> str:
    """The body of the newest outbox message of ``template`` sent to ``recipient``."""
    from sqlalchemy import select

    from claimdesk.models.job import OutboxMessage

    with server.session() as session:
        # The recipient column is encrypted (SEC-1): compare after decryption.
        messages = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == template)
            .order_by(OutboxMessage.id.desc())
            .limit(50)
        ).all()
        body = next((m.body for m in messages if m.recipient == recipient), None)
    assert body, f"no {template} message to {recipient}"
    return body


CUSTOMER_PHONES = {"customer1": "13812345678", "customer2": "13987654321"}


def customer_login(page: Any, server: LiveServer, username: str = "customer1") -> None:
    """The portal's login: password, then the SMS code read from the outbox (CLM-A2)."""
    page.goto(f"{server.url}/portal/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#code")
    body = latest_sms(server, recipient=CUSTOMER_PHONES[username], template="portal.login_code")
    code = re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]
    page.fill("#code", code)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{server.url}/portal")


def png(text: str = "claimdesk") -> bytes:
    """A real, legible PNG (a scanned page stand-in) for uploads."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (400, 300), "white")
    ImageDraw.Draw(image).text((20, 140), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def open_action(page: Any, action: str) -> Any:
    """Click the action's button and wait for its form.

    The form is fetched by htmx. A click that lands before htmx has bound the button (a
    page waited for by its selector, not its load) sends nothing, and a person clicks
    again; so does this helper — only then: a second click while the first one's request
    is under way would fetch the form twice, and the second answer would replace the form
    being filled."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_function("() => window.htmx !== undefined")
    form = page.locator(f"#form-{action}")
    button = f"open-{action}"
    for _attempt in range(3):
        page.click(f"#{button}")
        try:
            page.wait_for_function(
                "([button, form]) => document.getElementById(form) !== null"
                " || document.getElementById(button).classList.contains('htmx-request')",
                arg=[button, f"form-{action}"],
                timeout=5_000,
            )
        except PlaywrightTimeout:
            continue  # the click sent nothing
        form.wait_for(timeout=30_000)
        return form
    raise AssertionError(f"the form of {action} did not open\n{traffic_report(page)}")


def act(page: Any, action: str, fields: dict[str, str | bool] | None = None) -> None:
    """Open an action of the claim page, fill it, submit it and wait for the reload.

    ``fields`` maps field names to values (select options by value; True ticks a box)."""
    form = open_action(page, action)
    for name, value in (fields or {}).items():
        target = page.locator(f"#{action}-{name}")
        if not target.count() and form.locator("[data-add-row]").count():
            # A form of rows (expense lines): the next row is added as a person does.
            form.locator("[data-add-row]").first.click()
        tag = target.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if tag.startswith("select"):
            target.select_option(str(value))
        elif tag.endswith("checkbox"):
            target.set_checked(bool(value))
        else:
            target.fill(str(value))
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    before = page.url
    # A person waits for the answer: on a machine running the whole suite beside the
    # browser the POST and its redirect have taken longer than 10 s (CI, PostgreSQL run).
    try:
        with page.expect_navigation(timeout=30_000):
            form.locator("button[type=submit]").click()
    except PlaywrightTimeout:
        error = page.locator(f"#form-{action} .error")
        texts = error.all_inner_texts() if error.count() else ["(no error shown)"]
        raise AssertionError(
            f"{action} was not done at {before}: {texts}\n{traffic_report(page)}"
        ) from None
    settled(page)


def logout(page: Any) -> None:
    page.click("header form[action='/logout'] button")
    page.wait_for_url("**/login")
