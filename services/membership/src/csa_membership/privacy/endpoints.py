"""HTTP routes of the privacy module (thin: parse, call the use case, shape the answer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from csa_membership.privacy import service
from csa_membership.privacy.schemas import ErasureIn, ErasureOut, MembershipExport
from csa_shared.auth import Principal
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(prefix="/privacy", tags=["privacy"])

Unit = Annotated[AsyncSession, UNIT]
Caller = Annotated[Principal, Depends(authenticated)]


@router.get(
    "/children/{child_id}/export",
    response_model=MembershipExport,
    responses=problem_responses(404, 422),
    summary="Everything membership holds about a child and its household (GDPR art. 15): "
    "the child's parent or a privacy officer",
)
async def get_export(child_id: str, unit: Unit, caller: Caller) -> MembershipExport:
    return await service.export(unit, caller, child_id)


@router.post(
    "/erasures",
    response_model=ErasureOut,
    responses=problem_responses(404, 422),
    summary="Erase a child's and its household's personal data (GDPR art. 17; privacy "
    "officer): active contracts terminated, names, national ids and addresses pseudonymised, "
    "child.erased emitted; invoices are kept",
)
async def post_erasure(body: ErasureIn, request: Request, unit: Unit, caller: Caller) -> ErasureOut:
    runtime = runtime_of(request)
    return await service.erase(unit, runtime.outbox, caller, body, source=runtime.source)
