"""Demo data for embedded mode, loaded through the services' own use cases.

Record ids are fixed, so loading twice (a second ``make run``) adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from csa_attendance.presences.schemas import PresenceIn
from csa_attendance.presences.service import record_presence
from csa_shared.runtime import ServiceRuntime

DEMO_PROVIDER = "demo-sea-001"
DEMO_CHILD = "demo-child-001"


async def load_demo_data(runtimes: dict[str, ServiceRuntime]) -> None:
    attendance = runtimes["attendance"]
    monday = date(2025, 3, 3)
    async with attendance.unit_of_work() as session:
        for offset in range(5):
            day = monday + timedelta(days=offset)
            presence = PresenceIn(
                provider_id=DEMO_PROVIDER,
                record_id=f"demo-{day.isoformat()}",
                child_id=DEMO_CHILD,
                start=datetime.combine(day, time(8)),
                end=datetime.combine(day, time(17)),
            )
            await record_presence(session, attendance.outbox, presence, source=attendance.source)
