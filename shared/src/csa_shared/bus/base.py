"""The bus interface every service codes against.

Delivery is at-least-once: a handler may see a message again after a crash or a
rebalance, so handlers record what they processed (see ``csa_shared.inbox``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


class BusUnavailable(RuntimeError):
    """The broker could not take the message; the caller keeps it and retries later."""


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    key: str
    value: bytes
    partition: int = 0
    offset: int = 0


# A handler's return value is ignored by the bus (the inbox consumer reports its outcome).
Handler = Callable[[Message], Awaitable[object]]


class EventBus(ABC):
    """Publish keyed messages to topics; run handlers for consumer groups.

    A subscription's handler must finish (including its database commit) before the
    message counts as consumed; if it raises, the message is delivered again.
    """

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def publish(self, topic: str, key: str, value: bytes) -> None:
        """Send one message; raise ``BusUnavailable`` when the broker did not acknowledge it."""

    async def publish_many(self, messages: Sequence[tuple[str, str, bytes]]) -> int:
        """Send ``(topic, key, value)`` messages in order; return how many, from the first,
        were acknowledged. A broker implementation pipelines them; this default sends one
        at a time and stops at the first failure."""
        for sent, (topic, key, value) in enumerate(messages):
            try:
                await self.publish(topic, key, value)
            except BusUnavailable:
                if sent == 0:
                    raise
                return sent
        return len(messages)

    @abstractmethod
    def subscribe(self, *, group: str, topics: list[str], handler: Handler) -> None:
        """Register a consumer group; consumption starts with ``start()``."""

    @abstractmethod
    async def ping(self) -> bool:
        """True when the bus can currently accept messages (used by ``/readyz``)."""
