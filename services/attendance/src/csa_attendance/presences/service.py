"""Use cases of the presences module: record a presence once per provider record id."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.presences import repository
from csa_attendance.presences.schemas import PresenceIn, PresenceOut
from csa_shared.errors import Conflict
from csa_shared.events import new_event
from csa_shared.messaging.outbox import add_to_outbox

PRESENCE_RECORDED = "lu.csa.attendance.presence.recorded.v1"


def _out(row: Mapping[str, Any]) -> PresenceOut:
    return PresenceOut(
        id=row["id"],
        provider_id=row["provider_id"],
        record_id=row["provider_record_id"],
        child_id=row["child_id"],
        start=row["start"],
        end=row["end"],
        version=row["version"],
    )


async def record_presence(
    session: AsyncSession, outbox: Table, presence: PresenceIn, *, source: str
) -> tuple[PresenceOut, bool]:
    """Store a presence and stage its event; a repeat returns the stored one (created=False)."""
    existing = await repository.by_provider_record(
        session, provider_id=presence.provider_id, record_id=presence.record_id
    )
    if existing is not None:
        stored = _out(existing._mapping)
        same = (stored.child_id, stored.start, stored.end) == (
            presence.child_id,
            presence.start,
            presence.end,
        )
        if not same:
            raise Conflict(
                f"record {presence.record_id} was already sent with other content",
                code="idempotency-conflict",
                existing_id=stored.id,
            )
        return stored, False
    row = {
        "id": str(uuid.uuid4()),
        "provider_id": presence.provider_id,
        "provider_record_id": presence.record_id,
        "child_id": presence.child_id,
        "start": presence.start,
        "end": presence.end,
        "version": 1,
        "created_at": datetime.now(UTC),
    }
    await repository.insert(session, row)
    event = new_event(
        PRESENCE_RECORDED,
        source=source,
        subject=presence.child_id,
        data={
            "presence_id": row["id"],
            "provider_id": presence.provider_id,
            "provider_record_id": presence.record_id,
            "child_id": presence.child_id,
            "start": presence.start.isoformat(),
            "end": presence.end.isoformat(),
            "version": 1,
        },
    )
    await add_to_outbox(session, outbox, event)
    return _out(row), True
