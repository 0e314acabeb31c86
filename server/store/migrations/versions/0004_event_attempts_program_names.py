"""Each event's attempt, and each completed generation's program name.

``generation_events.attempt`` lets a watcher tell an earlier attempt's terminal event
from the current one; ``generations.program_name`` lets ListGenerations name the program
without reading it (docs/contract.md, "Events and attempts", "Paging"). Events written
before this revision read attempt 0: which attempt they belonged to was not recorded.
Completed rows get their program's name from the stored program.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The name is the top-level "name" key of the stored program's JSON.
_BACKFILL = {
    "sqlite": "UPDATE generations SET program_name = json_extract(program, '$.name') "
    "WHERE program IS NOT NULL",
    "postgresql": "UPDATE generations SET program_name = program::json ->> 'name' "
    "WHERE program IS NOT NULL",
}


def upgrade() -> None:
    with op.batch_alter_table("generation_events") as batch:
        batch.add_column(
            sa.Column("attempt", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    with op.batch_alter_table("generations") as batch:
        batch.add_column(sa.Column("program_name", sa.Text(), nullable=True))
    backfill = _BACKFILL.get(op.get_bind().dialect.name)
    if backfill is not None:
        op.execute(backfill)


def downgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.drop_column("program_name")
    with op.batch_alter_table("generation_events") as batch:
        batch.drop_column("attempt")
