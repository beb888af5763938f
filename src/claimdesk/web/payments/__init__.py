"""The payment officer's pages beyond the claim page: the bank batches (CLM-P3)."""
