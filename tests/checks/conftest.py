"""The world the checks' tests share: the demo book on a frozen day, and a receipt book
standing in for the e-receipt source when a test plants receipts itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.checks import receipts
from tests.checks.helpers import ReceiptBook
from tests.claims.helpers import FrozenClock, World, build_world, local


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-06-10T10:00:00"))
    return build_world(db, client)


@pytest.fixture
def book() -> Iterator[ReceiptBook]:
    found = ReceiptBook()
    receipts.register_receipt_source(found)
    yield found
    receipts.register_receipt_source(None)
