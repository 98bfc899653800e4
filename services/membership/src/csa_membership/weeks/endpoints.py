"""HTTP routes of the weeks module (thin: parse, call the use case, shape the answer)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from csa_membership.domain.weeks import WeekOffer
from csa_membership.weeks import service
from csa_membership.weeks.repository import SignUp, StoredWeek
from csa_membership.weeks.schemas import SignUpIn, SignUpOut, WeekIn, WeekOut
from csa_shared.auth import Principal
from csa_shared.http.auth import authenticated
from csa_shared.http.bounds import SafeText
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(tags=["plurilingual weeks"])

Unit = Annotated[AsyncSession, UNIT]
Caller = Annotated[Principal, Depends(authenticated)]
WeekId = Annotated[SafeText, Path(max_length=64)]
ChildId = Annotated[SafeText, Path(max_length=64)]


def week_out(week: StoredWeek) -> WeekOut:
    return WeekOut(week_id=week.week_id, places_left=week.places_left, **asdict(week.offer))


def sign_up_out(found: SignUp) -> SignUpOut:
    return SignUpOut(
        week_id=found.week.week_id,
        child_id=found.child_id,
        status="cancelled" if found.status == "cancelled" else "signed_up",
        signed_up_at=found.signed_up_at,
        cancelled_at=found.cancelled_at,
        week=week_out(found.week),
    )


@router.post(
    "/weeks",
    status_code=status.HTTP_201_CREATED,
    response_model=WeekOut,
    responses=problem_responses(403, 422),
    summary="Offer a plurilingual education week (its provider, or a competent agent)",
)
async def post_week(body: WeekIn, unit: Unit, caller: Caller) -> WeekOut:
    offer = WeekOffer(**(body.model_dump() | {"languages": tuple(body.languages)}))
    return week_out(await service.enter_week(unit, caller, offer))


@router.get(
    "/weeks",
    response_model=list[WeekOut],
    responses=problem_responses(403, 422),
    summary="Weeks on offer not started yet, with places left (for child_id: those its age fits)",
)
async def get_weeks(
    unit: Unit,
    caller: Caller,
    provider_id: Annotated[SafeText | None, Query(max_length=64)] = None,
    child_id: Annotated[SafeText | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[WeekOut]:
    found = await service.weeks_on_offer(
        unit, caller, provider_id=provider_id, child_id=child_id, limit=limit
    )
    return [week_out(w) for w in found]


@router.get(
    "/weeks/{week_id}",
    response_model=WeekOut,
    responses=problem_responses(404),
    summary="One week on offer with its places left",
)
async def get_week(week_id: WeekId, unit: Unit, caller: Caller) -> WeekOut:
    return week_out(await service.read_week(unit, week_id))


@router.post(
    "/weeks/{week_id}/sign-ups",
    status_code=status.HTTP_201_CREATED,
    response_model=SignUpOut,
    responses={
        200: {"model": SignUpOut, "description": "The child was already signed up"},
        **problem_responses(403, 404, 409, 422),
    },
    summary="Sign a child up (its parent; within the places, the age band, a contract in force)",
)
async def post_sign_up(
    week_id: WeekId, body: SignUpIn, response: Response, unit: Unit, caller: Caller
) -> SignUpOut:
    done = await service.sign_up(unit, caller, week_id, body.child_id)
    if not done.created:
        response.status_code = status.HTTP_200_OK
    return sign_up_out(done.sign_up)


@router.post(
    "/weeks/{week_id}/sign-ups/{child_id}/cancellation",
    response_model=SignUpOut,
    responses=problem_responses(403, 404, 422),
    summary="Cancel a child's sign-up before the week starts (the place is free again)",
)
async def post_cancellation(
    week_id: WeekId, child_id: ChildId, unit: Unit, caller: Caller
) -> SignUpOut:
    return sign_up_out(await service.cancel(unit, caller, week_id, child_id))


@router.get(
    "/weeks/{week_id}/sign-ups",
    response_model=list[SignUpOut],
    responses=problem_responses(403, 404),
    summary="The week's sign-ups (its provider, or a competent agent)",
)
async def get_week_sign_ups(week_id: WeekId, unit: Unit, caller: Caller) -> list[SignUpOut]:
    return [sign_up_out(s) for s in await service.sign_ups_of_week(unit, caller, week_id)]


@router.get(
    "/children/{child_id}/week-sign-ups",
    response_model=list[SignUpOut],
    responses=problem_responses(403),
    summary="A child's sign-ups for plurilingual weeks, standing and cancelled (its parent)",
)
async def get_child_sign_ups(child_id: ChildId, unit: Unit, caller: Caller) -> list[SignUpOut]:
    return [sign_up_out(s) for s in await service.sign_ups_of_child(unit, caller, child_id)]
