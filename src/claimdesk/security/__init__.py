"""Security incidents (SEC-7): report, contain, root cause, correct, review."""
