"""Demo presences for embedded mode (fixed record ids: loading twice adds nothing)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from csa_attendance.presences.schemas import PresenceIn
from csa_attendance.presences.service import record_presence
from csa_shared.runtime import ServiceRuntime

DEMO_PROVIDER = "demo-sea-001"
DEMO_CHILD = "demo-child-001"


async def load(runtime: ServiceRuntime) -> None:
    monday = date(2025, 3, 3)
    async with runtime.unit_of_work() as session:
        for offset in range(5):
            day = monday + timedelta(days=offset)
            presence = PresenceIn(
                provider_id=DEMO_PROVIDER,
                record_id=f"demo-{day.isoformat()}",
                child_id=DEMO_CHILD,
                start=datetime.combine(day, time(8)),
                end=datetime.combine(day, time(17)),
            )
            await record_presence(session, runtime.outbox, presence, source=runtime.source)
