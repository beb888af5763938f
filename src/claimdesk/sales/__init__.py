"""Sales channels, organisations, agents and evaluations (SAL-1..SAL-3)."""
