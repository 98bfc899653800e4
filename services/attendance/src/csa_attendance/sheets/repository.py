"""Every query of service sheets and other charges."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.tables import other_charges, service_sheets


async def sheet_versions(
    session: AsyncSession, provider_id: str, child_id: str, month: str
) -> list[Any]:
    query = (
        select(service_sheets)
        .where(
            service_sheets.c.provider_id == provider_id,
            service_sheets.c.child_id == child_id,
            service_sheets.c.month == month,
        )
        .order_by(service_sheets.c.version)
    )
    return list(await session.execute(query))


async def insert_sheet(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(service_sheets.insert().values(**row))


async def charge_by_record(session: AsyncSession, provider_id: str, record_id: str) -> Any:
    query = select(other_charges).where(
        other_charges.c.provider_id == provider_id,
        other_charges.c.provider_record_id == record_id,
    )
    return (await session.execute(query)).first()


async def insert_charge(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(other_charges.insert().values(**row))


async def charges_of(session: AsyncSession, provider_id: str, limit: int, offset: int) -> list[Any]:
    query = (
        select(other_charges)
        .where(other_charges.c.provider_id == provider_id)
        .order_by(other_charges.c.day, other_charges.c.id)
        .limit(limit)
        .offset(offset)
    )
    return list(await session.execute(query))
