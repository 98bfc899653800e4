"""Every query of the ingest module: loading the state a batch is decided against, bulk
inserts (one multi-row statement per table), corrections and reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.domain.records import (
    MealDeclaration,
    PresenceDeclaration,
    RecordHistory,
    RecordStatus,
    RecordVersion,
    ReservationDeclaration,
)
from csa_attendance.tables import (
    meal_versions,
    meals,
    presence_versions,
    presences,
    reservations,
)

SLACK = timedelta(days=1)


async def lock_provider(session: AsyncSession, provider_id: str) -> None:
    """Serialise ingest per provider on PostgreSQL (same keys posted concurrently)."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"att:{provider_id}"}
        )


def _window(table: Table, children: set[str], lo: datetime, hi: datetime) -> Any:
    return table.c.child_id.in_(children) & (table.c.start < hi) & (table.c.end > lo)


def _presence(row: Any, start: datetime, end: datetime) -> PresenceDeclaration:
    return PresenceDeclaration(
        provider_id=row.provider_id,
        record_id=row.provider_record_id,
        child_id=row.child_id,
        start=start,
        end=end,
    )


async def _histories(
    session: AsyncSession, versions: Table, key: str, rows: Sequence[Any], build: Any
) -> tuple[list[RecordHistory[Any]], dict[tuple[str, str], str]]:
    """Histories of `rows`: version 1 rows are their own history; others read `versions`."""
    older = [r.id for r in rows if r.version > 1]
    by_id: dict[str, list[Any]] = {}
    if older:
        found = await session.execute(
            select(versions).where(versions.c[key].in_(older)).order_by(versions.c.version)
        )
        for v in found:
            by_id.setdefault(getattr(v, key), []).append(v)
    histories, ids = [], {}
    for row in rows:
        ids[(row.provider_id, row.provider_record_id)] = row.id
        chain = by_id.get(row.id) or [row]
        histories.append(
            RecordHistory(
                tuple(
                    RecordVersion(
                        version=v.version if row.version > 1 else 1,
                        content=build(row, v),
                        status=RecordStatus(v.status),
                        recorded_at=getattr(v, "recorded_at", None) or row.created_at,
                        reason=getattr(v, "reason", None),
                    )
                    for v in chain
                )
            )
        )
    return histories, ids


async def load_records(
    session: AsyncSession,
    provider_id: str,
    keys: Iterable[str],
    children: set[str],
    lo: datetime,
    hi: datetime,
) -> tuple[list[RecordHistory[Any]], list[RecordHistory[Any]], list[RecordHistory[Any]], dict]:
    """Presences, meals and reservations a batch is decided against, and their stored ids:
    the provider's records under the batch's keys plus the children's records around its
    dates (every provider's presences, for the overlap rule)."""
    keys = list(set(keys))
    lo, hi = lo - SLACK, hi + SLACK
    ids: dict[tuple[str, str], str] = {}

    def mine(table: Table) -> Any:
        return (table.c.provider_id == provider_id) & table.c.provider_record_id.in_(keys)

    p_rows = (
        await session.execute(
            select(presences).where(or_(mine(presences), _window(presences, children, lo, hi)))
        )
    ).all()
    p_hist, p_ids = await _histories(
        session, presence_versions, "presence_id", p_rows, lambda r, v: _presence(r, v.start, v.end)
    )
    m_rows = (
        await session.execute(
            select(meals).where(
                or_(
                    mine(meals),
                    meals.c.child_id.in_(children)
                    & (meals.c.day >= lo.date())
                    & (meals.c.day <= hi.date()),
                )
            )
        )
    ).all()
    m_hist, m_ids = await _histories(
        session,
        meal_versions,
        "meal_id",
        m_rows,
        lambda r, v: MealDeclaration(
            provider_id=r.provider_id,
            record_id=r.provider_record_id,
            child_id=r.child_id,
            day=v.day,
            count=v.count,
        ),
    )
    r_rows = (
        await session.execute(
            select(reservations).where(
                or_(
                    mine(reservations),
                    _window(reservations, children, lo, hi)
                    & (reservations.c.provider_id == provider_id),
                )
            )
        )
    ).all()
    r_hist, r_ids = await _histories(
        session,
        meal_versions,
        "meal_id",
        [r for r in r_rows if r.version == 1],
        lambda r, v: ReservationDeclaration(
            provider_id=r.provider_id,
            record_id=r.provider_record_id,
            child_id=r.child_id,
            start=v.start,
            end=v.end,
        ),
    )
    ids = {"presence": p_ids, "meal": m_ids, "reservation": r_ids}
    return p_hist, m_hist, r_hist, ids


async def insert_many(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """All rows of a table in one bulk operation, inside the request's transaction:
    COPY on PostgreSQL (asyncpg), a multi-row INSERT elsewhere (SQLite)."""
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.driver == "asyncpg":
        raw = (await connection.get_raw_connection()).driver_connection
        columns = list(rows[0])
        records = [tuple(row[c] for c in columns) for row in rows]
        await raw.copy_records_to_table(table.name, records=records, columns=columns)
        return
    await session.execute(table.insert(), rows)


async def presence_row(session: AsyncSession, presence_id: str) -> Any | None:
    return (await session.execute(select(presences).where(presences.c.id == presence_id))).first()


async def presence_versions_of(session: AsyncSession, presence_id: str) -> list[Any]:
    return list(
        await session.execute(
            select(presence_versions)
            .where(presence_versions.c.presence_id == presence_id)
            .order_by(presence_versions.c.version)
        )
    )


async def children_presences(
    session: AsyncSession, children: set[str], lo: datetime, hi: datetime
) -> list[Any]:
    rows = await session.execute(select(presences).where(_window(presences, children, lo, hi)))
    return list(rows)


async def save_presence_version(
    session: AsyncSession, presence_id: str, version: RecordVersion[PresenceDeclaration]
) -> None:
    c = version.content
    await session.execute(
        update(presences)
        .where(presences.c.id == presence_id)
        .values(start=c.start, end=c.end, version=version.version, status=version.status.value)
    )
    await session.execute(
        presence_versions.insert().values(
            presence_id=presence_id,
            version=version.version,
            start=c.start,
            end=c.end,
            status=version.status.value,
            reason=version.reason,
            recorded_at=version.recorded_at,
        )
    )


async def meals_of_children(session: AsyncSession, children: set[str], lo: date, hi: date) -> Any:
    return (
        await session.execute(
            select(meals).where(meals.c.child_id.in_(children), meals.c.day.between(lo, hi))
        )
    ).all()


async def search(
    session: AsyncSession,
    *,
    provider_id: str | None,
    children: Iterable[str] | None,
    day_from: date | None,
    day_to: date | None,
    status: str | None,
    limit: int,
    offset: int,
    table: Table = presences,
) -> tuple[list[Any], int]:
    """A page of `table`'s records (presences, reservations: by start; meals: by day)."""
    query = select(table)
    if provider_id is not None:
        query = query.where(table.c.provider_id == provider_id)
    if children is not None:
        query = query.where(table.c.child_id.in_(list(children)))
    if "day" in table.c:
        when = table.c.day
        if day_from is not None:
            query = query.where(when >= day_from)
        if day_to is not None:
            query = query.where(when <= day_to)
    else:
        when = table.c.start
        if day_from is not None:
            query = query.where(when >= datetime.combine(day_from, time()))
        if day_to is not None:
            query = query.where(when < datetime.combine(day_to + SLACK, time()))
    if status is not None:
        query = query.where(table.c.status == status)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await session.execute(query.order_by(when, table.c.id).limit(limit).offset(offset))
    return list(rows), total


async def meal_row(session: AsyncSession, meal_id: str) -> Any | None:
    return (await session.execute(select(meals).where(meals.c.id == meal_id))).first()


async def save_meal_version(
    session: AsyncSession, meal_id: str, version: RecordVersion[MealDeclaration]
) -> None:
    c = version.content
    await session.execute(
        update(meals)
        .where(meals.c.id == meal_id)
        .values(day=c.day, count=c.count, version=version.version, status=version.status.value)
    )
    await session.execute(
        meal_versions.insert().values(
            meal_id=meal_id,
            version=version.version,
            day=c.day,
            count=c.count,
            status=version.status.value,
            reason=version.reason,
            recorded_at=version.recorded_at,
        )
    )
