"""The table every service database carries for ``Idempotency-Key``: one row per caller
and key, first a lock (no status yet), then the response to replay."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, String, Table, Text

TABLE = "idempotency_keys"
KEY_LENGTH = 255


def _columns() -> list[Column[Any]]:
    return [
        Column("caller", String(200), primary_key=True),  # principal kind and subject
        Column("key", String(KEY_LENGTH), primary_key=True),
        Column("fingerprint", String(64), nullable=False),  # SHA-256 of method, target, body
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("status", Integer, nullable=True),  # none while the first request runs
        Column("headers", Text, nullable=True),  # JSON: the headers a replay repeats
        Column("body", LargeBinary, nullable=True),
    ]


def idempotency_table(metadata: MetaData) -> Table:
    return Table(TABLE, metadata, *_columns())


def create_idempotency_table(op: Any) -> None:
    """Alembic ``upgrade()`` step of each service's migration that adds the table."""
    op.create_table(TABLE, *_columns())


def drop_idempotency_table(op: Any) -> None:
    op.drop_table(TABLE)
