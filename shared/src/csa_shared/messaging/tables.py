"""The outbox and inbox tables every service database carries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

# SQLite only auto-increments INTEGER PRIMARY KEY columns.
_SEQUENCE = BigInteger().with_variant(Integer(), "sqlite")
_UNSENT = {"postgresql_where": text("sent_at IS NULL"), "sqlite_where": text("sent_at IS NULL")}


def _outbox_columns() -> list[Column[Any]]:
    return [
        Column("id", _SEQUENCE, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("topic", String(128), nullable=False),
        Column("message_key", String(128), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=True),
    ]


def _inbox_columns() -> list[Column[Any]]:
    return [
        Column("consumer", String(64), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(128), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
        Column("error", Text, nullable=True),
    ]


def outbox_table(metadata: MetaData) -> Table:
    return Table("outbox", metadata, *_outbox_columns(), Index("ix_outbox_unsent", "id", **_UNSENT))


def inbox_table(metadata: MetaData) -> Table:
    return Table("inbox", metadata, *_inbox_columns())


def service_metadata() -> MetaData:
    """A service's MetaData, starting with its outbox and inbox."""
    metadata = MetaData()
    outbox_table(metadata)
    inbox_table(metadata)
    return metadata


def create_messaging_tables(op: Any) -> None:
    """Alembic ``upgrade()`` step shared by every service's first migration."""
    op.create_table("outbox", *_outbox_columns())
    op.create_table("inbox", *_inbox_columns())
    op.create_index("ix_outbox_unsent", "outbox", ["id"], **_UNSENT)
