"""Idempotency-Key on every creating POST of the API (CLM-P5, GEN-6)."""

# The ASGI scope entry through which the middleware, the route guard and the request's
# database edge (claimdesk.deps.get_db) share one idempotent request's state.
SCOPE_KEY = "claimdesk.idempotency"
