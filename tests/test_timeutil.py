"""The deployment's zone and default language are read from the settings (GEN-2, SEC-8)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from starlette.requests import Request

from claimdesk import timeutil
from claimdesk.auth.service import idle_timeout
from claimdesk.config import Settings, reset_settings_cache
from claimdesk.i18n import request_language


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    reset_settings_cache()
    yield monkeypatch
    monkeypatch.undo()
    reset_settings_cache()


def _bare_request() -> Request:
    return Request(
        {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    )


def test_local_date_follows_the_timezone_setting(settings_env: pytest.MonkeyPatch) -> None:
    # SPEC GEN-2: 20:00 UTC is the next day in Shanghai, the same day in Paris
    instant = dt.datetime(2026, 10, 8, 20, 0, tzinfo=dt.UTC)
    assert timeutil.local_date(instant) == dt.date(2026, 10, 9)
    settings_env.setenv("CLAIMDESK_TIMEZONE", "Europe/Paris")
    reset_settings_cache()
    assert str(timeutil.local_zone()) == "Europe/Paris"
    assert timeutil.local_date(instant) == dt.date(2026, 10, 8)


def test_unknown_zone_and_language_are_refused() -> None:
    # SPEC GEN-2: a typo in the zone fails at start-up, not in a report
    with pytest.raises(ValidationError, match="timezone"):
        Settings(timezone="Asia/Shangai")
    with pytest.raises(ValidationError, match="default_language"):
        Settings(default_language="fr")


def test_default_language_applies_when_nothing_chooses(settings_env: pytest.MonkeyPatch) -> None:
    # SPEC GEN-2 (zh-CN first): the setting decides only when the request says nothing
    assert request_language(_bare_request()) == "zh-CN"
    settings_env.setenv("CLAIMDESK_DEFAULT_LANGUAGE", "en")
    reset_settings_cache()
    assert request_language(_bare_request()) == "en"
    assert request_language(_bare_request(), user_language="zh-CN") == "zh-CN"


def test_idle_timeout_is_a_setting(settings_env: pytest.MonkeyPatch) -> None:
    # SPEC SEC-8: 30 minutes unless configured
    assert idle_timeout() == dt.timedelta(minutes=30)
    settings_env.setenv("CLAIMDESK_SESSION_IDLE_MINUTES", "10")
    reset_settings_cache()
    assert idle_timeout() == dt.timedelta(minutes=10)
