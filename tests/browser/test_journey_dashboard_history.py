"""A manager opens the dashboards on the demo's year of history and every chart has
something to say (issue 12; SPEC CLM-Q2, GEN-7). Its own server and database: the
history would fill the queues the other journeys start from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

from claimdesk.dashboards import queries
from claimdesk.db import make_engine
from tests.browser.conftest import LiveServer, login, serve, server_today, shot
from tests.conftest import _clone, _drop_clone

HISTORY_CLAIMS = 600


@pytest.fixture(scope="module")
def history_server(
    template_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    from claimdesk.auth.principal import Principal
    from claimdesk.ops.demo import load_demo

    base = tmp_path_factory.mktemp("history")
    db_url, handle = _clone(template_db_url, base)
    engine = make_engine(db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        with factory() as session:
            result = load_demo(
                session, actor=Principal.system("browser-tests"), history_claims=HISTORY_CLAIMS
            )
            assert result.history is not None and result.history.claims == HISTORY_CLAIMS
            session.commit()
        with serve(db_url, base, factory) as server:
            yield server
    finally:
        engine.dispose()
        _drop_clone(handle)


def _period() -> str:
    today = server_today()
    return f"date_from={today - dt.timedelta(days=365)}&date_to={today}"


def _assert_drawn(page: Any, names: set[str]) -> None:
    """Each named dataset is drawn. (The straight-through measures stay empty: the
    history has no e-bill claims, CLM-T4 is shown by its own tests.)"""
    sections = page.locator("section.dataset")
    shown = {sections.nth(i).get_attribute("id") or "" for i in range(sections.count())}
    assert names <= shown
    for name in sorted(names):
        section = page.locator(f"section#{name}")
        assert section.locator(".chart").count() == 1, f"{name}: no data for the year"
        # echarts drew into the chart (a canvas or svg inside the container).
        section.locator(".chart canvas, .chart svg").first.wait_for(state="attached")


def test_manager_sees_a_year_on_the_claims_dashboard(page, history_server):  # SPEC CLM-Q2
    login(page, history_server, "reviewer3")
    page.goto(f"{history_server.url}/dashboards/claims?{_period()}")
    _assert_drawn(page, set(queries.CLAIMS_DATASETS))
    shot(page, "dashboard-claims-history-1280")


def test_manager_sees_a_year_on_the_service_dashboard(page, history_server):  # SPEC GEN-7
    login(page, history_server, "admin")
    page.goto(f"{history_server.url}/dashboards/service?{_period()}")
    _assert_drawn(page, set(queries.SERVICE_DATASETS))
    shot(page, "dashboard-service-history-1280")


def test_a_breakdown_chart_says_it_draws_the_missed_deadlines(page, history_server):  # SPEC GEN-7
    # The scorecard by month stacks the missed deadlines per limit under the title
    # "Service deadlines met": the value axis says "Missed", or the bars read as met.
    login(page, history_server, "admin")
    page.goto(f"{history_server.url}/dashboards/service?{_period()}&by=month&lang=en")
    _assert_drawn(page, {"service_deadlines"})
    chart = page.locator("section#service_deadlines .chart svg").first
    assert "Missed" in (chart.text_content() or "")
