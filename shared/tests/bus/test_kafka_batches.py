"""KafkaBus hands a handler with `handle_batch` a fetch at once (all its partitions') and
commits once after it; a batch that fails or is declined goes one by one; nothing is lost or
repeated once committed (issue 24: billing projects attendance's events in small batches)."""

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
        self.partitions: list[int] = []  # how many partitions each batch held
        self.fail = fail

    async def handle_batch(self, messages: Sequence[Message]) -> bool:
        if self.fail:
            raise RuntimeError("one of them is bad")
        self.batches.append(len(messages))
        self.partitions.append(len({message.partition for message in messages}))
        for message in messages:
            await self(message)
        return True


async def batched_then_after(
    make_bus: Callable[..., KafkaBus], topic: str, group: str, sent: list[tuple[str, bytes]]
) -> tuple[Batching, list[bytes]]:
    """``sent`` published, consumed in batches by ``group``, which stops; a new member of
    the group then gets what comes after: the values it gets (none of ``sent`` when all
    were committed)."""
    first = make_bus()
    for key, value in sent:
        await first.publish(topic, key, value)
    handler = Batching()
    first.subscribe(group=group, topics=[topic], handler=handler)
    await first.start()
    await handler.wait_for(len(sent))
    await first.stop()

    again = Collector()
    second = make_bus()
    second.subscribe(group=group, topics=[topic], handler=again)
    await second.start()
    await second.publish(topic, sent[0][0], b"after")
    return handler, [m.value for m in await again.wait_for(1)]


async def test_a_fetch_comes_as_one_batch_and_is_committed_once(
    new_bus: Callable[..., KafkaBus],  # noqa: F811
    unique: Callable[[str], str],
) -> None:
    values = [f"m{n}".encode() for n in range(6)]
    sent = [("k", value) for value in values]
    handler, after = await batched_then_after(new_bus, unique("batch"), unique("g"), sent)

    assert handler.values == values and max(handler.batches) > 1
    assert after == [b"after"]  # all six committed


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


async def test_a_fetch_of_several_partitions_is_one_batch_and_one_commit(
    new_bus: Callable[..., KafkaBus],  # noqa: F811
    unique: Callable[[str], str],
) -> None:
    sent = [(f"k{n % 6}", f"m{n}".encode()) for n in range(30)]
    topic, group = unique("batch-partitions"), unique("g")
    handler, after = await batched_then_after(new_bus, topic, group, sent)

    assert max(handler.partitions) > 1
    assert len({m.partition for m in handler.messages}) > 1
    for key in {key for key, _ in sent}:  # each key's messages in order, once
        got = [m.value for m in handler.messages if m.key == key]
        assert got == [value for k, value in sent if k == key]
    assert after == [b"after"]  # every partition committed
