"""Builders for the service-desk tests: explicit defaults, nothing random."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.calendar.cache import load_calendar
from claimdesk.calendar.service import seed_from_package
from claimdesk.crypto.indexes import PURPOSE_ID_NUMBER
from claimdesk.crypto.keyring import blind_index
from claimdesk.models.person import Consent, Person
from claimdesk.models.user import User

SYSTEM = Principal.system("test")
_SEQ = itertools.count(1)


def seed_calendar(session: Session, years: tuple[int, ...] = (2026,)) -> None:
    if not load_calendar(session).covered_years.issuperset(years):
        seed_from_package(session, years=years, actor=SYSTEM)
        session.flush()


def make_person(
    session: Session,
    *,
    name: str = "张三",
    email: str | None = None,
    org_unit_id: int | None = None,
    care_consent: bool = False,
) -> Person:
    number = f"1101011990030{next(_SEQ):05d}"
    person = Person(
        name=name,
        id_type="passport",
        id_number=number,
        id_number_hash=blind_index(number, PURPOSE_ID_NUMBER),
        id_number_last4=number[-4:],
        email=email,
        org_unit_id=org_unit_id,
    )
    session.add(person)
    session.flush()
    if care_consent:
        session.add(
            Consent(
                person_id=person.id,
                purpose="customer_care",
                scope="contact",
                method="written",
                granted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            )
        )
        session.flush()
    return person


def principal_of(user: User, roles: tuple[str, ...], *, person_id: int | None = None) -> Principal:
    return Principal.build(
        user_id=user.id,
        username=user.username,
        roles=frozenset(roles),
        org_unit_id=user.org_unit_id,
        person_id=person_id,
    )


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    """An instant given in Asia/Shanghai time."""
    from claimdesk.rules.deadlines import LOCAL_TZ

    return dt.datetime(year, month, day, hour, minute, second, tzinfo=LOCAL_TZ)
