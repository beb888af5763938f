"""Claims: report, acceptance, survey, assessment, adjustment, fraud hold (SPEC section 3).

Importing the package registers the stage guards of the transition table (``guards``), so
no move can be made with a check missing, whichever module a caller imports first."""

from claimdesk.claims import guards as guards
