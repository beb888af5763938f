"""Backup and restore (SEC-2): a portable dump that moves between SQLite and PostgreSQL.

Format: gzip'd JSON lines. Line 1 is a header; then, per table in foreign-key order, a
``table`` line naming its columns followed by one JSON array per row; the last line is
the manifest (schema revision, row counts, audit chain head, created_at) with the
SHA-256 of every line before it, so a damaged or edited file is refused before anything
is loaded.

Tables are reflected with plain column types: encrypted columns travel as ciphertext.
The field-encryption keys are NOT in the backup; a restored database is readable only
with the same keys (CLAIMDESK_KEYS / the key file), kept and backed up separately.

Uploaded files (SEC-1) follow the tables as ``file`` lines: the sealed bytes from the
file store (claimdesk.storage), as stored, with their SHA-256. They stay encrypted in
the backup: their data keys are in claim_material_files.data_key, wrapped by the
keyring. Restore writes them back to the configured store and then opens every one
with the keyring and compares it with the SHA-256 its row recorded.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import json
import logging
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography.exceptions import InvalidTag
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Session

from claimdesk.audit.service import verify_chain
from claimdesk.config import get_settings
from claimdesk.crypto.keyring import get_keyring
from claimdesk.db import make_engine
from claimdesk.errors import ClaimdeskError
from claimdesk.migrate import upgrade
from claimdesk.storage import BlobNotFound, BlobStorage, get_storage, load_file

log = logging.getLogger(__name__)

FORMAT = "claimdesk-backup"
# 2: uploaded files travel in the backup (``file`` lines, manifest "files").
VERSION = 2
FILES_TABLE = "claim_material_files"
FILE_KEY_CONTEXT = "claim_material_files.data_key"
SKIP_TABLES = {"alembic_version"}
BATCH = 1000
KEYS_NOTE = (
    "encryption keys are NOT in the backup: keep CLAIMDESK_KEYS / the key file safe "
    "separately; without them encrypted fields cannot be read"
)


class DatabaseNotMigrated(ClaimdeskError):
    status_code = 409
    code = "database_not_migrated"
    message_zh = "数据库尚未迁移（无版本信息），无法备份"
    message_en = "The database has no schema revision (not migrated); nothing to back up"


class BackupCorrupt(ClaimdeskError):
    status_code = 422
    code = "backup_corrupt"
    message_zh = "备份文件损坏或被修改（{detail}），拒绝恢复"
    message_en = "The backup file is damaged or was altered ({detail}); restore refused"


class RestoreTargetNotEmpty(ClaimdeskError):
    status_code = 409
    code = "restore_target_not_empty"
    message_zh = "目标数据库不是空库（{detail}），拒绝恢复"
    message_en = "The target database is not empty ({detail}); restore refused"


class RestoreRevisionMismatch(ClaimdeskError):
    status_code = 409
    code = "restore_revision_mismatch"
    message_zh = "备份的数据库版本为 {backup}，目标数据库为 {target}，拒绝恢复"
    message_en = "The backup is of schema revision {backup} but the database is at {target}"


class BackupFileMissing(ClaimdeskError):
    status_code = 500
    code = "backup_file_missing"
    message_zh = "上传文件 {key} 不在文件存储中，备份不完整，已中止"
    message_en = "Uploaded file {key} is missing from the file store; backup aborted"


class RestoreVerificationFailed(ClaimdeskError):
    status_code = 500
    code = "restore_verification_failed"
    message_zh = "恢复后校验失败（{detail}），已回滚"
    message_en = "Verification after restore failed ({detail}); rolled back"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    schema_revision: str
    row_counts: dict[str, int]
    audit_last_seq: int
    files: int = 0


@dataclass(frozen=True)
class RestoreResult:
    audit_entries: int
    tables: int
    rows: int
    files: int = 0


# --- values --------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """JSON for one value; instants are written as UTC ("naive" on SQLite means UTC)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return {"$dt": value.astimezone(dt.UTC).isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$dec": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(value: Any, column_type: Any, dialect: str) -> Any:
    if isinstance(value, dict):
        if "$dt" in value:
            instant = dt.datetime.fromisoformat(value["$dt"]).astimezone(dt.UTC)
            return instant.replace(tzinfo=None) if dialect == "sqlite" else instant
        if "$d" in value:
            return dt.date.fromisoformat(value["$d"])
        if "$dec" in value:
            return decimal.Decimal(value["$dec"])
        if "$b64" in value:
            return base64.b64decode(value["$b64"])
    if value is not None and isinstance(column_type, Numeric) and not isinstance(value, bool):
        return decimal.Decimal(str(value))
    if isinstance(value, str) and isinstance(column_type, DateTime | Date | LargeBinary):
        raise ValueError(f"unexpected text for a {column_type} column")
    return value


# --- backup --------------------------------------------------------------------------


def _reflect(engine_or_conn: Engine | Connection) -> tuple[MetaData, list[Table]]:
    metadata = MetaData()
    metadata.reflect(bind=engine_or_conn)
    tables = [t for t in metadata.sorted_tables if t.name not in SKIP_TABLES]
    return metadata, tables


def schema_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return ",".join(sorted(versions)) or None


def _line(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def backup(url: str, path: str | Path, *, storage: BlobStorage | None = None) -> BackupResult:
    """Dump every table of ``url`` and every uploaded file to ``path`` from one
    consistent snapshot. (A file is stored before its row commits and never changed,
    so every row of the snapshot has its file.)"""
    path = Path(path)
    storage = storage or get_storage()
    engine = make_engine(url)
    try:
        # One snapshot for every table, so counts, rows and the chain head agree.
        snapshot = {"isolation_level": "REPEATABLE READ"} if _is_pg(engine) else {}
        with engine.connect().execution_options(**snapshot) as conn, conn.begin():
            return _dump(conn, path, storage)
    finally:
        engine.dispose()


def _is_pg(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _file_keys(conn: Connection, tables: list[Table]) -> list[str]:
    """The store keys of every sealed upload (rows without a data key have no file)."""
    table = next((t for t in tables if t.name == FILES_TABLE), None)
    if table is None or "data_key" not in table.c:
        return []
    query = select(table.c.storage_path).where(table.c.data_key.is_not(None))
    return list(conn.execute(query.order_by(table.c.id)).scalars())


def _dump(conn: Connection, path: Path, storage: BlobStorage) -> BackupResult:
    revision = schema_revision(conn)
    if revision is None:
        raise DatabaseNotMigrated()
    _, tables = _reflect(conn)
    digest = hashlib.sha256()
    created_at = dt.datetime.now(dt.UTC).isoformat()
    tmp = path.with_name(path.name + ".partial")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(tmp, "wb") as out:

        def emit(data: Any) -> None:
            line = _line(data)
            digest.update(line)
            out.write(line)

        header = {"format": FORMAT, "version": VERSION, "schema_revision": revision}
        emit({"kind": "header", **header, "created_at": created_at})
        counts = _dump_tables(conn, tables, emit)
        files = _dump_files(conn, tables, storage, emit)
        last_seq, last_hash = _audit_head(conn)
        manifest = {
            "kind": "manifest",
            **header,
            "created_at": created_at,
            "row_counts": counts,
            "files": files,
            "audit_chain_head": {"last_seq": last_seq, "last_hash": last_hash},
            "keys_included": False,
            "sha256": digest.hexdigest(),
        }
        out.write(_line(manifest))
    tmp.replace(path)  # never leave a half-written file under the real name
    return BackupResult(path, revision, counts, last_seq, files)


def _dump_tables(
    conn: Connection, tables: list[Table], emit: Callable[[Any], None]
) -> dict[str, int]:
    """Each table's header line, then its rows in primary-key order; the row counts."""
    counts: dict[str, int] = {}
    for table in tables:
        columns = [c.name for c in table.columns]
        emit({"kind": "table", "name": table.name, "columns": columns})
        order = list(table.primary_key.columns) or list(table.columns)
        result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
        count = 0
        for row in result:
            emit([_encode(v) for v in row])
            count += 1
        counts[table.name] = count
    return counts


def _dump_files(
    conn: Connection, tables: list[Table], storage: BlobStorage, emit: Callable[[Any], None]
) -> int:
    """Every stored file the rows name, sealed as stored (the keys stay outside)."""
    files = 0
    for key in _file_keys(conn, tables):
        try:
            sealed = storage.get(key)
        except BlobNotFound as error:
            raise BackupFileMissing(key=key) from error
        emit(
            {
                "kind": "file",
                "key": key,
                "sha256": hashlib.sha256(sealed).hexdigest(),
                "data": base64.b64encode(sealed).decode(),
            }
        )
        files += 1
    return files


def _audit_head(conn: Connection) -> tuple[int, str | None]:
    head = conn.execute(
        # The last entry (entries are sealed later: audit_chain_head is the sealer's).
        text(
            "SELECT coalesce(max(seq), 0), "
            "(SELECT hash FROM audit_entries ORDER BY seq DESC LIMIT 1) FROM audit_entries"
        )
    ).one()
    return int(head[0]), head[1]


# --- restore -------------------------------------------------------------------------


def _lines(path: Path) -> Iterator[bytes]:
    try:
        with gzip.open(path, "rb") as src:
            yield from src
    except (OSError, EOFError, zlib.error) as error:
        raise BackupCorrupt(detail=f"gzip: {error}") from error


def read_manifest(path: str | Path) -> dict[str, Any]:
    """Check the whole file (gzip CRC, checksum, structure) and return its manifest."""
    digest = hashlib.sha256()
    previous: bytes | None = None
    first = True
    for line in _lines(Path(path)):
        if previous is not None:
            digest.update(previous)
        if first:
            header = _json(line)
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise BackupCorrupt(detail="not a claimdesk backup")
            first = False
        previous = line
    if previous is None:
        raise BackupCorrupt(detail="empty file")
    manifest = _json(previous)
    if not isinstance(manifest, dict) or manifest.get("kind") != "manifest":
        raise BackupCorrupt(detail="manifest missing (file truncated?)")
    if manifest.get("sha256") != digest.hexdigest():
        raise BackupCorrupt(detail="checksum mismatch")
    return manifest


def _json(line: bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError as error:
        raise BackupCorrupt(detail="unreadable line") from error


def _is_empty(conn: Connection) -> str | None:
    """Why the target is not empty, or None. Rows seeded by migrations (the chain's
    genesis head, reference data) are allowed: the backup's own copies replace them."""
    inspector = inspect(conn)
    for table in ("audit_entries", "users", "people"):
        if inspector.has_table(table):
            count = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
            if count:
                return f"{table} has {count} rows"
    if inspector.has_table("audit_chain_head"):
        last = conn.execute(text("SELECT max(last_seq) FROM audit_chain_head")).scalar_one()
        if last:
            return f"audit chain head at #{last}"
    return None


def restore(path: str | Path, url: str, *, storage: BlobStorage | None = None) -> RestoreResult:
    """Load a backup into an empty database (migrated to its revision here if it has no
    schema yet) and its files into the file store, and verify both before committing:
    the audit chain must be intact, every table's row count equal to the manifest, and
    every uploaded file must open with the keyring and match its recorded SHA-256.
    Anything else rolls back (and removes the files this restore added)."""
    path = Path(path)
    storage = storage or get_storage()
    manifest = read_manifest(path)
    revision = str(manifest["schema_revision"])
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            target_revision = schema_revision(conn)
            if target_revision is None:
                # A database with no schema at all: build it from the migrations.
                if inspect(conn).get_table_names():
                    raise RestoreTargetNotEmpty(detail="tables without a schema revision")
                conn.rollback()
        if target_revision is None:
            for rev in revision.split(","):
                upgrade(url, rev)
        with engine.connect() as conn:
            target_revision = schema_revision(conn)
            if target_revision != revision:
                raise RestoreRevisionMismatch(backup=revision, target=target_revision)
            reason = _is_empty(conn)
            if reason:
                raise RestoreTargetNotEmpty(detail=reason)
            conn.rollback()
        added: list[str] = []
        try:
            with engine.connect() as conn, conn.begin() as transaction:
                result = _load(conn, path, manifest, _FileSink(storage, added))
                transaction.commit()
        except BaseException:
            for key in added:
                storage.delete(key)
            raise
        return result
    finally:
        engine.dispose()


def _self_references(table: Table) -> list[str]:
    """Nullable columns pointing at their own table (org_units.parent_id): loaded as NULL
    and set after the table, so a child listed before its parent still loads."""
    return [
        fk.parent.name
        for fk in table.foreign_keys
        if fk.column.table is table and fk.parent.nullable
    ]


@dataclass
class _FileSink:
    """Writes restored files to the store, remembering which ones it added."""

    storage: BlobStorage
    added: list[str]
    written: int = 0

    def write(self, data: dict[str, Any], number: int) -> None:
        try:
            key, sealed = str(data["key"]), base64.b64decode(data["data"])
        except (KeyError, ValueError) as error:
            raise BackupCorrupt(detail=f"malformed file at line {number + 1}") from error
        if hashlib.sha256(sealed).hexdigest() != data.get("sha256"):
            raise BackupCorrupt(detail=f"file {key}: checksum mismatch")
        if not self.storage.exists(key):
            self.added.append(key)
        self.storage.put(key, sealed)
        self.written += 1


class _TableLoader:
    """Rows of one table at a time, inserted in batches. A self-referencing column
    (a row naming its parent in the same table) is written after the table's rows,
    since the parent may come later in the file."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        self.current: Table | None = None
        self.columns: list[str] = []
        self.deferred_columns: list[str] = []
        self.batch: list[dict[str, Any]] = []
        self.deferred: list[dict[str, Any]] = []

    def start(self, table: Table | None, columns: list[str]) -> None:
        self.finish()
        self.current, self.columns = table, columns
        self.deferred_columns = _self_references(table) if table is not None else []

    def add(self, data: Any, number: int) -> None:
        current = self.current
        if current is None or not isinstance(data, list) or len(data) != len(self.columns):
            raise BackupCorrupt(detail=f"malformed row at line {number + 1}")
        row = {
            name: _decode(value, current.c[name].type, self.dialect)
            for name, value in zip(self.columns, data, strict=True)
        }
        if self.deferred_columns and any(row[c] is not None for c in self.deferred_columns):
            self.deferred.append(row)
            row = {**row, **dict.fromkeys(self.deferred_columns)}
        self.batch.append(row)
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.current is not None and self.batch:
            self.conn.execute(self.current.insert(), self.batch)
            self.batch.clear()

    def finish(self) -> None:
        self._flush()
        current = self.current
        if current is None or not self.deferred:
            return
        keys = [c.name for c in current.primary_key.columns]
        for values in self.deferred:
            clause = [current.c[k] == values[k] for k in keys]
            later = {c: values[c] for c in self.deferred_columns}
            self.conn.execute(current.update().where(*clause).values(**later))
        self.deferred.clear()


def _load(
    conn: Connection, path: Path, manifest: dict[str, Any], files: _FileSink
) -> RestoreResult:
    _, tables = _reflect(conn)
    by_name = {t.name: t for t in tables}
    # Rows the migrations seeded are replaced by the backup's copies.
    for existing in reversed(tables):
        conn.execute(existing.delete())
    loader = _TableLoader(conn)
    for number, line in enumerate(_lines(path)):
        data = _json(line)
        kind = data.get("kind") if isinstance(data, dict) else None
        if number == 0 or kind == "manifest":
            continue
        if kind == "file":
            loader.start(None, [])
            files.write(data, number)
        elif kind == "table":
            table = by_name.get(data["name"])
            if table is None:
                raise RestoreVerificationFailed(detail=f"table {data['name']} not in the schema")
            loader.start(table, list(data["columns"]))
        else:
            loader.add(data, number)
    loader.finish()
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn, tables)
    return _verify(conn, tables, manifest, files)


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Rows came with their ids; the next id must follow the largest restored one."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar_one()
            if sequence is None:
                continue
            top = conn.execute(select(func.max(column))).scalar_one()
            conn.execute(
                text("SELECT setval(CAST(:s AS regclass), :v, :called)"),
                {"s": sequence, "v": top or 1, "called": top is not None},
            )


def _verify_files(
    conn: Connection, tables: list[Table], manifest: dict[str, Any], files: _FileSink
) -> int:
    """Every sealed upload is in the store, opens with the keyring, and is the file its
    row describes. Problems name the file id, never content."""
    if files.written != manifest.get("files", 0):
        raise RestoreVerificationFailed(detail=f"files: {files.written} != {manifest.get('files')}")
    table = next((t for t in tables if t.name == FILES_TABLE), None)
    if table is None or "data_key" not in table.c:
        return 0
    keyring = get_keyring()
    storage = files.storage
    rows = conn.execute(
        select(table.c.id, table.c.storage_path, table.c.data_key, table.c.sha256).where(
            table.c.data_key.is_not(None)
        )
    )
    checked = 0
    for file_id, key, wrapped, digest in rows:
        try:
            data_key = keyring.decrypt(wrapped, FILE_KEY_CONTEXT)
            content = load_file(storage, key=key, data_key=data_key)
        except BlobNotFound as error:
            raise RestoreVerificationFailed(detail=f"file {file_id} missing") from error
        except (ClaimdeskError, InvalidTag, ValueError) as error:
            raise RestoreVerificationFailed(detail=f"file {file_id} does not open") from error
        if hashlib.sha256(content).hexdigest() != digest:
            raise RestoreVerificationFailed(detail=f"file {file_id}: SHA-256 differs")
        checked += 1
    return checked


def _verify(
    conn: Connection, tables: list[Table], manifest: dict[str, Any], files: _FileSink
) -> RestoreResult:
    expected: dict[str, int] = manifest["row_counts"]
    actual = {
        t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables
    }
    missing = set(expected) - set(actual)
    if missing:
        raise RestoreVerificationFailed(detail=f"tables missing: {', '.join(sorted(missing))}")
    wrong = [f"{n}: {actual[n]} != {c}" for n, c in expected.items() if actual[n] != c]
    if wrong:
        raise RestoreVerificationFailed(detail="row counts differ: " + "; ".join(wrong))
    with Session(bind=conn) as session:
        chain = verify_chain(session)
    if not chain.ok:
        raise RestoreVerificationFailed(
            detail=f"audit chain broken at entry #{chain.first_broken_seq}: {chain.reason}"
        )
    if chain.last_seq != manifest["audit_chain_head"]["last_seq"]:
        raise RestoreVerificationFailed(detail="audit chain head differs from the manifest")
    checked = _verify_files(conn, tables, manifest, files)
    return RestoreResult(chain.entries_checked, len(expected), sum(actual.values()), checked)


# --- commands ------------------------------------------------------------------------


def backup_command(
    path: Annotated[Path, typer.Argument(help="File to write (gzip'd JSON lines)")],
) -> None:
    """Back up the whole database to PATH (portable between SQLite and PostgreSQL)."""
    result = backup(get_settings().database_url, path)
    rows = sum(result.row_counts.values())
    typer.echo(
        f"backup written: {result.path} (schema {result.schema_revision}, "
        f"{len(result.row_counts)} tables, {rows} rows, {result.files} uploaded files, "
        f"audit chain head #{result.audit_last_seq})"
    )
    typer.echo(f"note: {KEYS_NOTE}")


def restore_command(
    path: Annotated[Path, typer.Argument(help="Backup file written by 'claimdesk backup'")],
) -> None:
    """Restore PATH into the (empty) configured database, then verify it."""
    try:
        result = restore(path, get_settings().database_url)
    except ClaimdeskError as error:
        typer.echo(f"restore refused: {error.message('en')}", err=True)
        raise typer.Exit(code=1) from error
    typer.echo(
        f"restore verified: audit chain intact ({result.audit_entries} entries), "
        f"row counts match ({result.tables} tables), "
        f"{result.files} uploaded files open and match their SHA-256"
    )
    typer.echo(f"note: {KEYS_NOTE}")
