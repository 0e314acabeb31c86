"""The store's tables (SQLAlchemy Core). Migrations in ``migrations/`` create them."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

# Times are UNIX epoch seconds (float): the same on SQLite and PostgreSQL, no tz ambiguity.
generations = Table(
    "generations",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("owner", String(128), nullable=False),
    Column("request_id", String(128), nullable=True),
    Column("tier", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("stage", String(32), nullable=False),
    Column("percent", Integer, nullable=False),
    Column("last_sequence", Integer, nullable=False),
    Column("lease_expires_at", Float, nullable=True),
    Column("replica_id", String(64), nullable=True),  # the replica holding the claim
    Column("profile", Text, nullable=False),
    Column("program", Text, nullable=True),
    Column("program_name", Text, nullable=True),  # set with the program, for lists
    Column("error_reason", String(64), nullable=False),
    Column("error_message", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("owner", "request_id", name="uq_generations_owner_request"),
    Index("ix_generations_owner_pk", "owner", "pk"),
    Index("ix_generations_owner_status", "owner", "status"),  # the per-caller cap's count
    # Rescues, and every query by status alone (0006 dropped an index on status only).
    Index("ix_generations_status_tier_pk", "status", "tier", "pk"),
    # Claims: each (tier, caller) with pending rows, then its oldest ones (store/claims.py).
    Index("ix_generations_status_tier_owner_pk", "status", "tier", "owner", "pk"),
)

generation_events = Table(
    "generation_events",
    metadata,
    Column("generation_pk", Integer, ForeignKey("generations.pk"), primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("percent", Integer, nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    # The row's attempt as this change left it (0 for events written before 0004).
    Column("attempt", Integer, nullable=False, server_default=text("0")),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("caller_id", String(128), nullable=False),
    Column("tier", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
)

# One row per open watch stream on a shared PostgreSQL (store/stream_slots.py): the
# per-caller cap counts a caller's rows whose lease has not run out.
watch_streams = Table(
    "watch_streams",
    metadata,
    Column("stream_id", String(32), primary_key=True),
    Column("caller", String(128), nullable=False),
    Column("replica_id", String(64), nullable=False),
    Column("lease_expires_at", Float, nullable=False),
    Index("ix_watch_streams_caller", "caller"),
    Index("ix_watch_streams_replica", "replica_id"),
)
