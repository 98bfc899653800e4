"""KafkaBus hands a handler with `handle_batch` a partition's fetch at once and commits once
after it; a batch that fails or is declined goes one by one; nothing is lost or repeated
once committed (issue 24: billing projects attendance's events in small batches)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from csa_shared.bus import Message
from csa_shared.bus.kafka import KafkaBus

from .conftest import Collector
from .test_kafka_bus import new_bus  # noqa: F401  (the fixture)

pytestmark = pytest.mark.kafka


class Batching(Collector):
    """Takes batches (recording their sizes) unless told to fail them."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.batches: list[int] = []
        self.fail = fail

    async def handle_batch(self, messages: Sequence[Message]) -> bool:
        if self.fail:
            raise RuntimeError("one of them is bad")
        self.batches.append(len(messages))
        for message in messages:
            await self(message)
        return True


async def test_a_fetch_comes_as_one_batch_and_is_committed_once(
    new_bus: Callable[..., KafkaBus],  # noqa: F811
    unique: Callable[[str], str],
) -> None:
    topic, group = unique("batch"), unique("g")
    first = new_bus()
    values = [f"m{n}".encode() for n in range(6)]
    for value in values:
        await first.publish(topic, "k", value)
    handler = Batching()
    first.subscribe(group=group, topics=[topic], handler=handler)
    await first.start()
    await handler.wait_for(6)
    await first.stop()

    again = Collector()
    second = new_bus()
    second.subscribe(group=group, topics=[topic], handler=again)
    await second.start()
    await second.publish(topic, "k", b"after")

    assert handler.values == values and max(handler.batches) > 1
    assert [m.value for m in await again.wait_for(1)] == [b"after"]  # all six committed


async def test_a_failed_batch_goes_one_by_one(
    new_bus: Callable[..., KafkaBus],  # noqa: F811
    unique: Callable[[str], str],
) -> None:
    topic = unique("batch-fails")
    bus = new_bus()
    values = [f"m{n}".encode() for n in range(4)]
    for value in values:
        await bus.publish(topic, "k", value)
    handler = Batching(fail=True)
    bus.subscribe(group=unique("g"), topics=[topic], handler=handler)
    await bus.start()

    assert [m.value for m in await handler.wait_for(4)] == values
    assert handler.batches == []
