"""Attendance events projected several at once (issue 24: the consumer hands a partition's
fetch to `InboxConsumer.handle_batch`, one transaction, presences upserted per run) leave
billing exactly as one by one: same projected presences, same dirty periods, same bill."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from csa.services import definition
from csa_billing.periods.close import CloseOptions, close_period
from csa_billing.tables import child_period, meal_projection, presence_projection
from csa_shared.bus import Message
from csa_shared.events import TOPICS, Envelope
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings

from .town import deliver, meal, meal_corrected, presence, town

pytestmark = pytest.mark.postgres

MARCH = "2025-03"
AFTER_GRACE = CloseOptions(today=date(2025, 4, 30))


@pytest.fixture
async def batched(pg_database_url: Callable[[], str]) -> AsyncIterator[ServiceRuntime]:
    runtime = definition("billing").build_runtime(Settings(BILLING_DATABASE_URL=pg_database_url()))
    await runtime.migrate()
    yield runtime
    await runtime.engine.dispose()


async def deliver_in_batches(runtime: ServiceRuntime, events: list[Envelope], size: int) -> None:
    """Attendance's events `size` at a time through `handle_batch`, the others one by one,
    in order (as the bus would, one partition)."""
    consumers = {c.name: c for c in runtime.consumers}
    pending: list[Message] = []

    async def flush() -> None:
        for at in range(0, len(pending), size):
            assert await consumers["billing.attendance"].handle_batch(pending[at : at + size])
        pending.clear()

    for event in events:
        service = event.type.split(".")[2]
        message = Message(TOPICS[service], event.key, event.to_json())
        if service == "attendance":
            pending.append(message)
            continue
        await flush()
        await consumers[f"billing.{service}"](message)
    await flush()


def late_changes(events: list[Envelope]) -> list[Envelope]:
    """Corrections of March presences (some twice, a stale one, a repeat, a void) and new
    presences, after March was closed."""
    recorded = [e for e in events if e.type.endswith("presence.recorded.v1")]
    first, second = recorded[0].data, recorded[5].data

    def amend(data: dict[str, Any], version: int, start: str, end: str) -> Envelope:
        return presence(
            data["child_id"],
            data["provider_id"],
            start,
            end,
            presence_id=data["presence_id"],
            version=version,
            corrected=True,
            previous=(data["start"], data["end"]),
        )

    v2 = amend(first, 2, "2025-03-10T08:30", "2025-03-10T17:00")
    v3 = amend(first, 3, "2025-03-10T09:00", "2025-03-10T17:00")
    other = amend(second, 2, "2025-04-08T12:00", "2025-04-08T14:00")
    fresh = presence("child-e", "sea-mr", "2025-04-09T08:00", "2025-04-09T12:00")
    return [v2, v3, v2, other, fresh, other, v3, fresh]


def late_meals(events: list[Envelope]) -> list[Envelope]:
    """Corrections of March meals (one twice, a stale one, a repeat, one moved to April, one
    voided) and a new meal, after March was closed: a batch of meals only."""
    meals = [e for e in events if e.type.endswith("meal.recorded.v1")]
    v2 = meal_corrected(meals[0], 2, count=2)
    v3 = meal_corrected(meals[0], 3, count=3)
    moved = meal_corrected(meals[4], 2, day="2025-04-08")
    voided = meal_corrected(meals[-1], 2, voided=True)  # child-d's: nothing else of hers
    fresh = meal("child-e", "sea-mr", "2025-04-09")
    return [v2, v3, moved, v2, voided, fresh, moved, v3, fresh]


def _rows(rows: Any, table: Any) -> list[Any]:
    """The rows without their ``updated_at`` stamp (the time of the projection)."""
    stamp = list(table.c.keys()).index("updated_at")
    return sorted(tuple(r)[:stamp] + tuple(r)[stamp + 1 :] for r in rows)


async def state(runtime: ServiceRuntime) -> tuple[list[Any], list[Any], list[Any]]:
    async with runtime.sessions() as session:
        presences = _rows(await session.execute(select(presence_projection)), presence_projection)
        meals = _rows(await session.execute(select(meal_projection)), meal_projection)
        periods = [
            tuple(r)
            for r in await session.execute(
                select(
                    child_period.c.month, child_period.c.child_id, child_period.c.dirty
                ).order_by(child_period.c.month, child_period.c.child_id)
            )
        ]
    return presences, periods, meals


async def test_batches_project_and_bill_as_one_by_one(billing, batched) -> None:
    events = town()
    late, meals = late_changes(events), late_meals(events)
    await deliver(billing, events)
    await deliver_in_batches(batched, events, size=7)
    closed = [await close_period(rt, MARCH, AFTER_GRACE) for rt in (billing, batched)]
    await deliver(billing, late + meals)
    await deliver_in_batches(batched, late, size=5)
    await deliver_in_batches(batched, meals, size=4)

    one_by_one, in_batches = await state(billing), await state(batched)
    assert closed[0].state_total == closed[1].state_total
    assert in_batches == one_by_one
    dirty = [(month, child) for month, child, is_dirty in in_batches[1] if is_dirty]
    assert (MARCH, events[7].data["child_id"]) in dirty  # the corrected March presence
    assert (MARCH, "child-d") in dirty  # her voided March meal
    assert (meals[0].data["meal_id"], "sea-pluri", "child-a", date(2025, 3, 10), 3, False, 3) in (
        in_batches[2]
    )


async def test_an_event_that_does_not_parse_leaves_the_batch_to_go_one_by_one(batched) -> None:
    (consumer,) = [c for c in batched.consumers if c.name == "billing.attendance"]
    good = presence("child-a", "sea-mr", "2025-03-10T08:00", "2025-03-10T12:00")
    messages = [
        Message(TOPICS["attendance"], good.key, good.to_json()),
        Message(TOPICS["attendance"], "x", b"not json"),
    ]

    assert await consumer.handle_batch(messages) is False
    assert (await state(batched))[0] == []


async def test_a_consumer_without_batch_handlers_declines_batches(batched) -> None:
    """(Its handlers may act outside the database: one transaction per event.)"""
    (consumer,) = [c for c in batched.consumers if c.name == "billing.membership"]
    event = town()[3]  # a membership contract
    message = Message(TOPICS["membership"], event.key, event.to_json())

    assert await consumer.handle_batch([message, message]) is False
