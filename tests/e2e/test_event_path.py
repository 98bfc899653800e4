"""The foundation's end-to-end path: attendance → outbox → Kafka → billing projection.

Runs against PostgreSQL and the real Kafka-protocol broker (Tansu here, Apache Kafka
where ``KAFKA_BOOTSTRAP_SERVERS`` points at one).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from csa.services import definition
from csa_billing.consumers import ATTENDANCE_GROUP, ATTENDANCE_HANDLERS
from csa_billing.tables import presence_projection
from csa_shared.bus import Message
from csa_shared.events import TOPICS
from csa_shared.messaging.inbox import InboxConsumer
from csa_shared.runtime import ServiceRuntime
from tests.e2e.conftest import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def presence(child: str, record: str, day: str = "2025-03-03") -> dict[str, str]:
    return {
        "provider_id": "sea-001",
        "record_id": record,
        "child_id": child,
        "start": f"{day}T08:00:00",
        "end": f"{day}T17:00:00",
    }


async def projected(billing: ServiceRuntime, presence_id: str) -> Any:
    async with billing.sessions() as session:
        return (
            await session.execute(
                select(presence_projection).where(presence_projection.c.presence_id == presence_id)
            )
        ).first()


async def test_posted_presence_reaches_billing_projection(attendance_api, billing) -> None:
    response = await attendance_api.post("/v1/presences", json=presence("child-1", "r-1"))
    assert response.status_code == 201, response.text
    presence_id = response.json()["id"]

    row = await eventually(lambda: projected(billing, presence_id))

    assert (row.child_id, row.provider_id, row.version) == ("child-1", "sea-001", 1)
    assert row.start.isoformat() == "2025-03-03T08:00:00"


async def test_repeated_post_is_idempotent_and_conflicting_repeat_is_409(attendance_api) -> None:
    first = await attendance_api.post("/v1/presences", json=presence("child-2", "r-2"))
    again = await attendance_api.post("/v1/presences", json=presence("child-2", "r-2"))
    changed = await attendance_api.post(
        "/v1/presences", json=presence("child-2", "r-2", day="2025-03-04")
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert changed.status_code == 409
    assert changed.headers["content-type"] == "application/problem+json"


async def test_same_event_delivered_twice_changes_projection_once(
    platform_settings, attendance, attendance_api
) -> None:
    """The relay publishes the event again (crashed after publishing, before marking the row):
    the copy that comes back through Kafka reaches billing's consumer and is a duplicate."""
    group = f"{ATTENDANCE_GROUP}-{uuid.uuid4().hex[:8]}"
    billing, consumer = unsubscribed_billing(platform_settings)
    outcomes: dict[str, list[str]] = {}
    delivered: list[Message] = []
    record = f"r-{uuid.uuid4().hex[:8]}"
    presence_marker = record.encode()

    async def observe(message: Message) -> None:
        outcome = await consumer(message)
        if presence_marker in message.value:
            outcomes.setdefault(json.loads(message.value)["id"], []).append(outcome)
            delivered.append(message)

    billing.bus.subscribe(group=group, topics=[TOPICS["attendance"]], handler=observe)
    await billing.start(migrate=True)
    try:
        response = await attendance_api.post("/v1/presences", json=presence("child-3", record))
        presence_id = response.json()["id"]
        before = await eventually(lambda: projected(billing, presence_id))
        original = await eventually(lambda: _first(delivered))
        assert presence_id.encode() in original.value
        event_id = json.loads(original.value)["id"]
        await eventually(lambda: _outcomes(outcomes, event_id, 1))
        assert outcomes[event_id] == ["processed"]

        await attendance.bus.publish(TOPICS["attendance"], original.key, original.value)

        await eventually(lambda: _outcomes(outcomes, event_id, 2), timeout=60)
        assert outcomes[event_id] == ["processed", "duplicate"]
        after = await projected(billing, presence_id)
        assert (after.updated_at, after.version) == (before.updated_at, before.version)
    finally:
        await billing.stop()


async def _first(messages: list[Message]) -> Message | None:
    return messages[0] if messages else None


async def _outcomes(outcomes: dict[str, list[str]], event_id: str, count: int) -> bool:
    return len(outcomes.get(event_id, ())) >= count


async def test_record_committed_while_broker_is_down_is_published_when_it_returns(
    kafka_broker, attendance, attendance_api, billing
) -> None:
    kafka_broker.pause()
    try:
        response = await attendance_api.post("/v1/presences", json=presence("child-4", "r-4"))
        assert response.status_code == 201
        presence_id = response.json()["id"]
        await asyncio.sleep(2.0)
        assert await attendance.relay.pending() >= 1
    finally:
        kafka_broker.resume()

    await eventually(lambda: projected(billing, presence_id), timeout=60)
    await eventually(lambda: _no_pending(attendance), timeout=30)


async def _no_pending(runtime: ServiceRuntime) -> bool:
    return await runtime.relay.pending() == 0


def unsubscribed_billing(settings: Any) -> tuple[ServiceRuntime, InboxConsumer]:
    runtime = definition("billing").build_runtime(settings, subscribe=False)
    consumer = InboxConsumer(
        name=ATTENDANCE_GROUP,
        sessions=runtime.sessions,
        inbox=runtime.inbox,
        handlers=ATTENDANCE_HANDLERS,
    )
    return runtime, consumer


async def test_consumer_killed_before_offset_commit_redelivery_has_no_effect(
    platform_settings, attendance_api, attendance
) -> None:
    """A billing instance handles the event (its DB transaction commits) and dies before
    committing the Kafka offset; the next instance of the group gets the event again and
    the inbox makes it a no-op."""
    group = f"{ATTENDANCE_GROUP}-{uuid.uuid4().hex[:8]}"
    record = f"r-{uuid.uuid4().hex[:8]}"
    handled = asyncio.Event()
    first, consumer = unsubscribed_billing(platform_settings)

    async def handle_then_die(message: Message) -> None:
        await consumer(message)
        if record.encode() in message.value:
            handled.set()
            await asyncio.Event().wait()  # killed here: the offset is never committed

    first.bus.subscribe(group=group, topics=[TOPICS["attendance"]], handler=handle_then_die)
    await first.start(migrate=True)
    response = await attendance_api.post("/v1/presences", json=presence("child-5", record))
    presence_id = response.json()["id"]
    await asyncio.wait_for(handled.wait(), timeout=60)
    assert await projected(first, presence_id) is not None
    await first.stop()

    second, consumer2 = unsubscribed_billing(platform_settings)
    redelivered = asyncio.Event()
    outcomes: list[str] = []

    async def observe(message: Message) -> None:
        outcome = await consumer2(message)
        if presence_id.encode() in message.value:
            outcomes.append(outcome)
            redelivered.set()

    second.bus.subscribe(group=group, topics=[TOPICS["attendance"]], handler=observe)
    await second.start()
    try:
        await asyncio.wait_for(redelivered.wait(), timeout=60)
        assert outcomes == ["duplicate"]
        assert (await projected(second, presence_id)).version == 1
    finally:
        await second.stop()
