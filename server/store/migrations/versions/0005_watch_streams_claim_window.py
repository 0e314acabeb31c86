"""Watch streams counted across replicas, and an index that bounds the claim.

``watch_streams`` holds one row per open watch stream on a shared PostgreSQL, with the
replica's id and a lease, so the per-caller cap on open streams counts every replica's
(docs/architecture.md, "Caps"). The (status, tier, owner, pk) index lets a claim visit
each (tier, caller) with pending rows and read only its oldest few, instead of ranking
every pending row (docs/architecture.md, "Replicas").

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watch_streams",
        sa.Column("stream_id", sa.String(32), primary_key=True),
        sa.Column("caller", sa.String(128), nullable=False),
        sa.Column("replica_id", sa.String(64), nullable=False),
        sa.Column("lease_expires_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_watch_streams_caller", "watch_streams", ["caller"])
    op.create_index("ix_watch_streams_replica", "watch_streams", ["replica_id"])
    op.create_index(
        "ix_generations_status_tier_owner_pk", "generations", ["status", "tier", "owner", "pk"]
    )


def downgrade() -> None:
    op.drop_index("ix_generations_status_tier_owner_pk", "generations")
    op.drop_index("ix_watch_streams_replica", "watch_streams")
    op.drop_index("ix_watch_streams_caller", "watch_streams")
    op.drop_table("watch_streams")
