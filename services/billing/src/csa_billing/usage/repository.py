"""What the current usage reads: the open period, a child's records in it (the close's own
loading of the projections) and the providers' names."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.periods.inputs import ChildData, ProviderBook
from csa_billing.periods.repository.projections import load_children, provider_book
from csa_billing.projections.store import closed_months
from csa_billing.tables import provider_terms
from csa_shared.rules.periods import BillingPeriod, billing_period_of


async def open_period(session: AsyncSession, today: date) -> BillingPeriod:
    """The period holding ``today``, or the first after it whose close has not started
    (a period is closed once, after its grace days: usually the period of today)."""
    period = billing_period_of(today)
    frozen = await closed_months(session)
    while period.month in frozen:
        period = billing_period_of(period.end + timedelta(days=1))
    return period


async def records(
    session: AsyncSession, period: BillingPeriod, child_ids: list[str]
) -> tuple[dict[str, ChildData], ProviderBook]:
    """Every projected record of the children in the period and the providers' terms:
    exactly what the close reads, so corrections, voids and late records count as there."""
    return await load_children(session, period, child_ids), await provider_book(session)


async def provider_names(session: AsyncSession, ids: set[str]) -> dict[str, str]:
    """Each provider's newest name."""
    if not ids:
        return {}
    rows = await session.execute(
        select(provider_terms.c.provider_id, provider_terms.c.name)
        .where(provider_terms.c.provider_id.in_(ids))
        .order_by(provider_terms.c.effective_from)
    )
    return {pid: name for pid, name in rows.all()}  # the newest last: it wins
