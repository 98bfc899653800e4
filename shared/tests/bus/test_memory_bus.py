"""InProcessBus: the same delivery contract as Kafka, inside one process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from csa_shared.bus import Message
from csa_shared.bus.memory import InProcessBus

from .conftest import Collector


@pytest.fixture
async def bus() -> AsyncIterator[InProcessBus]:
    bus = InProcessBus(retry_backoff_s=0.01, shutdown_timeout_s=0.1)
    yield bus
    await bus.stop()


async def test_messages_arrive_in_publish_order_with_key_and_offsets(bus: InProcessBus) -> None:
    received = Collector()
    bus.subscribe(group="billing", topics=["t"], handler=received)
    await bus.start()
    for key, value in [("child-1", b"a1"), ("child-2", b"b1"), ("child-1", b"a2")]:
        await bus.publish("t", key, value)

    messages = await received.wait_for(3, timeout=2)
    assert [(m.key, m.value, m.offset) for m in messages] == [
        ("child-1", b"a1", 0),
        ("child-2", b"b1", 1),
        ("child-1", b"a2", 2),
    ]
    assert bus.committed("billing", "t") == 3
    assert await bus.ping() is True


async def test_messages_published_before_start_are_delivered_after_start(
    bus: InProcessBus,
) -> None:
    await bus.publish("t", "k", b"early")
    received = Collector()
    bus.subscribe(group="g", topics=["t", "other"], handler=received)
    await bus.start()
    await bus.publish("other", "k", b"late")

    assert sorted((await received.wait_for(2, timeout=2)), key=lambda m: m.value) == [
        Message("t", "k", b"early", 0, 0),
        Message("other", "k", b"late", 0, 0),
    ]


async def test_handler_that_raises_twice_sees_the_message_a_third_time_before_the_next(
    bus: InProcessBus,
) -> None:
    seen: list[bytes] = []
    done = Collector()

    async def flaky(message: Message) -> None:
        seen.append(message.value)
        if message.value == b"first" and seen.count(b"first") <= 2:
            raise RuntimeError("database briefly unavailable")
        await done(message)

    bus.subscribe(group="g", topics=["t"], handler=flaky)
    await bus.start()
    await bus.publish("t", "k", b"first")
    await bus.publish("t", "k", b"second")

    await done.wait_for(2, timeout=2)
    assert seen == [b"first", b"first", b"first", b"second"]
    assert bus.committed("g", "t") == 2


async def test_stop_during_a_handler_redelivers_only_that_message_after_restart(
    bus: InProcessBus,
) -> None:
    seen = Collector()
    blocked = asyncio.Event()
    hang = True

    async def handle_then_hang(message: Message) -> None:
        await seen(message)
        if message.value == b"m2" and hang:
            blocked.set()
            await asyncio.Event().wait()

    bus.subscribe(group="g", topics=["t"], handler=handle_then_hang)
    await bus.start()
    await bus.publish("t", "k", b"m1")
    await bus.publish("t", "k", b"m2")
    await asyncio.wait_for(blocked.wait(), 2)
    await bus.stop()
    assert bus.committed("g", "t") == 1

    hang = False
    await bus.start()
    await bus.publish("t", "k", b"m3")
    assert seen.values[:2] == [b"m1", b"m2"]
    assert [m.value for m in await seen.wait_for(4, timeout=2)][2:] == [b"m2", b"m3"]
    assert bus.committed("g", "t") == 3


async def test_two_groups_each_receive_every_message(bus: InProcessBus) -> None:
    billing, audit = Collector(), Collector()
    bus.subscribe(group="billing", topics=["t"], handler=billing)
    bus.subscribe(group="audit", topics=["t"], handler=audit)
    await bus.start()
    for i in range(5):
        await bus.publish("t", f"k{i}", f"v{i}".encode())

    expected = [f"v{i}".encode() for i in range(5)]
    assert [m.value for m in await billing.wait_for(5, timeout=2)] == expected
    assert [m.value for m in await audit.wait_for(5, timeout=2)] == expected


async def test_a_failing_group_does_not_hold_back_another_group(bus: InProcessBus) -> None:
    healthy = Collector()

    async def broken(message: Message) -> None:
        raise RuntimeError("always")

    bus.subscribe(group="broken", topics=["t"], handler=broken)
    bus.subscribe(group="healthy", topics=["t"], handler=healthy)
    await bus.start()
    await bus.publish("t", "k", b"v1")
    await bus.publish("t", "k", b"v2")

    assert [m.value for m in await healthy.wait_for(2, timeout=2)] == [b"v1", b"v2"]
    assert bus.committed("broken", "t") == 0


async def test_subscribing_a_group_twice_to_the_same_topic_is_refused(bus: InProcessBus) -> None:
    bus.subscribe(group="g", topics=["t"], handler=Collector())
    with pytest.raises(ValueError, match="already consumes"):
        bus.subscribe(group="g", topics=["u", "t"], handler=Collector())


async def test_subscription_added_while_running_starts_consuming(bus: InProcessBus) -> None:
    await bus.start()
    await bus.publish("t", "k", b"v")
    late = Collector()
    bus.subscribe(group="late", topics=["t"], handler=late)
    assert [m.value for m in await late.wait_for(1, timeout=2)] == [b"v"]
