"""HTTP routes of meal records: one meal (provider systems; the batch's ingest), corrections
(provider systems) and reads."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.meals import repository, service
from csa_attendance.meals.schemas import (
    MealAmendIn,
    MealOut,
    MealPage,
    corrected_meal_json,
    meal_out,
)
from csa_attendance.presences.endpoints import ingest_one
from csa_attendance.presences.reads import ReadFilter, page_of
from csa_attendance.presences.schemas import MealIn, VoidIn
from csa_attendance.tables import meals
from csa_shared.auth import Principal
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(tags=["presences"])
CORRECTION_PROBLEMS = problem_responses(404, 422)


@router.post(
    "/meals",
    status_code=status.HTTP_201_CREATED,
    response_model=MealOut,
    responses={
        200: {"model": MealOut, "description": "Already recorded (idempotent repeat)"},
        **problem_responses(409, 422),
    },
    summary="Record one meal (provider system): a batch's meal item, alone",
)
async def post_meal(
    body: MealIn,
    request: Request,
    response: Response,
    principal: Principal = Depends(authenticated),
) -> MealOut:
    one = await ingest_one(request, principal, body)
    if one.fields is None:
        response.status_code = status.HTTP_200_OK
        async with runtime_of(request).unit_of_work() as unit:
            return meal_out(await repository.meal_row(unit, one.id))
    return MealOut(**one.fields)


async def _corrected(
    request: Request, principal: Principal, meal_id: str, amend: MealAmendIn | None, reason: str
) -> Response:
    """The corrected meal as `MealOut` documents it (`corrected_meal_json`). No session
    unless the correction takes the locked path (`service.correct_meal`)."""
    row, current = await service.correct_meal(
        runtime_of(request), principal, meal_id, amend, reason
    )
    return Response(orjson.dumps(corrected_meal_json(row, current)), media_type="application/json")


@router.post(
    "/meals/{meal_id}/amend",
    response_model=MealOut,
    responses=CORRECTION_PROBLEMS,
    summary="Amend a meal record's day or count with a reason",
)
async def amend(
    meal_id: str,
    body: MealAmendIn,
    request: Request,
    principal: Principal = Depends(authenticated),
) -> Response:
    return await _corrected(request, principal, meal_id, body, body.reason)


@router.post(
    "/meals/{meal_id}/void",
    response_model=MealOut,
    responses=CORRECTION_PROBLEMS,
    summary="Void a meal record with a reason",
)
async def void(
    meal_id: str,
    body: VoidIn,
    request: Request,
    principal: Principal = Depends(authenticated),
) -> Response:
    return await _corrected(request, principal, meal_id, None, body.reason)


@router.get(
    "/meals",
    response_model=MealPage,
    responses=problem_responses(422),
    summary="Meals: a provider's own, a parent's children's, or per provider (agents)",
)
async def list_meals(
    query: ReadFilter = Depends(),
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> MealPage:
    rows, next_cursor = await page_of(unit, principal, query, what="meals", table=meals)
    return MealPage(items=[meal_out(r) for r in rows], next_cursor=next_cursor)
