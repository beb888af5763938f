"""Straight-through claims (自动理赔, CLM-T2) and their quality sample (CLM-T3)."""
