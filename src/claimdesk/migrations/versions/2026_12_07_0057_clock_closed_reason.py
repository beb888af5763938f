"""clocks.closed_reason: why a deadline clock stopped (GEN-7, CLM-S1).

A stopped clock counted as met whenever it stopped before its deadline, whatever
stopped it: a surveyor reassigned inside the hour was credited with a contact they
never made, a claim withdrawn while its review clocks ran "met" them. The column says
why (models.states.ClockClosedReason): ``completed`` (the step was done: met or missed
by its time), ``reassigned`` (CLM-S1), ``cancelled`` (the claim ended without the
step). NULL while the clock runs.

Backfill, from what the rows themselves say (no audit text is parsed):
- every stopped clock: ``completed``;
- a ``claim.survey_contact`` clock stopped at the very instant a later contact clock of
  the same claim started: ``reassigned`` (survey.assign closes the old one and starts
  the new one at one instant; a contact recorded never starts a clock);
- a claim's clock stopped at the instant of the claim's ``withdraw`` or ``close`` move,
  or of its ``confirm_fraud_reject`` move except the decision's own clocks (review,
  determination, advance payment: a fraud rejection is the decision): ``cancelled``
  (those moves' "stop every running clock" was the only stop then).
Downgrade drops the column.

Revision ID: 0057_clock_closed_reason
Revises: 0056_english_texts
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0057_clock_closed_reason"
down_revision: str | Sequence[str] | None = "0056_english_texts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A claim's clock stopped at the instant of its withdraw or close move, or of its
# fraud rejection unless it is one of the decision's own clocks.
CANCELLED = """
UPDATE clocks SET closed_reason = 'cancelled'
WHERE subject_type = 'claim' AND closed_reason = 'completed' AND EXISTS (
    SELECT 1 FROM claim_transitions AS t
    WHERE CAST(t.claim_id AS VARCHAR(64)) = clocks.subject_id
    AND t.at = clocks.stopped_at
    AND (
        t.action IN ('withdraw', 'close')
        OR (
            t.action = 'confirm_fraud_reject'
            AND clocks.name NOT IN
                ('claim.review', 'claim.determination', 'claim.advance_payment')
        )
    )
)
"""


COMPLETED = "UPDATE clocks SET closed_reason = 'completed' WHERE stopped_at IS NOT NULL"
REASSIGNED = """
UPDATE clocks SET closed_reason = 'reassigned'
WHERE name = 'claim.survey_contact' AND stopped_at IS NOT NULL AND EXISTS (
    SELECT 1 FROM clocks AS later
    WHERE later.subject_type = clocks.subject_type
    AND later.subject_id = clocks.subject_id
    AND later.name = 'claim.survey_contact'
    AND later.id > clocks.id AND later.started_at = clocks.stopped_at
)
"""
# In this order: each later statement refines what the one before set.
BACKFILL = (COMPLETED, REASSIGNED, CANCELLED)


def upgrade() -> None:
    with op.batch_alter_table("clocks") as batch:
        batch.add_column(sa.Column("closed_reason", sa.String(16), nullable=True))
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("clocks") as batch:
        batch.drop_column("closed_reason")
