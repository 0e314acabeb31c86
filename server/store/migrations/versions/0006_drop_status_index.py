"""Drop the index on status alone.

Every query that filters on status alone is served by (status, tier, pk), which starts
with it, so the single-column index only cost writes: each new row and each change of
status updated it too (about 4 % of a start's group commit on SQLite, measured with the
group's statements alone).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_generations_status", "generations")


def downgrade() -> None:
    op.create_index("ix_generations_status", "generations", ["status"])
