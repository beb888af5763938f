"""The ``claimdesk`` command: operations for administrators and actuaries."""

from __future__ import annotations

import logging

import typer

from claimdesk.audit.cli import app as audit_app
from claimdesk.auth.cli import app as users_app
from claimdesk.calendar.cli import app as calendar_app
from claimdesk.checks.cli import app as checks_app
from claimdesk.conformance.cli import register as register_conformance
from claimdesk.crypto.cli import app as keys_app
from claimdesk.ops.cli import register as register_ops
from claimdesk.payments.cli import app as payments_app

app = typer.Typer(help="claimdesk — claims and service operations", no_args_is_help=True)
register_ops(app)


def _register_domains() -> None:
    # Each domain contributes its own command group; kept in their packages so the
    # commands sit next to the services they call.
    app.add_typer(audit_app, name="audit", help="Audit trail: seal and verify the hash chain.")
    app.add_typer(calendar_app, name="calendar", help="Holiday calendar: seed and show years.")
    app.add_typer(checks_app, name="checks", help="Automatic checks: repair their hits.")
    app.add_typer(keys_app, name="keys", help="Field-encryption keys: rotate.")
    app.add_typer(payments_app, name="payments", help="Payments: paid transfers without a voucher.")
    app.add_typer(users_app, name="users", help="User accounts.")
    register_conformance(app)


_register_domains()


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app()


if __name__ == "__main__":
    main()
