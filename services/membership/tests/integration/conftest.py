"""Membership on PostgreSQL behind its real HTTP app (in-process bus), with test tokens."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from csa_membership.app import definition
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.tokens import TestTokens

sys.path.insert(0, str(Path(__file__).parent))

from membership_api import ESCH, application


@pytest.fixture
def tokens() -> TestTokens:
    return TestTokens()


@pytest.fixture
async def membership(
    pg_database_url: Callable[[], str], tokens: TestTokens
) -> AsyncIterator[ServiceRuntime]:
    settings = Settings(MEMBERSHIP_DATABASE_URL=pg_database_url(), CSA_OUTBOX_POLL_SECONDS=0.05)
    runtime = definition.build_runtime(settings)
    runtime.token_verifier = tokens.verifier("membership")
    await runtime.start(migrate=True, relay=False)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def api(membership: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    app = definition.create_app(membership, manage_lifecycle=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://membership") as client:
        yield client


@pytest.fixture
async def signed(api, tokens: TestTokens) -> dict[str, Any]:
    """An agent's header and a signed contract already stored."""
    agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
    cid = (await api.post("/v1/contracts", json=application(), headers=agent)).json()["contract_id"]
    response = await api.post(f"/v1/contracts/{cid}/signature", headers=agent)
    assert response.status_code == 200, response.text
    return {"agent": agent, "contract": response.json()}
