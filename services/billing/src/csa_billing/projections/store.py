"""Writes shared by the projections: version-aware upserts and dirty child-periods."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.tables import billing_period, child_period
from csa_shared.rules.periods import billing_period_of


def insert_for(session: AsyncSession, table: Table) -> Any:
    """The dialect's INSERT supporting ON CONFLICT (PostgreSQL and SQLite)."""
    dialect = session.bind.dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def upsert_versioned(
    session: AsyncSession, table: Table, key: dict[str, Any], row: dict[str, Any]
) -> bool:
    """Insert, or update when ``row["version"]`` is newer; an older event never wins.

    Returns True when the projection changed.
    """
    where = and_(*(table.c[k] == v for k, v in key.items()))
    current = (await session.execute(select(table.c.version).where(where))).scalar_one_or_none()
    values = {**row, "updated_at": datetime.now(UTC)}
    if current is None:
        await session.execute(table.insert().values(**key, **values))
        return True
    if current < row["version"]:
        await session.execute(table.update().where(where).values(**values))
        return True
    return False


async def closed_months(session: AsyncSession) -> set[str]:
    """Months whose close has started (closing or closed): their documents are frozen."""
    rows = await session.execute(select(billing_period.c.month))
    return set(rows.scalars())


async def mark_dirty(session: AsyncSession, child_id: str, months: Iterable[str]) -> None:
    """Flag the child's closed periods among ``months`` for re-billing at the next close."""
    frozen = await closed_months(session)
    for month in sorted(set(months) & frozen):
        statement = (
            insert_for(session, child_period)
            .values(month=month, child_id=child_id, invoice_id=None, lines="[]", dirty=True)
            .on_conflict_do_update(
                index_elements=[child_period.c.month, child_period.c.child_id],
                set_={"dirty": True},
            )
        )
        await session.execute(statement)


def months_of_days(*days: date | datetime | None) -> set[str]:
    """Billing months of the given days (None skipped)."""
    result = set()
    for day in days:
        if day is not None:
            plain = day.date() if isinstance(day, datetime) else day
            result.add(billing_period_of(plain).month)
    return result
