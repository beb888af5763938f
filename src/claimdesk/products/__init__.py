"""Products: versions, coverages, compliance check, export/import (PRD-1..PRD-6)."""
