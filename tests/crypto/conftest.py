"""A committed database holding the demo people, and a keyring that tests may rotate."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from claimdesk.auth.principal import Principal
from claimdesk.crypto.keyring import Keyring, set_keyring
from claimdesk.db import make_engine, unit_of_work
from claimdesk.people.demo import load_demo_people
from tests.conftest import TEST_KEYRING


@pytest.fixture
def keyring() -> Iterator[Keyring]:
    """A copy of the test keyring installed as the process keyring; restored after."""
    ring = Keyring.from_json(TEST_KEYRING.to_json())
    set_keyring(ring)
    yield ring
    set_keyring(TEST_KEYRING)


@pytest.fixture
def demo_engine(fresh_db_url: str, keyring: Keyring) -> Iterator[Engine]:
    engine = make_engine(fresh_db_url)
    with unit_of_work(sessionmaker(bind=engine, expire_on_commit=False)) as session:
        people = load_demo_people(session, Principal.system("demo"))
        assert len(people) >= 4
    yield engine
    engine.dispose()
