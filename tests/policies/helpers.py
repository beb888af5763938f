"""Shared set-up of the policies tests: people, the demo products, the 2026 calendar."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from tests.builders import demo_version, issue_policy, make_person, resident_id

SYSTEM = Principal.system("test")
SH = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    """A Shanghai local time as an aware instant: at("2026-09-30 10:00")."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def seed_calendar(session: Session) -> None:
    from claimdesk.calendar.service import seed_from_package

    seed_from_package(session, years=[2025, 2026], actor=SYSTEM)


def person(
    session: Session, name: str, seq: str, birth: str = "19800101", phone: str | None = None
):  # -> Person
    return make_person(
        session,
        name=name,
        id_number=resident_id(birth=birth, seq=seq),
        phone=phone or f"1381234{int(seq):04d}",
    )


def staff(session: Session, username: str, role: str):  # -> Principal
    from tests.builders import make_user

    user = make_user(session, username=username, roles=[role])
    return Principal.build(user_id=user.id, username=username, roles=[role])


def family_policy(session: Session, *, parent_id: int, child_id: int, start: dt.date):  # -> Policy
    """A parent's policy on their child, issued on ``start`` (just after midnight) and in
    force from that day: ``start`` may be today, whatever today is (GEN-3)."""
    return issue_policy(
        session,
        version_id=demo_version(session).id,
        policyholder_id=parent_id,
        insured_id=child_id,
        insured_relationship="child",
        period_start=start.isoformat(),
        issued_at=f"{start.isoformat()}T00:01:00+08:00",
    )
