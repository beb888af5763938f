"""Management dashboards (CLM-Q2, GEN-7, SVC-3, SVC-5) as pages."""
