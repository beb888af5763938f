"""Builders with explicit defaults: tests say what matters and nothing random."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.passwords import hash_password
from claimdesk.models.org import OrgUnit
from claimdesk.models.user import User, UserRole

DEFAULT_PASSWORD = "Correct-Horse-9"
# argon2 is deliberately slow; hash the shared test password once.
_HASHES: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


def make_org_unit(
    session: Session,
    *,
    code: str = "HQ",
    name: str = "总公司",
    kind: str = "head_office",
    parent: OrgUnit | None = None,
    region_code: str | None = "110000",
) -> OrgUnit:
    unit = OrgUnit(
        code=code,
        name=name,
        kind=kind,
        region_code=region_code,
        parent_id=parent.id if parent else None,
    )
    session.add(unit)
    session.flush()
    return unit


def make_user(
    session: Session,
    *,
    username: str = "handler1",
    roles: Iterable[str] = ("claims_handler",),
    password: str = DEFAULT_PASSWORD,
    display_name: str | None = None,
    org_unit: OrgUnit | None = None,
    person_id: int | None = None,
    is_active: bool = True,
) -> User:
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=_hash(password),
        org_unit_id=org_unit.id if org_unit else None,
        person_id=person_id,
        is_active=is_active,
    )
    user.roles = [UserRole(role=str(r)) for r in roles]
    session.add(user)
    session.flush()
    return user


def login_headers(
    client: TestClient, username: str, password: str = DEFAULT_PASSWORD
) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    if response.status_code == 202:
        # A customer: the SMS code step (SEC-9), the code read from the outbox row.
        response = client.post(
            "/api/v1/auth/token/verify",
            json={
                "challenge": response.json()["challenge"],
                "code": outbox_login_code(client, username),
            },
        )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def outbox_login_code(client: TestClient, username: str) -> str:
    """The newest SMS login code sent to ``username`` (the test's stand-in for the
    phone: the code is only ever in the notification outbox)."""
    import re

    from sqlalchemy import select

    from claimdesk.models.job import OutboxMessage

    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        body = session.scalars(
            select(OutboxMessage.body)
            .where(
                OutboxMessage.template == "portal.login_code",
                OutboxMessage.related_type == "user",
                OutboxMessage.related_id == str(user_id),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        ).one()
    found = re.search(r"\b(\d{6})\b", body)
    assert found, body
    return found.group(1)


# --- people (personal data, consents) ---------------------------------------------------

VALID_RESIDENT_ID = "110105198503124515"  # GB 11643 check digit valid; male, born 1985-03-12
# The default person's phone (VALID_RESIDENT_ID). Every other person built without a phone
# gets one of their own (``own_phone``): people sharing a phone across policies is what
# the shared_contact check holds a claim for (CLM-F3), and one default for everyone made
# it fire in any test with two insureds whose checks ran.
DEFAULT_PHONE = "13812345678"
OWN_PHONE = "own"  # make_person's default: DEFAULT_PHONE or own_phone(id_number)


def own_phone(id_number: str) -> str:
    """A mobile number of this ID number's own, the same on every run (137 + 8 digits of
    its SHA-256); the default person's is DEFAULT_PHONE."""
    normalised = "".join(id_number.split()).upper()
    if normalised == VALID_RESIDENT_ID:
        return DEFAULT_PHONE
    digest = hashlib.sha256(normalised.encode()).digest()
    return f"137{int.from_bytes(digest[:8], 'big') % 10**8:08d}"


def make_person(
    session: Session,
    *,
    name: str = "王建国",
    id_number: str = VALID_RESIDENT_ID,
    phone: str | None = OWN_PHONE,
    email: str | None = None,
    address: str | None = None,
    medical_notes: str | None = None,
    consent_scope: Iterable[str] = ("identity", "contact", "medical", "bank"),
    consent_purpose: str = "claims_handling",
):  # -> claimdesk.models.person.Person
    from claimdesk.auth.principal import Principal
    from claimdesk.people.schemas import ConsentIn
    from claimdesk.people.service import create_person

    return create_person(
        session,
        actor=Principal.system("test"),
        name=name,
        id_number=id_number,
        phone=own_phone(id_number) if phone == OWN_PHONE else phone,
        email=email,
        address=address,
        medical_notes=medical_notes,
        consent=ConsentIn(purpose=consent_purpose, scope=list(consent_scope), method="written"),  # type: ignore[arg-type]
    )


# --- products and policies ----------------------------------------------------------------


def resident_id(*, birth: str = "19800101", region: str = "110101", seq: str = "123") -> str:
    """A resident ID number with a valid GB 11643 check digit."""
    from claimdesk.rules.identity import check_char

    first17 = f"{region}{birth}{seq}"
    return first17 + check_char(first17)


def demo_version(session: Session, code: str = "MED-MILLION"):  # -> ProductVersion
    """The published version of a demo product (loads the demo catalogue once)."""
    from claimdesk.auth.principal import Principal
    from claimdesk.products import repository
    from claimdesk.products.demo import load_demo_products

    load_demo_products(session, Principal.system("test"))
    product = repository.find_product_by_code(session, code=code)
    assert product is not None
    return next(v for v in product.versions if v.status == "published")


def issue_policy(
    session: Session,
    *,
    version_id: int,
    policyholder_id: int,
    insured_id: int | None = None,
    # The insured is the holder's ... (POL-1): needed when insured_id names another person.
    insured_relationship: str | None = None,
    period_start: str = "2026-01-01",
    premium: str = "365.00",
    channel: str = "direct",
    beneficiaries: list[dict[str, object]] | None = None,
    issued_at: str = "2025-12-20T10:00:00+08:00",
    agent=None,  # a User or None
):  # -> Policy
    import datetime as dt

    from claimdesk.auth.principal import Principal
    from claimdesk.policies.schemas import PolicyIssueIn
    from claimdesk.policies.service import issue_policy as issue

    actor = (
        Principal.system("test")
        if agent is None
        else Principal.build(user_id=agent.id, username=agent.username, roles=["sales_agent"])
    )
    data = PolicyIssueIn.model_validate(
        {
            "product_version_id": version_id,
            "policyholder_id": policyholder_id,
            "insured_id": insured_id or policyholder_id,
            "insured_relationship": insured_relationship,
            "period_start": period_start,
            "premium": premium,
            "channel": channel,
            "beneficiaries": beneficiaries or [],
        }
    )
    return issue(session, actor=actor, data=data, at=dt.datetime.fromisoformat(issued_at))


def make_claim(
    session: Session,
    *,
    number: str,
    policy,  # a Policy
    state: str = "reported",
    contact_phone: str | None = None,
    loss_date: str = "2026-09-27",
    loss_overview: str = "门诊",
    received_at: str = "2026-09-28T10:00:00+08:00",
):  # -> Claim
    """A claim row as it stood when written straight to the table (migration tests), on
    the policy's insured; flushed, not committed."""
    import datetime as dt

    from claimdesk.models.claim import Claim

    at = dt.datetime.fromisoformat(received_at)
    claim = Claim(
        number=number,
        state=state,
        policy_id=policy.id,
        coverage_codes=["medical"],
        line="health",
        channel="app",
        insured_person_id=policy.insured_id,
        claimant_name="王五",
        contact_phone=contact_phone,
        loss_date=dt.date.fromisoformat(loss_date),
        loss_place="北京",
        loss_cause="illness",
        loss_overview=loss_overview,
        received_at=at,
        entered_at=at,
    )
    session.add(claim)
    session.flush()
    return claim


# --- calendar (GEN-3) ---------------------------------------------------------------------


def seed_calendar(session: Session, *, years: Iterable[int] = (2025, 2026)) -> list[int]:
    """Store the holidays package's arrangement for ``years`` (as ``claimdesk calendar seed``)."""
    from claimdesk.auth.principal import Principal
    from claimdesk.calendar.service import seed_from_package

    return seed_from_package(session, years=years, actor=Principal.system("test"))


# --- sales (SAL-2) ------------------------------------------------------------------------


def qualify_agent(
    session: Session,
    user: User,
    *,
    licence_number: str | None = None,
    valid_from: str = "2020-01-01",
    valid_until: str = "2099-12-31",
):  # -> SalesAgent
    """Register ``user`` as a sales agent with a licence valid over the given dates. The
    default runs to 2099: tests sell from today's date, and a licence ending 2030-12-31
    refused every sale under faketime '2031-02-28 23:59:30' (GEN-3)."""
    import datetime as dt

    from sqlalchemy import select

    from claimdesk.auth.principal import Principal
    from claimdesk.models.sales import SalesOrganisation
    from claimdesk.sales.service import register_agent

    organisation = session.scalars(select(SalesOrganisation).limit(1)).first()
    if organisation is None:
        from claimdesk.models.sales import SalesChannel

        channel = SalesChannel(
            code="direct-test", name="直销团队", kind="direct_team", modes="face_to_face"
        )
        session.add(channel)
        session.flush()
        organisation = SalesOrganisation(channel_id=channel.id, name="测试直销团队")
        session.add(organisation)
        session.flush()
    return register_agent(
        session,
        actor=Principal.system("test"),
        user_id=user.id,
        organisation_id=organisation.id,
        licence_number=licence_number or f"LIC-{user.id:06d}",
        valid_from=dt.date.fromisoformat(valid_from),
        valid_until=dt.date.fromisoformat(valid_until),
    )


# --- straight-through claims (CLM-T2) ---------------------------------------------------


def small_medical_version(
    session: Session,
    *,
    code: str = "MED-CLINIC",
    sum_insured: str = "20000.00",
    deductible: str = "100.00",
    payout_ratio: str = "0.90",
    payout_ratio_without_social_insurance: str = "0.60",
    scope: str = "all_necessary",
    excluded_kinds: Iterable[str] = ("cosmetic",),
    waiting_period_days: int = 30,
):  # -> ProductVersion
    """A published small medical product (one ``medical`` coverage, code ``medical``):
    the kind of claim the automatic path takes. Every parameter explicit."""
    import datetime as dt
    from decimal import Decimal

    from claimdesk.auth.principal import Principal
    from claimdesk.products import repository, service
    from claimdesk.products.schemas import CoverageIn, ProductIn, VersionIn

    actor = Principal.system("test")
    product = repository.find_product_by_code(session, code=code)
    if product is None:
        coverage = CoverageIn(
            code="medical",
            name="门急诊医疗保险金",
            type="medical",
            parameters={
                "sum_insured": sum_insured,
                "deductible": deductible,
                "payout_ratio": payout_ratio,
                "payout_ratio_without_social_insurance": payout_ratio_without_social_insurance,
                "scope": scope,
                "excluded_kinds": list(excluded_kinds),
                "waiting_period_days": waiting_period_days,
            },
        )
        version = VersionIn.model_validate(
            {
                "effective_date": dt.date(2026, 1, 1),
                "period_months": 12,
                "refund_rule": "pro_rata_days",
                "insured_liabilities": "被保险人在等待期后因疾病或意外门急诊治疗的，对其合理且必要的医疗费用，"
                "扣除免赔额后按约定比例给付医疗保险金。",
                "exclusions": "既往症；整容、美容手术；战争、核辐射。",
                "sum_insured": Decimal(sum_insured),
                "premium_rate": Decimal("0.010000"),
                "terms": {"免赔额": "先由您自己承担的医疗费用金额。"},
                "coverages": [coverage],
            }
        )
        product = service.create_product(
            session,
            actor=actor,
            data=ProductIn(code=code, name="门急诊医疗保险", line="health", version=version),
        )
        draft = repository.latest_version(session, product_id=product.id)
        assert draft is not None
        service.publish_version(session, actor=actor, version_id=draft.id)
        session.flush()
        session.expire_all()
        product = repository.find_product_by_code(session, code=code)
        assert product is not None
    return next(v for v in product.versions if v.status == "published")


def add_bank_account(
    session: Session,
    *,
    person_id: int,
    holder_name: str,
    account_number: str = "6222020200001234562",
    bank_name: str = "中国工商银行",
):  # -> BankAccount
    """An account of the person (the card number passes the Luhn check)."""
    from claimdesk.auth.principal import Principal
    from claimdesk.people.service import add_bank_account as add

    return add(
        session,
        actor=Principal.system("test"),
        person_id=person_id,
        holder_name=holder_name,
        bank_name=bank_name,
        account_number=account_number,
    )
