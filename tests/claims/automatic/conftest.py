"""Fixtures of the automatic path's tests (SPEC CLM-T2): the world of tests/claims, a
frozen clock on the helpers' day, and the customer's small medical policy with an own
account. A test module may define its own instead."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.automatic.helpers import DAY, Setup, small_policy
from tests.claims.helpers import FrozenClock, World, build_world, local


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local(f"{DAY}T10:00:00"))


@pytest.fixture
def setup(db: Session, world: World) -> Setup:
    return small_policy(db, world)
