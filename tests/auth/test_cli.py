"""``claimdesk users create|list`` (SPEC SEC-4, SEC-8)."""

from __future__ import annotations

from typer.testing import CliRunner

from claimdesk.cli import app
from claimdesk.config import reset_settings_cache
from claimdesk.db import reset_engine_cache


def test_users_create_and_list(fresh_db_url, monkeypatch):  # SPEC SEC-4, SEC-8
    monkeypatch.setenv("CLAIMDESK_DATABASE_URL", fresh_db_url)
    reset_settings_cache()
    reset_engine_cache()
    try:
        runner = CliRunner()
        created = runner.invoke(
            app,
            [
                "users",
                "create",
                "root.admin",
                "--role",
                "administrator",
                "--password",
                "Bootstrap-2026",
            ],
        )
        assert created.exit_code == 0, created.output
        assert "created user root.admin" in created.output
        weak = runner.invoke(
            app, ["users", "create", "weakling", "--role", "adjuster", "--password", "short"]
        )
        assert weak.exit_code == 1
        assert "at least 10 characters" in weak.output
        no_org = runner.invoke(
            app,
            [
                "users",
                "create",
                "lost",
                "--role",
                "adjuster",
                "--password",
                "Bootstrap-2026",
                "--org",
                "NOPE",
            ],
        )
        assert no_org.exit_code == 1
        listed = runner.invoke(app, ["users", "list"])
        assert listed.exit_code == 0
        assert "root.admin" in listed.output and "administrator" in listed.output
        assert "weakling" not in listed.output and "lost" not in listed.output
    finally:
        monkeypatch.delenv("CLAIMDESK_DATABASE_URL")
        reset_settings_cache()
        reset_engine_cache()
