"""The audit trail (GEN-5, SEC-5)."""
