"""Demo sales data: channels of every kind, organisations, agents with one lapsed
qualification, training, an assessment and an evaluation with an open action."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.passwords import hash_password
from claimdesk.auth.principal import Principal
from claimdesk.models.base import utcnow
from claimdesk.models.sales import SalesAgent, SalesChannel, SalesOrganisation
from claimdesk.models.user import User, UserRole
from claimdesk.sales import service
from claimdesk.timeutil import local_date

# code, name, English name (English pages, GEN-6), kind, modes
CHANNELS = [
    ("DEMO-DIRECT", "直销团队", "Direct sales team", "direct_team", ["face_to_face", "phone"]),
    ("DEMO-AGENCY", "专业代理机构", "Professional agency", "agency", ["face_to_face"]),
    ("DEMO-BANK", "银行保险", "Bancassurance", "bank", ["face_to_face"]),
    ("DEMO-SEC", "证券公司", "Securities firm", "securities_firm", ["online"]),
    ("DEMO-NET", "互联网平台", "Internet platform", "internet", ["online", "mail_sms"]),
]


def _user(session: Session, username: str, name: str) -> User:
    existing = session.scalars(select(User).where(User.username == username)).first()
    if existing is not None:
        return existing
    user = User(
        username=username, display_name=name, password_hash=hash_password(secrets.token_urlsafe(16))
    )
    user.roles = [UserRole(role="sales_agent")]
    session.add(user)
    session.flush()
    return user


def load_demo_sales(session: Session, *, actor: Principal) -> bool:
    """Idempotent: returns False when the demo channels exist already."""
    if session.scalars(select(SalesChannel.id).where(SalesChannel.code == "DEMO-DIRECT")).first():
        return False
    channels = {
        code: service.create_channel(
            session, actor=actor, code=code, name=name, name_en=name_en, kind=kind, modes=modes
        )
        for code, name, name_en, kind, modes in CHANNELS
    }
    direct, bank = _demo_organisations(session, actor=actor, channels=channels)
    agent = _demo_agents(session, actor=actor, direct=direct, bank=bank)
    _demo_records(session, actor=actor, agent=agent, bank_channel=channels["DEMO-BANK"])
    return True


def _demo_organisations(
    session: Session, *, actor: Principal, channels: dict[str, SalesChannel]
) -> tuple[SalesOrganisation, SalesOrganisation]:
    """A direct sales team and a bank branch (which holds a licence)."""
    direct = service.create_organisation(
        session,
        actor=actor,
        name="直销一部",
        name_en="Direct sales team 1",
        channel_id=channels["DEMO-DIRECT"].id,
    )
    bank = service.create_organisation(
        session,
        actor=actor,
        name="示例银行北京分行",
        name_en="Example Bank, Beijing branch",
        channel_id=channels["DEMO-BANK"].id,
        licence_number="BANK-110000-001",
    )
    return direct, bank


def _demo_agents(
    session: Session, *, actor: Principal, direct: SalesOrganisation, bank: SalesOrganisation
) -> SalesAgent:
    """Two agents: one licensed now (returned), one whose licence lapsed last year."""
    # Licences around the year the demo is loaded, not fixed years: loaded in 2029 the
    # valid agent's licence (once 2025–2027) had lapsed and the demo could not sell (GEN-3).
    year = local_date(utcnow()).year
    valid = service.register_agent(
        session,
        actor=actor,
        user_id=_user(session, "agent.wang", "王代理").id,
        organisation_id=direct.id,
        licence_number="DEMO-LIC-0001",
        valid_from=dt.date(year - 1, 1, 1),
        valid_until=dt.date(year + 2, 12, 31),
    )
    service.register_agent(
        session,
        actor=actor,
        user_id=_user(session, "agent.li", "李代理").id,
        organisation_id=bank.id,
        licence_number="DEMO-LIC-0002",
        valid_from=dt.date(year - 3, 1, 1),
        valid_until=dt.date(year - 1, 12, 31),
    )  # lapsed
    return valid


def _demo_records(
    session: Session, *, actor: Principal, agent: SalesAgent, bank_channel: SalesChannel
) -> None:
    """The licensed agent's training and assessment, and a mystery-shopping evaluation of
    the bank channel with one open improvement action."""
    service.add_training(
        session,
        actor=actor,
        agent_id=agent.id,
        course="销售行为可回溯规范",
        hours=Decimal("6.0"),
        completed_on=dt.date(2026, 3, 15),
        passed=True,
    )
    service.assess_agent(
        session,
        actor=actor,
        agent_id=agent.id,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        results=82,
        service_quality=88,
        satisfaction=91,
        compliance=96,
    )
    service.create_evaluation(
        session,
        actor=actor,
        method="mystery_shopping",
        evaluated_on=dt.date(2026, 10, 15),
        summary="银保渠道暗访",
        channel_id=bank_channel.id,
        findings=[
            service.FindingIn(
                "compliance",
                "high",
                "未充分说明犹豫期",
                [service.ActionIn("网点人员专项培训", dt.date(2026, 11, 30))],
            )
        ],
    )
