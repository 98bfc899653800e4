"""Reads of meals and reservations, with the access rules of `GET /presences`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance import access
from csa_attendance.presences import repository
from csa_attendance.presences.schemas import MealOut, MealPage, ReservationOut, ReservationPage
from csa_attendance.registry import service as registry
from csa_attendance.tables import meals, reservations
from csa_shared.auth import Principal
from csa_shared.http.auth import authenticated
from csa_shared.http.bounds import SafeText, SaneDate
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(tags=["presences"])
RESPONSES = problem_responses(422)


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


def meal_out(row: Any) -> MealOut:
    return MealOut(
        id=row.id,
        provider_id=row.provider_id,
        record_id=row.provider_record_id,
        child_id=row.child_id,
        day=row.day,
        count=row.count,
        version=row.version,
        status=row.status,
    )


def reservation_out(row: Any) -> ReservationOut:
    return ReservationOut(
        id=row.id,
        provider_id=row.provider_id,
        record_id=row.provider_record_id,
        child_id=row.child_id,
        start=row.start,
        end=row.end,
        version=row.version,
        status=row.status,
    )


@router.get(
    "/meals",
    response_model=MealPage,
    responses=RESPONSES,
    summary="Meals: a provider's own, a parent's children's, or per provider (agents)",
)
async def list_meals(
    query: ReadFilter = Depends(),
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> MealPage:
    rows, total = await page_of(unit, principal, query, what="meals", table=meals)
    return MealPage(
        items=[meal_out(r) for r in rows], total=total, limit=query.limit, offset=query.offset
    )


@router.get(
    "/reservations",
    response_model=ReservationPage,
    responses=RESPONSES,
    summary="Reservations: a provider's own, a parent's children's, or per provider (agents)",
)
async def list_reservations(
    query: ReadFilter = Depends(),
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> ReservationPage:
    rows, total = await page_of(unit, principal, query, what="reservations", table=reservations)
    return ReservationPage(
        items=[reservation_out(r) for r in rows],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )
