"""Deadline clocks on records (SPEC GEN-4): start, pause, resume, stop, breach."""
