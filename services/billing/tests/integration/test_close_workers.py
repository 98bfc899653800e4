"""The close billing its chunks in worker processes (``workers``/``BILLING_CLOSE_WORKERS``)
writes exactly what the close in one process writes (PostgreSQL), and SQLite what
PostgreSQL writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from csa.services import definition
from csa_billing.periods.close import CloseOptions, close_period
from csa_billing.tables import child_period, invoice, statement, statement_line
from csa_shared.events import Envelope
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings

from .town import deliver, town

pytestmark = pytest.mark.postgres
MARCH = "2025-03"
AFTER_GRACE = date(2025, 4, 30)


async def _snapshot(runtime: ServiceRuntime) -> dict[str, Any]:
    """Everything the close wrote, without the random ids and the clock."""
    async with runtime.sessions() as session:
        bills = (
            await session.execute(
                select(
                    invoice.c.child_id,
                    invoice.c.provider_id,
                    invoice.c.series,
                    invoice.c.seq,
                    invoice.c.status,
                    invoice.c.language,
                    invoice.c.renewal_date,
                    invoice.c.parent_total,
                    invoice.c.state_total,
                    invoice.c.lines,
                ).order_by(invoice.c.seq)
            )
        ).all()
        lines = (
            await session.execute(
                select(
                    statement_line.c.provider_id,
                    statement_line.c.child_id,
                    statement_line.c.parent_amount,
                    statement_line.c.state_amount,
                ).order_by(statement_line.c.provider_id, statement_line.c.child_id)
            )
        ).all()
        statements = (
            await session.execute(
                select(statement.c.number, statement.c.children, statement.c.state_total)
            )
        ).all()
        ledger = (
            await session.execute(
                select(child_period.c.child_id, child_period.c.lines).order_by(
                    child_period.c.child_id
                )
            )
        ).all()
        outbox = (
            await session.execute(
                select(runtime.outbox.c.payload).order_by(runtime.outbox.c.message_key)
            )
        ).scalars()
        events = []
        for payload in outbox:
            event = json.loads(payload)
            data = {k: v for k, v in event["data"].items() if not k.endswith(("_id", "_at"))}
            events.append((event["type"], event["subject"], data))
    return {
        "invoices": [(*row[:-1], json.loads(row[-1])) for row in bills],
        "statement_lines": [tuple(row) for row in lines],
        "statements": sorted(tuple(row) for row in statements),
        "ledger": [(row[0], json.loads(row[1])) for row in ledger],
        "events": sorted(events, key=json.dumps),
    }


async def _runtime(url: str, events: list[Envelope] | None = None) -> ServiceRuntime:
    runtime = definition("billing").build_runtime(Settings(BILLING_DATABASE_URL=url))
    await runtime.migrate()
    await deliver(runtime, events or town())
    return runtime


async def test_workers_write_what_one_process_writes(
    pg_database_url: Callable[[], str],
) -> None:
    month = town()  # the same events (and record ids) for both databases
    alone, pooled = (
        await _runtime(pg_database_url(), month),
        await _runtime(pg_database_url(), month),
    )
    try:
        one = await close_period(
            alone, MARCH, CloseOptions(today=AFTER_GRACE, chunk_size=2, workers=0)
        )
        two = await close_period(
            pooled, MARCH, CloseOptions(today=AFTER_GRACE, chunk_size=2, workers=2)
        )
        assert (one.parent_total, one.state_total) == (Decimal("63.70"), Decimal("430.30"))
        assert (two.parent_total, two.state_total, two.children_done) == (
            one.parent_total,
            one.state_total,
            one.children_done,
        )
        expected = await _snapshot(alone)
        assert len(expected["invoices"]) == 5
        assert len(expected["events"]) == 5 + len(expected["statements"]) + 1
        assert await _snapshot(pooled) == expected
    finally:
        await alone.engine.dispose()
        await pooled.engine.dispose()


async def test_crash_with_chunks_ahead_in_the_workers_then_resume(
    pg_database_url: Callable[[], str],
) -> None:
    runtime = await _runtime(pg_database_url())

    def crash(chunks: int) -> None:
        if chunks == 1:
            raise RuntimeError("killed with the next chunks being billed")

    try:
        with pytest.raises(RuntimeError):
            await close_period(
                runtime,
                MARCH,
                CloseOptions(today=AFTER_GRACE, chunk_size=2, workers=2, after_chunk=crash),
            )
        assert len((await _snapshot(runtime))["invoices"]) == 2  # only the first chunk
        closed = await close_period(
            runtime, MARCH, CloseOptions(today=AFTER_GRACE, chunk_size=2, workers=1)
        )
        assert (closed.parent_total, closed.state_total) == (
            Decimal("63.70"),
            Decimal("430.30"),
        )
        assert [row[3] for row in (await _snapshot(runtime))["invoices"]] == [1, 2, 3, 4, 5]
    finally:
        await runtime.engine.dispose()


async def test_sqlite_writes_what_postgresql_writes(
    pg_database_url: Callable[[], str], tmp_path: Path
) -> None:
    """The bulk paths differ by database (COPY and a staging table on PostgreSQL, plain
    multi-row INSERTs on SQLite); the documents they write do not."""
    month = town()
    postgres = await _runtime(pg_database_url(), month)
    sqlite = await _runtime(f"sqlite+aiosqlite:///{tmp_path / 'billing.sqlite'}", month)
    try:
        for runtime in (postgres, sqlite):
            await close_period(runtime, MARCH, CloseOptions(today=AFTER_GRACE, chunk_size=2))
        expected = await _snapshot(postgres)
        assert len(expected["invoices"]) == 5
        assert await _snapshot(sqlite) == expected
    finally:
        await postgres.engine.dispose()
        await sqlite.engine.dispose()
