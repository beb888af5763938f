"""Automatic checks on every claim (CLM-F3): configuration, runs, hits, the network."""
