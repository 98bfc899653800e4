"""Membership on PostgreSQL behind its real HTTP app (in-process bus), with test tokens."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from csa_membership.app import definition
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.tokens import TestTokens

sys.path.insert(0, str(Path(__file__).parent))


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
