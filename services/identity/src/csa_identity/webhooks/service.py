"""Use cases of the webhooks: a client subscribes (the secret shown once), lists, reads and
deletes its subscriptions and their delivery log; each platform event is queued for the
subscriptions allowed to see it; the sender sends what is due and logs every attempt."""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters.audit import audit
from csa_identity.context import IdentityContext, identity_of
from csa_identity.domain.codes import Pepper
from csa_identity.domain.webhooks import (
    delivered,
    derive_secret,
    next_attempt,
    notification_of,
    payload,
    signed_headers,
    target_problem,
)
from csa_identity.webhooks import repository
from csa_identity.webhooks.poster import WebhookPoster
from csa_identity.webhooks.settings import WebhookSettings
from csa_shared.auth import Principal
from csa_shared.errors import NotFound, Unprocessable
from csa_shared.events import Envelope
from csa_shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

# a claimed delivery not reported by then (the sender died mid-request) is tried again
SEND_LEASE = timedelta(minutes=2)
SEND_BATCH = 50
LOG_LIMIT = 100
# how long the log keeps a delivery once it is done (delivered or given up)
LOG_RETENTION = timedelta(days=30)


def webhook_settings(runtime: ServiceRuntime) -> WebhookSettings:
    """The runtime's webhook settings, read from the environment once (tests set them)."""
    found: WebhookSettings | None = getattr(runtime, "webhook_settings", None)
    if found is None:
        found = WebhookSettings()
        runtime.webhook_settings = found
    return found


def _pepper(context: IdentityContext, key_id: str) -> Pepper:
    hasher = context.code_hasher
    for pepper in (hasher.current, *hasher.previous):
        if pepper.key_id == key_id:
            return pepper
    raise LookupError(f"pepper {key_id!r} is gone: the subscription's secret cannot be derived")


async def subscribe(
    runtime: ServiceRuntime,
    principal: Principal,
    *,
    url: str,
    event_types: list[str],
    description: str | None,
) -> tuple[dict[str, Any], str]:
    """A new subscription of the calling client and its signing secret (shown only now)."""
    problem = target_problem(
        url, allow_http_localhost=webhook_settings(runtime).allow_http_localhost
    )
    if problem is not None:
        raise Unprocessable(problem, code="webhook-url-rejected", field="url")
    context = identity_of(runtime)
    pepper = context.code_hasher.current
    salt = secrets.token_hex(16)
    row = {
        "subscription_id": str(uuid.uuid4()),
        "client_id": principal.subject,
        "provider_id": principal.provider_id,
        "url": url,
        "event_types": sorted(set(event_types)),
        "description": description,
        "secret_salt": salt,
        "pepper_id": pepper.key_id,
        "created_at": context.now(),
    }
    async with runtime.unit_of_work() as session:
        await repository.insert_subscription(session, row)
        await audit(
            session,
            "webhook.subscribed",
            now=row["created_at"],
            subject=principal.subject,
            subscription_id=row["subscription_id"],
        )
    return row, derive_secret(pepper.secret, bytes.fromhex(salt))


async def subscriptions_of(runtime: ServiceRuntime, principal: Principal) -> list[dict[str, Any]]:
    async with runtime.sessions() as session:
        return await repository.list_subscriptions(session, principal.subject)


async def _own(session: AsyncSession, principal: Principal, subscription_id: str) -> dict[str, Any]:
    found = await repository.load_subscription(session, principal.subject, subscription_id)
    if found is None:  # another client's looks the same as none
        raise NotFound("no such webhook subscription", code="webhook-subscription-not-found")
    return found


async def subscription(
    runtime: ServiceRuntime, principal: Principal, subscription_id: str
) -> dict[str, Any]:
    async with runtime.sessions() as session:
        return await _own(session, principal, subscription_id)


async def unsubscribe(runtime: ServiceRuntime, principal: Principal, subscription_id: str) -> None:
    context = identity_of(runtime)
    async with runtime.unit_of_work() as session:
        await _own(session, principal, subscription_id)
        await repository.delete_subscription(session, subscription_id)
        await audit(
            session,
            "webhook.unsubscribed",
            now=context.now(),
            subject=principal.subject,
            subscription_id=subscription_id,
        )


async def delivery_log(
    runtime: ServiceRuntime, principal: Principal, subscription_id: str
) -> list[dict[str, Any]]:
    async with runtime.sessions() as session:
        await _own(session, principal, subscription_id)
        return await repository.delivery_log(session, subscription_id, limit=LOG_LIMIT)


async def fan_out(session: AsyncSession, event: Envelope, *, now: datetime) -> int:
    """Queue the event for every subscription allowed to see it (once, also when the event
    comes again); the number queued."""
    notification = notification_of(event.type, event.data)
    if notification is None or not notification.provider_ids:
        return 0
    found = await repository.subscribers(session, notification.provider_ids, notification.type)
    body = payload(notification, occurred_at=datetime.fromisoformat(event.time))
    queued = 0
    for target in found:
        queued += await repository.queue_delivery(
            session,
            {
                "delivery_id": "msg_" + uuid.uuid4().hex,
                "subscription_id": target["subscription_id"],
                "event_id": event.id,
                "event_type": notification.type,
                "body": body,
                "status": "pending",
                "attempts": 0,
                "next_attempt": now,
                "created_at": now,
            },
        )
    return queued


async def send_due_deliveries(
    runtime: ServiceRuntime, poster: WebhookPoster, *, now: datetime
) -> int:
    """Send the deliveries due at ``now`` and log each attempt: a 2xx marks it delivered, any
    other answer (or none) waits its back-off, until the attempts run out. The number
    delivered."""
    context = identity_of(runtime)
    async with runtime.unit_of_work() as session:
        claimed = await repository.claim_due(
            session, now=now, lease_until=now + SEND_LEASE, limit=SEND_BATCH
        )
    sent = 0
    for delivery in claimed:
        pepper = _pepper(context, delivery["pepper_id"])
        secret = derive_secret(pepper.secret, bytes.fromhex(delivery["secret_salt"]))
        headers = signed_headers(
            secret, message_id=delivery["delivery_id"], at=now, body=delivery["body"]
        )
        outcome = await poster.post(delivery["url"], body=delivery["body"], headers=headers)
        ok = delivered(outcome.status_code)
        retry_at = None if ok else next_attempt(delivery["attempts"], now)
        if not ok:
            log.warning(
                "webhook not delivered",
                extra={"delivery_id": delivery["delivery_id"], "attempts": delivery["attempts"]},
            )
        async with runtime.unit_of_work() as session:
            await repository.record_attempt(
                session,
                delivery,
                at=now,
                status_code=outcome.status_code,
                duration_ms=outcome.duration_ms,
                error=outcome.error,
                status="delivered" if ok else ("pending" if retry_at else "failed"),
                next_attempt=retry_at,
            )
        sent += ok
    return sent


async def prune_delivery_log(runtime: ServiceRuntime, *, now: datetime) -> int:
    """Forget the deliveries done more than ``LOG_RETENTION`` ago (their bodies name
    children); the number forgotten."""
    async with runtime.unit_of_work() as session:
        return await repository.prune(session, created_before=now - LOG_RETENTION)
