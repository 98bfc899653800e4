"""Billing's consumer groups: events from membership and attendance into projections."""

from __future__ import annotations

from csa_billing.projections import attendance
from csa_shared.events import TOPICS
from csa_shared.runtime import ServiceRuntime

ATTENDANCE_GROUP = "billing.attendance"

ATTENDANCE_HANDLERS = {
    "lu.csa.attendance.presence.recorded.v1": attendance.on_presence_recorded,
}


def subscribe(runtime: ServiceRuntime) -> None:
    runtime.consume(
        group=ATTENDANCE_GROUP,
        topics=[TOPICS["attendance"]],
        handlers=ATTENDANCE_HANDLERS,
    )
