"""Policies: issue, change, termination, renewal, disputes, contract PDF (POL-1..POL-6)."""
