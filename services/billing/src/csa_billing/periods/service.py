"""The periods as the API serves them: a close requested, a period's status and totals
(an agent sees its scope's providers only)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.invoices import reads
from csa_billing.invoices.schemas import PeriodOut, ProviderTotal
from csa_billing.periods import jobs
from csa_billing.periods.close import CloseOptions, open_period, period_status_in
from csa_billing.periods.settings import closes_in_this_process
from csa_shared.auth import Principal, PrincipalKind, agent_sees_provider
from csa_shared.errors import NotFound
from csa_shared.runtime import ServiceRuntime


async def request_close(
    runtime: ServiceRuntime, month: str, principal: Principal
) -> tuple[PeriodOut, bool]:
    """Record ``month`` as closing and, when closes run in the API process, start its close
    in the background; (the period as ``principal`` sees it, whether it was already
    closed)."""
    options = CloseOptions()
    row = await open_period(runtime, month, options)
    closed = row.status == "closed"
    if not closed and closes_in_this_process():
        jobs.start(runtime, row.month, options)
    async with runtime.sessions() as unit:
        return await period_view(unit, row, principal), closed


async def period_status(unit: AsyncSession, month: str, principal: Principal) -> PeriodOut:
    """The period's status, progress and totals (404 before its close started)."""
    row = await period_status_in(unit, month)
    if row is None:
        raise NotFound(f"period {month} has not been closed")
    return await period_view(unit, row, principal)


async def period_view(unit: AsyncSession, row: Any, principal: Principal) -> PeriodOut:
    totals = await reads.state_totals(unit, row.month)
    if principal.kind is not PrincipalKind.SERVICE:  # an agent: its scope's providers only
        types = await reads.provider_types(unit, {t.provider_id for t in totals})
        totals = [
            t
            for t in totals
            if t.provider_id in types
            and agent_sees_provider(principal, types[t.provider_id], t.commune or "")
        ]
    communes: dict[str, Decimal] = defaultdict(Decimal)
    for t in totals:
        communes[t.commune or "unknown"] += t.state_total
    return PeriodOut(
        **{k: getattr(row, k) for k in PeriodOut.model_fields if hasattr(row, k)},
        providers=[
            ProviderTotal(provider_id=t.provider_id, commune=t.commune, state_total=t.state_total)
            for t in totals
        ],
        communes=dict(communes),
    )
