"""A Kafka fetch handed to a handler at once: messages built from aiokafka's records, and
the call of a handler's ``handle_batch`` with a fetch's messages (all its partitions', or
one partition's); ``KafkaBus`` commits once after it returned True; when it declines or
raises, the bus hands them over partition by partition, then one by one."""

from __future__ import annotations

import logging
from typing import Any

from aiokafka import TopicPartition

from csa_shared.bus.base import Message
from csa_shared.observability import metrics

log = logging.getLogger("csa_shared.bus.kafka")


def as_message(record: Any) -> Message:
    return Message(
        topic=record.topic,
        key=(record.key or b"").decode("utf-8", "replace"),
        value=record.value or b"",
        partition=record.partition,
        offset=record.offset,
    )


async def handled_at_once(
    handle: Any, group: str, tp: TopicPartition, messages: list[Message]
) -> bool:
    """A partition's fetched messages handled at once (one transaction, the handler's
    ``handle_batch``); False when it declined or failed: then one by one."""
    try:
        return bool(await handle(messages))
    except Exception:
        log.warning(
            "batch handler of %s failed on %s[%d]@%d..%d; one by one",
            group, tp.topic, tp.partition, messages[0].offset, messages[-1].offset,
            exc_info=True,
        )  # fmt: skip
        return False


async def handled_together(
    handle: Any, group: str, batches: dict[TopicPartition, list[Any]]
) -> dict[TopicPartition, int] | None:
    """Every partition's fetched records (aiokafka's ``getmany``) to one ``handle_batch``,
    each partition's in order: one transaction for the fetch. The position after each
    partition's last record when handled, else None (then partition by partition)."""
    messages = [as_message(record) for records in batches.values() for record in records]
    if not await handled_at_once(handle, group, next(iter(batches)), messages):
        return None
    return {tp: records[-1].offset + 1 for tp, records in batches.items()}


def record_lag(consumer: Any, group: str, positions: dict[TopicPartition, int]) -> None:
    """Each partition's messages from its position (the next one to handle) to its end, as
    the broker reported it with the last fetch."""
    for tp, position in positions.items():
        highwater = consumer.highwater(tp)
        if highwater is not None:
            behind = max(0, highwater - position)
            metrics.CONSUMER_LAG.labels(group, tp.topic, str(tp.partition)).set(behind)
