"""Cases schemathesis found as 500s, kept as fixed regressions (PostgreSQL, in process)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from csa.services import definition
from csa_shared.settings import Settings
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres


@pytest.fixture
async def attendance(pg_database_url: Callable[[], str]) -> AsyncIterator[httpx.AsyncClient]:
    tokens = TestTokens()
    runtime = definition("attendance").build_runtime(
        Settings(ATTENDANCE_DATABASE_URL=pg_database_url())
    )
    await runtime.start(migrate=True, relay=False)
    runtime.token_verifier = tokens.verifier("attendance")
    app = definition("attendance").create_app(runtime, manage_lifecycle=False)
    headers = tokens.header(tokens.provider("prov-x"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://attendance", headers=headers
    ) as client:
        yield client
    await runtime.stop()


@pytest.mark.parametrize(
    "params", [{"limit": 2**70}, {"cursor": "eyJiIjp7fSwiYyI6MX0"}, {"offset": 2**70}]
)
async def test_a_limit_beyond_64_bits_or_a_garbled_cursor_is_invalid_input_422_not_500(
    attendance: httpx.AsyncClient, params: dict[str, object]
) -> None:
    response = await attendance.get("/v1/presences", params=params)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "https://csa.lu/problems/invalid-input"


async def test_a_nul_character_in_a_record_id_is_invalid_input_422_not_500(
    attendance: httpx.AsyncClient,
) -> None:
    body = {"record_id": "r\x00", "child_id": "c\x00", "start": "2025-03-03T08:00:00"}
    response = await attendance.post("/v1/presences", json={**body, "end": "2025-03-03T12:00:00"})

    assert response.status_code == 422, response.text
    assert response.json()["status"] == 422
