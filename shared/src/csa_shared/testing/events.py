"""What a service emitted, for tests: the relay deletes the outbox rows it published, so
the events are read where they went (the in-process bus's log, or the Kafka topic)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import select

from csa_shared.bus import Message
from csa_shared.bus.kafka import KafkaBus
from csa_shared.bus.memory import InProcessBus
from csa_shared.events import TOPICS
from csa_shared.messaging.tables import row_messages
from csa_shared.runtime import ServiceRuntime


async def emitted(runtime: ServiceRuntime) -> list[Message]:
    """Every event on `runtime`'s topic, in order, once its outbox is drained (relay passes
    never overlap, so nothing is missed or read twice). On Kafka the topic is read from the
    beginning: it also holds what other runtimes of the service published."""
    while await runtime.relay.publish_pending():
        pass
    topic = TOPICS[runtime.name]
    if isinstance(runtime.bus, InProcessBus):
        return runtime.bus.messages(topic)
    if isinstance(runtime.bus, KafkaBus):
        return await topic_messages(runtime.bus.bootstrap_servers, topic)
    raise TypeError(f"cannot read back what {type(runtime.bus).__name__} carried")


async def emitted_documents(runtime: ServiceRuntime) -> list[dict[str, Any]]:
    """The CloudEvents documents of `emitted(runtime)`."""
    return [json.loads(message.value) for message in await emitted(runtime)]


async def waiting_documents(runtime: ServiceRuntime) -> list[dict[str, Any]]:
    """The CloudEvents documents in `runtime`'s outbox, not yet published, in order."""
    outbox = runtime.outbox
    async with runtime.sessions() as session:
        rows = await session.execute(select(outbox).order_by(outbox.c.id))
        return [
            json.loads(document)
            for row in rows
            for _, _, document in row_messages(
                row.topic, row.message_key, row.payload, row.message_keys
            )
        ]


async def topic_messages(bootstrap: str, topic: str, *, timeout_s: float = 60.0) -> list[Message]:
    """`topic`'s messages from the beginning up to its end when asked, partition by
    partition (no consumer group, nothing committed); `TimeoutError` if they do not all
    come within `timeout_s`.

    Every partition is read past the end offset it reports, then until a fetch comes back
    empty: a broker may report the end as its last record batch's start + 1 (the local one
    does), short of that batch's last records."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=100
    )
    await consumer.start()
    try:
        await consumer.topics()  # the cluster's metadata, partitions included
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: list[Message] = []
        async with asyncio.timeout(timeout_s):
            fetched = True
            while fetched or not await _past(consumer, ends):
                batches = await consumer.getmany(*partitions, timeout_ms=_EMPTY_FETCH_MS)
                records = [r for partition in partitions for r in batches.get(partition, [])]
                fetched = bool(records)
                found += [
                    Message(topic=topic, key=(r.key or b"").decode(), value=r.value or b"",
                            partition=r.partition, offset=r.offset)
                    for r in records
                ]  # fmt: skip
        return sorted(found, key=lambda m: (m.partition, m.offset))
    finally:
        await consumer.stop()


# How long a fetch waits before the partitions count as read to their end (once past the
# end offsets): several of the consumer's fetch waits, so records in flight are not missed.
_EMPTY_FETCH_MS = 1000


async def _past(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    return all([await consumer.position(p) >= end for p, end in ends.items()])
