"""Reads of meals and reservations, with the access rules of `GET /presences`."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance import access
from csa_attendance.presences import repository
from csa_attendance.presences.schemas import MealOut, MealPage, ReservationOut, ReservationPage
from csa_attendance.tables import meals, reservations
from csa_shared.auth import Principal
from csa_shared.http.app import session
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["presences"])
RESPONSES: dict[int | str, dict[str, Any]] = {k: PROBLEM_RESPONSES[k] for k in (401, 403, 422)}
AGENTS_PROVIDER = Query(None, description="Agents: required")
STATUS = Query(None, alias="status")


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
    provider_id: str | None = AGENTS_PROVIDER,
    child_id: str | None = None,
    day_from: date | None = Query(None, alias="from"),
    day_to: date | None = Query(None, alias="to"),
    status_: Literal["active", "voided"] | None = STATUS,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    unit: AsyncSession = Depends(session),
    principal: Principal = Depends(authenticated),
) -> MealPage:
    provider_id, children = access.read_scope(
        principal, provider_id=provider_id, child_id=child_id, what="meals"
    )
    rows, total = await repository.search(
        unit,
        provider_id=provider_id,
        children=children,
        day_from=day_from,
        day_to=day_to,
        status=status_,
        limit=limit,
        offset=offset,
        table=meals,
    )
    return MealPage(items=[meal_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/reservations",
    response_model=ReservationPage,
    responses=RESPONSES,
    summary="Reservations: a provider's own, a parent's children's, or per provider (agents)",
)
async def list_reservations(
    provider_id: str | None = AGENTS_PROVIDER,
    child_id: str | None = None,
    day_from: date | None = Query(None, alias="from"),
    day_to: date | None = Query(None, alias="to"),
    status_: Literal["active", "voided"] | None = STATUS,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    unit: AsyncSession = Depends(session),
    principal: Principal = Depends(authenticated),
) -> ReservationPage:
    provider_id, children = access.read_scope(
        principal, provider_id=provider_id, child_id=child_id, what="reservations"
    )
    rows, total = await repository.search(
        unit,
        provider_id=provider_id,
        children=children,
        day_from=day_from,
        day_to=day_to,
        status=status_,
        limit=limit,
        offset=offset,
        table=reservations,
    )
    return ReservationPage(
        items=[reservation_out(r) for r in rows], total=total, limit=limit, offset=offset
    )
