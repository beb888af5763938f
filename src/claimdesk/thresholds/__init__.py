"""Claim thresholds SPEC calls configurable, read from versioned rows (issue 11)."""
