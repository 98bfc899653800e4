"""The attendance service on PostgreSQL, driven over HTTP (in-process bus).

World: providers `sea-a` (SEA commercial) and `sea-b` (SEA conventionné); children c1..c5
under contract at `sea-a` from 2025-01-06, `c1` also at `sea-b`; `c9` only at `sea-b`;
`c6` at `sea-a` only for 2025-03-01..2025-03-15.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from csa.services import definition
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres

sys.path.insert(0, str(Path(__file__).parent))

from attendance_api import contract_body, provider_body  # noqa: E402


@pytest.fixture
def tokens() -> TestTokens:
    return TestTokens()


@pytest.fixture
async def runtime(
    pg_database_url: Callable[[], str], tokens: TestTokens
) -> AsyncIterator[ServiceRuntime]:
    settings = Settings(ATTENDANCE_DATABASE_URL=pg_database_url())
    rt = definition("attendance").build_runtime(settings)
    await rt.start(migrate=True, relay=False)
    rt.token_verifier = tokens.verifier("attendance")
    yield rt
    await rt.stop()


@pytest.fixture
async def api(runtime: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    app = definition("attendance").create_app(runtime, manage_lifecycle=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://attendance") as client:
        yield client


@pytest.fixture
def agent(tokens: TestTokens) -> dict[str, str]:
    return tokens.header(tokens.cae_agent("agent-1"))


@pytest.fixture
def as_provider(tokens: TestTokens) -> Callable[[str], dict[str, str]]:
    return lambda pid: tokens.header(tokens.provider(pid))


@pytest.fixture
async def world(api: httpx.AsyncClient, agent: dict[str, str]) -> None:
    for body in (provider_body("sea-a"), provider_body("sea-b", "sea_conventionne")):
        assert (await api.post("/v1/providers", json=body, headers=agent)).status_code == 201
    contracts = [contract_body(f"ec-{c}", c, "sea-a") for c in ("c1", "c2", "c3", "c4", "c5")]
    contracts += [
        contract_body("ec-c1-b", "c1", "sea-b"),
        contract_body("ec-c9", "c9", "sea-b"),
        contract_body("ec-c6", "c6", "sea-a", start="2025-03-01", end="2025-03-15"),
    ]
    for body in contracts:
        response = await api.post("/v1/education-contracts", json=body, headers=agent)
        assert response.status_code == 201, response.text
