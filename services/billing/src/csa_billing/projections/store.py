"""Writes shared by the projections: version-aware upserts and dirty child-periods."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, and_, select, union
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.tables import (
    billing_period,
    child_period,
    meal_projection,
    other_charge_projection,
    presence_projection,
    reservation_projection,
    service_sheet_projection,
)
from csa_shared.rules.periods import billing_period as period_of_month
from csa_shared.rules.periods import billing_period_of, billing_periods_between, parse_month

# Attendance accepts presences and reservations of at most 24 h, so a record with a minute
# in a period started at most this long before it: a bound the (child_id, start) index uses.
LONGEST_RECORD = timedelta(hours=24)


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


async def upsert_versioned_many(
    session: AsyncSession, table: Table, key: str, rows: list[dict[str, Any]]
) -> set[Any]:
    """``upsert_versioned`` of several rows in one statement (``key`` their single-column
    primary key, each at most once); the keys of the rows that changed the projection."""
    now = datetime.now(UTC)
    values = [{**row, "updated_at": now} for row in rows]
    statement = insert_for(session, table).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={column: statement.excluded[column] for column in values[0] if column != key},
        where=table.c.version < statement.excluded.version,
    ).returning(table.c[key])
    return set((await session.execute(statement)).scalars())


async def closed_months(session: AsyncSession) -> set[str]:
    """Months whose close has started (closing or closed): their documents are frozen."""
    rows = await session.execute(select(billing_period.c.month))
    return set(rows.scalars())


async def mark_dirty(
    session: AsyncSession,
    child_id: str,
    months: Iterable[str],
    frozen: Collection[str] | None = None,
) -> None:
    """Flag the child's closed periods among ``months`` for re-billing at the next close
    (``frozen``: the closed months, when the caller read them already)."""
    if frozen is None:
        frozen = await closed_months(session)
    for month in sorted(set(months) & set(frozen)):
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


def months_of_intervals(*intervals: tuple[datetime, datetime] | None) -> set[str]:
    """Billing months holding a minute of any of the intervals (None skipped): a presence
    over the Sunday midnight that ends a period touches both periods."""
    return {
        period.month
        for interval in intervals
        if interval is not None
        for period in billing_periods_between(*interval)
    }


def overlapping(table: Table, lo: datetime, hi: datetime) -> list[Any]:
    """Conditions on ``table``'s ``start``/``end``: the interval has a minute in ``[lo, hi)``
    (every hour belongs to the week it falls in, csa-rules.md)."""
    return [table.c.start >= lo - LONGEST_RECORD, table.c.start < hi, table.c.end > lo]


def _overlaps(month: str, since: date | None, until: date | None) -> bool:
    period = period_of_month(*parse_month(month))
    return (since is None or period.end >= since) and (until is None or period.start <= until)


async def mark_dirty_between(
    session: AsyncSession, child_id: str, since: date | None, until: date | None = None
) -> None:
    """Flag the child's closed periods overlapping ``[since, until]`` (None: unbounded)."""
    frozen = await closed_months(session)
    await mark_dirty(session, child_id, {m for m in frozen if _overlaps(m, since, until)})


async def mark_provider_dirty(session: AsyncSession, provider_id: str, since: date | None) -> None:
    """Flag, for every child with a record at the provider, the closed periods from ``since``
    (None: all) in which the child has such a record: the provider's terms priced them."""
    frozen = sorted(m for m in await closed_months(session) if _overlaps(m, since, None))
    for month in frozen:
        period = period_of_month(*parse_month(month))
        lo = datetime.combine(period.start, time())
        hi = datetime.combine(period.end + timedelta(days=1), time())
        queries = [
            select(t.c.child_id).where(t.c.provider_id == provider_id, *overlapping(t, lo, hi))
            for t in (presence_projection, reservation_projection)
        ] + [
            select(t.c.child_id).where(
                t.c.provider_id == provider_id, t.c.day >= period.start, t.c.day <= period.end
            )
            for t in (meal_projection, other_charge_projection)
        ]
        queries.append(
            select(service_sheet_projection.c.child_id).where(
                service_sheet_projection.c.provider_id == provider_id,
                service_sheet_projection.c.month == month,
            )
        )
        children = (await session.execute(union(*queries))).scalars()
        for child_id in sorted(set(children)):
            await mark_dirty(session, child_id, {month})
