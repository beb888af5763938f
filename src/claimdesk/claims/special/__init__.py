"""Claims special cases: mass events, remote (cross-region) claims, disputes (CLM-Z1..Z3)."""
