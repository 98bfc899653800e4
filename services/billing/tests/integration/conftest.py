"""Billing on a fresh PostgreSQL database, with its HTTP API in process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from sqlalchemy import func, select

from csa.services import definition
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.tokens import TestTokens


@pytest.fixture
async def billing(pg_database_url: Callable[[], str]) -> AsyncIterator[ServiceRuntime]:
    runtime = definition("billing").build_runtime(Settings(BILLING_DATABASE_URL=pg_database_url()))
    await runtime.migrate()
    yield runtime
    await runtime.engine.dispose()


@pytest.fixture
def tokens() -> TestTokens:
    return TestTokens()


@pytest.fixture
async def api(billing: ServiceRuntime, tokens: TestTokens) -> AsyncIterator[httpx.AsyncClient]:
    billing.token_verifier = tokens.verifier("billing")
    app = definition("billing").create_app(billing, manage_lifecycle=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://billing") as client:
        yield client


async def invoices(api: httpx.AsyncClient, tokens: TestTokens, child: str) -> list[dict]:
    response = await api.get("/v1/invoices", headers=tokens.header(tokens.parent("p", [child])))
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def count(runtime: ServiceRuntime, table) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()
