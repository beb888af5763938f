"""medical details at rest (SEC-1, issue 15 item 5): claims.loss_overview,
claim_assessment_items.description and claim_assessments.facts become ciphertext, and
uploaded files are sealed with a per-file data key kept (wrapped) in
claim_material_files.data_key

Existing values are read in clear and written back encrypted with the keyring's active
key (the same keyring the application uses: CLAIMDESK_KEYS or the key file). Existing
files are read from the path the row recorded, sealed into the file store
(claimdesk.storage) under a new key, and the clear copy is removed; a row whose file is
missing keeps its path and no data key, and is logged. Downgrade reverses both.

Revision ID: 0018_medical_encryption
Revises: 0013_security_incidents
Create Date: 2026-12-05 22:30:00
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic import op

if TYPE_CHECKING:
    from claimdesk.crypto.keyring import Keyring

revision: str = "0018_medical_encryption"
down_revision: str | Sequence[str] | None = "0013_security_incidents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

DATA_KEY_CONTEXT = "claim_material_files.data_key"
_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
}


def _rewrite(table: str, column: str, change: Callable[[str], str]) -> None:
    bind = op.get_bind()
    t = sa.table(table, sa.column("id", sa.Integer()), sa.column(column, sa.Text()))
    rows = bind.execute(sa.select(t.c.id, t.c[column]).where(t.c[column].is_not(None))).all()
    for row_id, value in rows:
        bind.execute(sa.update(t).where(t.c.id == row_id).values({column: change(value)}))


def _keyring() -> Keyring:
    from claimdesk.crypto.keyring import get_keyring

    return get_keyring()


def _canonical_json(value: Any) -> str:
    """The JSON text EncryptedJSON writes. psycopg hands a json column over already
    parsed; SQLite gives the text."""
    import json

    parsed = json.loads(value) if isinstance(value, str | bytes) else value
    return json.dumps(parsed, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _replace_column(
    table: str,
    column: str,
    type_: sa.types.TypeEngine[Any],
    default: str,
    change: Callable[[str], str],
) -> None:
    """Give ``column`` a new type and values without rebuilding the table: add a sibling
    column, fill it, drop the old one, rename. (A batch rebuild on SQLite would drop the
    table under enforced foreign keys, and claim_assessment_items cascades from
    claim_assessments.) The NOT NULL column needs a default while added; PostgreSQL
    drops it afterwards, SQLite cannot (harmless: every insert names the column)."""
    bind = op.get_bind()
    staging = f"{column}_0018"
    op.add_column(
        table,
        sa.Column(staging, type_, nullable=False, server_default=sa.text(f"'{default}'")),
    )
    t = sa.table(table, sa.column("id", sa.Integer()), sa.column(column, sa.Text()))
    target = sa.table(table, sa.column("id", sa.Integer()), sa.column(staging, sa.Text()))
    postgres = bind.dialect.name == "postgresql"
    for row_id, value in bind.execute(sa.select(t.c.id, t.c[column])).all():
        # PostgreSQL wants the text cast to the column's type (json on downgrade);
        # SQLite stores the text as is (its CAST to JSON would make a number of it).
        new: Any = sa.literal(change(value), sa.Text())
        if postgres:
            new = sa.cast(new, type_)
        bind.execute(sa.update(target).where(target.c.id == row_id).values({staging: new}))
    op.drop_column(table, column)
    op.alter_column(table, staging, new_column_name=column)
    if bind.dialect.name == "postgresql":
        op.alter_column(table, column, server_default=None)


def upgrade() -> None:
    keyring = _keyring()
    # Same type (Text) before and after: values only.
    _rewrite("claims", "loss_overview", lambda v: keyring.encrypt(v, "claims.loss_overview"))
    _replace_column(
        "claim_assessment_items",
        "description",
        sa.Text(),
        "",
        lambda v: keyring.encrypt(v, "claim_assessment_items.description"),
    )
    _replace_column(
        "claim_assessments",
        "facts",
        sa.Text(),
        "",
        lambda v: keyring.encrypt(_canonical_json(v), "claim_assessments.facts"),
    )
    op.add_column("claim_material_files", sa.Column("data_key", sa.Text(), nullable=True))
    _seal_existing_files(keyring)


def _seal_existing_files(keyring: Keyring) -> None:
    from claimdesk.storage import get_storage, save_file

    bind = op.get_bind()
    files = sa.table(
        "claim_material_files",
        sa.column("id", sa.Integer()),
        sa.column("claim_id", sa.Integer()),
        sa.column("storage_path", sa.String()),
        sa.column("data_key", sa.Text()),
    )
    claims = sa.table("claims", sa.column("id", sa.Integer()), sa.column("number", sa.String()))
    rows = bind.execute(
        sa.select(files.c.id, files.c.storage_path, claims.c.number).join(
            claims, claims.c.id == files.c.claim_id
        )
    ).all()
    storage = get_storage()
    for file_id, old_path, number in rows:
        source = Path(old_path)
        if not source.is_file():
            log.warning("file %s of row %s is missing: left unsealed", old_path, file_id)
            continue
        key = f"{number}/{secrets.token_hex(16)}"
        data_key = save_file(storage, key=key, content=source.read_bytes())
        bind.execute(
            sa.update(files)
            .where(files.c.id == file_id)
            .values(storage_path=key, data_key=keyring.encrypt(data_key, DATA_KEY_CONTEXT))
        )
        source.unlink()


def _unseal_files(keyring: Keyring) -> None:
    from claimdesk.config import get_settings
    from claimdesk.storage import get_storage, load_file

    bind = op.get_bind()
    files = sa.table(
        "claim_material_files",
        sa.column("id", sa.Integer()),
        sa.column("claim_id", sa.Integer()),
        sa.column("storage_path", sa.String()),
        sa.column("data_key", sa.Text()),
        sa.column("sha256", sa.String()),
        sa.column("content_type", sa.String()),
    )
    claims = sa.table("claims", sa.column("id", sa.Integer()), sa.column("number", sa.String()))
    rows = bind.execute(
        sa.select(
            files.c.id,
            files.c.storage_path,
            files.c.data_key,
            files.c.sha256,
            files.c.content_type,
            claims.c.number,
        )
        .join(claims, claims.c.id == files.c.claim_id)
        .where(files.c.data_key.is_not(None))
    ).all()
    storage = get_storage()
    for file_id, key, wrapped, digest, kind, number in rows:
        content = load_file(storage, key=key, data_key=keyring.decrypt(wrapped, DATA_KEY_CONTEXT))
        target = get_settings().upload_dir / number / f"{digest}.{_EXTENSIONS.get(kind, 'bin')}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        bind.execute(sa.update(files).where(files.c.id == file_id).values(storage_path=str(target)))
        storage.delete(key)


def downgrade() -> None:
    keyring = _keyring()
    _unseal_files(keyring)
    op.drop_column("claim_material_files", "data_key")
    _replace_column(
        "claim_assessments",
        "facts",
        sa.JSON(),
        "{}",
        lambda v: keyring.decrypt(v, "claim_assessments.facts"),
    )
    _replace_column(
        "claim_assessment_items",
        "description",
        sa.String(length=200),
        "",
        lambda v: keyring.decrypt(v, "claim_assessment_items.description"),
    )
    _rewrite("claims", "loss_overview", lambda v: keyring.decrypt(v, "claims.loss_overview"))
