"""Replica claims: which replica holds a processing row, and an index for claiming.

A claim writes the claiming replica's id next to ``lease_expires_at``, so start-up
recovery requeues only its own rows and expired leases, never a live replica's work
(docs/architecture.md, "Replicas"). The (status, tier, pk) index serves the claim's
ordered scan of pending rows and the rescue's scan of processing ones.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.add_column(sa.Column("replica_id", sa.String(64), nullable=True))
    op.create_index("ix_generations_status_tier_pk", "generations", ["status", "tier", "pk"])


def downgrade() -> None:
    op.drop_index("ix_generations_status_tier_pk", "generations")
    with op.batch_alter_table("generations") as batch:
        batch.drop_column("replica_id")
