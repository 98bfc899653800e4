"""Rows of the webhooks: subscriptions, the deliveries to send and the attempts' log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters import leases
from csa_identity.adapters.instants import aware
from csa_identity.adapters.row_locks import insert_once
from csa_identity.tables import (
    provider_clients,
    webhook_attempts,
    webhook_deliveries,
    webhook_subscriptions,
)

subscriptions = webhook_subscriptions
deliveries = webhook_deliveries


def _subscription(row: Any) -> dict[str, Any]:
    found = dict(row)
    found["created_at"] = aware(found["created_at"])
    return found


async def insert_subscription(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(subscriptions).values(**values))


async def list_subscriptions(session: AsyncSession, client_id: str) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(subscriptions)
        .where(subscriptions.c.client_id == client_id)
        .order_by(subscriptions.c.created_at, subscriptions.c.subscription_id)
    )
    return [_subscription(row) for row in rows.mappings()]


async def load_subscription(
    session: AsyncSession, client_id: str, subscription_id: str
) -> dict[str, Any] | None:
    """The client's subscription; None when it does not exist or is another client's."""
    row = (
        (
            await session.execute(
                select(subscriptions).where(
                    subscriptions.c.subscription_id == subscription_id,
                    subscriptions.c.client_id == client_id,
                )
            )
        )
        .mappings()
        .first()
    )
    return _subscription(row) if row else None


async def delete_subscription(session: AsyncSession, subscription_id: str) -> None:
    """The subscription, its deliveries (sent or not) and their log."""
    of_subscription = select(deliveries.c.delivery_id).where(
        deliveries.c.subscription_id == subscription_id
    )
    await session.execute(
        delete(webhook_attempts).where(webhook_attempts.c.delivery_id.in_(of_subscription))
    )
    await session.execute(delete(deliveries).where(deliveries.c.subscription_id == subscription_id))
    await session.execute(
        delete(subscriptions).where(subscriptions.c.subscription_id == subscription_id)
    )


async def subscribers(
    session: AsyncSession, provider_ids: Iterable[str], webhook_type: str
) -> list[dict[str, Any]]:
    """The subscriptions of these providers' clients that chose ``webhook_type``; a client
    deactivated by the administration receives nothing more."""
    deactivated = exists().where(
        provider_clients.c.client_id == subscriptions.c.client_id,
        provider_clients.c.active.is_(False),
    )
    rows = await session.execute(
        select(subscriptions).where(
            subscriptions.c.provider_id.in_(sorted(provider_ids)), ~deactivated
        )
    )
    return [dict(row) for row in rows.mappings() if webhook_type in row["event_types"]]


async def queue_delivery(session: AsyncSession, values: dict[str, Any]) -> bool:
    """False when this event was already queued for this subscription (redelivered)."""
    return await insert_once(session, deliveries, values)


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int
) -> list[dict[str, Any]]:
    """The pending deliveries due at ``now``, leased until ``lease_until``
    (``adapters.leases``), each with its subscription's URL and secret salt."""
    due = (deliveries.c.status == "pending") & (deliveries.c.next_attempt <= now)
    claimed = await leases.claim_due(
        session, deliveries, key="delivery_id", due=due, lease_until=lease_until, limit=limit
    )
    for row in claimed:
        target = (
            await session.execute(
                select(
                    subscriptions.c.url, subscriptions.c.secret_salt, subscriptions.c.pepper_id
                ).where(subscriptions.c.subscription_id == row["subscription_id"])
            )
        ).one()
        row.update(url=target.url, secret_salt=target.secret_salt, pepper_id=target.pepper_id)
    return claimed


async def record_attempt(
    session: AsyncSession,
    delivery: dict[str, Any],
    *,
    at: datetime,
    status_code: int | None,
    duration_ms: int,
    error: str | None,
    status: str,
    next_attempt: datetime | None,
) -> None:
    await session.execute(
        insert(webhook_attempts).values(
            delivery_id=delivery["delivery_id"],
            attempt=delivery["attempts"],
            at=at,
            status_code=status_code,
            duration_ms=duration_ms,
            error=error[:1000] if error else None,
        )
    )
    await session.execute(
        update(deliveries)
        .where(deliveries.c.delivery_id == delivery["delivery_id"])
        .values(status=status, next_attempt=next_attempt)
    )


async def delivery_log(
    session: AsyncSession, subscription_id: str, *, limit: int
) -> list[dict[str, Any]]:
    """The subscription's newest deliveries, each with its attempts in order."""
    rows = await session.execute(
        select(deliveries)
        .where(deliveries.c.subscription_id == subscription_id)
        .order_by(deliveries.c.created_at.desc(), deliveries.c.delivery_id)
        .limit(limit)
    )
    found = {row["delivery_id"]: {**row, "attempt_log": []} for row in rows.mappings()}
    if not found:
        return []
    attempts = await session.execute(
        select(webhook_attempts)
        .where(webhook_attempts.c.delivery_id.in_(list(found)))
        .order_by(webhook_attempts.c.delivery_id, webhook_attempts.c.attempt)
    )
    for attempt in attempts.mappings():
        found[attempt["delivery_id"]]["attempt_log"].append({**attempt, "at": aware(attempt["at"])})
    for delivery in found.values():
        delivery["created_at"] = aware(delivery["created_at"])
        delivery["next_attempt"] = aware(delivery["next_attempt"])
    return list(found.values())


async def prune(session: AsyncSession, *, created_before: datetime) -> int:
    """Forget the deliveries done (delivered or given up) created before the date, with
    their attempts; the number forgotten."""
    done = select(deliveries.c.delivery_id).where(
        deliveries.c.status != "pending", deliveries.c.created_at < created_before
    )
    await session.execute(delete(webhook_attempts).where(webhook_attempts.c.delivery_id.in_(done)))
    result = await session.execute(
        delete(deliveries).where(
            deliveries.c.status != "pending", deliveries.c.created_at < created_before
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
