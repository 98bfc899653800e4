"""The outbox and inbox tables every service database carries."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
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

from csa_shared.db.migrations import lz4_available
from csa_shared.idempotency.table import idempotency_table

# SQLite only auto-increments INTEGER PRIMARY KEY columns.
_SEQUENCE = BigInteger().with_variant(Integer(), "sqlite")
_WHEN = DateTime(timezone=True)
_UNSENT = {"postgresql_where": text("sent_at IS NULL"), "sqlite_where": text("sent_at IS NULL")}


def _outbox_columns(*, as_first_shipped: bool = False) -> list[Column[Any]]:
    """The outbox as it is now: the relay deletes the rows it published (no `sent_at`), and
    event ids are not indexed: unique by construction (uuid4), a repeat is dropped by the
    consumers' inboxes, and the index cost a tenth of PostgreSQL's ingest work.

    A row holds one message, or several of one topic (`_batch_columns`, a bulk ingest's
    events): a thousand events in one row cost PostgreSQL about a quarter of what a thousand
    rows do, written, read back and deleted. As first shipped: one message per row,
    `event_id` unique, sent rows kept and marked `sent_at`."""
    return [
        Column("id", _SEQUENCE, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=as_first_shipped),
        Column("topic", String(128), nullable=False),
        Column("message_key", String(128), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        *([Column("sent_at", _WHEN, nullable=True)] if as_first_shipped else _batch_columns()),
    ]


def _batch_columns() -> list[Column[Any]]:
    """How many messages a row holds and, when several, their keys as a JSON array; the
    payload is then their documents, one per line (JSON documents hold no raw newline), and
    `event_id` and `message_key` are the first message's."""
    return [
        Column("message_count", Integer, nullable=False, server_default=text("1")),
        Column("message_keys", Text, nullable=True),
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
    """A service's MetaData, starting with its outbox, inbox and idempotency keys."""
    metadata = MetaData()
    outbox_table(metadata)
    inbox_table(metadata)
    idempotency_table(metadata)
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


def outbox_rows_hold_batches(op: Any) -> None:
    """Alembic ``upgrade()`` step: a row may hold several messages (`_batch_columns`); on
    PostgreSQL with LZ4, payloads (a batch's are about half a megabyte) are compressed with
    it, not with pglz, which costs more than the row's writing."""
    for column in _batch_columns():
        op.add_column("outbox", column)
    if lz4_available(op.get_bind()):
        op.execute("ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION lz4")


def outbox_rows_hold_one_message(op: Any) -> None:
    """Alembic ``downgrade()`` of `outbox_rows_hold_batches`: the waiting rows are written
    again, one message per row in the same order (the older relay reads one per row)."""
    bind = op.get_bind()
    outbox = sa.table("outbox", *(sa.column(c.name) for c in _outbox_columns()))
    waiting = bind.execute(sa.select(outbox).order_by(outbox.c.id)).all()
    if any(row.message_count > 1 for row in waiting):
        bind.execute(sa.delete(outbox))
        singles = [
            {"event_id": orjson.loads(document)["id"], "topic": topic, "message_key": key,
             "payload": document, "created_at": row.created_at}
            for row in waiting
            for topic, key, document in row_messages(
                row.topic, row.message_key, row.payload, row.message_keys
            )
        ]  # fmt: skip
        bind.execute(sa.insert(outbox), singles)
    if lz4_available(bind):
        op.execute("ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION DEFAULT")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("message_keys")
        batch.drop_column("message_count")


def batch_row(
    topic: str, event_ids: list[str], keys: list[str], documents: list[str]
) -> dict[str, Any]:
    """The outbox row (all columns but `id` and `created_at`) of several messages of one
    topic, in order: `documents` are JSON documents (no raw newline)."""
    payload = "\n".join(documents)
    if payload.count("\n") != len(documents) - 1:
        raise ValueError("a JSON document of an outbox batch holds a raw newline")
    return {
        "event_id": event_ids[0],
        "topic": topic,
        "message_key": keys[0],
        "payload": payload,
        "message_count": len(documents),
        "message_keys": orjson.dumps(keys).decode(),
    }


def row_messages(
    topic: str, message_key: str, payload: str, message_keys: str | None
) -> list[tuple[str, str, str]]:
    """The messages (topic, key, document) an outbox row holds, in order."""
    if message_keys is None:
        return [(topic, message_key, payload)]
    keys = orjson.loads(message_keys)
    documents = payload.split("\n")
    if len(keys) != len(documents):
        raise ValueError(f"outbox row of {len(keys)} keys and {len(documents)} documents")
    return [(topic, key, document) for key, document in zip(keys, documents, strict=True)]
