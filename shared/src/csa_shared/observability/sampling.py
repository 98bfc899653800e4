"""Gauges read from the database and the connection pool when ``/metrics`` is scraped."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from csa_shared.observability import metrics

log = logging.getLogger(__name__)
SAMPLE_TIMEOUT_S = 2.0  # a scrape must not hang on an unreachable database


async def sample_service(service: str, engine: AsyncEngine, outbox: Table) -> None:
    """Set the pool and outbox gauges of ``service``; a database that does not answer in
    time leaves the outbox gauges as they were (the database's own alerts cover that)."""
    sample_pool(service, engine)
    try:
        await asyncio.wait_for(sample_outbox(service, engine, outbox), SAMPLE_TIMEOUT_S)
    except Exception:
        log.debug("outbox sample of %s failed", service, exc_info=True)


def sample_pool(service: str, engine: AsyncEngine) -> None:
    pool = engine.sync_engine.pool
    checked_out = getattr(pool, "checkedout", None)
    if checked_out is None:  # SQLite's static/null pools: no pool to speak of
        return
    metrics.DB_POOL_IN_USE.labels(service).set(checked_out())
    size = getattr(pool, "size", lambda: 0)()
    overflow = getattr(pool, "_max_overflow", 0)
    metrics.DB_POOL_SIZE.labels(service).set(size + max(overflow, 0))


async def sample_outbox(service: str, engine: AsyncEngine, outbox: Table) -> None:
    async with engine.connect() as connection:
        waiting, oldest = (
            await connection.execute(
                select(
                    func.coalesce(func.sum(outbox.c.message_count), 0),
                    func.min(outbox.c.created_at),
                )
            )
        ).one()
    metrics.OUTBOX_BACKLOG.labels(service).set(waiting)
    age = 0.0
    if oldest is not None:
        if oldest.tzinfo is None:  # SQLite hands back naive UTC
            oldest = oldest.replace(tzinfo=UTC)
        age = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
    metrics.OUTBOX_OLDEST_AGE.labels(service).set(age)
