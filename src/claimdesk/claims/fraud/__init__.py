"""Claims fraud screening: flags, holds and their resolution."""
