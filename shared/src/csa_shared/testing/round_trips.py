"""The statements a block sends to PostgreSQL, counted on every pooled connection of a
service, and the statements each pooled connection holds prepared (issue 24: counts, not
timings, so a test of them is deterministic)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text

from csa_shared.runtime import ServiceRuntime


@asynccontextmanager
async def round_trips(runtime: ServiceRuntime) -> AsyncIterator[list[str]]:
    """The statements sent to PostgreSQL inside the block: SQLAlchemy's (asyncpg prepared
    statements, which its query logger does not see) and those sent on asyncpg's
    connections directly (BEGIN, COMMIT, pings, the one-statement write)."""
    sent: list[str] = []
    logging: set[int] = set()
    counting = [False]

    def log(record: Any) -> None:
        if counting[0]:
            sent.append(record.query)

    def checkout(dbapi: Any, _record: Any, _proxy: Any) -> None:
        raw = dbapi.driver_connection
        if id(raw) not in logging:
            logging.add(id(raw))
            raw.add_query_logger(log)

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if counting[0]:
            sent.append(sql)

    engine = runtime.engine.sync_engine
    event.listen(engine.pool, "checkout", checkout)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        counting[0] = True
        yield sent
        await asyncio.sleep(0)  # asyncpg calls its query loggers at the loop's next turn
    finally:
        counting[0] = False
        event.remove(engine.pool, "checkout", checkout)
        event.remove(engine, "before_cursor_execute", statement)


async def prepared_on_each_connection(runtime: ServiceRuntime) -> list[dict[str, int]]:
    """For each connection of the runtime's pool (all checked out at once), the statements
    its PostgreSQL session holds prepared and how many times each was planned (custom and
    generic plans: one per execution until a generic plan is kept)."""
    pool = runtime.engine.sync_engine.pool
    found = []
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(pool.size()):  # type: ignore[attr-defined]
            connection = await stack.enter_async_context(runtime.engine.connect())
            rows = await connection.execute(
                text("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
            )
            found.append({statement: int(plans) for statement, plans in rows})
    return found
