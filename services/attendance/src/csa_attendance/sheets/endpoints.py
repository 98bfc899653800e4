"""HTTP routes: /v1/service-sheets (the agency), /v1/other-charges (provider systems)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance import access
from csa_attendance.sheets import repository, service
from csa_attendance.sheets.schemas import (
    OtherChargeIn,
    OtherChargeOut,
    ServiceSheetHistory,
    ServiceSheetIn,
    ServiceSheetOut,
)
from csa_shared.auth import Principal
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(tags=["service sheets and other charges"])


@router.post(
    "/service-sheets",
    status_code=status.HTTP_201_CREATED,
    response_model=ServiceSheetOut,
    responses=problem_responses(404, 422),
    summary="Submit an AP service sheet for a child and billing period (replaces earlier ones)",
)
async def submit_sheet(
    body: ServiceSheetIn,
    request: Request,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> ServiceSheetOut:
    runtime = runtime_of(request)
    return await service.submit(unit, runtime.outbox, principal, body, source=runtime.source)


@router.get(
    "/service-sheets/{provider_id}/{child_id}/{month}",
    response_model=ServiceSheetHistory,
    responses=problem_responses(404),
    summary="A service sheet with every submitted version",
)
async def sheet_history(
    provider_id: str,
    child_id: str,
    month: str,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> ServiceSheetHistory:
    return await service.sheet_history(unit, principal, provider_id, child_id, month)


@router.post(
    "/other-charges",
    status_code=status.HTTP_201_CREATED,
    response_model=OtherChargeOut,
    responses={
        200: {"model": OtherChargeOut, "description": "Already recorded (repeat)"},
        **problem_responses(409, 422),
    },
    summary="Record a charge outside the CSA (billed to the parent in full)",
)
async def record_charge(
    body: OtherChargeIn,
    request: Request,
    response: Response,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> OtherChargeOut:
    runtime = runtime_of(request)
    out, created = await service.record_charge(
        unit, runtime.outbox, principal, body, source=runtime.source
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return out


@router.get(
    "/other-charges",
    response_model=list[OtherChargeOut],
    responses=problem_responses(422),
    summary="The provider's own charges outside the CSA",
)
async def list_charges(
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> list[OtherChargeOut]:
    rows = await repository.charges_of(unit, access.provider_of(principal), limit, offset)
    return [service.charge_out(r) for r in rows]
