"""The outbox and inbox tables every service database carries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

# SQLite only auto-increments INTEGER PRIMARY KEY columns.
_SEQUENCE = BigInteger().with_variant(Integer(), "sqlite")
_WHEN = DateTime(timezone=True)
_UNSENT = {"postgresql_where": text("sent_at IS NULL"), "sqlite_where": text("sent_at IS NULL")}


def _outbox_columns(*, as_first_shipped: bool = False) -> list[Column[Any]]:
    """The outbox as it is now: the relay deletes the rows it published (no `sent_at`), and
    event ids are not indexed: unique by construction (uuid4), a repeat is dropped by the
    consumers' inboxes, and the index cost a tenth of PostgreSQL's ingest work. As first
    shipped: `event_id` unique, sent rows kept and marked `sent_at`."""
    return [
        Column("id", _SEQUENCE, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=as_first_shipped),
        Column("topic", String(128), nullable=False),
        Column("message_key", String(128), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        *([Column("sent_at", _WHEN, nullable=True)] if as_first_shipped else []),
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
    return Table("outbox", metadata, *_outbox_columns())


def inbox_table(metadata: MetaData) -> Table:
    return Table("inbox", metadata, *_inbox_columns())


def service_metadata() -> MetaData:
    """A service's MetaData, starting with its outbox and inbox."""
    metadata = MetaData()
    outbox_table(metadata)
    inbox_table(metadata)
    return metadata


def create_messaging_tables(op: Any) -> None:
    """Alembic ``upgrade()`` step shared by every service's first migration: the tables as
    they were first shipped, which `delete_published_outbox_rows` later changes."""
    op.create_table("outbox", *_outbox_columns(as_first_shipped=True))
    op.create_table("inbox", *_inbox_columns())
    op.create_index("ix_outbox_unsent", "outbox", ["id"], **_UNSENT)


# On SQLite, which keeps no name for the first outbox's unnamed unique constraint, the one a
# batch operation gives it by this convention (`_event_id_unique`).
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _event_id_unique(op: Any) -> str:
    """The name of the first outbox's unique constraint on `event_id`: PostgreSQL's own,
    elsewhere the one `_NAMING` gives it."""
    postgres = op.get_bind().dialect.name == "postgresql"
    return "outbox_event_id_key" if postgres else "uq_outbox_event_id"


def delete_published_outbox_rows(op: Any) -> None:
    """Alembic ``upgrade()`` step: the relay now deletes each row once the broker has
    acknowledged it (events about children leave the database with their publication),
    so the rows the former relay marked sent go, with `sent_at` and its index; the unique
    index on `event_id` goes too (`_outbox_columns`)."""
    op.execute("DELETE FROM outbox WHERE sent_at IS NOT NULL")
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    with op.batch_alter_table("outbox", naming_convention=_NAMING) as batch:
        batch.drop_constraint(_event_id_unique(op), type_="unique")
        batch.drop_column("sent_at")


def keep_published_outbox_rows(op: Any) -> None:
    """Alembic ``downgrade()`` of `delete_published_outbox_rows` (the deleted rows stay gone)."""
    with op.batch_alter_table("outbox", naming_convention=_NAMING) as batch:
        batch.add_column(Column("sent_at", _WHEN, nullable=True))
        batch.create_unique_constraint(_event_id_unique(op), ["event_id"])
    op.create_index("ix_outbox_unsent", "outbox", ["id"], **_UNSENT)
