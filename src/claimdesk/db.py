"""Engine and session factory.

One transaction per request or job: the edge (FastAPI dependency, job runner, CLI
command) opens a session, the services only flush, and the edge commits or rolls back.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy import Sequence as DbSequence
from sqlalchemy import (
    column as column_of,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker

from claimdesk.config import get_settings
from claimdesk.timing import count_statement


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use psycopg 3 for them."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread off: the pool hands a connection to one thread at a time anyway.
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take the write lock at the
        # start of every transaction instead so that two writers serialise cleanly.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    settings = get_settings()
    kwargs.setdefault("pool_size", settings.db_pool_size)
    kwargs.setdefault("max_overflow", settings.db_max_overflow)
    kwargs.setdefault("pool_timeout", settings.db_pool_timeout)
    # No ping on every checkout (``pool_pre_ping``): it was one of the four round trips of
    # every authenticated request (issue 14). A connection is pinged only when it sat in
    # the pool longer than PING_IDLE_SECONDS (a restart or a firewall is likely to have
    # cut it then), connections are renewed after POOL_RECYCLE_SECONDS, and the first
    # statement of a request (the token check, /health: read_on_driver) is run again on
    # another connection when its connection is found dead. A disconnect seen by the
    # session also invalidates the whole pool (SQLAlchemy), so after a database restart
    # only requests already under way can fail, once.
    kwargs.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


POOL_RECYCLE_SECONDS = 3600
PING_IDLE_SECONDS = 10.0
_CHECKED_IN = "claimdesk_checked_in"


def _ping_when_idle(engine: Engine) -> None:
    def checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_CHECKED_IN] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_CHECKED_IN)
        if since is None or time.monotonic() - since <= PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out (or opens) another one.
            raise DisconnectionError("connection found dead after sitting idle") from error

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def driver_engine(session: Session) -> Engine | None:
    """The engine a read may bypass the session for (:func:`read_on_driver`): PostgreSQL,
    a session bound to an engine (a test's session joins the test's own transaction and
    must see its rows) that has begun nothing yet (a read inside a transaction stays in
    it). None otherwise."""
    if session.in_transaction():
        return None
    bind = session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql":
        return None
    return bind


def read_on_driver(engine: Engine, statement: Any, params: dict[str, Any]) -> list[Any]:
    """Run one read-only SELECT straight on a pooled psycopg connection, in autocommit,
    and return its rows as tuples in the statement's column order.

    For the statement every request runs (the token check, /health; issue 14): through a
    Session and a Connection it cost about 0.3 ms of CPU, on the driver about 0.07 ms —
    no transaction objects, no BEGIN/COMMIT round trips, no result metadata. It still
    goes through the pool (its size, timeout and idle ping), is counted in Server-Timing,
    and a connection found dead is discarded and the read run once more on another. The
    statement is compiled once per process; its parameters must need no SQLAlchemy type
    processing (plain strings, numbers, aware datetimes)."""
    sql = _DRIVER_SQL.get(statement)
    if sql is None:
        sql = _DRIVER_SQL[statement] = str(statement.compile(dialect=engine.dialect))
    dbapi = engine.dialect.loaded_dbapi
    for attempt in (1, 2):
        pooled = engine.raw_connection()
        driver: Any = pooled.driver_connection
        try:
            started = time.perf_counter()
            driver.autocommit = True
            try:
                with driver.cursor() as cursor:
                    cursor.execute(sql, params)
                    rows: list[Any] = cursor.fetchall()
            finally:
                if not driver.closed:
                    driver.autocommit = False
            count_statement(time.perf_counter() - started)
            return rows
        except dbapi.Error as error:
            dead = engine.dialect.is_disconnect(error, driver, None)
            if dead:
                pooled.invalidate(error)
            if not dead or attempt == 2:
                # As SQLAlchemy would raise it, without the parameters (a token's hash).
                raise DBAPIError.instance(
                    sql, params, error, dbapi.Error, hide_parameters=True
                ) from error
        finally:
            pooled.close()
    raise AssertionError("unreachable")


_DRIVER_SQL: dict[Any, str] = {}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres(engine_or_session: Engine | Session) -> bool:
    bind = (
        engine_or_session.get_bind()
        if isinstance(engine_or_session, Session)
        else engine_or_session
    )
    return bind.dialect.name == "postgresql"


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache(maxsize=1)
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def reset_engine_cache() -> None:
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_sessionmaker.cache_clear()


@contextmanager
def unit_of_work(factory: sessionmaker[Session] | None = None) -> Iterator[Session]:
    """A session whose transaction commits when the block ends without error."""
    session = (factory or get_sessionmaker())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def next_daily_value(
    session: Session,
    sequence: Any,
    day: Any,
    *,
    issued: Any = None,
    prefix: str = "",
    drawn: int | None = None,
) -> int:
    """The next number of ``day`` for a per-day counter (report numbers, security
    incident numbers; CLM-R3).

    PostgreSQL: ``nextval`` of a sequence of that day (``<table>_<yyyymmdd>``), created by
    the day's first caller. No row stays locked until commit, so reporters of the same
    day in any number of processes do not wait for each other. A number taken by a
    transaction that then rolls back is not reused: the day's numbers may have gaps.

    SQLite (one writer at a time anyway): the day's row in ``sequence`` (columns ``day``
    and ``last_value``) is upserted and incremented in one statement; no gaps.

    ``issued`` (the column holding the numbers, e.g. ``Claim.number``) and ``prefix``
    (e.g. ``BA20261205``) let the day's sequence start after every number already issued,
    also after a restore into a new database (sequences are not in a backup).

    ``drawn``: the value a statement already took with :func:`daily_value_column`
    (PostgreSQL; None when the day's sequence did not exist yet, and then this call
    creates it and draws)."""
    if drawn is not None:
        return drawn
    if is_postgres(session):
        return _next_from_day_sequence(session, sequence, day, issued=issued, prefix=prefix)

    upsert = (
        sqlite.insert(sequence)
        .values(day=day, last_value=1)
        .on_conflict_do_update(
            index_elements=[sequence.day], set_={"last_value": sequence.last_value + 1}
        )
        .returning(sequence.last_value)
    )
    return int(session.execute(upsert).scalar_one())


def day_sequence_name(sequence: Any, day: Any) -> str:
    return f"{sequence.__tablename__}_{day:%Y%m%d}"


# nextval(NULL) is NULL: one round trip both asks whether the sequence exists and takes
# the number. Built once (no statement built per report).
_NEXTVAL = text("SELECT nextval(to_regclass(:name))")


def daily_value_column(param: str = "day_sequence") -> Any:
    """``nextval`` of a day's sequence as a column another SELECT can carry (PostgreSQL),
    so that a caller's first statement also takes the day's number: the sequence's name
    (:func:`day_sequence_name`) is bound as ``param``; NULL when the day's sequence does
    not exist yet (pass it to :func:`next_daily_value` as ``drawn``)."""
    return func.nextval(func.to_regclass(bindparam(param, type_=String)))


def _next_from_day_sequence(
    session: Session, sequence: Any, day: Any, *, issued: Any, prefix: str
) -> int:
    name = day_sequence_name(sequence, day)
    for _ in range(3):
        value = session.connection().execute(_NEXTVAL, {"name": name}).scalar()
        if value is not None:
            return int(value)
        # The day's first number: create the sequence in this transaction (transactional
        # DDL, so a rolled-back report leaves nothing behind). A concurrent creator makes
        # CREATE wait for its commit and then fail; the savepoint keeps our transaction
        # alive and the next round finds its sequence. Once a day, per counter.
        start = _first_free(session, sequence, day, issued=issued, prefix=prefix)
        try:
            with session.begin_nested():
                session.execute(text(f'CREATE SEQUENCE "{name}" START WITH {start} CACHE 1'))
        except DBAPIError:
            continue
    raise RuntimeError(f"could not create or use the sequence {name}")


def _first_free(session: Session, sequence: Any, day: Any, *, issued: Any, prefix: str) -> int:
    """One more than the day's highest number in use: the old per-day row (numbers from
    before sequences) and, when given, the numbers already issued."""
    top = (
        session.execute(select(sequence.last_value).where(sequence.day == day)).scalar_one_or_none()
        or 0
    )
    if issued is not None:
        highest = session.execute(
            select(func.max(issued)).where(issued.like(f"{prefix}%"))
        ).scalar_one_or_none()
        if highest and highest[len(prefix) :].isdigit():
            top = max(top, int(highest[len(prefix) :]))
    return int(top) + 1


class _Row:
    """What a column's insert default sees (``get_current_parameters``) when its value
    is filled in here rather than by the statement."""

    def __init__(self, row: dict[str, Any]) -> None:
        self._row = row

    def get_current_parameters(self) -> dict[str, Any]:
        return self._row


def _columns_of(model: type[Any]) -> list[tuple[Any, str]]:
    """(column, attribute key) of a model's table, primary key left out; cached."""
    table = model.__table__
    columns = _COLUMNS.get(table)
    if columns is None:
        mapper = model.__mapper__
        columns = _COLUMNS[table] = [
            (column, mapper.get_property_by_column(column).key)
            for column in table.columns
            if not column.primary_key
        ]
    return columns


def _row_of(model: type[Any], obj: Any) -> dict[str, Any]:
    """The row an object's insert writes: its values, and for a column it leaves unset
    the column's insert default, set on the object too (it holds what the row holds)."""
    columns = _columns_of(model)
    given = obj.__dict__
    row = {column.key: given[key] for column, key in columns if key in given}
    for column, key in columns:
        if key in given:
            continue
        default = column.default
        if default is None:
            value = None
        elif default.is_scalar:
            value = default.arg
        elif default.is_callable:
            value = default.arg(_Row(row))
        else:  # a SQL expression or sequence: only the database knows the value
            raise TypeError(f"{model.__table__.name}.{column.name}: give a value")
        setattr(obj, key, value)
        row[column.key] = value
    return row


def _keep(session: Session, model: type[Any], objects: Sequence[Any], ids: Sequence[Any]) -> None:
    """Objects just inserted with these ids, made persistent in the session as a flush
    would leave them."""
    mapper = model.__mapper__
    pk = mapper.get_property_by_column(model.__table__.primary_key.columns[0]).key
    for obj, new_id in zip(objects, ids, strict=True):
        setattr(obj, pk, new_id)
        make_transient_to_detached(obj)
        session.add(obj)
    # What a flush would have listed in ``session.new``, for the hooks that act on new
    # data at commit (checks.hooks).
    session.info.setdefault(INSERTED, []).extend(objects)


def insert_new(
    session: Session, model: type[Any], objects: Sequence[Any], *, keep: bool = True
) -> None:
    """Insert new objects of ``model`` in one statement (a multi-row INSERT, ids returned
    in the objects' order) and keep them in the session as if a flush had written them:
    persistent, every column loaded, nothing pending. For a write path where the unit of
    work's per-object flush is the cost (the report, issue 14 item 2).

    A column the object leaves unset gets its insert default here, so the object holds
    what the row holds; the primary key comes back from the database. ``keep=False``:
    rows nothing in this transaction reads back (a checklist, a transition row) — no id
    is returned and the objects stay out of the session, values filled in."""
    if not objects:
        return
    table = model.__table__
    rows = [_row_of(model, obj) for obj in objects]
    statement = _insert_of(table, returning=keep)
    session.flush()  # what the rows may refer to, as session.execute would (autoflush)
    if not keep:
        session.connection().execute(statement, rows)
        return
    ids = session.connection().execute(statement, rows).scalars().all()
    _keep(session, model, objects, ids)


@dataclass(frozen=True)
class InsertedWith:
    """What :func:`insert_new_with` hands back besides the parent's id (set on it)."""

    drawn: list[int]  # values of ``draw``'s sequence, ascending (none on SQLite)


def insert_new_with(
    session: Session,
    model: type[Any],
    obj: Any,
    *,
    children: Sequence[tuple[type[Any], str, Sequence[Any]]],
    rows: Sequence[tuple[type[Any], str, Sequence[dict[str, Any]]]] = (),
    numbered: tuple[type[Any], str, Sequence[Any]] | None = None,
    draw: tuple[str, int] | None = None,
) -> InsertedWith:
    """Insert one new object (as :func:`insert_new`, kept in the session with its id)
    and rows that refer to it, each ``(model, foreign key attribute, objects)`` written
    as ``insert_new(..., keep=False)`` writes them, their foreign key set to the new id.

    ``rows``: more of them as plain rows (``(model, foreign key attribute, rows)``, each
    row as :func:`new_row` makes it, the foreign key set here; no ORM object): on
    PostgreSQL each kind as one JSON parameter (``json_to_recordset``), so the
    statement's text and number of parameters do not grow with the rows (psycopg
    caches a statement's parsing up to 50 parameters and 4,096 characters), and the
    rows cost one ``json.dumps``, where psycopg adapts every value of an executemany
    or of an array parameter in Python (measured: arrays cost more than they saved).

    PostgreSQL: all in one statement (the children inserted by data-modifying CTEs from
    the parent's RETURNING; their foreign keys are checked at the statement's end, when
    the parent row exists): a report writes its claim, transition row and checklist in
    one round trip (issue 14). SQLite: one statement per model.

    ``numbered``: new objects that refer to the parent and whose ids are needed but
    which nothing reads back through the session (a new claim's clocks), as
    :func:`insert_new_unkept` writes them: ids set on them in their order, the
    reference set too (as text when its column is a string: a clock's subject id).
    ``draw``: (sequence, n) — also take n values of that sequence in the statement
    (``InsertedWith.drawn``; PostgreSQL only, SQLite draws nothing): a new claim's
    audit entries' seqs (audit.service.reserve_seqs), one round trip fewer."""
    if not is_postgres(session):
        _insert_new_with_one_by_one(session, model, obj, children, rows, numbered)
        return InsertedWith(drawn=[])
    children = [(m, k, objs) for m, k, objs in children if objs]
    parent_row = _row_of(model, obj)
    params, shape = _parent_and_children_params(parent_row, children)
    statement = _insert_with_of(model, tuple(parent_row), tuple(shape), params)
    dialect = session.get_bind().dialect
    if rows:
        statement = _with_rows_of(statement, _row_shape(rows, params, dialect))
    numbered_shape = _numbered_shape(numbered, params, dialect)
    sequence = None
    if draw is not None:
        sequence, params["draw_n"] = draw
    if numbered_shape is not None or sequence is not None:
        statement = _with_numbered_of(statement, numbered_shape, sequence)
    session.flush()  # what the rows may refer to, as session.execute would (autoflush)
    (result,) = _run_on_driver(session, statement, params)
    new_id = result[0]
    _keep(session, model, [obj], [new_id])
    for _child_model, key, objects in children:
        for child in objects:
            setattr(child, key, new_id)
    if numbered is not None and numbered_shape is not None:
        _set_numbered_ids(numbered, parent_id=new_id, ids=result[1])
    return InsertedWith(drawn=sorted(result[-1] or []) if sequence is not None else [])


def _numbered_shape(
    numbered: tuple[type[Any], str, Sequence[Any]] | None,
    params: dict[str, Any],
    dialect: Any,
) -> tuple[type[Any], str, tuple[str, ...]] | None:
    """The numbered objects' (model, foreign key attribute, columns), their rows put in
    ``params`` as one JSON parameter (``n_rows``); None when there are none."""
    if numbered is None or not numbered[2]:
        return None
    numbered_model, key, objects = numbered
    fk_key = numbered_model.__mapper__.attrs[key].columns[0].key
    numbered_rows = [_row_of(numbered_model, item) for item in objects]
    table = numbered_model.__table__
    names = tuple(name for name in numbered_rows[0] if name != fk_key)
    params["n_rows"] = _json_rows(table, names, numbered_rows, dialect, numbered=True)
    return (numbered_model, key, names)


def _run_on_driver(session: Session, statement: Any, params: dict[str, Any]) -> list[Any]:
    """The compiled text on the driver (as db.insert_rows does): the statement is built
    once per shape, so SQLAlchemy's per-execution work — its cache key over five CTEs,
    parameter and result set-up — bought nothing; each value goes through its column
    type's bind processor here as it would there (encryption, JSON, UTC)."""
    sql, processors, held = _driver_sql_of(statement, session.get_bind().dialect)
    given = {**held, **params}
    for name, process in processors.items():  # a few of the parameters have one
        value = params.get(name)
        if value is not None:
            given[name] = process(value)
    return run_in_transaction(session.connection(), sql, given)


def _insert_new_with_one_by_one(
    session: Session,
    model: type[Any],
    obj: Any,
    children: Sequence[tuple[type[Any], str, Sequence[Any]]],
    rows: Sequence[tuple[type[Any], str, Sequence[dict[str, Any]]]],
    numbered: tuple[type[Any], str, Sequence[Any]] | None,
) -> None:
    """insert_new_with on SQLite: one statement per model, the parent's first."""
    insert_new(session, model, [obj])
    for child_model, key, objects in children:
        for child in objects:
            setattr(child, key, obj.id)
        insert_new(session, child_model, objects, keep=False)
    for row_model, key, group in rows:
        if group:
            fk_key = row_model.__mapper__.attrs[key].columns[0].key
            session.connection().execute(
                _insert_of(row_model.__table__, returning=False),
                [{**row, fk_key: obj.id} for row in group],
            )
    if numbered is not None and numbered[2]:
        numbered_model, key, objects = numbered
        for item in objects:
            setattr(item, key, _reference(numbered_model, key, obj.id))
        insert_new_unkept(session, numbered_model, objects)


def _parent_and_children_params(
    parent_row: dict[str, Any], children: Sequence[tuple[type[Any], str, Sequence[Any]]]
) -> tuple[dict[str, Any], list[tuple[type[Any], str, int]]]:
    """The parameters of the parent's row and its children's, and the children's shape
    (model, foreign key attribute, how many). Short parameter names (p<i>,
    c<kind>_<row>_<column>, by position): the statement's text must stay within
    psycopg's query cache (4,096 characters; see _driver_sql_of)."""
    params = {f"p{i}": value for i, value in enumerate(parent_row.values())}
    shape: list[tuple[type[Any], str, int]] = []
    for index, (child_model, key, objects) in enumerate(children):
        shape.append((child_model, key, len(objects)))
        position = _positions_of(child_model)
        for number, child in enumerate(objects):
            child_row = _row_of(child_model, child)
            for name, value in child_row.items():
                params[f"c{index}_{number}_{position[name]}"] = value
    return params, shape


def _set_numbered_ids(
    numbered: tuple[type[Any], str, Sequence[Any]], *, parent_id: int, ids: Sequence[int]
) -> None:
    """Set the ids the insert gave the numbered objects, and their reference to the
    parent: ids are handed out in the insert's order (ORDER BY the rows' position)."""
    numbered_model, key, objects = numbered
    pk = numbered_model.__mapper__.get_property_by_column(
        numbered_model.__table__.primary_key.columns[0]
    ).key
    reference = _reference(numbered_model, key, parent_id)
    for item, item_id in zip(objects, sorted(ids), strict=True):
        setattr(item, pk, item_id)
        setattr(item, key, reference)


def _reference(model: type[Any], key: str, parent_id: int) -> Any:
    """The parent's id as ``model.key`` holds it: text in a string column."""
    column = model.__mapper__.attrs[key].columns[0]
    return str(parent_id) if column.type.python_type is str else parent_id


_WITH: dict[tuple[Any, ...], Any] = {}


def _insert_with_of(
    model: type[Any],
    parent_keys: tuple[str, ...],
    shape: tuple[tuple[type[Any], str, int], ...],
    params: dict[str, Any],
) -> Any:
    """The statement of :func:`insert_new_with` for one shape (the parent's columns given,
    each child's model and row count), built once per shape."""
    cache_key = (model, parent_keys, shape)
    found = _WITH.get(cache_key)
    if found is not None:
        return found
    table = model.__table__
    (pk,) = table.primary_key.columns
    parent = (
        insert(table)
        .values(
            {
                name: bindparam(f"p{i}", type_=table.c[name].type)
                for i, name in enumerate(parent_keys)
            }
        )
        .returning(pk)
        .cte("new_parent")
    )
    statement = select(parent.c[pk.key])
    for index, (child_model, key, count) in enumerate(shape):
        child_table = child_model.__table__
        fk_column = child_model.__mapper__.attrs[key].columns[0]
        position = _positions_of(child_model)
        names = [
            column.key
            for column, _attr in _columns_of(child_model)
            if column.key != fk_column.key and f"c{index}_0_{position[column.key]}" in params
        ]
        rows = [
            select(
                parent.c[pk.key],
                *(
                    bindparam(f"c{index}_{number}_{position[name]}", type_=child_table.c[name].type)
                    for name in names
                ),
            )
            for number in range(count)
        ]
        source = rows[0] if count == 1 else union_all(*rows)
        child = insert(child_table).from_select(
            [fk_column.key, *names], source, include_defaults=False
        )
        statement = statement.add_cte(child.cte(f"new_child_{index}"))
    _WITH[cache_key] = statement
    _PARENTS[statement] = parent
    return statement


def _positions_of(model: type[Any]) -> dict[str, int]:
    """Each column key's position in :func:`_columns_of` (a child's parameter names)."""
    return {column.key: j for j, (column, _key) in enumerate(_columns_of(model))}


_PARENTS: dict[Any, Any] = {}  # insert_new_with's statement → its parent's CTE
_BASES: dict[Any, Any] = {}  # a statement with plain rows → the statement it extends


def _row_shape(
    rows: Sequence[tuple[type[Any], str, Sequence[dict[str, Any]]]],
    params: dict[str, Any],
    dialect: Any,
) -> tuple[tuple[type[Any], str, tuple[str, ...]], ...]:
    """Each kind of plain rows of insert_new_with as (model, foreign key attribute,
    columns written), its rows added to ``params`` as ``r<kind>`` (:func:`_json_rows`).
    A column NULL in every row is left out (the insert writes NULL there anyway) unless
    the database has a default for it."""
    shape = []
    for index, (row_model, key, group) in enumerate(r for r in rows if r[2]):
        table = row_model.__table__
        fk_key, kept = _row_columns_of(row_model, key)
        names = tuple(
            name
            for name in group[0]
            if name != fk_key and (name in kept or any(row[name] is not None for row in group))
        )
        params[f"r{index}"] = _json_rows(table, names, group, dialect)
        shape.append((row_model, key, names))
    return tuple(shape)


_ROW_COLUMNS: dict[tuple[Any, str], tuple[str, frozenset[str]]] = {}


def _row_columns_of(model: type[Any], key: str) -> tuple[str, frozenset[str]]:
    """The foreign key's column key and the columns with a database default (always
    written) of plain rows of ``model``; built once (no metadata look-up per row)."""
    found = _ROW_COLUMNS.get((model, key))
    if found is None:
        table = model.__table__
        found = _ROW_COLUMNS[(model, key)] = (
            model.__mapper__.attrs[key].columns[0].key,
            frozenset(c.key for c in table.columns if c.server_default is not None),
        )
    return found


_WITH_ROWS: dict[tuple[Any, ...], Any] = {}


def _with_rows_of(statement: Any, shape: tuple[tuple[type[Any], str, tuple[str, ...]], ...]) -> Any:
    """insert_new_with's statement with a CTE per kind of plain rows:
    ``INSERT INTO t (fk, columns) SELECT new_parent.id, r.* FROM new_parent JOIN
    json_to_recordset(<rows>) AS r(column type, …) ON true``; built once per statement
    and shape."""
    found = _WITH_ROWS.get((statement, shape))
    if found is not None:
        return found
    parent = _PARENTS[statement]
    (pk,) = [c for c in parent.c]
    result = statement
    for index, (row_model, key, names) in enumerate(shape):
        table = row_model.__table__
        fk_column = row_model.__mapper__.attrs[key].columns[0]
        given = cast(bindparam(f"r{index}", type_=Text()), JSON)
        typed = [column_of(name, table.c[name].type) for name in names]
        rows = func.json_to_recordset(given).table_valued(*typed).render_derived(with_types=True)
        source = select(pk, *(rows.c[name] for name in names)).select_from(
            parent.join(rows, true())
        )
        child = insert(table).from_select([fk_column.key, *names], source, include_defaults=False)
        result = result.add_cte(child.cte(f"new_rows_{index}"))
    _WITH_ROWS[(statement, shape)] = result
    _BASES[result] = statement
    return result


def run_in_transaction(
    connection: Connection, sql: str, params: Any, *, fetch: bool = True
) -> list[Any]:
    """Run one statement's text in ``connection``'s transaction on a cursor of its driver
    connection and return its rows as the driver's tuples (``fetch=False``: a statement
    that returns none).

    SQLAlchemy's own low-level path (``Connection._cursor_execute``, what it uses for a
    sequence's next value): the connection's and engine's ``before_cursor_execute`` and
    ``after_cursor_execute`` listeners run (Server-Timing, the tests' statement counts),
    a driver error is raised as SQLAlchemy raises it (``IntegrityError``…, a dead
    connection invalidated, ``handle_error`` listeners run). What it leaves out is the
    execution context and the result object, set up for every ``exec_driver_sql``
    (psycopg then builds an object per column of the cursor's description): under
    cProfile about a tenth of a report's CPU for its three statements (issue 14,
    bench.profile_report). No type processing either way: the caller processes values
    (``_driver_sql_of``)."""
    cursor = connection.connection.cursor()
    try:
        connection._cursor_execute(cursor, sql, params)
        return list(cursor.fetchall()) if fetch else []
    finally:
        cursor.close()


_COMPILED_FOR_DRIVER: dict[tuple[Any, str], tuple[str, dict[str, Any], dict[str, Any]]] = {}


def _driver_sql_of(statement: Any, dialect: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A statement compiled once for the driver: its text (named parameters), the bind
    processor of each parameter that has one, and the values of the parameters the
    statement itself holds (literals such as generate_series' 1), processed."""
    found = _COMPILED_FOR_DRIVER.get((statement, dialect.name))
    if found is None:
        compiled = statement.compile(dialect=dialect)
        assert not compiled.positional and not compiled.escaped_bind_names
        processors = {
            name: process
            for name, bind in compiled.binds.items()
            if (process := _bind_processor(bind.type, dialect)) is not None
        }
        held = {
            name: _processed(processors, name, bind.effective_value)
            for name, bind in compiled.binds.items()
            if not bind.required
        }
        found = (compiled.string, processors, held)
        _COMPILED_FOR_DRIVER[(statement, dialect.name)] = found
    return found


def select_in_transaction(
    session: Session, statement: Any, params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """A SELECT built once per process (Core, named parameters) run in the session's
    transaction on its driver (:func:`run_in_transaction`): its text compiled once, each
    parameter through its type's bind processor and each column of the rows through its
    type's result processor, as ``session.connection().execute`` does (an instant comes
    back aware, in UTC), without SQLAlchemy's per-execution work (its cache key of the
    statement, execution context and result object). The report's first statement
    (issue 14). Elsewhere than PostgreSQL (SQLite's driver takes positional
    parameters): through the session's connection."""
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        return [tuple(row) for row in connection.execute(statement, params)]
    sql, processors, held = _driver_sql_of(statement, dialect)
    given = {**held, **params}
    for name, process in processors.items():
        value = params.get(name)
        if value is not None:
            given[name] = process(value)
    rows = run_in_transaction(connection, sql, given)
    results = _result_processors_of(statement, dialect)
    if not any(results):
        return rows
    return [
        tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(row, results, strict=True)
        )
        for row in rows
    ]


_RESULTS_FOR_DRIVER: dict[tuple[Any, str], list[Any]] = {}


def _result_processors_of(statement: Any, dialect: Any) -> list[Any]:
    """The result processor (or None) of each column a SELECT returns, in order."""
    found = _RESULTS_FOR_DRIVER.get((statement, dialect.name))
    if found is None:
        found = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        ]
        _RESULTS_FOR_DRIVER[(statement, dialect.name)] = found
    return found


def _bind_processor(type_: Any, dialect: Any) -> Any:
    """The type's bind processor on ``dialect`` (or None), by SQLAlchemy's public API;
    the callers keep it per statement or table, so its own per-dialect memo is not
    needed."""
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _processed(processors: dict[str, Any], name: str, value: Any) -> Any:
    process = processors.get(name)
    return value if value is None or process is None else process(value)


_WITH_NUMBERED: dict[tuple[Any, ...], Any] = {}


def _with_numbered_of(
    statement: Any,
    shape: tuple[type[Any], str, tuple[str, ...]] | None,
    sequence: str | None,
) -> Any:
    """insert_new_with's statement with its ``numbered`` rows (``INSERT … SELECT
    <parent id>, r.* FROM new_parent JOIN json_to_recordset(<rows>) … ORDER BY <position>
    RETURNING id``, the ids returned as an array) and ``draw``'s values (an array of
    ``nextval`` over ``generate_series(1, n)``), as more columns of its one row; built
    once per statement and shape."""
    found = _WITH_NUMBERED.get((statement, shape, sequence))
    if found is not None:
        return found
    parent = _PARENTS[_BASES.get(statement, statement)]
    (pk,) = [c for c in parent.c]
    result = statement
    if shape is not None:
        numbered_model, key, names = shape
        table = numbered_model.__table__
        fk_column = numbered_model.__mapper__.attrs[key].columns[0]
        given = cast(bindparam("n_rows", type_=Text()), JSON)
        typed = [column_of(name, table.c[name].type) for name in names]
        typed.append(column_of(_ORDER, Integer()))
        rows = func.json_to_recordset(given).table_valued(*typed).render_derived(with_types=True)
        reference = pk if fk_column.type.python_type is not str else cast(pk, fk_column.type)
        source = (
            select(reference, *(rows.c[name] for name in names))
            .select_from(parent.join(rows, true()))
            .order_by(rows.c[_ORDER])
        )
        (numbered_pk,) = table.primary_key.columns
        child = (
            insert(table)
            .from_select([fk_column.key, *names], source, include_defaults=False)
            .returning(numbered_pk)
            .cte("new_numbered")
        )
        ids = select(func.array_agg(child.c[numbered_pk.key])).scalar_subquery()
        result = result.add_cte(child).add_columns(ids)
    if sequence is not None:
        values = (
            select(func.array_agg(DbSequence(sequence).next_value()))
            .select_from(func.generate_series(1, bindparam("draw_n", type_=Integer())))
            .scalar_subquery()
        )
        result = result.add_columns(values)
    _WITH_NUMBERED[(statement, shape, sequence)] = result
    return result


# Built once per table: an insert builds no statement and computes no cache key.
_COLUMNS: dict[Any, list[tuple[Any, str]]] = {}
_INSERTS: dict[tuple[Any, bool], Any] = {}


def _insert_of(table: Any, *, returning: bool) -> Any:
    found = _INSERTS.get((table, returning))
    if found is None:
        found = insert(table)
        if returning:
            (pk,) = table.primary_key.columns
            found = found.returning(pk, sort_by_parameter_order=True)
        _INSERTS[(table, returning)] = found
    return found


INSERTED = "claimdesk.db.inserted"


def inserted(session: Session) -> list[Any]:
    """The objects :func:`insert_new` wrote in this transaction."""
    found: list[Any] = session.info.get(INSERTED, [])
    return found


@event.listens_for(Session, "after_transaction_end")
def _forget_inserted(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(INSERTED, None)


# -- plain rows, written without ORM objects (the report path, issue 14) ------------------


def new_row(model: type[Any], **values: Any) -> dict[str, Any]:
    """The row an insert of a new ``model(**values)`` writes, with no ORM object built:
    the values given and, for every other column (primary key left out), its insert
    default as the ORM would apply it (None where it has none). Keyed by column key."""
    row = dict(values)
    for column, _key in _columns_of(model):
        if column.key in row:
            continue
        default = column.default
        if default is None:
            row[column.key] = None
        elif default.is_scalar:
            row[column.key] = default.arg
        elif default.is_callable:
            row[column.key] = default.arg(_Row(row))
        else:  # a SQL expression or sequence: only the database knows the value
            raise TypeError(f"{model.__table__.name}.{column.name}: give a value")
    return row


_T = TypeVar("_T")
_SETTABLE: dict[type[Any], frozenset[str]] = {}


def new_object(model: type[_T], **values: Any) -> _T:
    """``model(**values)`` for a new object that :func:`insert_new_with` writes at once
    (the report's claim): the values go straight into the instance's dict, without the
    ORM's per-attribute set (history, change events, ``set`` listeners) — about 40 of
    them per report, most of the ORM's share of its CPU (issue 14, bench.profile_report).
    The insert then writes what ``model(**values)`` would have: a column left unset gets
    its insert default when the row is made (:func:`_row_of`), so a column a ``set``
    listener derives (a name's or a phone's keyed hash) must have an insert default
    deriving it too (``claims.claimant_name_hash`` and ``contact_phone_hash`` do; a test
    holds them). Column attributes only: no relationship can be given."""
    allowed = _SETTABLE.get(model)
    if allowed is None:
        allowed = _SETTABLE[model] = frozenset(
            prop.key
            for prop in model.__mapper__.column_attrs  # type: ignore[attr-defined]
        )
    if not allowed.issuperset(values):
        raise TypeError(f"{model.__name__}: not columns: {sorted(set(values) - allowed)}")
    obj: _T = model.__mapper__.class_manager.new_instance()  # type: ignore[attr-defined]
    obj.__dict__.update(values)
    return obj


def insert_new_unkept(session: Session, model: type[Any], objects: Sequence[Any]) -> None:
    """Insert new objects of ``model`` in one statement and set their ids, leaving them
    out of the session: for rows nothing in the transaction reads back through the
    session but whose ids the caller needs (a new claim's clocks: its audit entries
    and the response name them). As :func:`insert_new`, a column an object leaves unset
    gets its insert default, set on the object too.

    PostgreSQL: ``INSERT … SELECT … FROM json_to_recordset(<the rows as one JSON
    parameter>) ORDER BY <position> RETURNING id`` — a fixed text and one parameter
    whatever the number of rows (see :func:`insert_new_with`'s ``rows``); the ids,
    handed out in insertion order, are sorted back into the objects' order (as
    SQLAlchemy's ``sort_by_parameter_order`` does). SQLite: SQLAlchemy's ordered RETURNING."""
    if not objects:
        return
    rows = [_row_of(model, obj) for obj in objects]
    session.flush()  # what the rows may refer to, as session.execute would (autoflush)
    connection = session.connection()
    table = model.__table__
    if connection.dialect.name != "postgresql":
        ids = list(connection.execute(_insert_of(table, returning=True), rows).scalars())
    else:
        names = tuple(rows[0])
        sql = _json_insert_of(table, names, connection.dialect, returning=True)
        given = _json_rows(table, names, rows, connection.dialect, numbered=True)
        ids = sorted(connection.exec_driver_sql(sql, (given,)).scalars())
    mapper = model.__mapper__
    pk = mapper.get_property_by_column(table.primary_key.columns[0]).key
    for obj, new_id in zip(objects, ids, strict=True):
        setattr(obj, pk, new_id)


def insert_rows(
    session: Session,
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    *,
    flush: bool = True,
    deduped: Deduped | None = None,
) -> None:
    """Insert plain rows of ``model`` (column key → value, every row the same keys; see
    :func:`new_row`), nothing read back. PostgreSQL: one statement, the rows as one JSON
    parameter (``json_to_recordset``), where an executemany sends one statement per row
    and psycopg adapts every value in Python. SQLite: an executemany. ``flush``: write
    pending ORM changes first, as ``session.execute`` would (what the rows refer to).

    ``deduped``: rows of another table written with them, a row whose key is taken
    skipped (``ON CONFLICT (key) DO NOTHING``): on PostgreSQL in the same statement (a
    data-modifying CTE), one round trip for both (the report's audit entries and its
    checks job at commit, issue 14)."""
    if flush:
        session.flush()
    connection = session.connection()
    table = model.__table__
    if connection.dialect.name != "postgresql":
        if rows:
            connection.execute(_insert_of(table, returning=False), list(rows))
        if deduped is not None and deduped.rows:
            skipping = sqlite.insert(deduped.model.__table__).on_conflict_do_nothing(
                index_elements=[deduped.key]
            )
            connection.execute(skipping, list(deduped.rows))
        return
    if deduped is not None and deduped.rows:
        other = deduped.model.__table__
        other_names = tuple(deduped.rows[0])
        cte = _json_insert_of(other, other_names, connection.dialect, returning=False)
        given = [_json_rows(other, other_names, deduped.rows, connection.dialect)]
        key = connection.dialect.identifier_preparer.quote(other.c[deduped.key].name)
        sql = f"WITH deduped AS ({cte} ON CONFLICT ({key}) DO NOTHING) "
        if rows:
            names = tuple(rows[0])
            sql += _json_insert_of(table, names, connection.dialect, returning=False)
            given.append(_json_rows(table, names, rows, connection.dialect))
        else:
            sql += "SELECT 1"
        run_in_transaction(connection, sql, tuple(given), fetch=False)
        return
    if not rows:
        return
    names = tuple(rows[0])
    sql = _json_insert_of(table, names, connection.dialect, returning=False)
    run_in_transaction(
        connection, sql, (_json_rows(table, names, rows, connection.dialect),), fetch=False
    )


@dataclass(frozen=True)
class Deduped:
    """Rows of ``model`` for :func:`insert_rows`'s ``deduped``: one whose ``key`` column
    (a unique column's name) holds a value already taken is not written."""

    model: type[Any]
    rows: Sequence[dict[str, Any]]
    key: str


_JSON_INSERTS: dict[tuple[Any, tuple[str, ...], bool], str] = {}


def _json_insert_of(table: Any, names: tuple[str, ...], dialect: Any, *, returning: bool) -> str:
    """The statement of insert_rows (``returning``: of insert_new_unkept, the rows
    inserted in their order, ids returned) for these columns, built once."""
    found = _JSON_INSERTS.get((table, names, returning))
    if found is None:
        columns = [table.c[name] for name in names]
        quote = dialect.identifier_preparer.quote
        (pk,) = table.primary_key.columns
        # Names and types from the table's metadata (quoted), values bound: no input in it.
        into = f"{dialect.identifier_preparer.format_table(table)} "
        into += f"({', '.join(quote(c.name) for c in columns)})"
        typed = ", ".join(f"{quote(c.name)} {c.type.compile(dialect=dialect)}" for c in columns)
        select_list = ", ".join(quote(c.name) for c in columns)
        if returning:
            source = f"json_to_recordset(%s::json) AS rows({typed}, {_ORDER} integer)"
            found = (
                f"INSERT INTO {into} SELECT {select_list} FROM {source} "  # noqa: S608
                f"ORDER BY {_ORDER} RETURNING {quote(pk.name)}"
            )
        else:
            source = f"json_to_recordset(%s::json) AS rows({typed})"
            found = f"INSERT INTO {into} SELECT {select_list} FROM {source}"  # noqa: S608
        _JSON_INSERTS[(table, names, returning)] = found
    return found


_ORDER = "claimdesk_row_order"  # the rows' order, a key no column has


def _json_rows(
    table: Any,
    names: tuple[str, ...],
    rows: Sequence[dict[str, Any]],
    dialect: Any,
    *,
    numbered: bool = False,
) -> str:
    """Rows as the JSON text ``json_to_recordset`` reads back, keyed by column name, each
    value through its column's type as in any insert (a UTC instant, an encrypted
    text), then written as PostgreSQL reads it: instants and dates in ISO form,
    decimals as their digits. ``numbered``: with each row's position."""
    written = _json_processors(table, names, dialect)
    out = []
    for number, row in enumerate(rows):
        item = {
            column: row[name] if process is None else process(row[name])
            for name, column, process in written
        }
        if numbered:
            item[_ORDER] = number
        out.append(item)
    return json.dumps(out, ensure_ascii=False, default=_json_value)


def _json_value(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be written as a JSON row")


_PROCESSORS: dict[tuple[Any, tuple[str, ...]], list[tuple[str, str, Any]]] = {}


def _json_processors(
    table: Any, names: tuple[str, ...], dialect: Any
) -> list[tuple[str, str, Any]]:
    """(column key, column name, bind processor or None) of each column written, built
    once per table and columns: looking a column up in ``table.c`` per value cost
    about as much as writing the value (issue 14, bench.profile_report)."""
    found = _PROCESSORS.get((table, names))
    if found is None:
        found = _PROCESSORS[(table, names)] = [
            (name, table.c[name].name, _bind_processor(table.c[name].type, dialect))
            for name in names
        ]
    return found
