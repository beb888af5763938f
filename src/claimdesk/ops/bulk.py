"""Bulk writes for loads that replay no service (the demo's history, benchmark books).

``insert_rows`` writes multi-row INSERTs in chunks and returns the new ids in the rows'
order; ``copy_rows`` writes rows nobody refers to with COPY on PostgreSQL (executemany on
SQLite). Both go through the columns' own types, so encrypted columns are encrypted as
the ORM would (SEC-1); keyed hashes and other computed columns are the caller's to give.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

CHUNK = 500


def insert_rows(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Multi-row inserts in chunks, returning the new ids in the rows' order. Core, not
    the ORM's bulk path: the same column types (encryption included) at a tenth of the
    cost."""
    table = model.__table__
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = list(rows[start : start + CHUNK])
        statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
        ids.extend(session.execute(statement, chunk).scalars())
    return ids


def copy_rows(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Rows nobody refers to. PostgreSQL: COPY (multi-row VALUES spent most of its time
    in the driver parsing placeholders, one INSERT per row in round trips); SQLite:
    executemany, which is in-process and fast."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(model.__table__.insert(), list(rows))
        return
    table = model.__table__
    dialect = connection.dialect
    columns = [c for c in table.columns if not c.primary_key and _copied(c, rows[0])]
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    names = ", ".join(f'"{c.name}"' for c in columns)
    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor().copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = (_value(c, row) for c in columns)
            copy.write_row(
                [
                    p(v) if p is not None and v is not None else v
                    for p, v in zip(processors, values, strict=True)
                ]
            )


def _copied(column: Any, row: dict[str, Any]) -> bool:
    """A column COPY must fill: given in the row, or with a Python-side default (a
    server default the database applies itself)."""
    return column.name in row or column.default is not None


def _value(column: Any, row: dict[str, Any]) -> Any:
    if column.name in row:
        return row[column.name]
    default = column.default
    return default.arg(None) if default.is_callable else default.arg
