"""Test databases built from the migrations, on SQLite or PostgreSQL.

One pytest run uses one backend: SQLite by default, PostgreSQL when
``CLAIMDESK_TEST_DATABASE_URL`` names a server (``make test`` runs both). Each xdist
worker gets its own database. Every test runs inside a transaction that is rolled
back; tests that need real commits or several processes ask for ``fresh_db_url``,
a brand-new migrated database copied from a template. The run migrates that template
once, shared by its workers.

Tests that begin with the standard world (``world_db``) or settlement
(``settlement_db``) run, still in a rolled-back transaction, on a copy of the template
where the worker built that world once and committed it. On PostgreSQL, fresh databases are
made ahead and dropped on a thread of the worker's (``_PgClones``).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from sqlalchemy import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.claims import timeutil
from claimdesk.config import reset_settings_cache
from claimdesk.crypto.keyring import Keyring, set_keyring
from claimdesk.db import make_engine, normalise_url
from claimdesk.migrate import upgrade

PG_URL = os.environ.get("CLAIMDESK_TEST_DATABASE_URL") or None
BACKEND = "postgresql" if PG_URL else "sqlite"

# Hypothesis's per-example deadline (200 ms) and its too-slow check are timings: on a
# loaded box they fail tests whose properties hold. Speed is measured in bench/, never
# asserted in a unit test.
settings.register_profile("claimdesk", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("claimdesk")

# One keyring for the whole run, never written to the working tree.
TEST_KEYRING = Keyring.generate()


def pytest_report_header(config: pytest.Config) -> str:
    where = (
        make_url(normalise_url(PG_URL)).render_as_string(hide_password=True)
        if PG_URL
        else "SQLite files"
    )
    return f"claimdesk test database backend: {BACKEND} ({where})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # PostgreSQL-only tests (row locks, SKIP LOCKED across processes) are deselected,
    # not skipped, in the SQLite run: they run in the PostgreSQL run of `make test`; and
    # the other way round for the few SQLite-only behaviours (single-writer numbering).
    other = "sqlite_only" if BACKEND == "postgresql" else "postgres_only"
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker(other) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _worker() -> str:
    # Unique per pytest run and worker, so several runs can share one server.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8] or str(os.getppid())
    return f"{run}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def _pg_admin_url(url: str) -> str:
    return (
        make_url(normalise_url(url)).set(database="postgres").render_as_string(hide_password=False)
    )


def _pg_execute(url: str, *statements: str) -> None:
    import psycopg

    plain = (
        make_url(normalise_url(url))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )
    with psycopg.connect(plain, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


@pytest.fixture(scope="session", autouse=True)
def _test_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    base = tmp_path_factory.mktemp("claimdesk")
    os.environ["CLAIMDESK_ENV"] = "test"
    os.environ["CLAIMDESK_KEYS"] = TEST_KEYRING.to_json()
    os.environ["CLAIMDESK_UPLOAD_DIR"] = str(base / "uploads")
    # Same argon2id code path, cheaper costs: the suite logs in hundreds of times.
    os.environ.setdefault("CLAIMDESK_ARGON2_TIME_COST", "1")
    os.environ.setdefault("CLAIMDESK_ARGON2_MEMORY_KIB", "1024")
    os.environ.setdefault("CLAIMDESK_ARGON2_PARALLELISM", "1")
    reset_settings_cache()
    from claimdesk.auth.passwords import reset_hasher_cache

    reset_hasher_cache()
    set_keyring(TEST_KEYRING)
    yield
    set_keyring(None)


def pytest_configure(config: pytest.Config) -> None:
    # One name for this run, shared by its xdist workers (they inherit the environment
    # of the process that starts them): the migrated template is theirs in common.
    if not hasattr(config, "workerinput"):
        os.environ["CLAIMDESK_TEST_RUN"] = uuid.uuid4().hex[:8]


def _template_name() -> str:
    return f"claimdesk_tpl_{os.environ['CLAIMDESK_TEST_RUN']}"


def pytest_sessionfinish(session: pytest.Session) -> None:
    # The run's template outlives every worker's session; the process that started them
    # (or the only one) drops it once they are all done.
    if BACKEND == "postgresql" and not hasattr(session.config, "workerinput"):
        assert PG_URL
        _pg_execute(
            _pg_admin_url(PG_URL), f'DROP DATABASE IF EXISTS "{_template_name()}" WITH (FORCE)'
        )


@pytest.fixture(scope="session")
def template_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The migrated database every other one of this run is copied from. The first
    worker to get here migrates it under a lock; the others wait and use it (one
    migration per run, not one per worker)."""
    if BACKEND == "sqlite":
        # xdist gives each worker a folder inside the run's own temporary folder.
        shared = tmp_path_factory.getbasetemp()
        if "PYTEST_XDIST_WORKER" in os.environ:
            shared = shared.parent
        path = shared / "template.db"
        with _file_lock(shared / "template.lock"):
            if not path.exists():
                partial = shared / "template.db.partial"
                upgrade(f"sqlite:///{partial}")
                partial.replace(path)
        return f"sqlite:///{path}"
    assert PG_URL
    name = _template_name()
    url = make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    with _pg_lock(name):
        if not _pg_exists(name):
            # Under another name until migrated: a worker that finds the template finds
            # it whole, even after a crash half-way.
            partial = f"{name}_partial"
            admin = _pg_admin_url(PG_URL)
            _pg_execute(
                admin,
                f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)',
                f'CREATE DATABASE "{partial}"',
            )
            upgrade(make_url(url).set(database=partial).render_as_string(hide_password=False))
            _pg_execute(admin, f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
    return url


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _pg_lock(name: str) -> Iterator[None]:
    """A session-level advisory lock on the server, named after ``name``."""
    import psycopg

    assert PG_URL
    plain = make_url(_pg_admin_url(PG_URL)).set(drivername="postgresql")
    with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (name,))
        yield


def _pg_exists(name: str) -> bool:
    import psycopg

    assert PG_URL
    plain = make_url(_pg_admin_url(PG_URL)).set(drivername="postgresql")
    with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return found is not None


def _clone(template_url: str, tmp_dir: Path) -> tuple[str, str]:
    if BACKEND == "sqlite":
        source = Path(make_url(template_url).database or "")
        target = tmp_dir / f"db-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(source, target)
        return f"sqlite:///{target}", str(target)
    assert PG_URL
    name = f"claimdesk_{_worker()}_{uuid.uuid4().hex[:8]}"
    template_name = make_url(template_url).database
    _pg_execute(_pg_admin_url(PG_URL), f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    return make_url(template_url).set(database=name).render_as_string(hide_password=False), name


def _drop_clone(handle: str) -> None:
    if BACKEND == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(handle + suffix).unlink(missing_ok=True)
    else:
        assert PG_URL
        _pg_execute(_pg_admin_url(PG_URL), f'DROP DATABASE IF EXISTS "{handle}" WITH (FORCE)')


@pytest.fixture(scope="session")
def worker_db_url(template_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, handle = _clone(template_db_url, tmp_path_factory.mktemp("worker"))
    yield url
    _drop_clone(handle)


@pytest.fixture(scope="session")
def engine(worker_db_url: str) -> Iterator[Engine]:
    engine = make_engine(worker_db_url)
    yield engine
    engine.dispose()


# Tests that begin by building one of these (tests.claims.helpers.build_world,
# tests.claims.steps.build_settlement) ask for the fixture of the same name + "_db".
_PREBUILT_KINDS = ("world", "settlement")


@pytest.fixture
def connection(request: pytest.FixtureRequest) -> Iterator[Connection]:
    kinds = [k for k in _PREBUILT_KINDS if f"{k}_db" in request.fixturenames]
    if not kinds:
        engine: Engine = request.getfixturevalue("engine")
        conn = engine.connect()
        outer = conn.begin()
        yield conn
        outer.rollback()
        conn.close()
        return
    from tests.claims.helpers import close_prebuilt, open_prebuilt

    assert len(kinds) == 1, f"a test builds one of {kinds}, not both"
    assert "engine" not in request.fixturenames, f"{kinds[0]}_db: the test's engine is its own"
    prebuilt_engine, prebuilt = request.getfixturevalue(f"_{kinds[0]}_database")
    conn = prebuilt_engine.connect()
    outer = conn.begin()
    on = open_prebuilt(conn, kinds[0], prebuilt)
    yield conn
    close_prebuilt(on)
    outer.rollback()
    conn.close()
    assert on.taken, f"a test that asks for {kinds[0]}_db must call build_{kinds[0]}"


@pytest.fixture
def world_db() -> None:
    """Asked for by a test (or its fixture) that calls tests.claims.helpers.build_world
    before anything else writes to the database. Its connection then opens on the
    worker's world database, where build_world ran once and committed, and build_world
    hands back that world; the test's transaction is rolled back as any other. One real
    build per worker instead of one per test (~0.3 s on SQLite, ~0.55 s on PostgreSQL
    on a quiet box)."""


@pytest.fixture
def settlement_db() -> None:
    """As world_db, for tests that begin with tests.claims.steps.build_settlement (the
    world, ten more staff logged in, bank accounts)."""


def _prebuilt_database(
    template_db_url: str, tmp_path_factory: pytest.TempPathFactory, kind: str
) -> Iterator[tuple[Engine, object]]:
    """A clone of the template where ``kind``'s builder ran once, through a session and
    the API as in a test, and committed."""
    from claimdesk.app import create_app
    from tests.claims.helpers import PrebuiltWorld, build_world_now
    from tests.claims.steps import PrebuiltSettlement, build_settlement_now

    url, handle = _clone(template_db_url, tmp_path_factory.mktemp(kind))
    prebuilt_engine = make_engine(url)
    factory = sessionmaker(bind=prebuilt_engine, expire_on_commit=False)
    with (
        factory() as session,
        TestClient(create_app(factory=factory), raise_server_exceptions=False) as client,
        pytest.MonkeyPatch.context() as patch,
    ):
        # Tests freeze the claims clock at dates of their own before building: a build
        # that read it would differ from test to test and could not be shared.
        patch.setattr(timeutil, "now", _no_clock_in_prebuilt)
        prebuilt = (
            PrebuiltWorld.of(build_world_now(session, client))
            if kind == "world"
            else PrebuiltSettlement.of(build_settlement_now(session, client))
        )
    yield prebuilt_engine, prebuilt
    prebuilt_engine.dispose()
    _drop_clone(handle)


def _no_clock_in_prebuilt() -> dt.datetime:
    raise AssertionError("a prebuilt world read the claims clock (build it in the test)")


@pytest.fixture(scope="session")
def _world_database(
    template_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, object]]:
    yield from _prebuilt_database(template_db_url, tmp_path_factory, "world")


@pytest.fixture(scope="session")
def _settlement_database(
    template_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, object]]:
    yield from _prebuilt_database(template_db_url, tmp_path_factory, "settlement")


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits are savepoints inside the test's outer transaction."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def app(session_factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    from claimdesk.app import create_app

    return create_app(factory=session_factory)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


class _PgClones:
    """This worker's fresh PostgreSQL databases, made and dropped on a thread of their
    own: a DROP DATABASE waits for a checkpoint (0.3 s on a quiet box, seconds on a busy
    one) and a CREATE DATABASE copies the template through the WAL, and no test needs to
    wait for either. One spare clone of the template is made ahead; a used database is
    dropped after its test. Each test still gets a database nobody has used."""

    def __init__(self, template_url: str) -> None:
        self.template_url = template_url
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-clones")
        self.spare: Future[str] | None = None
        self.drops: list[Future[None]] = []

    def _create(self) -> str:
        url, _name = _clone(self.template_url, Path())
        return url

    def take(self) -> str:
        spare, self.spare = self.spare, None
        url = spare.result() if spare is not None else self._create()
        self.spare = self.thread.submit(self._create)
        return url

    def give_back(self, url: str) -> None:
        self.drops.append(self.thread.submit(_drop_clone, make_url(url).database or ""))

    def close(self) -> None:
        if self.spare is not None:
            self.give_back(self.spare.result())
        self.thread.shutdown(wait=True)
        for drop in self.drops:
            drop.result()  # a failed drop fails the run's last test, not silently


@pytest.fixture(scope="session")
def _pg_clones(template_db_url: str) -> Iterator[_PgClones]:
    clones = _PgClones(template_db_url)
    yield clones
    clones.close()


@pytest.fixture
def fresh_db_url(
    template_db_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A new migrated database whose commits are real (several processes, crashes)."""
    if BACKEND == "postgresql":
        clones: _PgClones = request.getfixturevalue("_pg_clones")
        url = clones.take()
        yield url
        clones.give_back(url)
        return
    url, handle = _clone(template_db_url, tmp_path)
    yield url
    _drop_clone(handle)


@pytest.fixture
def engine_of_cli(fresh_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A fresh database the ``claimdesk`` command reaches through its settings (the
    CLI opens its own engine from CLAIMDESK_DATABASE_URL), and an engine on it for the
    test's own rows."""
    from claimdesk.db import reset_engine_cache

    monkeypatch.setenv("CLAIMDESK_DATABASE_URL", fresh_db_url)
    reset_settings_cache()
    reset_engine_cache()
    engine = make_engine(fresh_db_url)
    yield engine
    engine.dispose()
    monkeypatch.undo()
    reset_settings_cache()
    reset_engine_cache()


@pytest.fixture(autouse=True)
def _fresh_book_rate() -> Iterator[None]:
    """The checks cache the book's claim rate per database and day (claim_frequency's
    prior); tests share a database and a day, and each test's book is its own."""
    from claimdesk.checks.repository import clear_book_rates

    clear_book_rates()
    yield


@pytest.fixture
def backend() -> str:
    return BACKEND
