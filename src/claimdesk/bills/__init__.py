"""Bills as data (CLM-T1): the medical e-receipt and the medical-insurance settlement
statement submitted as JSON; their lines become the assessment's expense lines."""
