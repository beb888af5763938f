"""Management dashboards (CLM-Q2, GEN-7, SVC-3, SVC-5): claims and service datasets,
each shown as a chart, a table and a CSV export."""
