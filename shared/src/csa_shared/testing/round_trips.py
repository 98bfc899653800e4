"""The statements a block sends to PostgreSQL, counted on every pooled connection of a
service (issue 24: round trips are a count, not a timing, so a test of them is
deterministic)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from csa_shared.runtime import ServiceRuntime


@contextmanager
def round_trips(runtime: ServiceRuntime) -> Iterator[list[str]]:
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
    finally:
        counting[0] = False
        event.remove(engine.pool, "checkout", checkout)
        event.remove(engine, "before_cursor_execute", statement)
