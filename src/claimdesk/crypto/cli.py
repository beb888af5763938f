"""``claimdesk keys``: rotate, re-index, inspect and verify the field-encryption keys (SEC-1)."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import Engine

from claimdesk.config import get_settings
from claimdesk.crypto import rotation
from claimdesk.crypto.keyring import Keyring, load_keyring, set_keyring
from claimdesk.db import make_engine

app = typer.Typer(no_args_is_help=True)


def _engine() -> Engine:

    return make_engine(get_settings().database_url)


def _file_keyring() -> tuple[Keyring, Path]:
    """The keyring from the key file; inline keys (CLAIMDESK_KEYS) cannot be rewritten."""
    settings = get_settings()
    if settings.keys:
        typer.echo(
            "拒绝：密钥由环境变量 CLAIMDESK_KEYS 直接给出，轮换后的新密钥无法保存。"
            "请改用密钥文件（CLAIMDESK_KEY_FILE）并取消 CLAIMDESK_KEYS。\n"
            "Refused: the keys are given inline in CLAIMDESK_KEYS, so a rotated keyring "
            "cannot be persisted. Move them to a key file (CLAIMDESK_KEY_FILE) and unset "
            "CLAIMDESK_KEYS.",
            err=True,
        )
        raise typer.Exit(2)
    keyring = load_keyring(settings)
    assert keyring.source is not None
    return keyring, keyring.source


@app.command("rotate")
def rotate(
    reindex: bool = typer.Option(False, "--reindex", help="Also replace the look-up hash key."),
    batch_size: int = typer.Option(rotation.DEFAULT_BATCH, min=1),
) -> None:
    """Add a new active key, re-encrypt every encrypted column, report counts."""
    keyring, path = _file_keyring()
    kid = keyring.add_key()
    if reindex:
        keyring.new_index_key()
    # Save first: a crash half-way leaves data under keys the file still holds, and a
    # second run finishes the job (both steps only touch what is not yet current).
    keyring.save(path)
    set_keyring(keyring)
    engine = _engine()
    try:
        report = rotation.RotationReport(key_id=kid)
        report.reencrypted = rotation.reencrypt_all(engine, keyring, batch_size=batch_size)
        if reindex:
            report.reindexed = rotation.reindex_all(engine, keyring, batch_size=batch_size)
        rotation.record_rotation(engine, report, reindexed=reindex)
    finally:
        engine.dispose()
    typer.echo(f"new active key: {kid} (saved to {path})")
    for label, count in report.reencrypted.items():
        typer.echo(f"  re-encrypted {label}: {count}")
    for label, count in report.reindexed.items():
        typer.echo(f"  re-hashed {label}: {count}")
    typer.echo(f"total re-encrypted: {report.total}")
    if reindex:
        typer.echo("the look-up hash key changed: restart every application process now")


@app.command("reindex")
def reindex(batch_size: int = typer.Option(rotation.DEFAULT_BATCH, min=1)) -> None:
    """Recompute every keyed hash with the current index key (repairs an interrupted
    ``rotate --reindex``)."""
    keyring = load_keyring(get_settings())
    engine = _engine()
    try:
        counts = rotation.reindex_all(engine, keyring, batch_size=batch_size)
    finally:
        engine.dispose()
    for label, count in counts.items():
        typer.echo(f"  re-hashed {label}: {count}")


@app.command("status")
def status() -> None:
    """Key ids, the active key, and how many ciphertexts use each key."""
    keyring = load_keyring(get_settings())
    engine = _engine()
    try:
        usage = rotation.key_usage(engine)
    finally:
        engine.dispose()
    source = keyring.source or "CLAIMDESK_KEYS (inline)"
    typer.echo(f"keyring: {source}")
    for kid in sorted(keyring.keys, key=lambda k: (len(k), k)):
        marker = " (active)" if kid == keyring.active else ""
        typer.echo(f"  {kid}{marker}: {usage.pop(kid, 0)} ciphertexts")
    for kid, count in sorted(usage.items()):
        typer.echo(f"  {kid} (MISSING FROM KEYRING): {count} ciphertexts")


@app.command("verify")
def verify() -> None:
    """Every ciphertext decrypts and every keyed hash matches; exit 1 naming problems."""
    keyring = load_keyring(get_settings())
    engine = _engine()
    try:
        problems = rotation.verify(engine, keyring)
    finally:
        engine.dispose()
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo("all encrypted values decrypt and all look-up hashes match")


@app.command("retire")
def retire(kid: str) -> None:
    """Remove an old key from the key file once no ciphertext uses it."""
    keyring, path = _file_keyring()
    if kid not in keyring.keys:
        typer.echo(f"no key {kid} in {path}", err=True)
        raise typer.Exit(2)
    if kid == keyring.active:
        typer.echo(f"{kid} is the active key; rotate first", err=True)
        raise typer.Exit(2)
    engine = _engine()
    try:
        in_use = rotation.key_usage(engine).get(kid, 0)
    finally:
        engine.dispose()
    if in_use:
        typer.echo(
            f"{kid} still encrypts {in_use} values; run `claimdesk keys rotate` first", err=True
        )
        raise typer.Exit(1)
    keyring.remove_key(kid)
    keyring.save(path)
    set_keyring(keyring)
    typer.echo(f"removed {kid}; remaining keys: {', '.join(sorted(keyring.keys))}")
