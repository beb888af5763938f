"""Claims: report, acceptance, survey, assessment, adjustment, fraud hold (SPEC section 3)."""
