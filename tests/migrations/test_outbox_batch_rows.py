"""The outbox migration to rows of several messages: rows waiting when it runs are kept as
rows of one message, and its downgrade writes each waiting batch row again as rows of one
message each, in order (what the older relay reads). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text

from csa.services import definition
from csa_shared.db import create_engine
from csa_shared.db.migrations import alembic_config
from csa_shared.events import new_event
from csa_shared.messaging.outbox import outbox_batch_rows, outbox_row

BEFORE = "0005"  # attendance's revision before 0006_outbox_batch_rows


def _event(n: int) -> object:
    return new_event(
        "lu.csa.attendance.presence.recorded.v1",
        source="/csa/attendance",
        subject=f"c-{n}",
        data={
            "presence_id": f"p-{n}",
            "provider_id": "sea",
            "provider_record_id": f"r-{n}",
            "child_id": f"c-{n}",
            "start": "2025-03-03T08:00:00",
            "end": "2025-03-03T09:00:00",
            "version": 1,
        },
    )


def _migrate(connection: Connection, step: str, revision: str) -> None:
    config = alembic_config(definition("attendance").migrations)
    config.attributes["connection"] = connection
    getattr(command, step)(config, revision)


def _insert(connection: Connection, rows: list[dict[str, object]]) -> None:
    for row in rows:
        columns = ", ".join(row)
        connection.execute(
            text(f"INSERT INTO outbox ({columns}) VALUES ({', '.join(':' + c for c in row)})"),
            row,
        )


def _waiting(connection: Connection) -> list[tuple[str, str, str]]:
    found = connection.execute(
        text("SELECT event_id, message_key, payload FROM outbox ORDER BY id")
    )
    return [tuple(r) for r in found]


def _round_trip(connection: Connection) -> None:
    now = datetime.now(UTC)
    events = [_event(n) for n in range(5)]
    singles = [outbox_row(e, now) for e in events]
    expected = [(r["event_id"], r["message_key"], r["payload"]) for r in singles]
    _migrate(connection, "upgrade", BEFORE)
    _insert(connection, singles[:1])

    _migrate(connection, "upgrade", "head")
    counts = connection.execute(text("SELECT message_count, message_keys FROM outbox")).all()
    assert [tuple(c) for c in counts] == [(1, None)]  # waiting rows hold one message
    (batch,) = outbox_batch_rows(singles[1:4])
    _insert(connection, [batch, singles[4]])

    _migrate(connection, "downgrade", BEFORE)
    assert _waiting(connection) == expected  # one row per message, in order

    _migrate(connection, "upgrade", "head")
    assert _waiting(connection) == expected


async def test_sqlite_outbox_batch_rows_migrate_both_ways(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'attendance.sqlite'}")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_round_trip)
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_postgres_outbox_batch_rows_migrate_both_ways(pg_database_url) -> None:
    engine = create_engine(pg_database_url())
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_round_trip)
            compression = await connection.scalar(
                text(
                    "SELECT attcompression::text FROM pg_attribute "
                    "WHERE attrelid = 'outbox'::regclass AND attname = 'payload'"
                )
            )
            assert compression == "l"  # LZ4 (the machines' PostgreSQL 15 has it)
    finally:
        await engine.dispose()
