"""Field encryption for personal data at rest (SEC-1)."""
