"""Fixtures of the bus tests: the real broker (Tansu unless configured) and helpers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest

from csa_shared.bus import Message


class Collector:
    """Records delivered messages; lets a test wait for a number of them."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._changed = asyncio.Condition()

    async def __call__(self, message: Message) -> None:
        async with self._changed:
            self.messages.append(message)
            self._changed.notify_all()

    @property
    def values(self) -> list[bytes]:
        return [m.value for m in self.messages]

    async def wait_for(self, count: int, timeout: float = 20.0) -> list[Message]:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.messages) >= count)
        return list(self.messages)

    async def wait_for_value(self, value: bytes, timeout: float = 20.0) -> list[Message]:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: value in self.values)
        return list(self.messages)


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Unique topic/group names per test, so tests sharing the broker never interfere."""
    run = uuid.uuid4().hex[:8]
    return lambda name: f"test.{name}.{run}"
