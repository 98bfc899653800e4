"""HTTP routes of the presences module."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.presences.schemas import PresenceIn, PresenceOut
from csa_attendance.presences.service import record_presence
from csa_shared.http.app import runtime_of, session
from csa_shared.http.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/presences", tags=["presences"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PresenceOut,
    responses={
        200: {"model": PresenceOut, "description": "Already recorded (idempotent repeat)"},
        **{k: PROBLEM_RESPONSES[k] for k in (409, 422)},
    },
    summary="Record one presence",
)
async def post_presence(
    body: PresenceIn,
    request: Request,
    response: Response,
    unit: AsyncSession = Depends(session),
) -> PresenceOut:
    runtime = runtime_of(request)
    presence, created = await record_presence(unit, runtime.outbox, body, source=runtime.source)
    if not created:
        response.status_code = status.HTTP_200_OK
    return presence
