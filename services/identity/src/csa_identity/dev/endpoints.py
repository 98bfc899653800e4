"""``GET /v1/dev/sms`` and ``/v1/dev/letters``: so a person can try every flow locally.

Mounted only with ``CSA_DEV_MODE`` (``csa run`` turns it on); never in production.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.accounts.repository import list_sms
from csa_identity.adapters.letters import letter_pdf, list_letters
from csa_shared.errors import NotFound
from csa_shared.http.problems import PROBLEM_RESPONSES
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(prefix="/dev", tags=["development (embedded mode only)"])


class SmsOut(BaseModel):
    id: int
    phone: str
    body: str
    gateway: str
    created_at: datetime


class LetterOut(BaseModel):
    id: int
    kind: str
    child_id: str | None
    account_id: str | None
    language: str
    recipient: dict[str, Any]
    body: str
    created_at: datetime


@router.get("/sms", summary="Latest SMS recorded by the sink (newest first)")
async def read_sms(unit: AsyncSession = UNIT) -> list[SmsOut]:
    return [SmsOut(**row) for row in await list_sms(unit)]


@router.get("/letters", summary="Latest letters in the spool (newest first), text only")
async def read_letters(unit: AsyncSession = UNIT) -> list[LetterOut]:
    return [LetterOut(**row) for row in await list_letters(unit)]


@router.get(
    "/letters/{letter_id}.pdf",
    summary="One spooled letter as PDF",
    responses={
        404: PROBLEM_RESPONSES[404],
        422: PROBLEM_RESPONSES[422],
        200: {"content": {"application/pdf": {}}},
    },
)
async def read_letter_pdf(letter_id: int, unit: AsyncSession = UNIT) -> Response:
    pdf = await letter_pdf(unit, letter_id)
    if pdf is None:
        raise NotFound(f"no letter {letter_id}")
    return Response(pdf, media_type="application/pdf")
