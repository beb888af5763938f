"""ASGI entry point for uvicorn: ``claimdesk.asgi:app``."""

from claimdesk.app import create_app

app = create_app()
