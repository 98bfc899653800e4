"""HTTP routes of the privacy module (thin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.privacy import service
from csa_identity.privacy.schemas import IdentityExport
from csa_shared.auth import Principal
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(prefix="/privacy", tags=["privacy"])


@router.get(
    "/children/{child_id}/export",
    response_model=IdentityExport,
    responses=problem_responses(404, 422),
    summary="Everything identity holds about a child and its parent accounts (GDPR art. 15; "
    "no secret): the child's parent or a privacy officer",
)
async def get_export(
    child_id: str,
    request: Request,
    unit: Annotated[AsyncSession, UNIT],
    caller: Annotated[Principal, Depends(authenticated)],
) -> IdentityExport:
    return await service.export(unit, runtime_of(request), caller, child_id)
