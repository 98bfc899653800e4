"""Billing's consumer groups: events from membership and attendance into projections."""

from __future__ import annotations

from csa_billing.privacy.service import HANDLERS as PRIVACY_HANDLERS
from csa_billing.projections import attendance, membership, presences
from csa_shared.events import TOPICS
from csa_shared.runtime import ServiceRuntime

ATTENDANCE_GROUP = "billing.attendance"
MEMBERSHIP_GROUP = "billing.membership"

ATTENDANCE_HANDLERS = attendance.HANDLERS
MEMBERSHIP_HANDLERS = membership.HANDLERS | PRIVACY_HANDLERS


def subscribe(runtime: ServiceRuntime) -> None:
    runtime.consume(
        group=ATTENDANCE_GROUP,
        topics=[TOPICS["attendance"]],
        handlers=ATTENDANCE_HANDLERS,
        batch_handlers=attendance.BATCH_HANDLERS,
        claiming_handlers=presences.CLAIMING_HANDLERS,
    )
    runtime.connection_warmers.append(presences.warmer(runtime.inbox, ATTENDANCE_GROUP))
    runtime.consume(
        group=MEMBERSHIP_GROUP,
        topics=[TOPICS["membership"]],
        handlers=MEMBERSHIP_HANDLERS,
    )
