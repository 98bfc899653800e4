"""Reading a topic back (`csa_shared.testing.events.topic_messages`) against the real
broker: every message, also those of a partition's last record batch past the end offset
the local broker reports (its last batch's start + 1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from csa_shared.bus.kafka import KafkaBus, ensure_topics
from csa_shared.testing import Broker
from csa_shared.testing.events import topic_messages

pytestmark = pytest.mark.kafka


async def end_offsets(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        await consumer.topics()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return dict(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def test_every_message_of_every_batch_is_read_back_once(
    kafka_broker: Broker, unique: Callable[[str], str]
) -> None:
    topic = unique("read-back")
    await ensure_topics(kafka_broker.bootstrap, [topic])
    bus = KafkaBus(
        bootstrap_servers=kafka_broker.bootstrap,
        client_id="csa-test",
        enable_idempotence=kafka_broker.enable_idempotence,
    )
    sent = [(topic, f"key-{n % 5}", f"m-{n}".encode()) for n in range(300)]
    try:
        for start in range(0, len(sent), 100):  # several record batches per partition
            assert await bus.publish_many(sent[start : start + 100]) == 100
    finally:
        await bus.stop()

    reported = sum((await end_offsets(kafka_broker.bootstrap, topic)).values())
    read = await topic_messages(kafka_broker.bootstrap, topic)

    if kafka_broker.kind == "tansu":  # what the local broker reports: short of the end
        assert reported < len(sent)

    assert sorted(m.value for m in read) == sorted(value for _, _, value in sent)
    for key in {key for _, key, _ in sent}:  # in order per key
        assert [m.value for m in read if m.key == key] == [v for _, k, v in sent if k == key]
