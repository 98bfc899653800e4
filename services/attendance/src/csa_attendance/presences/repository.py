"""Every query of the presences module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.tables import presences


async def by_provider_record(
    session: AsyncSession, *, provider_id: str, record_id: str
) -> Any | None:
    result = await session.execute(
        select(presences).where(
            presences.c.provider_id == provider_id,
            presences.c.provider_record_id == record_id,
        )
    )
    return result.first()


async def insert(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(presences.insert().values(**row))
