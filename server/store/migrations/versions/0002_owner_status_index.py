"""Index generations by (owner, status).

StartGeneration counts the caller's queued and running generations (the per-caller cap).
With only (owner, pk) to go by, that count walked every generation the caller ever had:
44 ms per start after 18,000 of them (bench/soak.py), slower with every one. With
(owner, status) it reads the active ones only.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_generations_owner_status", "generations", ["owner", "status"])


def downgrade() -> None:
    op.drop_index("ix_generations_owner_status", "generations")
