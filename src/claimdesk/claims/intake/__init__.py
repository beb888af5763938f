"""Claims intake: the report, acceptance with its material review and checklist, the survey."""
