"""complaints.number: a complaint's readable reference (SVC-3).

Staff and customers were shown a complaint as "投诉 #54" / "Complaint #54", the
database id. A complaint now has a number as a claim and a security incident have:
TS (投诉) + the local date it was received (yyyymmdd, CLAIMDESK_TIMEZONE) + 6 digits,
e.g. TS20261207000012, drawn without a global lock (db.next_daily_value: PostgreSQL a
sequence per day, SQLite the day's row of ``complaint_sequences``).

Backfill: every existing complaint is numbered by the local date of its ``received_at``,
within a day in the order received (then by id); the day's row of
``complaint_sequences`` is set to the day's count, so new numbers continue after them
(on PostgreSQL the day's sequence starts after the highest number issued, whichever
way). Then the column becomes NOT NULL and unique. Downgrade drops both.

Revision ID: 0060_complaint_numbers
Revises: 0059_version_english_liabilities
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from claimdesk.timeutil import local_zone

revision: str = "0060_complaint_numbers"
down_revision: str | Sequence[str] | None = "0059_version_english_liabilities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COMPLAINTS = sa.table(
    "complaints",
    sa.column("id", sa.Integer),
    sa.column("received_at", sa.DateTime(timezone=True)),
    sa.column("number", sa.String(20)),
)
_SEQUENCES = sa.table(
    "complaint_sequences", sa.column("day", sa.Date), sa.column("last_value", sa.Integer)
)


def _local_day(instant: dt.datetime) -> dt.date:
    # SQLite gives the stored UTC instant back naive.
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(local_zone()).date()


def upgrade() -> None:
    op.create_table(
        "complaint_sequences",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_complaint_sequences")),
    )
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("number", sa.String(20), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_COMPLAINTS.c.id, _COMPLAINTS.c.received_at).order_by(
            _COMPLAINTS.c.received_at, _COMPLAINTS.c.id
        )
    ).all()
    counts: dict[dt.date, int] = {}
    numbers = []
    for complaint_id, received_at in rows:
        day = _local_day(received_at)
        counts[day] = counts.get(day, 0) + 1
        numbers.append({"row_id": complaint_id, "number": f"TS{day:%Y%m%d}{counts[day]:06d}"})
    if numbers:
        bind.execute(
            sa.update(_COMPLAINTS)
            .where(_COMPLAINTS.c.id == sa.bindparam("row_id"))
            .values(number=sa.bindparam("number")),
            numbers,
        )
        bind.execute(
            sa.insert(_SEQUENCES),
            [{"day": day, "last_value": n} for day, n in sorted(counts.items())],
        )
    with op.batch_alter_table("complaints") as batch:
        batch.alter_column("number", existing_type=sa.String(20), nullable=False)
        batch.create_unique_constraint(batch.f("uq_complaints_number"), ["number"])


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_constraint(batch.f("uq_complaints_number"), type_="unique")
        batch.drop_column("number")
    op.drop_table("complaint_sequences")
