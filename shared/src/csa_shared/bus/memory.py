"""The in-process event bus of the embedded mode, with the Kafka bus's delivery contract.

Each topic is an append-only log in memory (one partition, offsets from 0). Each consumer
group keeps its own committed offset per topic; a message counts as consumed only after its
handler returned, and a handler that raises sees the same message again after a backoff.
Stopping while a handler runs leaves the offset where it was, so ``start()`` delivers that
message again: at-least-once, ordered per topic. The log lives as long as the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from csa_shared.bus.base import EventBus, Handler, Message

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Subscription:
    group: str
    topics: tuple[str, ...]
    handler: Handler
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)


class InProcessBus(EventBus):
    def __init__(self, *, retry_backoff_s: float = 0.2, shutdown_timeout_s: float = 3.0) -> None:
        self._retry_backoff_s = retry_backoff_s
        self._shutdown_timeout_s = shutdown_timeout_s
        self._logs: dict[str, list[Message]] = {}
        self._committed: dict[tuple[str, str], int] = {}
        self._subscriptions: list[_Subscription] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._running = False
        self._stopping = asyncio.Event()

    def subscribe(self, *, group: str, topics: list[str], handler: Handler) -> None:
        if not topics:
            raise ValueError("subscribe() needs at least one topic")
        taken = {(s.group, t) for s in self._subscriptions for t in s.topics}
        clash = sorted(t for t in topics if (group, t) in taken)
        if clash:
            # Kafka would split partitions between the two; one in-process log has one.
            raise ValueError(f"group {group!r} already consumes {clash}")
        sub = _Subscription(group, tuple(dict.fromkeys(topics)), handler)
        self._subscriptions.append(sub)
        if self._running:
            self._tasks.append(self._spawn(sub))

    async def start(self) -> None:
        if self._running:
            return
        self._running = True
        self._stopping = asyncio.Event()
        self._tasks = [self._spawn(s) for s in self._subscriptions]

    async def stop(self) -> None:
        self._running = False
        self._stopping.set()
        for sub in self._subscriptions:
            sub.wakeup.set()
        tasks, self._tasks = self._tasks, []
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=self._shutdown_timeout_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def publish(self, topic: str, key: str, value: bytes) -> None:
        entries = self._logs.setdefault(topic, [])
        entries.append(Message(topic=topic, key=key, value=value, offset=len(entries)))
        for sub in self._subscriptions:
            if topic in sub.topics:
                sub.wakeup.set()

    async def ping(self) -> bool:
        return True

    def messages(self, topic: str) -> list[Message]:
        """Every message published to ``topic`` so far, in order (for tests and diagnostics)."""
        return list(self._logs.get(topic, ()))

    def committed(self, group: str, topic: str) -> int:
        """The next offset ``group`` will read from ``topic`` (for tests and diagnostics)."""
        return self._committed.get((group, topic), 0)

    def _spawn(self, sub: _Subscription) -> asyncio.Task[None]:
        return asyncio.create_task(self._run(sub), name=f"inprocess-consumer-{sub.group}")

    async def _run(self, sub: _Subscription) -> None:
        while not self._stopping.is_set():
            sub.wakeup.clear()
            retry = False
            for topic in sub.topics:
                outcome = await self._drain(sub, topic)
                if outcome is None:
                    return
                retry = retry or outcome
            if not retry:
                await sub.wakeup.wait()

    async def _drain(self, sub: _Subscription, topic: str) -> bool | None:
        """Handle what ``sub`` has not consumed of ``topic``: False when all is consumed,
        True when a handler failed (retry after the backoff), None when stopping."""
        entries = self._logs.get(topic, [])
        position = (sub.group, topic)
        while self._committed.get(position, 0) < len(entries):
            if self._stopping.is_set():
                return None
            message = entries[self._committed.get(position, 0)]
            try:
                await sub.handler(message)
            except Exception:
                log.exception(
                    "handler of %s failed on %s@%d; will retry",
                    sub.group, topic, message.offset,
                )  # fmt: skip
                await self._backoff()
                return True
            self._committed[position] = message.offset + 1
        return False

    async def _backoff(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self._retry_backoff_s)
