"""Claim payments (CLM-P1..P5): payees, exactly-once payments, bank batches."""
