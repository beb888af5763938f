"""Demo data: org units, one login per role, demo people, the holiday calendar, the
product catalogue, a policy per line for the demo customers, service and sales records.

Idempotent: whatever already exists (by unit code, username, stored calendar year) is
left alone, so running it twice changes nothing. Passwords are deliberately
memorable — this is for demonstrations and training, never for production data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth import repository as auth_repository
from claimdesk.auth import service as auth_service
from claimdesk.auth.passwords import hash_password
from claimdesk.auth.permissions import ROLE_LABELS, Role
from claimdesk.auth.principal import Principal
from claimdesk.calendar.service import seed_from_package as seed
from claimdesk.calendar.service import sync_from_package, today
from claimdesk.errors import ClaimdeskError
from claimdesk.models.org import OrgUnit
from claimdesk.models.policy import Policy
from claimdesk.models.sales import SalesAgent, SalesOrganisation
from claimdesk.models.security_incident import SecurityIncident
from claimdesk.ops.demo_history import HistoryResult, load_history
from claimdesk.org import repository as org_repository
from claimdesk.org import service as org_service
from claimdesk.people.demo import load_demo_people
from claimdesk.policies.schemas import PolicyIssueIn
from claimdesk.policies.service import issue_policy
from claimdesk.products import repository as products_repository
from claimdesk.products.demo import load_demo_products
from claimdesk.sales.service import register_agent
from claimdesk.security.service import report_incident
from claimdesk.service.demo import load_demo_service

DEMO_PASSWORD = "demo2026claims"  # noqa: S105  (printed for demo logins on purpose)
CALENDAR_YEARS = (2025, 2026)
# Years the State Council had not published when this release was made: loaded as
# provisional (statutory holidays only) so that long deadlines can be computed in the
# demo; an administrator replaces them when the arrangement is published (GEN-3).
PROVISIONAL_YEARS = (2027,)
# All demo accounts share one password: hash it once (argon2 is slow by design).
_HASH: dict[str, str] = {}

# code, name, kind, region code (GB/T 2260), parent code
# code, name, English name (English pages, GEN-6), kind, region, parent's code
DEMO_UNITS: tuple[tuple[str, str, str, str, str, str | None], ...] = (
    ("HQ", "总公司", "Head office", "head_office", "110000", None),
    ("BJ", "北京分公司", "Beijing branch", "branch", "110000", "HQ"),
    ("SH", "上海分公司", "Shanghai branch", "branch", "310000", "HQ"),
    ("GD", "广东分公司", "Guangdong branch", "branch", "440000", "HQ"),
)

# username, role, org unit code, display name. Head office adjusts and reviews remote
# claims (CLM-Z1); every branch has its own surveyor and assessor. The display name is the
# person's name only: a job title written into it (理赔专员 张伟) read Chinese on English
# pages; pages say a role in the page's language from the catalogue (ROLE_LABELS), and
# the org unit says the branch.
DEMO_STAFF: tuple[tuple[str, Role, str, str], ...] = (
    ("admin", Role.ADMINISTRATOR, "HQ", "王敏"),
    ("auditor", Role.COMPLIANCE_AUDITOR, "HQ", "赵静"),
    ("service", Role.SERVICE_AGENT, "BJ", "李娜"),
    ("handler", Role.CLAIMS_HANDLER, "BJ", "张伟"),
    ("surveyor.bj", Role.SURVEYOR, "BJ", "刘洋"),
    ("surveyor.sh", Role.SURVEYOR, "SH", "陈杰"),
    ("surveyor.gd", Role.SURVEYOR, "GD", "黄磊"),
    ("assessor.bj", Role.ASSESSOR, "BJ", "杨帆"),
    ("assessor.sh", Role.ASSESSOR, "SH", "周涛"),
    ("assessor.gd", Role.ASSESSOR, "GD", "吴昊"),
    ("adjuster", Role.ADJUSTER, "HQ", "徐丽"),
    ("reviewer1", Role.REVIEWER_1, "BJ", "孙强"),
    ("reviewer2", Role.REVIEWER_2, "HQ", "马超"),
    ("reviewer3", Role.REVIEWER_3, "HQ", "朱红"),
    ("payment", Role.PAYMENT_OFFICER, "HQ", "胡斌"),
    ("fraud", Role.FRAUD_INVESTIGATOR, "HQ", "郭勇"),
    ("sales", Role.SALES_AGENT, "BJ", "林芳"),
)
DEMO_CUSTOMERS = ("customer1", "customer2")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    org_code: str | None

    @property
    def role_zh(self) -> str:
        return ROLE_LABELS[self.role][0]

    @property
    def role_en(self) -> str:
        return ROLE_LABELS[self.role][1]


@dataclass
class DemoResult:
    logins: list[DemoLogin] = field(default_factory=list)
    created_units: list[str] = field(default_factory=list)
    created_users: list[str] = field(default_factory=list)
    calendar_years: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    history: HistoryResult | None = None


def _units(session: Session, actor: Principal, result: DemoResult) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for code, name, name_en, kind, region, parent in DEMO_UNITS:
        unit = org_repository.get_by_code(session, code=code)
        if unit is None:
            unit = org_service.create_unit(
                session,
                actor=actor,
                code=code,
                name=name,
                name_en=name_en,
                kind=kind,
                region_code=region,
                parent_id=units[parent].id if parent else None,
            )
            result.created_units.append(code)
        elif unit.name_en is None and unit.name == name:
            # A demo database loaded before units had English names gets them (audited).
            org_service.update_unit(
                session,
                actor=actor,
                unit_id=unit.id,
                reason="demo data: English name",
                name_en=name_en,
            )
        units[code] = unit
    return units


def _user(
    session: Session,
    actor: Principal,
    result: DemoResult,
    *,
    username: str,
    role: Role,
    org: OrgUnit | None,
    display_name: str,
    person_id: int | None = None,
) -> None:
    result.logins.append(DemoLogin(username, DEMO_PASSWORD, role, org.code if org else None))
    if auth_repository.get_user_by_username(session, username=username) is not None:
        return
    if _HASH.get(DEMO_PASSWORD) is None:
        _HASH[DEMO_PASSWORD] = hash_password(DEMO_PASSWORD)
    auth_service.create_user(
        session,
        password_hash=_HASH[DEMO_PASSWORD],
        actor=actor,
        username=username,
        password=DEMO_PASSWORD,
        roles=[role.value],
        display_name=display_name,
        org_unit_id=org.id if org else None,
        person_id=person_id,
    )
    result.created_users.append(username)


def _people(session: Session, actor: Principal) -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in load_demo_people(session, actor=actor)]


def _people_ids(session: Session, actor: Principal, result: DemoResult) -> list[int]:
    return [person_id for person_id, _name in _people(session, actor)]


def _calendar(session: Session, actor: Principal, result: DemoResult) -> None:
    for year in CALENDAR_YEARS:
        try:
            result.calendar_years.extend(seed(session, years=[year], actor=actor))
        except ClaimdeskError as error:
            result.notes.append(f"calendar {year}: {error.message('en')}")
    for year in PROVISIONAL_YEARS:
        written = seed(session, years=[year], actor=actor, provisional=True)
        if written:
            result.notes.append(f"calendar {year} loaded as provisional (no 调休 yet)")
        result.calendar_years.extend(written)
    # What the worker does daily: years around today that the package publishes replace
    # missing or provisional ones (GEN-3), so a newer package needs no administrator.
    for year in sync_from_package(session, on=today(), actor=actor):
        result.notes.append(f"calendar {year} loaded from the holidays package")


def _catalogue_and_policies(
    session: Session, actor: Principal, result: DemoResult, people_ids: list[int]
) -> None:
    """The five demo products, and for the first demo customers one policy per line, so
    that a claim of every line can be reported from the portal or the workbench."""
    load_demo_products(session, actor)
    if len(people_ids) < 2:
        return
    holder, spouse = people_ids[0], people_ids[1]
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    start = today.replace(month=1, day=1)
    for product in products_repository.list_products(session):
        versions = products_repository.published_versions(session, product_id=product.id)
        if not versions:
            continue
        version = versions[-1]
        exists = session.scalar(
            select(Policy.id).where(
                Policy.product_version_id == version.id, Policy.policyholder_id == holder
            )
        )
        if exists:
            continue
        rate = version.premium_rate or Decimal("0.001")
        premium = max(
            Decimal("100.00"),
            ((version.sum_insured or Decimal("0")) * rate).quantize(Decimal("0.01")),
        )
        beneficiaries = (
            [{"person_id": spouse, "relationship": "配偶", "share": "100.00"}]
            if product.line in {"accident", "critical_illness"}
            else []
        )
        data = PolicyIssueIn.model_validate(
            {
                "product_version_id": version.id,
                "policyholder_id": holder,
                "insured_id": holder,
                "beneficiaries": beneficiaries,
                "period_start": start.isoformat(),
                "premium": str(premium),
                "channel": "direct",
            }
        )
        issued_at = dt.datetime.combine(start, dt.time(10), tzinfo=dt.UTC) - dt.timedelta(days=2)
        policy = issue_policy(session, actor=actor, data=data, at=issued_at)
        result.notes.append(f"policy {policy.number}: {product.name} for customer1")


def _service_and_sales(session: Session, actor: Principal) -> None:
    load_demo_service(session, actor)
    # The demo sales login must be a qualified agent to issue policies (SAL-2).
    sales_user = auth_repository.get_user_by_username(session, username="sales")
    organisation = session.scalars(select(SalesOrganisation).order_by(SalesOrganisation.id)).first()
    if sales_user is None or organisation is None:
        return
    if session.scalars(select(SalesAgent.id).where(SalesAgent.user_id == sales_user.id)).first():
        return
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    register_agent(
        session,
        actor=actor,
        user_id=sales_user.id,
        organisation_id=organisation.id,
        licence_number="DEMO-LIC-0100",
        # Around the year the demo is loaded (fixed 2025–2028 lapsed for a demo loaded
        # later, and the demo sales login could not sell: GEN-3).
        valid_from=dt.date(today.year - 1, 1, 1),
        valid_until=dt.date(today.year + 2, 12, 31),
    )


def _security_incident(session: Session, actor: Principal, result: DemoResult) -> None:
    """One reported incident, so the security-incident pages (SEC-7) have something to
    work through: the administrator contains it, finds the cause, corrects, reviews."""
    if session.scalars(select(SecurityIncident.id)).first() is not None:
        return
    incident = report_incident(
        session,
        actor=actor,
        title="客服工位电脑疑似感染恶意软件",
        description="北京分公司客服工位电脑弹出异常窗口，杀毒软件报警，已断开网络。",
        severity="high",
        affected_systems="北京分公司客服终端 BJ-CS-07",
        affected_data="可能涉及该工位当日查询过的客户联系方式",
        personal_data_involved=True,
    )
    result.notes.append(f"security incident {incident.number}: reported, to be contained")


def load_demo(
    session: Session,
    *,
    actor: Principal | None = None,
    history_claims: int = 0,
    now: dt.datetime | None = None,
) -> DemoResult:
    """The demo; with ``history_claims`` also a year of that many past claims, so the
    dashboards have something to show (``claimdesk demo`` loads 3,000 by default)."""
    actor = actor or Principal.system("demo")
    result = DemoResult()
    units = _units(session, actor, result)
    for username, role, org_code, display_name in DEMO_STAFF:
        _user(
            session,
            actor,
            result,
            username=username,
            role=role,
            org=units[org_code],
            display_name=display_name,
        )
    for username, (person_id, name) in zip(DEMO_CUSTOMERS, _people(session, actor), strict=False):
        # A customer's login is the person's: the header says their name, in any language
        # (it said "客户 customer1" on English pages too).
        _user(
            session,
            actor,
            result,
            username=username,
            role=Role.CUSTOMER,
            org=None,
            display_name=name,
            person_id=person_id,
        )
    _calendar(session, actor, result)
    _catalogue_and_policies(session, actor, result, _people_ids(session, actor, result))
    _service_and_sales(session, actor)
    _security_incident(session, actor, result)
    if history_claims > 0:
        now = now or dt.datetime.now(dt.UTC)
        result.history = load_history(session, actor=actor, now=now, claims=history_claims)
    session.flush()
    return result


def format_logins(logins: Sequence[DemoLogin]) -> list[str]:
    lines = [f"{'username':<14} {'password':<16} {'unit':<5} role"]
    for login in logins:
        lines.append(
            f"{login.username:<14} {login.password:<16} {login.org_code or '-':<5} "
            f"{login.role_zh} / {login.role_en}"
        )
    return lines
