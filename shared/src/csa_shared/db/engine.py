"""Async SQLAlchemy engines: asyncpg for PostgreSQL, aiosqlite for the embedded default."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from csa_shared.observability.tracing import instrument_engine
from csa_shared.settings import async_url

#: A pooled PostgreSQL connection idle longer than this is pinged before it is handed out.
PING_IDLE_SECONDS = 30.0

log = logging.getLogger(__name__)

#: How often a warmer (`warm_up_pool`) runs a hot statement on each connection: PostgreSQL
#: plans a prepared statement anew for each of its first five executions (custom plans)
#: before it may keep a generic plan.
WARM_EXECUTIONS = 6


def create_engine(
    url: str,
    *,
    ping_idle_seconds: float = PING_IDLE_SECONDS,
    pool_size: int = 20,
    max_overflow: int = 0,
    **kwargs: Any,
) -> AsyncEngine:
    """An engine for one service's database; SQLite files get WAL and foreign keys.

    PostgreSQL: a connection is pinged before use only when it sat idle in the pool longer
    than ``ping_idle_seconds`` (0: every checkout, SQLAlchemy's ``pool_pre_ping``), not on
    every request of a busy pool (asyncpg's ping is three round trips). A connection a
    database restart broke while busy fails its first statement: SQLAlchemy then discards
    every pooled connection of that age (a 503 the caller retries; reads are retried in the
    service, ``csa_shared.http.retry``). Its pool keeps ``pool_size`` connections; an overflow
    connection is closed when returned, so a burst above the pool forks backends."""
    url = async_url(url)
    parsed = make_url(url)
    # statement parameters carry national ids, codes and addresses: never in logs or errors
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        kwargs.setdefault("pool_pre_ping", ping_idle_seconds <= 0)
        kwargs.setdefault("pool_size", pool_size)
        kwargs.setdefault("max_overflow", max_overflow)
        engine = create_async_engine(url, **kwargs)
        if not kwargs["pool_pre_ping"]:
            _ping_when_idle(engine, ping_idle_seconds)
    instrument_engine(engine)  # spans per statement when tracing is on
    return engine


async def warm_up_pool(
    engine: AsyncEngine, warmers: Sequence[Callable[[AsyncConnection], Awaitable[None]]] = ()
) -> None:
    """Open every connection of a PostgreSQL pool now, before requests come: else the first
    burst pays for them (a backend forked by PostgreSQL, asyncpg's set-up) while it waits.
    Each ``warmer`` then runs on each connection (a service's hot statements prepared and
    planned there: asyncpg prepares a statement per connection, PostgreSQL compiles a
    PL/pgSQL function and plans per session; the first use of each on each connection
    costs a round trip or more, a type introspection for some parameter types, and tens
    of times the statement's steady cost on PostgreSQL's side, which else fall together
    on the first burst). A warmer's changes are rolled back; one that fails is logged."""
    if not is_postgres(engine):
        return
    async with contextlib.AsyncExitStack() as opened:
        for _ in range(engine.sync_engine.pool.size()):  # type: ignore[attr-defined]
            connection = await opened.enter_async_context(engine.connect())
            for warm in warmers:
                try:
                    await warm(connection)
                except Exception:  # only a head start: the service serves without it
                    log.warning("a connection warmer failed", exc_info=True)
                await connection.rollback()


def _ping_when_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Ping a connection on checkout when it was checked in more than ``idle_seconds`` ago;
    a dead one is replaced (the pool retries the checkout on ``DisconnectionError``)."""
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    def checkin(_dbapi: Any, record: Any) -> None:
        record.info["csa_idle_since"] = time.monotonic()

    def checkout(dbapi: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("csa_idle_since")
        if since is None or time.monotonic() - since <= idle_seconds:
            return
        try:
            dialect.do_ping(dbapi)
        except Exception as error:
            raise exc.DisconnectionError("idle connection failed its ping") from error

    event.listen(pool, "checkin", checkin)
    event.listen(pool, "checkout", checkout)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def is_postgres(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


async def asyncpg_connection(session: AsyncSession | AsyncConnection) -> Any | None:
    """The session's (or connection's) asyncpg connection, inside its transaction, on
    PostgreSQL; None elsewhere. Bulk paths (COPY, cursors, array parameters, reads of
    thousands of rows) go through it, past the ORM."""
    connection = await session.connection() if isinstance(session, AsyncSession) else session
    if connection.dialect.driver != "asyncpg":
        return None
    return (await connection.get_raw_connection()).driver_connection
