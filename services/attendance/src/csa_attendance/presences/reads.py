"""The reads of every list of declarations (presences, meals, reservations): one query
model, one set of access rules (`access.read_scope`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import Query
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance import access
from csa_attendance.presences import repository
from csa_attendance.registry import service as registry
from csa_shared.auth import Principal
from csa_shared.http.bounds import SafeText, SaneDate, SaneMonth
from csa_shared.http.pagination import PageParams


@dataclass(frozen=True)
class ReadFilter(PageParams):
    """The query of every list of declarations (presences, meals, reservations): ``limit``
    and ``cursor`` (``csa_shared.http.pagination``) and the filters."""

    provider_id: Annotated[
        SafeText | None,
        Query(max_length=64, description="Only this provider's (agents: required)"),
    ] = None
    child_id: Annotated[SafeText | None, Query(max_length=64, description="Only this child's")] = (
        None
    )
    month: Annotated[SaneMonth | None, Query(description="Only those of this month (YYYY-MM)")] = (
        None
    )
    day_from: Annotated[
        SaneDate | None, Query(alias="from", description="Only those from this day on")
    ] = None
    day_to: Annotated[
        SaneDate | None, Query(alias="to", description="Only those until this day, inclusive")
    ] = None
    status: Annotated[
        Literal["active", "voided"] | None,
        Query(alias="status", description="Only the active (or the voided) ones"),
    ] = None

    def days(self) -> tuple[date | None, date | None]:
        """The first and last day asked for: ``from``/``to`` within ``month``."""
        first, last = self.day_from, self.day_to
        if self.month is not None:
            start = date.fromisoformat(f"{self.month}-01")
            end = (start + timedelta(days=31)).replace(day=1) - timedelta(days=1)
            first = start if first is None else max(first, start)
            last = end if last is None else min(last, end)
        return first, last


async def page_of(
    unit: AsyncSession, principal: Principal, query: ReadFilter, *, what: str, table: Table
) -> tuple[list[Any], str | None]:
    """A page of the rows of ``table`` the principal may see (access rules of
    ``access.read_scope``) and the next page's cursor (None on the last page)."""
    provider_id, children = access.read_scope(
        principal, provider_id=query.provider_id, child_id=query.child_id, what=what
    )
    if access.is_agent(principal) and provider_id is not None:
        await registry.require_agent_reads(unit, principal, provider_id)
    day_from, day_to = query.days()
    return await repository.search(
        unit,
        provider_id=provider_id,
        children=children,
        day_from=day_from,
        day_to=day_to,
        status=query.status,
        page=query,
        table=table,
    )
