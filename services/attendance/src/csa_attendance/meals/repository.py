"""Every query of the meals module: a meal record and its corrections (the ingest of
meals, with presences and reservations, is `presences.repository`'s)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.domain.records import MealDeclaration, RecordVersion
from csa_attendance.tables import meal_versions, meals


async def meal_row(session: AsyncSession, meal_id: str) -> Any | None:
    return (await session.execute(select(meals).where(meals.c.id == meal_id))).first()


async def save_meal_version(
    session: AsyncSession, meal_id: str, version: RecordVersion[MealDeclaration]
) -> None:
    c = version.content
    await session.execute(
        update(meals)
        .where(meals.c.id == meal_id)
        .values(day=c.day, count=c.count, version=version.version, status=version.status.value)
    )
    await session.execute(
        meal_versions.insert().values(
            meal_id=meal_id,
            version=version.version,
            day=c.day,
            count=c.count,
            status=version.status.value,
            reason=version.reason,
            recorded_at=version.recorded_at,
        )
    )
