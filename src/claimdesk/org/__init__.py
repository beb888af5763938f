"""Organisation units: head office and branches (CLM-Z1, CLM-F2)."""
