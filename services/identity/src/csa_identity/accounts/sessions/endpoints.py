"""Session endpoints: refresh-token rotation and logout (thin: parse, call, shape)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from csa_identity.accounts.schemas import TokensOut
from csa_identity.accounts.sessions import service
from csa_identity.accounts.sessions.schemas import RefreshIn
from csa_identity.problems import SESSION_PROBLEMS
from csa_shared.http.app import runtime_of
from csa_shared.http.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["parent accounts"])
_INVALID = {422: PROBLEM_RESPONSES[422]}


@router.post(
    "/sessions/refresh",
    summary="Swap a refresh token for new tokens (a reused one revokes the session)",
    responses={**SESSION_PROBLEMS, **_INVALID},
)
async def refresh(body: RefreshIn, request: Request) -> TokensOut:
    tokens = await service.refresh(runtime_of(request), refresh_token=body.refresh_token)
    return TokensOut.of(tokens)


@router.post(
    "/logout",
    status_code=204,
    summary="Revoke the session of this refresh token",
    responses=_INVALID,
)
async def logout(body: RefreshIn, request: Request) -> Response:
    await service.logout(runtime_of(request), refresh_token=body.refresh_token)
    return Response(status_code=204)
