"""Async SQLAlchemy engines: asyncpg for PostgreSQL, aiosqlite for the embedded default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
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


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine for one service's database; SQLite files get WAL and foreign keys."""
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
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        engine = create_async_engine(url, **kwargs)
    instrument_engine(engine)  # spans per statement when tracing is on
    return engine


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
