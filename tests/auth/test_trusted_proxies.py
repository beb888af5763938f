"""The login lockout counts the real address: X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.config import reset_settings_cache
from claimdesk.models.audit import AuditEntry
from claimdesk.models.user import LoginThrottle
from tests.builders import make_user

TOKEN = "/api/v1/auth/token"


@pytest.fixture
def proxies(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    def configure(value: str) -> None:
        monkeypatch.setenv("CLAIMDESK_TRUSTED_PROXIES", value)
        reset_settings_cache()

    yield configure
    monkeypatch.delenv("CLAIMDESK_TRUSTED_PROXIES", raising=False)
    reset_settings_cache()


def _fail(app, peer: str, forwarded: str) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, client=(peer, 40000)) as client:
        response = client.post(
            TOKEN,
            json={"username": "handler1", "password": "wrong-pass-1"},
            headers={"X-Forwarded-For": forwarded},
        )
    assert response.status_code == 401


def _address_keys(db: Session) -> set[str]:
    names = db.scalars(select(LoginThrottle.username)).all()
    return {n for n in names if n.startswith("ip:")}


def test_forwarded_header_from_untrusted_peer_does_not_move_the_lockout(app, db: Session, proxies):  # type: ignore[no-untyped-def]
    # SPEC SEC-9 (forwarded headers only from configured proxies), SEC-8 (lockout)
    proxies("")  # the default: serving directly
    make_user(db, username="handler1")
    db.commit()
    for i in range(3):
        _fail(app, "127.0.0.1", f"203.0.113.{i}")
    assert _address_keys(db) == {"ip:127.0.0.1"}
    throttle = db.scalars(
        select(LoginThrottle).where(LoginThrottle.username == "ip:127.0.0.1")
    ).one()
    assert throttle.failures == 3


def test_untrusted_peer_is_not_believed_even_when_proxies_are_configured(app, db: Session, proxies):  # type: ignore[no-untyped-def]
    # SPEC SEC-9
    proxies("10.0.0.5")
    make_user(db, username="handler1")
    db.commit()
    _fail(app, "198.51.100.2", "203.0.113.7")
    assert _address_keys(db) == {"ip:198.51.100.2"}


def test_trusted_proxy_forwards_the_client_address(app, db: Session, proxies):  # type: ignore[no-untyped-def]
    # SPEC SEC-9 (and the audit trail records where from, GEN-5)
    proxies("10.0.0.0/24")
    make_user(db, username="handler1")
    db.commit()
    _fail(app, "10.0.0.5", "1.2.3.4, 203.0.113.7")
    assert _address_keys(db) == {"ip:203.0.113.7"}
    failed = db.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).one()
    assert failed.ip == "203.0.113.7"


def test_serve_passes_the_setting_to_uvicorn(proxies):  # type: ignore[no-untyped-def]
    # SPEC SEC-9: default none (uvicorn would otherwise trust 127.0.0.1)
    from claimdesk.ops.cli import proxy_options

    proxies("")
    assert proxy_options() == (False, None)
    proxies("10.0.0.5, 10.1.0.0/16")
    assert proxy_options() == (True, "10.0.0.5/32,10.1.0.0/16")
