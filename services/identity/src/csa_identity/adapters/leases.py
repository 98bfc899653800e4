"""Claiming due rows of an outbox that is retried with back-off (the mail outbox, the
webhook deliveries): each claimed row is leased, not locked for the whole send."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession


async def claim_due(
    session: AsyncSession,
    table: Table,
    *,
    key: str,
    due: ColumnElement[bool],
    lease_until: datetime,
    limit: int,
) -> list[dict[str, Any]]:
    """The rows ``due`` (oldest ``next_attempt`` first), each pushed to ``lease_until`` with
    one attempt more: a sender that dies mid-send leaves them to be tried again then, and
    other replicas skip them meanwhile (row locks on PostgreSQL, ``SKIP LOCKED``)."""
    rows = await session.execute(
        select(table)
        .where(due)
        .order_by(table.c.next_attempt, table.c[key])
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = [dict(row) for row in rows.mappings()]
    for row in claimed:
        row["attempts"] += 1
        await session.execute(
            update(table)
            .where(table.c[key] == row[key])
            .values(attempts=row["attempts"], next_attempt=lease_until)
        )
    return claimed
