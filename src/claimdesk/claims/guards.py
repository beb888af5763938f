"""The checks the claim's transition table names, supplied by the stage modules (GEN-5).

``workflow`` holds the table and makes the moves; the stage modules hold their checks and
import ``workflow`` to move a claim. This module, imported by ``claimdesk.claims`` itself,
puts the two together once, so neither side has to import the other inside a function."""

from __future__ import annotations

from claimdesk.claims import workflow
from claimdesk.claims.intake import acceptance, survey
from claimdesk.claims.settlement import adjustment, assessment
from claimdesk.claims.special import remote

workflow.register(
    guards={
        "checklist_complete": acceptance.require_checklist_complete,
        "surveyor_assigned": survey.require_assigned,
        "survey_reported": survey.require_report,
        "survey_skippable": survey.require_skippable,
        "assessed": assessment.require_assessed,
        "adjusted": adjustment.require_adjusted,
    },
    # CLM-Z1: on a remote claim the local branch surveys and assesses, head office
    # adjusts and reviews (checked on the actor's org unit).
    move_checks=(remote.require_org_for_move,),
)
