"""Meal corrections: amend (day / count) or void a meal record with a reason; history kept."""

from __future__ import annotations

from datetime import datetime, time

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance import access
from csa_attendance.domain.corrections import amend_meal, void_meal
from csa_attendance.domain.errors import AttendanceDomainError
from csa_attendance.domain.ledger import AttendanceState
from csa_attendance.events import to_envelope
from csa_attendance.presences import repository
from csa_attendance.presences.schemas import MealOut, VoidIn
from csa_attendance.problems import as_problem
from csa_attendance.registry import repository as registry
from csa_attendance.tables import meal_versions
from csa_shared.auth import Principal
from csa_shared.clock import luxembourg_now
from csa_shared.errors import NotFound
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.bounds import SafeText, SaneDate
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT
from csa_shared.messaging.outbox import add_to_outbox

router = APIRouter(tags=["presences"])
RESPONSES = problem_responses(404, 422)


class MealAmendIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"day": "2025-03-03", "count": 2, "reason": "dinner"}]},
    )

    day: SaneDate
    count: int
    reason: SafeText = Field(min_length=1, max_length=500)


async def correct_meal(
    unit: AsyncSession,
    outbox: Table,
    principal: Principal,
    meal_id: str,
    amend: MealAmendIn | None,
    reason: str,
    *,
    source: str,
) -> MealOut:
    provider_id = access.provider_of(principal)
    row = await repository.meal_row(unit, meal_id)
    if row is None or row.provider_id != provider_id:
        raise NotFound(f"no meal {meal_id}")
    await repository.lock_provider(unit, provider_id)
    days = [row.day, amend.day] if amend else [row.day]
    lo, hi = datetime.combine(min(days), time()), datetime.combine(max(days), time.max)
    p, m, r, _ = await repository.load_records(
        unit, provider_id, [row.provider_record_id], {row.child_id}, lo, hi
    )
    history = next(h for h in m if h.key.record_id == row.provider_record_id)
    closed = await registry.closed_months(unit)
    try:
        if amend is None:
            new, event = void_meal(
                history, reason=reason, now=luxembourg_now(), closed_months=closed
            )
        else:
            state = AttendanceState(
                providers=await registry.load_providers(unit, [provider_id]),
                contracts=await registry.contracts_of(
                    unit, provider_id=provider_id, child_ids=[row.child_id]
                ),
                presences=p,
                meals=m,
                reservations=r,
            )
            new, event = amend_meal(
                history,
                day=amend.day,
                count=amend.count,
                reason=reason,
                state=state,
                now=luxembourg_now(),
                closed_months=closed,
            )
    except AttendanceDomainError as exc:
        raise as_problem(exc) from exc
    await repository.keep_first_version(unit, meal_versions, row)
    await repository.save_meal_version(unit, meal_id, new.current)
    await add_to_outbox(unit, outbox, to_envelope(event, source=source, entity_id=meal_id))
    c = new.current
    return MealOut(
        id=meal_id,
        provider_id=provider_id,
        record_id=row.provider_record_id,
        child_id=row.child_id,
        day=c.content.day,
        count=c.content.count,
        version=c.version,
        status=c.status.value,
    )


@router.post(
    "/meals/{meal_id}/amend",
    response_model=MealOut,
    responses=RESPONSES,
    summary="Amend a meal record's day or count with a reason",
)
async def amend(
    meal_id: str,
    body: MealAmendIn,
    request: Request,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> MealOut:
    rt = runtime_of(request)
    return await correct_meal(
        unit, rt.outbox, principal, meal_id, body, body.reason, source=rt.source
    )


@router.post(
    "/meals/{meal_id}/void",
    response_model=MealOut,
    responses=RESPONSES,
    summary="Void a meal record with a reason",
)
async def void(
    meal_id: str,
    body: VoidIn,
    request: Request,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> MealOut:
    rt = runtime_of(request)
    return await correct_meal(
        unit, rt.outbox, principal, meal_id, None, body.reason, source=rt.source
    )
