"""KafkaBus against the real broker (Tansu here): acked publishes, commit-after-handle,
redelivery, consumer groups, and a broker outage simulated with SIGSTOP/SIGCONT."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from prometheus_client import REGISTRY

from csa_shared.bus import BusUnavailable, Message
from csa_shared.bus.kafka import KafkaBus, ensure_topics
from csa_shared.testing import Broker
from csa_shared.testing.polling import eventually

from .conftest import Collector

pytestmark = pytest.mark.kafka

FAST: dict[str, Any] = {
    "request_timeout_ms": 1500,
    "publish_timeout_s": 2.5,
    "ping_timeout_s": 1.0,
    "session_timeout_ms": 2000,
    "heartbeat_interval_ms": 500,
    "retry_backoff_s": 0.2,
    "shutdown_timeout_s": 0.5,
}


@pytest.fixture
async def new_bus(kafka_broker: Broker) -> AsyncIterator[Callable[..., KafkaBus]]:
    made: list[KafkaBus] = []

    def make(**overrides: Any) -> KafkaBus:
        bus = KafkaBus(
            bootstrap_servers=kafka_broker.bootstrap,
            client_id="csa-test",
            enable_idempotence=kafka_broker.enable_idempotence,
            **{**FAST, **overrides},
        )
        made.append(bus)
        return bus

    yield make
    for bus in made:
        await bus.stop()


async def test_keyed_messages_arrive_in_order_per_key_with_key_and_offsets(
    new_bus: Callable[..., KafkaBus], unique: Callable[[str], str]
) -> None:
    topic = unique("roundtrip")
    bus = new_bus()
    received = Collector()
    bus.subscribe(group=unique("g"), topics=[topic], handler=received)
    await bus.start()
    sent = [("child-1", b"a1"), ("child-2", b"b1"), ("child-1", b"a2"), ("child-1", b"a3")]
    for key, value in sent:
        await bus.publish(topic, key, value)

    messages = await received.wait_for(4)

    assert sorted((m.key, m.value) for m in messages) == sorted(sent)
    child_1 = [m for m in messages if m.key == "child-1"]
    assert [m.value for m in child_1] == [b"a1", b"a2", b"a3"]
    assert len({m.partition for m in child_1}) == 1
    assert [m.offset for m in child_1] == sorted(m.offset for m in child_1)
    assert all(m.topic == topic for m in messages)


async def test_handler_that_raises_once_sees_the_message_again_before_the_next(
    new_bus: Callable[..., KafkaBus], unique: Callable[[str], str]
) -> None:
    topic, group = unique("retry"), unique("g")
    seen: list[bytes] = []
    done = Collector()

    async def flaky(message: Message) -> None:
        seen.append(message.value)
        if seen.count(b"first") == 1 and message.value == b"first":
            raise RuntimeError("database briefly unavailable")
        await done(message)

    bus = new_bus()
    bus.subscribe(group=group, topics=[topic], handler=flaky)
    await bus.publish(topic, "same-key", b"first")
    await bus.publish(topic, "same-key", b"second")
    await bus.start()

    await done.wait_for(2)
    assert seen == [b"first", b"first", b"second"]
    assert done.values == [b"first", b"second"]


async def test_restart_in_same_group_redelivers_only_the_uncommitted_message(
    new_bus: Callable[..., KafkaBus], unique: Callable[[str], str]
) -> None:
    topic, group = unique("crash"), unique("g")
    first_seen = Collector()
    blocked = asyncio.Event()

    async def handle_then_hang(message: Message) -> None:
        await first_seen(message)
        if message.value == b"m2":
            blocked.set()
            await asyncio.Event().wait()  # "killed" after its work, before the commit

    first = new_bus()
    first.subscribe(group=group, topics=[topic], handler=handle_then_hang)
    await first.start()
    await first.publish(topic, "k", b"m1")
    await first.publish(topic, "k", b"m2")
    await asyncio.wait_for(blocked.wait(), 20)
    await first.stop()
    assert first_seen.values == [b"m1", b"m2"]

    second_seen = Collector()
    second = new_bus()
    second.subscribe(group=group, topics=[topic], handler=second_seen)
    await second.start()
    await second.publish(topic, "k", b"m3")

    assert [m.value for m in await second_seen.wait_for(2)] == [b"m2", b"m3"]


async def test_two_groups_each_receive_every_message(
    new_bus: Callable[..., KafkaBus], unique: Callable[[str], str]
) -> None:
    topic = unique("fanout")
    billing, audit = Collector(), Collector()
    bus = new_bus()
    bus.subscribe(group=unique("billing"), topics=[topic], handler=billing)
    bus.subscribe(group=unique("audit"), topics=[topic], handler=audit)
    await bus.start()
    for i in range(5):
        await bus.publish(topic, f"k{i}", f"v{i}".encode())

    await billing.wait_for(5)
    await audit.wait_for(5)
    expected = [f"v{i}".encode() for i in range(5)]
    assert sorted(billing.values) == expected
    assert sorted(audit.values) == expected


async def test_paused_broker_makes_publish_fail_within_timeout_then_same_bus_recovers(
    kafka_broker: Broker, new_bus: Callable[..., KafkaBus], unique: Callable[[str], str]
) -> None:
    if not kafka_broker.can_pause:
        pytest.skip(f"a {kafka_broker.kind} broker cannot be paused")
    topic = unique("outage")
    bus = new_bus(recycle_producer_after=2)
    received = Collector()
    bus.subscribe(group=unique("g"), topics=[topic], handler=received)
    await bus.start()
    await bus.publish(topic, "k", b"before")
    assert await bus.ping() is True

    kafka_broker.pause()
    try:
        for attempt in (b"during-1", b"during-2"):  # the second one recycles the producer
            started = time.monotonic()
            with pytest.raises(BusUnavailable):
                await bus.publish(topic, "k", attempt)
            assert time.monotonic() - started < FAST["publish_timeout_s"] + 1.0
        started = time.monotonic()
        assert await bus.ping() is False
        assert time.monotonic() - started < FAST["ping_timeout_s"] + 0.5
    finally:
        kafka_broker.resume()

    await bus.publish(topic, "k", b"after")
    assert await bus.ping() is True
    values = [m.value for m in await received.wait_for_value(b"after", timeout=30)]
    # The failed sends may still land (the caller retries them anyway): at-least-once.
    assert values[0] == b"before"
    assert set(values) <= {b"before", b"during-1", b"during-2", b"after"}


async def test_ensure_topics_creates_missing_topics_once_with_three_partitions(
    kafka_broker: Broker, unique: Callable[[str], str]
) -> None:
    topics = [unique("created-a"), unique("created-b")]
    await ensure_topics(kafka_broker.bootstrap, topics)
    await ensure_topics(kafka_broker.bootstrap, topics)  # idempotent

    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap)
    await producer.start()
    try:
        for topic in topics:
            assert await producer.partitions_for(topic) == {0, 1, 2}
    finally:
        await producer.stop()


async def test_publish_to_unreachable_broker_raises_bus_unavailable() -> None:
    bus = KafkaBus(
        bootstrap_servers="127.0.0.1:1", client_id="csa-test", enable_idempotence=False, **FAST
    )
    try:
        with pytest.raises(BusUnavailable):
            await bus.publish("anything", "k", b"v")
        started = time.monotonic()
        assert await bus.ping() is False
        assert time.monotonic() - started < FAST["ping_timeout_s"] + 0.5
    finally:
        await bus.stop()


async def test_ensure_topics_on_unreachable_broker_fails_within_its_timeout() -> None:
    started = time.monotonic()
    with pytest.raises((KafkaError, TimeoutError)):
        await ensure_topics("127.0.0.1:1", ["t"], timeout_s=1.0)
    assert time.monotonic() - started < 3.0


async def test_consumer_lag_counts_the_messages_a_stuck_handler_has_not_passed(
    new_bus: Callable[..., KafkaBus], unique: Callable[[str], str]
) -> None:
    topic, group = unique("lag"), unique("g")
    stuck = True
    done = Collector()

    async def blocked_until_released(message: Message) -> None:
        if stuck:
            raise RuntimeError("database down")
        await done(message)

    bus = new_bus()
    bus.subscribe(group=group, topics=[topic], handler=blocked_until_released)
    for value in (b"1", b"2", b"3"):
        await bus.publish(topic, "same-key", value)
    await bus.start()

    def lag() -> float | None:
        samples = [
            REGISTRY.get_sample_value(
                "csa_consumer_lag_messages",
                {"group": group, "topic": topic, "partition": str(partition)},
            )
            for partition in range(3)
        ]
        return max((s for s in samples if s is not None), default=None)

    async def lag_is(expected: float) -> bool:
        return lag() == expected

    await eventually(lambda: lag_is(3), timeout=20)
    stuck = False
    await done.wait_for(3)
    await eventually(lambda: lag_is(0), timeout=20)
