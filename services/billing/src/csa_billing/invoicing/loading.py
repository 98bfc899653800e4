"""Queries reading the projections for the close: children of a period, chunk data."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.invoicing.inputs import (
    Charge,
    ChildData,
    ContractTerms,
    EducationContract,
    Interval,
    Meal,
    ProviderBook,
    ProviderTerms,
    Sheet,
)
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
from csa_shared.rules.periods import BillingPeriod


def _bounds(period: BillingPeriod) -> tuple[datetime, datetime]:
    return datetime.combine(period.start, time()), datetime.combine(
        period.end + timedelta(days=1), time()
    )


async def children_of(session: AsyncSession, period: BillingPeriod) -> list[str]:
    """Children billed in a period: a valid contract or any record in it, sorted by id."""
    lo, hi = _bounds(period)
    end = period.end
    queries: list[Select] = [  # type: ignore[type-arg]
        select(cv.c.child_id).where(cv.c.valid_from <= end, cv.c.valid_until >= period.start),
        select(presences.c.child_id).where(presences.c.start >= lo, presences.c.start < hi),
        select(reservations.c.child_id).where(
            reservations.c.start >= lo, reservations.c.start < hi
        ),
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


async def load_children(
    session: AsyncSession, period: BillingPeriod, child_ids: list[str]
) -> dict[str, ChildData]:
    """Everything the close needs of these children in this period (a few queries)."""
    data = {child: ChildData(child) for child in child_ids}
    lo, hi = _bounds(period)
    rows = await session.execute(select(cv).where(cv.c.child_id.in_(child_ids)))
    for r in rows:
        data[r.child_id].contracts.append(
            ContractTerms(
                r.contract_id,
                r.version,
                r.household_id,
                r.category,
                r.rank,
                r.schooling,
                r.birth_date,
                r.valid_from,
                r.valid_until,
                r.effective_from,
                r.language,
            )
        )
    rows = await session.execute(
        select(edu).where(
            edu.c.child_id.in_(child_ids),
            edu.c.start <= period.end,
            or_(edu.c.end.is_(None), edu.c.end >= period.start),
        )
    )
    for r in rows:
        data[r.child_id].education.append(
            EducationContract(r.provider_id, r.start, r.end, r.hourly_price, r.billing_mode)
        )
    rows = await session.execute(
        select(
            presences.c.presence_id,
            presences.c.child_id,
            presences.c.provider_id,
            presences.c.start,
            presences.c.end,
        ).where(
            presences.c.child_id.in_(child_ids),
            presences.c.start >= lo,
            presences.c.start < hi,
            presences.c.voided.is_(False),
        )
    )
    for r in rows:
        data[r.child_id].presences.append(Interval(r.presence_id, r.provider_id, r.start, r.end))
    rows = await session.execute(
        select(reservations).where(
            reservations.c.child_id.in_(child_ids),
            reservations.c.start >= lo,
            reservations.c.start < hi,
        )
    )
    for r in rows:
        data[r.child_id].reservations.append(
            Interval(r.reservation_id, r.provider_id, r.start, r.end)
        )
    rows = await session.execute(
        select(meals).where(
            meals.c.child_id.in_(child_ids),
            and_(meals.c.day >= period.start, meals.c.day <= period.end),
            meals.c.voided.is_(False),
        )
    )
    for r in rows:
        data[r.child_id].meals.append(Meal(r.meal_id, r.provider_id, r.day, r.count))
    rows = await session.execute(
        select(sheets).where(sheets.c.child_id.in_(child_ids), sheets.c.month == period.month)
    )
    for r in rows:
        data[r.child_id].sheets.append(Sheet(r.sheet_id, r.provider_id, json.loads(r.days)))
    rows = await session.execute(
        select(charges).where(
            charges.c.child_id.in_(child_ids),
            charges.c.day >= period.start,
            charges.c.day <= period.end,
        )
    )
    for r in rows:
        data[r.child_id].charges.append(
            Charge(r.charge_id, r.provider_id, r.day, r.kind, r.amount, r.description)
        )
    rows = await session.execute(
        select(plurilingual_week.c.child_id, plurilingual_week.c.week_start).where(
            plurilingual_week.c.child_id.in_(child_ids),
            plurilingual_week.c.week_start >= date(period.start.year, 1, 1),
            plurilingual_week.c.week_start < period.start,
        )
    )
    for r in rows:
        data[r.child_id].plurilingual_used.add(r.week_start)
    return data
