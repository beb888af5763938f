"""Concurrent duplicates of one Idempotency-Key, on PostgreSQL with real commits
(SPEC CLM-P5, GEN-6): never two claims; every duplicate gets the winner's answer or a
409 naming the header."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.app import create_app
from claimdesk.db import make_engine
from claimdesk.models.claim import Claim
from claimdesk.models.idempotency import IdempotencyKey
from tests.claims.helpers import FrozenClock, World, build_world, local
from tests.idempotency.test_idempotency_keys import API, report
from tests.waits import Rendezvous, run_in_threads

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def real(
    fresh_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[World, sessionmaker[Session]]]:
    engine = make_engine(fresh_db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with (
        factory() as db,
        TestClient(create_app(factory=factory), raise_server_exceptions=False) as client,
    ):
        FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
        yield build_world(db, client), factory
    engine.dispose()


def test_eight_duplicates_at_once_create_one_claim(
    real: tuple[World, sessionmaker[Session]],
) -> None:
    # SPEC CLM-P5 GEN-6
    w, factory = real
    clients = [TestClient(w.client.app, raise_server_exceptions=False) for _ in range(8)]
    barrier = Rendezvous(len(clients))
    body = report(w)

    def send(client: TestClient) -> Any:
        barrier.wait()
        return client.post(
            API, json=body, headers={**w.h["handler"], "Idempotency-Key": "race-key-0001"}
        )

    for round_ in range(2):  # the second round: every request is a plain replay
        responses = run_in_threads([functools.partial(send, c) for c in clients])
        codes = [r.status_code for r in responses]
        assert set(codes) <= {201, 409}, [r.text for r in responses]
        created = [r for r in responses if r.status_code == 201]
        assert len({r.json()["id"] for r in created}) == 1
        for r in responses:
            if r.status_code == 409:
                assert r.json()["error"]["field"] == "Idempotency-Key"
        if round_ == 1:
            assert codes == [201] * len(clients)
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Claim)) == 1
        assert db.scalar(select(func.count()).select_from(IdempotencyKey)) == 1
