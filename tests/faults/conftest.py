"""Services on PostgreSQL and the real broker, for fault injection.

Each test gets fresh databases; the Tansu broker is shared by the session, so every test
uses its own provider, children and a billing month no other test uses, and checks only
its own records (other tests' events may travel on the same topics).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS
from csa_shared.testing.postgres import TestDatabase

SEEDS = [int(s) for s in os.environ.get("CSA_FAULT_SEEDS", "20251006,7").split(",")]


@pytest.fixture
async def broker(kafka_broker: Any) -> AsyncIterator[Any]:
    if not kafka_broker.can_pause:
        pytest.skip(f"a {kafka_broker.kind} broker cannot be paused (fault tests need Tansu)")
    await ensure_topics(kafka_broker.bootstrap, list(TOPICS.values()))
    yield kafka_broker
    if getattr(kafka_broker, "_paused", False):  # a failed test must not leave it frozen
        await asyncio.to_thread(kafka_broker.resume)


@pytest.fixture
def databases(pg_database: Callable[[], TestDatabase]) -> Callable[[], TestDatabase]:
    return pg_database
