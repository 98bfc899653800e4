"""The reads of every list of declarations (presences, meals, reservations): one query
model, one set of access rules (`access.read_scope`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Query
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance import access
from csa_attendance.presences import repository
from csa_attendance.registry import service as registry
from csa_shared.auth import Principal
from csa_shared.http.bounds import SafeText, SaneDate


@dataclass(frozen=True)
class ReadFilter:
    """The query of every list of declarations (presences, meals, reservations)."""

    provider_id: Annotated[
        SafeText | None, Query(max_length=64, description="Agents: required")
    ] = None
    child_id: Annotated[SafeText | None, Query(max_length=64)] = None
    day_from: Annotated[SaneDate | None, Query(alias="from")] = None
    day_to: Annotated[SaneDate | None, Query(alias="to")] = None
    status: Annotated[Literal["active", "voided"] | None, Query(alias="status")] = None
    limit: Annotated[int, Query(ge=1, le=1000)] = 100
    offset: Annotated[int, Query(ge=0)] = 0


async def page_of(
    unit: AsyncSession, principal: Principal, query: ReadFilter, *, what: str, table: Table
) -> tuple[list[Any], int]:
    """The rows of ``table`` the principal may see (access rules of ``access.read_scope``)."""
    provider_id, children = access.read_scope(
        principal, provider_id=query.provider_id, child_id=query.child_id, what=what
    )
    if access.is_agent(principal) and provider_id is not None:
        await registry.require_agent_reads(unit, principal, provider_id)
    return await repository.search(
        unit,
        provider_id=provider_id,
        children=children,
        day_from=query.day_from,
        day_to=query.day_to,
        status=query.status,
        limit=query.limit,
        offset=query.offset,
        table=table,
    )
