"""A surveyor's contact clock left behind by a reassignment made before survey.assign
closed it (d8d7cbc) is closed ``reassigned`` at the reassignment (CLM-S1, GEN-7).

Migration 0057 recognised a reassignment only where the old contact clock stopped at the
very instant the next one started, which is what survey.assign does since d8d7cbc. A
reassignment before it left the old clock running (recording a contact stops a claim's
latest contact clock only): it ran on until it was marked breached, or until the claim
was withdrawn or closed (0057 made that ``cancelled``), or was stopped later by a step of
someone else (``completed``) — a breach, a "met" or a cancellation the first surveyor,
no longer assigned, never had a chance at.

Here, a ``claim.survey_contact`` clock with a later contact clock of the same claim (a
higher id, started after it) that is still running, or that stopped after that
later clock started as ``completed`` or ``cancelled``, is stopped at the start of the
first such later clock with ``closed_reason = 'reassigned'`` (clocks.clock_outcome: ended
early if that was before its due time, missed if after). A running one that is paused
(the claim suspended) is left alone: stop_clock closes its pause, which SQL here would
not. The claims touched get their ``next_due_at`` again (the earliest due of their
running, unpaused clocks, as clocks.repository.write_next_due). Clocks stopped before a
later one started keep what they had. No audit entry is rewritten; the clock's own
``clock.stopped`` entry never existed for a clock this closes (the migration is the
record). Downgrade: nothing to undo (the reasons and stops are facts now; 0057's
downgrade drops the column).

Revision ID: 0062_contact_clocks_reassigned
Revises: 0061_message_both_languages
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0062_contact_clocks_reassigned"
down_revision: str | Sequence[str] | None = "0061_message_both_languages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The start of the first later contact clock of the same claim.
_NEXT_START = """(
    SELECT MIN(later.started_at) FROM clocks AS later
    WHERE later.subject_type = 'claim'
    AND later.subject_id = clocks.subject_id
    AND later.name = 'claim.survey_contact'
    AND later.id > clocks.id
    AND later.started_at > clocks.started_at
)"""
_LEFT_BEHIND = f"""
name = 'claim.survey_contact' AND subject_type = 'claim'
AND {_NEXT_START} IS NOT NULL
AND (
    (stopped_at IS NULL AND paused_at IS NULL)
    OR (stopped_at > {_NEXT_START} AND closed_reason IN ('completed', 'cancelled'))
)
"""
# The claims whose clocks this closes, remembered before (the condition no longer holds
# after): their next_due_at is written again.
MARK = f"""
CREATE TEMPORARY TABLE reassigned_claims_0062 AS
SELECT DISTINCT subject_id FROM clocks WHERE {_LEFT_BEHIND}
"""  # noqa: S608 (the module's own constants, no input)
CLOSE = f"""
UPDATE clocks SET stopped_at = {_NEXT_START}, closed_reason = 'reassigned'
WHERE {_LEFT_BEHIND}
"""  # noqa: S608 (the module's own constants, no input)
NEXT_DUE = """
UPDATE claims SET next_due_at = (
    SELECT MIN(c.due_at) FROM clocks AS c
    WHERE c.subject_type = 'claim' AND c.subject_id = CAST(claims.id AS VARCHAR(64))
    AND c.stopped_at IS NULL AND c.paused_at IS NULL
)
WHERE CAST(claims.id AS VARCHAR(64)) IN (SELECT subject_id FROM reassigned_claims_0062)
"""
STATEMENTS = (MARK, CLOSE, NEXT_DUE, "DROP TABLE reassigned_claims_0062")


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    """Nothing to undo: the stops are facts of the clocks now."""
