"""HTTP routes of the privacy module (thin)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.privacy import service
from csa_attendance.privacy.schemas import AttendanceExport
from csa_shared.auth import Principal
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(prefix="/privacy", tags=["privacy"])


@router.get(
    "/children/{child_id}/export",
    response_model=AttendanceExport,
    responses=problem_responses(404, 422),
    summary="Every attendance record of a child with its history (GDPR art. 15): the "
    "child's parent or a privacy officer",
)
async def get_export(
    child_id: str,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> AttendanceExport:
    return await service.export(unit, principal, child_id)
