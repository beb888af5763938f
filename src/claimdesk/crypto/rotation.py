"""Key rotation, re-indexing and checks over every encrypted column (SEC-1).

The encrypted columns are discovered from the ORM metadata (every column whose type is
:class:`EncryptedString`), so a domain adding one needs no change here. Values are read
and written as raw ciphertext (the column type is bypassed) with an explicit keyring,
in primary-key batches, one transaction per batch; rows in a batch are locked
(``FOR UPDATE`` on PostgreSQL, the write lock on SQLite) so that a concurrent edit is
never overwritten with a stale value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import Column, Engine, MetaData, Table, Text, select, type_coerce, update
from sqlalchemy.orm import Session

import claimdesk.models  # noqa: F401  (registers every table)
from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.crypto.indexes import BLIND_INDEXES, NAME_INDEXES, BlindIndexSpec, normalise_name
from claimdesk.crypto.keyring import Keyring
from claimdesk.crypto.types import EncryptedString
from claimdesk.errors import KeyUnavailable
from claimdesk.models.base import Base

DEFAULT_BATCH = 500


@dataclass(frozen=True)
class EncryptedColumn:
    table: Table
    column: Column[Any]
    context: str

    @property
    def label(self) -> str:
        return f"{self.table.name}.{self.column.name}"


@dataclass
class RotationReport:
    key_id: str
    reencrypted: dict[str, int] = field(default_factory=dict)
    reindexed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.reencrypted.values())


def default_metadata() -> MetaData:
    return Base.metadata


def encrypted_columns(metadata: MetaData | None = None) -> list[EncryptedColumn]:
    found = []
    for table in (metadata or default_metadata()).sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedString):
                found.append(EncryptedColumn(table, column, column.type.context))
    return found


def _by_table(columns: list[EncryptedColumn]) -> dict[Table, list[EncryptedColumn]]:
    grouped: dict[Table, list[EncryptedColumn]] = {}
    for item in columns:
        grouped.setdefault(item.table, []).append(item)
    return grouped


def _pk(table: Table) -> Column[Any]:
    keys = list(table.primary_key.columns)
    if len(keys) != 1:
        raise ValueError(f"table {table.name} needs a single-column primary key for rotation")
    return keys[0]


def _raw(column: Column[Any]) -> Any:
    # Read/write the stored ciphertext, not the decrypted value.
    return type_coerce(column, Text())


def _batches(
    engine: Engine, table: Table, columns: list[Column[Any]], batch_size: int
) -> Iterator[tuple[Session, list[Any]]]:
    """Yield (session, rows) per primary-key batch; each batch is its own transaction."""
    pk = _pk(table)
    last: Any = None
    while True:
        with Session(engine) as session, session.begin():
            query = select(pk, *(_raw(c).label(c.name) for c in columns)).order_by(pk)
            if last is not None:
                query = query.where(pk > last)
            rows = list(session.execute(query.limit(batch_size).with_for_update()).all())
            if not rows:
                return
            yield session, rows
            last = rows[-1][0]


def reencrypt_all(
    engine: Engine,
    keyring: Keyring,
    *,
    batch_size: int = DEFAULT_BATCH,
    metadata: MetaData | None = None,
) -> dict[str, int]:
    """Re-encrypt every ciphertext not made with the active key; returns counts per column."""
    counts: Counter[str] = Counter()
    for table, items in _by_table(encrypted_columns(metadata)).items():
        for session, rows in _batches(engine, table, [i.column for i in items], batch_size):
            for row in rows:
                changes: dict[Any, Any] = {}
                for position, item in enumerate(items, start=1):
                    token = row[position]
                    if token is None or Keyring.key_id_of(token) == keyring.active:
                        continue
                    plain = keyring.decrypt(token, item.context)
                    changes[item.column] = type_coerce(keyring.encrypt(plain, item.context), Text())
                    counts[item.label] += 1
                if changes:
                    session.execute(update(table).where(_pk(table) == row[0]).values(changes))
    return {item.label: counts[item.label] for item in encrypted_columns(metadata)}


def _spec_columns(spec: BlindIndexSpec, metadata: MetaData) -> tuple[Table, EncryptedColumn]:
    table = metadata.tables[spec.table]
    source = table.c[spec.source_column]
    assert isinstance(source.type, EncryptedString)
    return table, EncryptedColumn(table, source, source.type.context)


def reindex_all(
    engine: Engine,
    keyring: Keyring,
    *,
    batch_size: int = DEFAULT_BATCH,
    metadata: MetaData | None = None,
) -> dict[str, int]:
    """Recompute every keyed hash from the decrypted value with the keyring's index key."""
    metadata = metadata or default_metadata()
    counts: dict[str, int] = {}
    for spec in BLIND_INDEXES:
        table, source = _spec_columns(spec, metadata)
        hash_column = table.c[spec.hash_column]
        label = f"{spec.table}.{spec.hash_column}"
        counts[label] = 0
        for session, rows in _batches(engine, table, [source.column, hash_column], batch_size):
            for key, token, stored in rows:
                if token is None:
                    continue
                fresh = keyring.blind_index(keyring.decrypt(token, source.context), spec.purpose)
                if fresh != stored:
                    session.execute(
                        update(table).where(_pk(table) == key).values({hash_column: fresh})
                    )
                    counts[label] += 1
    for spec in NAME_INDEXES:
        counts.update(_reindex_names(engine, keyring, spec, batch_size, metadata))
    return counts


def _reindex_names(
    engine: Engine, keyring: Keyring, spec: BlindIndexSpec, batch_size: int, metadata: MetaData
) -> dict[str, int]:
    """Name hashes are computed from a clear column (crypto.indexes.NAME_INDEXES)."""
    table = metadata.tables[spec.table]
    source, hash_column = table.c[spec.source_column], table.c[spec.hash_column]
    label = f"{spec.table}.{spec.hash_column}"
    changed = 0
    for session, rows in _batches(engine, table, [source, hash_column], batch_size):
        for key, name, stored in rows:
            normalised = normalise_name(name or "")
            fresh = keyring.blind_index(normalised, spec.purpose) if normalised else None
            if fresh != stored:
                session.execute(update(table).where(_pk(table) == key).values({hash_column: fresh}))
                changed += 1
    return {label: changed}


def key_usage(engine: Engine, *, metadata: MetaData | None = None) -> dict[str, int]:
    """How many stored ciphertexts name each key id."""
    usage: Counter[str] = Counter()
    with engine.connect() as connection:
        for item in encrypted_columns(metadata):
            query = select(_raw(item.column)).where(item.column.is_not(None))
            for token in connection.execution_options(yield_per=1000).execute(query).scalars():
                usage[Keyring.key_id_of(token)] += 1
    return dict(usage)


def verify(engine: Engine, keyring: Keyring, *, metadata: MetaData | None = None) -> list[str]:
    """Every ciphertext decrypts in its own column, and every keyed hash matches the value
    it indexes. The hash check is what exposes a ciphertext copied to another row of the
    same column (the associated data binds a ciphertext to its column, not its row).
    Problems name table, row and column, never a value."""
    metadata = metadata or default_metadata()
    problems: list[str] = []
    hashes = {(s.table, s.source_column): s for s in BLIND_INDEXES}
    with engine.connect() as connection:
        for item in encrypted_columns(metadata):
            pk = _pk(item.table)
            spec = hashes.get((item.table.name, item.column.name))
            extra = [item.table.c[spec.hash_column]] if spec else []
            query = select(pk, _raw(item.column), *extra).where(item.column.is_not(None))
            for row in connection.execute(query):
                where = f"{item.label} row {row[0]}"
                try:
                    plain = keyring.decrypt(row[1], item.context)
                except KeyUnavailable:
                    kid = Keyring.key_id_of(row[1])
                    problems.append(f"{where}: key {kid} is not in the keyring")
                    continue
                except (InvalidTag, ValueError):
                    problems.append(f"{where}: does not decrypt (tampered or moved)")
                    continue
                if spec and keyring.blind_index(plain, spec.purpose) != row[2]:
                    problems.append(f"{where}: {spec.hash_column} does not match the value")
    return problems


def record_rotation(engine: Engine, report: RotationReport, *, reindexed: bool) -> None:
    """One audit entry for the rotation (GEN-5); counts only, never values."""
    with Session(engine) as session, session.begin():
        record(
            session,
            actor=Principal.system("keys-cli"),
            action="keys.rotated",
            entity_type="keyring",
            entity_id=report.key_id,
            details={
                "reencrypted": report.total,
                "reindexed": reindexed,
                "columns": report.reencrypted,
            },
        )
