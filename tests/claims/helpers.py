"""Shared set-up of the claims tests: staff, a customer, policies, a frozen clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session

from claimdesk.claims import timeutil
from claimdesk.models.claim import Claim
from claimdesk.models.event import MassEvent, MaterialDeferral
from claimdesk.models.policy import Policy
from tests.builders import (
    DEFAULT_PHONE,
    demo_version,
    issue_policy,
    login_headers,
    make_org_unit,
    make_person,
    make_user,
    resident_id,
    seed_calendar,
)

SH = ZoneInfo("Asia/Shanghai")

PDF = b"%PDF-1.4\n% test document\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


class FrozenClock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: dt.datetime) -> None:
        self.now = start
        monkeypatch.setattr(timeutil, "now", lambda: self.now)

    def set(self, text: str) -> None:
        self.now = local(text)


@dataclass
class World:
    client: TestClient
    h: dict[str, dict[str, str]]  # headers per role
    users: dict[str, int]
    policies: dict[str, object]
    insured_id_number: str


def build_world(db: Session, client: TestClient) -> World:
    """Staff of every claims role, a customer with a medical and a home policy, the
    2025-2026 calendar; everyone logged in through the API (``World.h``).

    A test that asks for the ``world_db`` fixture (tests/conftest.py) runs on its
    worker's world database, where this was built once and committed: the call then
    returns that world (the same rows, ids and logins) instead of building it again
    inside the test's transaction. Anywhere else it builds the world now."""
    prebuilt = prebuilt_for(db, "world")
    if isinstance(prebuilt, PrebuiltWorld):
        return prebuilt.world_for(db, client)
    return build_world_now(db, client)


def build_world_now(db: Session, client: TestClient) -> World:
    """build_world's rows and logins, written through ``db`` and ``client`` now."""
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    # The customer logs in to the portal with the SMS code sent to this phone.
    customer_person = make_person(
        db, name="李四", id_number=resident_id(birth="19850312", seq="456"), phone=DEFAULT_PHONE
    )
    users = {}
    for name, roles in {
        "handler": ["claims_handler"],
        "surveyor": ["surveyor"],
        "surveyor2": ["surveyor"],
        "assessor": ["assessor"],
        "adjuster": ["adjuster"],
        "supervisor": ["reviewer_1"],
        "investigator": ["fraud_investigator"],
    }.items():
        users[name] = make_user(db, username=name, roles=roles, org_unit=hq).id
    users["customer"] = make_user(
        db, username="customer", roles=["customer"], person_id=customer_person.id
    ).id
    policies = {}
    for code in ("MED-MILLION", "HOME-PROP"):
        version = demo_version(db, code)
        policies[code] = issue_policy(db, version_id=version.id, policyholder_id=customer_person.id)
    for policy in policies.values():
        policy.org_unit_id = hq.id  # type: ignore[attr-defined]
    db.commit()
    headers = {name: login_headers(client, name) for name in users}
    return World(
        client=client,
        h=headers,
        users=users,
        policies=policies,
        insured_id_number=resident_id(birth="19850312", seq="456"),
    )


@dataclass(frozen=True)
class PrebuiltWorld:
    """What build_world_now returned on a worker's prebuilt database (ids and tokens;
    the rows themselves are in that database)."""

    h: dict[str, dict[str, str]]
    users: dict[str, int]
    policy_ids: dict[str, int]
    insured_id_number: str
    cookies: dict[str, str]

    @classmethod
    def of(cls, world: World) -> PrebuiltWorld:
        return cls(
            h={name: dict(headers) for name, headers in world.h.items()},
            users=dict(world.users),
            policy_ids={code: p.id for code, p in world.policies.items()},  # type: ignore[attr-defined]
            insured_id_number=world.insured_id_number,
            cookies=dict(world.client.cookies),
        )

    def world_for(self, db: Session, client: TestClient) -> World:
        """The world as a real build hands it to the test: its own copies of the ids and
        headers, the policies loaded in the test's session."""
        client.cookies.update(self.cookies)
        return World(
            client=client,
            h={name: dict(headers) for name, headers in self.h.items()},
            users=dict(self.users),
            policies={code: db.get_one(Policy, pk) for code, pk in self.policy_ids.items()},
            insured_id_number=self.insured_id_number,
        )


@dataclass
class PrebuiltOnConnection:
    """A test's connection to a worker's prebuilt database (``kind``: "world" or
    "settlement", the builder run there once). The test must call that builder before
    it writes anything (a real build would have come first) and exactly once (a second
    real build would fail on the unique usernames)."""

    connection: Connection
    kind: str
    prebuilt: object
    taken: bool = False
    writes_before: list[str] = field(default_factory=list)

    def take(self, kind: str) -> object:
        assert kind == self.kind, f"the test asked for {self.kind}_db and calls build_{kind}"
        assert not self.taken, f"build_{kind} called twice in a test on its prebuilt database"
        assert not self.writes_before, (
            f"the test wrote before build_{kind} on its prebuilt database (a real build "
            f"would have come first; drop {kind}_db from this test): {self.writes_before[:3]}"
        )
        self.taken = True
        return self.prebuilt

    def _watch(self, conn, cursor, statement: str, *args) -> None:  # type: ignore[no-untyped-def]
        if not self.taken and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.writes_before.append(statement[:80])


_ON_PREBUILT: PrebuiltOnConnection | None = None


def prebuilt_for(db: Session, kind: str) -> object | None:
    """The prebuilt ``kind`` when ``db`` is bound to a test's connection to it."""
    on = _ON_PREBUILT
    if on is None or db.get_bind() is not on.connection:
        return None
    return on.take(kind)


def open_prebuilt(connection: Connection, kind: str, prebuilt: object) -> PrebuiltOnConnection:
    """Called by tests/conftest.py's ``connection`` for a test that asks for world_db or
    settlement_db."""
    global _ON_PREBUILT
    on = PrebuiltOnConnection(connection=connection, kind=kind, prebuilt=prebuilt)
    event.listen(connection, "before_cursor_execute", on._watch)
    _ON_PREBUILT = on
    return on


def close_prebuilt(on: PrebuiltOnConnection) -> None:
    global _ON_PREBUILT
    event.remove(on.connection, "before_cursor_execute", on._watch)
    _ON_PREBUILT = None


def plan_answers(
    client: TestClient,
    claim_id: int,
    headers: dict[str, str],
    *,
    photos: bool = True,
    **overrides: dict[str, str],
) -> dict[str, dict[str, str]]:
    """Results for every item of the claim's survey plan (CLM-S2), read from the API:
    checks done, consistency items consistent — or, without photos on the report, the
    site photos not applicable with the reason; ``overrides`` replace single items."""
    response = client.get(f"/api/v1/claims/{claim_id}/survey/plan", headers=headers)
    assert response.status_code == 200, response.text
    answers = {
        item["code"]: {"status": "consistent" if item["kind"] == "consistency" else "done"}
        for item in response.json()["items"]
    }
    if not photos and "site_photos" in answers:
        answers["site_photos"] = {"status": "not_applicable", "note": "现场已清理，照片由客户另交"}
    return {**answers, **overrides}


def report_body(policy_number: str) -> dict[str, str]:
    """A report through the app of an illness on 28 September 2026 (CLM-R2)."""
    return {
        "channel": "app",
        "policy_number": policy_number,
        "claimant_name": "李四",
        "contact_phone": "13912345678",
        "loss_date": "2026-09-28",
        "loss_place": "北京市朝阳区",
        "loss_cause": "illness",
        "loss_overview": "住院",
    }


def claim_in_state(db: Session, w: World, state: str) -> int:
    """The customer's medical claim, reported through the API, then put in ``state``
    (seeded: the walk to each state is tested elsewhere; here only the state counts)."""
    response = w.client.post(
        "/api/v1/claims",
        json=report_body(w.policies["MED-MILLION"].number),  # type: ignore[attr-defined]
        headers=w.h["customer"],
    )
    assert response.status_code == 201, response.text
    claim = db.get_one(Claim, int(response.json()["id"]))
    claim.state = state
    claim.surveyor_id = w.users["surveyor"]  # a surveyor sees only their claims (CLM-F2)
    if state == "suspended":
        claim.resume_state = "accepted"
    db.commit()
    return claim.id


def upload_file(
    w: World, cid: int, who: str, *, purpose: str, code: str | None, lang: str = ""
) -> Response:
    """A PDF sent to POST /claims/{id}/files by ``who`` (``lang``: "?lang=en")."""
    data = {"purpose": purpose}
    if code is not None:
        data["material_code"] = code
    return w.client.post(
        f"/api/v1/claims/{cid}/files{lang}",
        data=data,
        files={"file": ("scan.pdf", PDF, "application/pdf")},
        headers=w.h[who],
    )


def add_staff(db: Session, w: World, username: str, roles: list[str]) -> None:
    """One more member of staff in the world, logged in (``w.users``, ``w.h``)."""
    w.users[username] = make_user(db, username=username, roles=roles).id
    db.commit()
    w.h[username] = login_headers(w.client, username)


def defer_on_flood(db: Session, claim_id: int, code: str) -> None:
    """A flood whose green channel lets ``code`` come later (CLM-Z2), deferred on the
    claim: small losses paid first, the deferred item completed after payment."""
    event = MassEvent(
        name="北京暴雨",
        event_type="flood",
        region="北京市",
        starts_on=dt.date(2026, 9, 27),
        deferrable_materials=[code],
        small_loss_amount=Decimal("10000.00"),
        guide_zh="指引",
        guide_en="Guide",
    )
    db.add(event)
    db.flush()
    db.add(
        MaterialDeferral(
            claim_id=claim_id,
            code=code,
            event_id=event.id,
            deferred_at=local("2026-09-30T10:00:00"),
        )
    )
    db.commit()
