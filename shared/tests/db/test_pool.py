"""The PostgreSQL pool: every connection kept, and opened before serving when asked."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from csa_shared.db.engine import create_engine, warm_up_pool

pytestmark = pytest.mark.postgres


async def _backends(engine_url: str, admin_url: str) -> int:
    admin = create_engine(admin_url, pool_size=1)
    database = engine_url.rsplit("/", 1)[1]
    async with admin.connect() as connection:
        count = await connection.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db"), {"db": database}
        )
    await admin.dispose()
    return int(count)


async def test_the_warm_up_opens_every_connection_of_the_pool_and_keeps_them(
    pg_database_url: Callable[[], str],
) -> None:
    url = pg_database_url()
    engine = create_engine(url, pool_size=3)
    pool = engine.sync_engine.pool
    assert pool.checkedin() == 0  # type: ignore[attr-defined]
    await warm_up_pool(engine)
    assert pool.checkedin() == 3  # type: ignore[attr-defined]
    assert await _backends(url, url) == 3 + 1  # the admin connection's own
    async with engine.connect() as connection:  # a request takes a warm one: none opened
        assert await connection.scalar(text("SELECT 1")) == 1
    assert pool.checkedin() == 3  # type: ignore[attr-defined]
    await engine.dispose()


async def test_each_warmer_runs_on_each_connection_and_its_changes_are_rolled_back(
    pg_database_url: Callable[[], str],
) -> None:
    engine = create_engine(pg_database_url(), pool_size=3)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE warmed (backend int)"))
    backends: list[int] = []

    async def failing(connection: AsyncConnection) -> None:
        raise RuntimeError("only a head start")

    async def recording(connection: AsyncConnection) -> None:
        backend = await connection.scalar(text("SELECT pg_backend_pid()"))
        await connection.execute(text("INSERT INTO warmed VALUES (:b)"), {"b": backend})
        backends.append(backend)

    await warm_up_pool(engine, [failing, recording])

    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM warmed")) == 0
    assert len(set(backends)) == 3
    await engine.dispose()


async def test_no_overflow_by_default_so_a_burst_opens_and_closes_nothing(
    pg_database_url: Callable[[], str],
) -> None:
    engine = create_engine(pg_database_url())
    assert engine.sync_engine.pool.size() == 20  # type: ignore[attr-defined]
    assert engine.sync_engine.pool._max_overflow == 0  # type: ignore[attr-defined]
    await engine.dispose()


async def test_the_warm_up_leaves_sqlite_alone(tmp_path: object) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/warm.db")
    await warm_up_pool(engine)
    await engine.dispose()
