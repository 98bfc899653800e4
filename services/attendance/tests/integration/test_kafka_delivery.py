"""Every accepted record reaches a Kafka consumer exactly once (real broker, PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from attendance_api import contract_body, provider_body

from csa.services import definition
from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS
from csa_shared.settings import Settings

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def _collect(bootstrap: str, provider: str, expected: int, timeout: float = 60) -> list[Any]:
    consumer = AIOKafkaConsumer(
        TOPICS["attendance"],
        bootstrap_servers=bootstrap,
        group_id=f"test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    seen: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                for m in messages:
                    event = json.loads(m.value)
                    if event["data"].get("provider_id") == provider:
                        seen.append((m.key.decode(), event))
            if len(seen) >= expected:
                await asyncio.sleep(1.0)  # anything extra (a duplicate) would arrive too
                for messages in (await consumer.getmany(timeout_ms=500)).values():
                    seen += [
                        (m.key.decode(), json.loads(m.value))
                        for m in messages
                        if json.loads(m.value)["data"].get("provider_id") == provider
                    ]
                break
    finally:
        await consumer.stop()
    return seen


async def test_accepted_records_and_corrections_are_published_exactly_once(
    kafka_broker: Any, pg_database_url: Callable[[], str], tokens
) -> None:
    await ensure_topics(kafka_broker.bootstrap, list(TOPICS.values()))
    settings = Settings(
        KAFKA_BOOTSTRAP_SERVERS=kafka_broker.bootstrap,
        KAFKA_ENABLE_IDEMPOTENCE=kafka_broker.enable_idempotence,
        ATTENDANCE_DATABASE_URL=pg_database_url(),
        CSA_OUTBOX_POLL_SECONDS=0.05,
    )
    runtime = definition("attendance").build_runtime(settings)
    await runtime.start(migrate=True)
    runtime.token_verifier = tokens.verifier("attendance")
    provider = f"sea-{uuid.uuid4().hex[:8]}"
    agent = tokens.header(tokens.cae_agent("agent"))
    app = definition("attendance").create_app(runtime, manage_lifecycle=False)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://attendance"
        ) as api:
            await api.post("/v1/providers", json=provider_body(provider), headers=agent)
            for child in ("k1", "k2"):
                body = contract_body(f"ec-{provider}-{child}", child, provider)
                await api.post("/v1/education-contracts", json=body, headers=agent)
            items = [
                {
                    "kind": "presence",
                    "record_id": f"{child}-{d}",
                    "child_id": child,
                    "start": f"2025-03-{d:02d}T08:00:00",
                    "end": f"2025-03-{d:02d}T12:00:00",
                }
                for child in ("k1", "k2")
                for d in range(3, 28)
            ]
            headers = tokens.header(tokens.provider(provider))
            first = await api.post("/v1/declarations/batch", json={"items": items}, headers=headers)
            await api.post("/v1/declarations/batch", json={"items": items}, headers=headers)
            some_id = first.json()["results"][0]["id"]
            await api.post(f"/v1/presences/{some_id}/void", json={"reason": "no"}, headers=headers)
        expected = 1 + 2 + 50 + 1  # provider, 2 contracts, 50 presences, 1 void
        seen = await _collect(kafka_broker.bootstrap, provider, expected)
    finally:
        await runtime.stop()

    assert first.json()["accepted"] == 50
    assert len(seen) == expected
    assert len({e["id"] for _, e in seen}) == expected
    types = Counter(e["type"].split(".")[3] + "." + e["type"].split(".")[4] for _, e in seen)
    assert types == {
        "presence.recorded": 50,
        "provider.registered": 1,
        "educationcontract.started": 2,
        "presence.voided": 1,
    }
    keys = {e["data"]["child_id"]: key for key, e in seen if "child_id" in e["data"]}
    assert keys == {"k1": "k1", "k2": "k2"}
