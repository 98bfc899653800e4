"""The close's reads of the projections: children of a period, a chunk's rows, the
providers' terms."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import ARRAY, Select, String, and_, any_, bindparam, func, or_, select, union
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.periods.inputs import (
    ChildData,
    ChunkRows,
    ProviderBook,
    ProviderTerms,
    children_data,
)
from csa_billing.projections.store import overlapping
from csa_billing.tables import (
    contract_version as cv,
)
from csa_billing.tables import (
    education_contract_projection as edu,
)
from csa_billing.tables import (
    meal_projection as meals,
)
from csa_billing.tables import (
    other_charge_projection as charges,
)
from csa_billing.tables import (
    plurilingual_week,
    provider_terms,
)
from csa_billing.tables import (
    presence_projection as presences,
)
from csa_billing.tables import (
    reservation_projection as reservations,
)
from csa_billing.tables import (
    service_sheet_projection as sheets,
)
from csa_shared.db import asyncpg_connection
from csa_shared.rules.periods import BillingPeriod


def dialect_of(session: AsyncSession) -> str:
    """``postgresql`` or ``sqlite``: the bulk paths of the close differ by database."""
    return session.get_bind().dialect.name


def _bounds(period: BillingPeriod) -> tuple[datetime, datetime]:
    return datetime.combine(period.start, time()), datetime.combine(
        period.end + timedelta(days=1), time()
    )


def _in_period(table: Any, period: BillingPeriod) -> list[Any]:
    """``table``'s intervals with a minute in the period, not only those starting in it: a
    presence running past the Sunday midnight that opens the period is billed here for its
    hours after midnight (and in the previous period for those before)."""
    return overlapping(table, *_bounds(period))


async def children_of(session: AsyncSession, period: BillingPeriod) -> list[str]:
    """Children billed in a period: a valid contract or any record in it, sorted by id."""
    end = period.end
    queries: list[Select] = [  # type: ignore[type-arg]
        select(cv.c.child_id).where(cv.c.valid_from <= end, cv.c.valid_until >= period.start),
        select(presences.c.child_id).where(*_in_period(presences, period)),
        select(reservations.c.child_id).where(*_in_period(reservations, period)),
        select(meals.c.child_id).where(meals.c.day >= period.start, meals.c.day <= end),
        select(charges.c.child_id).where(charges.c.day >= period.start, charges.c.day <= end),
        select(sheets.c.child_id).where(sheets.c.month == period.month),
    ]
    rows = await session.execute(union(*queries))
    return sorted(rows.scalars())


async def provider_book(session: AsyncSession) -> ProviderBook:
    rows = await session.execute(select(provider_terms))
    return ProviderBook(
        [
            ProviderTerms(
                r.provider_id,
                r.effective_from,
                r.provider_type,
                r.commune,
                r.hourly_price,
                r.meal_price,
                r.plurilingual,
            )
            for r in rows
        ]
    )


def _of(column: Any, *, child_ids: list[str], dialect: str) -> Any:
    """``column IN child_ids``: one array parameter on PostgreSQL (no 500-parameter list)."""
    if dialect == "postgresql":
        return column == any_(bindparam("child_ids", child_ids, type_=ARRAY(String)))
    return column.in_(child_ids)


async def _rows(session: AsyncSession, query: Any) -> list[tuple[Any, ...]]:
    """The query's rows as tuples; on PostgreSQL straight from asyncpg (no SQLAlchemy rows)."""
    driver = await asyncpg_connection(session)
    if driver is None:
        return list(map(tuple, (await session.execute(query)).all()))
    compiled = query.compile(dialect=session.get_bind().dialect)
    params = compiled.params
    records = await driver.fetch(str(compiled), *(params[k] for k in compiled.positiontup))
    return list(map(tuple, records))


async def _presences(
    session: AsyncSession, period: BillingPeriod, of_children: Any
) -> list[tuple[Any, ...]]:
    """The period's presences of the chunk, one row per child: (child, ids, providers,
    starts, ends) in (start, id) order. PostgreSQL aggregates them (``array_agg``): far
    fewer rows to decode than one per presence."""
    order = (presences.c.start, presences.c.presence_id)
    where = [of_children, *_in_period(presences, period)]
    where.append(presences.c.voided.is_(False))
    if dialect_of(session) == "postgresql":
        columns = [presences.c.presence_id, presences.c.provider_id]
        columns += [presences.c.start, presences.c.end]
        return await _rows(
            session,
            select(
                presences.c.child_id,
                *[func.array_agg(aggregate_order_by(c, *order)) for c in columns],
            )
            .where(*where)
            .group_by(presences.c.child_id)
            .order_by(presences.c.child_id),
        )
    rows = await _rows(
        session,
        select(
            presences.c.child_id,
            presences.c.presence_id,
            presences.c.provider_id,
            presences.c.start,
            presences.c.end,
        )
        .where(*where)
        .order_by(presences.c.child_id, *order),
    )
    grouped = []
    for child, group in groupby(rows, key=itemgetter(0)):
        _, ids, providers, starts, ends = zip(*group, strict=True)
        grouped.append((child, ids, providers, starts, ends))
    return grouped


def _contracts(of: Any) -> Select:  # type: ignore[type-arg]
    columns = [cv.c.child_id, cv.c.contract_id, cv.c.version, cv.c.household_id, cv.c.category]
    columns += [cv.c.rank, cv.c.schooling, cv.c.birth_date, cv.c.valid_from, cv.c.valid_until]
    columns += [cv.c.effective_from, cv.c.language, cv.c.state_pays_all]
    return (
        select(*columns)
        .where(of(cv.c.child_id))
        .order_by(cv.c.child_id, cv.c.contract_id, cv.c.version)
    )


def _education(period: BillingPeriod, of: Any) -> Select:  # type: ignore[type-arg]
    return (
        select(
            edu.c.child_id,
            edu.c.provider_id,
            edu.c.start,
            edu.c.end,
            edu.c.hourly_price,
            edu.c.billing_mode,
        )
        .where(
            of(edu.c.child_id),
            edu.c.start <= period.end,
            or_(edu.c.end.is_(None), edu.c.end >= period.start),
        )
        .order_by(edu.c.child_id, edu.c.start, edu.c.contract_id)
    )


def _reservations(period: BillingPeriod, of: Any) -> Select:  # type: ignore[type-arg]
    r = reservations.c
    return (
        select(r.child_id, r.reservation_id, r.provider_id, r.start, r.end)
        .where(of(r.child_id), *_in_period(reservations, period))
        .order_by(r.child_id, r.start, r.reservation_id)
    )


def _meals(period: BillingPeriod, of: Any) -> Select:  # type: ignore[type-arg]
    return (
        select(meals.c.child_id, meals.c.meal_id, meals.c.provider_id, meals.c.day, meals.c.count)
        .where(
            of(meals.c.child_id),
            and_(meals.c.day >= period.start, meals.c.day <= period.end),
            meals.c.voided.is_(False),
        )
        .order_by(meals.c.child_id, meals.c.day, meals.c.meal_id)
    )


def _sheets(period: BillingPeriod, of: Any) -> Select:  # type: ignore[type-arg]
    return (
        select(sheets.c.child_id, sheets.c.sheet_id, sheets.c.provider_id, sheets.c.days)
        .where(of(sheets.c.child_id), sheets.c.month == period.month)
        .order_by(sheets.c.child_id, sheets.c.provider_id)
    )


def _charges(period: BillingPeriod, of: Any) -> Select:  # type: ignore[type-arg]
    c = charges.c
    return (
        select(c.child_id, c.charge_id, c.provider_id, c.day, c.kind, c.amount, c.description)
        .where(of(c.child_id), c.day >= period.start, c.day <= period.end)
        .order_by(c.child_id, c.day, c.charge_id)
    )


def _plurilingual(period: BillingPeriod, of: Any) -> Select:  # type: ignore[type-arg]
    weeks = plurilingual_week.c
    return select(weeks.child_id, weeks.week_start).where(
        of(weeks.child_id),
        weeks.week_start >= date(period.start.year, 1, 1),
        weeks.week_start < period.start,
    )


async def fetch_rows(
    session: AsyncSession, period: BillingPeriod, child_ids: list[str]
) -> ChunkRows:
    """Every projection row the close needs of these children in this period: one query
    per table, each ordered by child (then a stable key)."""
    of = partial(_of, child_ids=child_ids, dialect=dialect_of(session))
    return ChunkRows(
        await _rows(session, _contracts(of)),
        await _rows(session, _education(period, of)),
        await _presences(session, period, of(presences.c.child_id)),
        await _rows(session, _reservations(period, of)),
        await _rows(session, _meals(period, of)),
        await _rows(session, _sheets(period, of)),
        await _rows(session, _charges(period, of)),
        await _rows(session, _plurilingual(period, of)),
    )


async def load_children(
    session: AsyncSession, period: BillingPeriod, child_ids: list[str]
) -> dict[str, ChildData]:
    """Everything the close needs of these children in this period (one query per table)."""
    return children_data(await fetch_rows(session, period, child_ids), child_ids)
