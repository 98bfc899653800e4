"""A Kafka fetch handed to a handler at once: messages built from aiokafka's records, and
the call of a handler's ``handle_batch`` (``KafkaBus`` commits once after it returned
True; when it declines or raises, the bus hands the messages over one by one)."""

from __future__ import annotations

import logging
from typing import Any

from aiokafka import TopicPartition

from csa_shared.bus.base import Message

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
