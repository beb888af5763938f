"""N+1 guard for the heaviest pages (issue 6): the number of SQL statements a page runs
must not grow with the number of rows it lists.

Each test opens its pages with a few rows, adds many more of the same kind, and opens
them again: the statement count, read from the page's ``Server-Timing`` header
(``claimdesk.timing``), must be the same. Not timed: speed is measured by
``bench/pages.py`` (docs/benchmarks.md), this only catches a per-row query coming back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.fraud import service as fraud
from claimdesk.claims.intake import report
from claimdesk.claims.special import events
from claimdesk.claims.special import repository as special_repository
from claimdesk.dashboards.queries import CLAIMS_DATASETS
from claimdesk.models.claim import Claim
from claimdesk.service import service
from claimdesk.timing import HEADER, parse
from tests.builders import (
    demo_version,
    issue_policy,
    make_org_unit,
    make_person,
    make_user,
    seed_calendar,
)
from tests.web.helpers import customer_login, staff_login

PHONE = "13812345678"
SYSTEM = Principal.system("test")
FEW, MANY = 3, 15
HOUR = dt.timedelta(hours=1)


def statements(client: TestClient, path: str) -> tuple[int, int]:
    """(SQL statements the page ran, size of the page)."""
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
    timing = parse(response.headers[HEADER])
    return int(timing["db"]["desc"].split()[0]), len(response.content)


@dataclass
class World:
    db: Session
    customer_id: int
    handler: Principal
    event_id: int
    policy_numbers: list[str]
    made: int = 0

    def policy(self) -> None:
        version = demo_version(self.db)
        policy = issue_policy(self.db, version_id=version.id, policyholder_id=self.customer_id)
        self.policy_numbers.append(policy.number)

    def claim(self) -> Claim:
        self.made += 1
        return report.report_claim(
            self.db,
            actor=self.handler,
            data=report.ReportIn(
                channel="hotline",
                policy_number=self.policy_numbers[0],
                loss_date=dt.date(2026, 11, 20),
                loss_place="北京市朝阳区",
                loss_cause="illness",
                loss_overview=f"住院 {self.made}",
                claimant_name="王建国",
                contact_phone=PHONE,
                estimated_amount=Decimal("3000.00"),
            ),
        )

    def contact(self) -> None:
        """A consultation answered and rated, and a complaint."""
        at = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC) + dt.timedelta(minutes=self.made)
        record = service.open_service_record(
            self.db,
            actor=SYSTEM,
            service_type="consultation",
            channel="phone",
            person_id=self.customer_id,
            subject=f"咨询 {self.made}",
            received_at=at,
        )
        service.close_service_record(
            self.db, actor=SYSTEM, record_id=record.id, outcome="已答复", at=at + HOUR
        )
        service.record_survey(
            self.db,
            actor=SYSTEM,
            subject_type="service_record",
            subject_id=record.id,
            source="survey",
            surveyed_at=at + 2 * HOUR,
            scores={"score_speed": 5, "score_attitude": 4, "score_result": 4, "score_process": 4},
        )
        service.file_complaint(
            self.db,
            actor=SYSTEM,
            person_id=self.customer_id,
            contact=PHONE,
            channel="phone",
            complaint_type="claims",
            cause="delay",
            description=f"理赔慢 {self.made}",
            received_at=at,
        )

    def grow(self, n: int) -> None:
        """n more policies, users, contacts and complaints, and 3n more claims:
        reported, held for fraud, and grouped under the mass event."""
        event = special_repository.get_event(self.db, event_id=self.event_id)
        for _ in range(n):
            self.policy()
            self.claim()
            held = self.claim()
            fraud.flag(self.db, actor=self.handler, claim=held, description="疑点", rule_code=None)
            events.link_claim(self.db, actor=SYSTEM, event=event, claim=self.claim())
            self.contact()
            make_user(self.db, username=f"staff{self.made}", roles=["surveyor"])
        self.db.commit()


@pytest.fixture
def world(db: Session) -> World:
    seed_calendar(db, years=(2025, 2026))
    unit = make_org_unit(db)
    person = make_person(db, phone=PHONE)
    for username, role in (
        ("handler", "claims_handler"),
        ("fraud", "fraud_investigator"),
        ("admin", "administrator"),
        ("auditor", "compliance_auditor"),
        ("desk", "service_agent"),
        ("manager", "reviewer_1"),
    ):
        make_user(db, username=username, roles=[role], org_unit=unit)
    make_user(db, username="cust", roles=["customer"], person_id=person.id)
    handler_user = make_user(db, username="handler_actor", roles=["claims_handler"], org_unit=unit)
    handler = Principal.build(
        user_id=handler_user.id,
        username=handler_user.username,
        roles=["claims_handler", "fraud_investigator"],
        org_unit_id=unit.id,
    )
    event = events.create_event(
        db,
        actor=SYSTEM,
        name="暴雨",
        event_type="flood",
        region="北京市",
        starts_on=dt.date(2026, 11, 1),
        ends_on=None,
        deferrable_materials=[],
        small_loss_amount=Decimal("10000.00"),
        guide_zh="绿色通道",
        guide_en="Green channel",
    )
    found = World(db, person.id, handler, event.id, [])
    found.grow(FEW)
    return found


def assert_no_per_row_queries(
    client: TestClient, world: World, pages: list[str], login: Callable[[], None]
) -> None:
    login()
    before = {path: statements(client, path) for path in pages}
    world.grow(MANY - FEW)
    after = {path: statements(client, path) for path in pages}
    # Each page shows the new rows (it got bigger), with the same number of statements.
    not_listed = [p for p in pages if after[p][1] <= before[p][1]]
    assert not_listed == [], f"pages that do not list the added rows: {not_listed}"
    grown = {p: (before[p][0], after[p][0]) for p in pages if after[p][0] != before[p][0]}
    assert grown == {}, f"statements grew with the rows ({FEW} vs {MANY} of each): {grown}"


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    # SPEC GEN-3 (no test depends on today's date): the contacts are dated November 2026,
    # the claims are reported "now" and the dashboards' default period is 1 January to
    # "today" — all three on one frozen clock (the pages read the same seam).
    from claimdesk.claims import timeutil

    reported = dt.datetime(2026, 11, 25, 2, tzinfo=dt.UTC)
    monkeypatch.setattr(timeutil, "now", lambda: reported)


@pytest.mark.parametrize(
    ("username", "pages"),
    [
        ("handler", ["/workbench", "/admin/policies", "/admin/events/{event}"]),
        ("fraud", ["/admin/fraud-holds", "/workbench"]),
        ("manager", ["/dashboards/claims"]),
        ("desk", ["/desk/complaints", "/desk/consultations", "/desk/surveys"]),
        ("auditor", ["/dashboards/service", "/admin/users"]),
    ],
)
def test_staff_pages_run_as_many_statements_for_many_rows_as_for_few(
    client: TestClient, world: World, username: str, pages: list[str]
) -> None:
    # SPEC issue 6 (no page slower than 300 ms: no query per listed row)
    paths = [p.replace("{event}", str(world.event_id)) for p in pages]
    assert_no_per_row_queries(client, world, paths, lambda: staff_login(client, username))


def test_portal_pages_run_as_many_statements_for_many_rows_as_for_few(
    client: TestClient, world: World
) -> None:
    # SPEC issue 6, CLM-Q1 (the customer's own claims and policies, no query per row)
    assert_no_per_row_queries(
        client,
        world,
        ["/portal", "/portal/policies", "/portal/report"],
        lambda: customer_login(client, world.db, "cust", PHONE),
    )


def most_parameters(client: TestClient, connection: Connection, path: str) -> int:
    """The largest number of bound parameters of any statement the page ran."""
    seen = [0]

    def count(_conn: object, _cursor: object, _sql: str, parameters: object, *_: object) -> None:
        seen[0] = max(seen[0], len(parameters) if hasattr(parameters, "__len__") else 0)

    event.listen(connection, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", count)
    return seen[0]


def test_dashboards_never_send_the_claims_back_as_a_list_of_ids(
    client: TestClient, world: World, connection: Connection
) -> None:
    # SPEC issue 6, CLM-Q2: the figures over every claim of the period are counted by the
    # database or streamed from one query; a list of claim ids as parameters grew with the
    # claims and, past 65,535 claims, PostgreSQL refused the page (found by bench/pages.py)
    staff_login(client, "manager")
    pages = ["/dashboards/claims", *(f"/dashboards/claims/{n}.csv" for n in CLAIMS_DATASETS)]
    before = {path: most_parameters(client, connection, path) for path in pages}
    world.grow(MANY - FEW)
    after = {path: most_parameters(client, connection, path) for path in pages}
    assert after == before
