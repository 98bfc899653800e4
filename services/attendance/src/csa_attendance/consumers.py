"""Attendance consumes billing's closed periods, through the shared inbox.

A correction or late declaration that touches a closed billing period is flagged
`affects_closed_period` (csa-rules.md §7, §10); attendance learns which periods are closed
from billing's `period.closed` events and keeps their months in `closed_periods`.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.presences import quick_correction, service
from csa_attendance.registry import repository
from csa_shared.events import TOPICS, Envelope
from csa_shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

PERIOD_CLOSED = "lu.csa.billing.period.closed.v1"
GROUP = "attendance.billing"


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def on_period_closed(session: AsyncSession, event: Envelope) -> None:
    """Record the closed month; a repeat (another event for the same month) changes nothing."""
    month = str(event.data["month"])
    if await repository.record_closed_period(session, month, _instant(event.data["closed_at"])):
        log.info("billing period closed", extra={"month": month})


HANDLERS = {PERIOD_CLOSED: on_period_closed}


def subscribe(runtime: ServiceRuntime) -> None:
    runtime.consume(group=GROUP, topics=[TOPICS["billing"]], handlers=HANDLERS)
    # (what a serving process runs: the hot statements of a new presence and of a
    # correction warmed up on each pooled connection when the pool is, `CSA_DB_POOL_WARM`)
    runtime.connection_warmers.append(functools.partial(service.warm, outbox=runtime.outbox))
    runtime.connection_warmers.append(
        functools.partial(quick_correction.warm, outbox=runtime.outbox)
    )
