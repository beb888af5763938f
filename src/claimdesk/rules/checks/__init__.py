"""Automatic checks on every claim (CLM-F3): pure rules, data and parameters."""
