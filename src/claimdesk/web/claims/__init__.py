"""Staff claim pages and forms (workbench, claim page, report for a customer)."""
