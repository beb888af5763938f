"""Notes on a claim (issue 12): internal free text by staff, visible by role, audited."""
