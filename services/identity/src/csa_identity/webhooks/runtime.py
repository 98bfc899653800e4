"""The webhooks' consumer groups (billing's and attendance's events, one group per topic)
and the webhook sender identity's runtime runs beside its requests (every
``WEBHOOK_POLL_SECONDS``; the deliveries wait in the database, so a restart loses none,
and the log forgets those done after 30 days)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.context import identity_of
from csa_identity.domain.webhooks import SOURCE_EVENTS
from csa_identity.webhooks.poster import WebhookPoster
from csa_identity.webhooks.service import (
    fan_out,
    prune_delivery_log,
    send_due_deliveries,
    webhook_settings,
)
from csa_shared.events import Envelope
from csa_shared.events.topics import TOPICS, topic_of
from csa_shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

GROUPS = {"billing": "identity.webhooks.billing", "attendance": "identity.webhooks.attendance"}


def subscribe_webhooks(runtime: ServiceRuntime) -> None:
    """Queue the events partners subscribe to; run the webhook sender."""
    context = identity_of(runtime)
    settings = webhook_settings(runtime)

    async def on_event(session: AsyncSession, event: Envelope) -> None:
        await fan_out(session, event, now=context.now())

    for producer, group in GROUPS.items():
        types = sorted(t for t in SOURCE_EVENTS if topic_of(t) == TOPICS[producer])
        runtime.consume(
            group=group, topics=[TOPICS[producer]], handlers=dict.fromkeys(types, on_event)
        )

    async def webhook_sender() -> None:
        poster = WebhookPoster(timeout=settings.timeout_seconds)
        try:
            while True:
                try:
                    await send_due_deliveries(runtime, poster, now=context.now())
                    await prune_delivery_log(runtime, now=context.now())
                except Exception:  # the database away: try again next round
                    log.exception("webhook sender round failed")
                await asyncio.sleep(settings.poll_seconds)
        finally:
            await poster.aclose()

    runtime.at_start["identity.webhook_sender"] = webhook_sender
