"""Signing a contract publishes contract.signed and child.registered over the real broker."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from membership_api import ESCH, application

from csa_membership.app import definition
from csa_shared.bus import Message
from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS, Envelope, parse_event
from csa_shared.settings import Settings
from csa_shared.testing.tokens import TestTokens

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_signature_publishes_signed_and_registered_events(
    kafka_broker: Any, pg_database_url: Callable[[], str]
) -> None:
    await ensure_topics(kafka_broker.bootstrap, list(TOPICS.values()))
    settings = Settings(
        KAFKA_BOOTSTRAP_SERVERS=kafka_broker.bootstrap,
        KAFKA_ENABLE_IDEMPOTENCE=kafka_broker.enable_idempotence,
        MEMBERSHIP_DATABASE_URL=pg_database_url(),
        CSA_OUTBOX_POLL_SECONDS=0.05,
    )
    tokens = TestTokens()
    runtime = definition.build_runtime(settings)
    runtime.token_verifier = tokens.verifier("membership")
    received: list[Envelope] = []

    async def collect(message: Message) -> None:
        received.append(parse_event(message.value))  # validates against the repo's schemas

    runtime.bus.subscribe(
        group=f"test-membership-{uuid.uuid4().hex[:8]}",
        topics=[TOPICS["membership"]],
        handler=collect,
    )
    await runtime.start(migrate=True)
    try:
        app = definition.create_app(runtime, manage_lifecycle=False)
        agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://membership"
        ) as api:
            filed = (await api.post("/v1/contracts", json=application(), headers=agent)).json()
            signed = await api.post(
                f"/v1/contracts/{filed['contract_id']}/signature", headers=agent
            )
            assert signed.status_code == 200, signed.text
        child_id = filed["child_id"]

        deadline = time.monotonic() + 30
        while True:
            mine = {e.type: e for e in received if e.subject == child_id}
            if len(mine) == 2 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        assert set(mine) == {
            "lu.csa.membership.contract.signed.v1",
            "lu.csa.membership.child.registered.v1",
        }
        signed_data = mine["lu.csa.membership.contract.signed.v1"].data
        assert signed_data["contract_id"] == filed["contract_id"]
        assert signed_data["category"] == "lt_2_5" and signed_data["rank"] == 2
        registered = mine["lu.csa.membership.child.registered.v1"].data
        assert registered["first_name"] == "Mia" and registered["household_id"]
    finally:
        await runtime.stop()
