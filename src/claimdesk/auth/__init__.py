"""Accounts, roles, sessions and authorization (SEC-4, SEC-8, CLM-F2)."""
