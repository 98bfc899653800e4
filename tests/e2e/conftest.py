"""Two services on PostgreSQL and the real broker, wired as in production."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from csa.services import definition
from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings


@pytest.fixture
async def platform_settings(kafka_broker: Any, pg_database_url: Callable[[], str]) -> Settings:
    await ensure_topics(kafka_broker.bootstrap, list(TOPICS.values()))
    return Settings(
        KAFKA_BOOTSTRAP_SERVERS=kafka_broker.bootstrap,
        KAFKA_ENABLE_IDEMPOTENCE=kafka_broker.enable_idempotence,
        ATTENDANCE_DATABASE_URL=pg_database_url(),
        BILLING_DATABASE_URL=pg_database_url(),
        CSA_OUTBOX_POLL_SECONDS=0.05,
    )


@pytest.fixture
async def attendance(platform_settings: Settings) -> AsyncIterator[ServiceRuntime]:
    runtime = definition("attendance").build_runtime(platform_settings)
    await runtime.start(migrate=True)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def billing(platform_settings: Settings) -> AsyncIterator[ServiceRuntime]:
    runtime = definition("billing").build_runtime(platform_settings)
    await runtime.start(migrate=True)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def attendance_api(attendance: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    app = definition("attendance").create_app(attendance, manage_lifecycle=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://attendance") as client:
        yield client


async def eventually(
    probe: Callable[[], Awaitable[Any]], *, timeout: float = 30.0, interval: float = 0.1
) -> Any:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)
