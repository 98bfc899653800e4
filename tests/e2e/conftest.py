"""Two services on PostgreSQL and the real broker, wired as in production."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from csa.services import definition
from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.polling import eventually  # noqa: F401  (re-exported for tests)
from csa_shared.testing.tokens import TestTokens

E2E_PROVIDER = "sea-001"
E2E_CHILDREN = [f"child-{n}" for n in range(1, 6)]


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
    tokens = TestTokens()
    attendance.token_verifier = tokens.verifier("attendance")
    app = definition("attendance").create_app(attendance, manage_lifecycle=False)
    transport = httpx.ASGITransport(app=app)
    headers = tokens.header(tokens.provider(E2E_PROVIDER))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://attendance", headers=headers
    ) as client:
        await _register_provider_and_contracts(client, tokens)
        yield client


async def _register_provider_and_contracts(client: httpx.AsyncClient, tokens: TestTokens) -> None:
    """Presences need a registered provider and an education contract per child."""
    agent = tokens.header(tokens.cae_agent("e2e-agent"))
    provider = {
        "provider_id": E2E_PROVIDER,
        "provider_type": "sea_commercial",
        "effective_from": "2025-01-06",
        "name": "Crèche E2E",
        "address": {"street": "1 rue de la Gare", "postcode": "L-1234", "locality": "Luxembourg"},
        "commune": "Luxembourg",
        "hourly_price": "7.50",
        "meal_price": "4.50",
        "plurilingual": False,
    }
    response = await client.post("/v1/providers", json=provider, headers=agent)
    assert response.status_code in (201, 409), response.text
    for child in E2E_CHILDREN:
        contract = {
            "contract_id": f"ec-{child}",
            "child_id": child,
            "provider_id": E2E_PROVIDER,
            "start": "2025-01-06",
            "hours_per_week": "40",
            "hourly_price": "7.50",
        }
        response = await client.post("/v1/education-contracts", json=contract, headers=agent)
        assert response.status_code in (201, 409), response.text
