"""Projection of attendance events: what billing knows of presences."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.tables import presence_projection
from csa_shared.events import Envelope


async def on_presence_recorded(session: AsyncSession, event: Envelope) -> None:
    """Insert or advance the presence; an older version never overwrites a newer one."""
    data = event.data
    current = (
        await session.execute(
            select(presence_projection.c.version).where(
                presence_projection.c.presence_id == data["presence_id"]
            )
        )
    ).scalar_one_or_none()
    row = {
        "provider_id": data["provider_id"],
        "child_id": data["child_id"],
        "start": datetime.fromisoformat(data["start"]),
        "end": datetime.fromisoformat(data["end"]),
        "version": data["version"],
        "updated_at": datetime.now(UTC),
    }
    if current is None:
        await session.execute(
            presence_projection.insert().values(presence_id=data["presence_id"], **row)
        )
    elif current < data["version"]:
        await session.execute(
            presence_projection.update()
            .where(presence_projection.c.presence_id == data["presence_id"])
            .values(**row)
        )
