"""Every write endpoint read back at once, on the embedded SQLite
(``csa_shared.testing.read_after_write``); a commit that fails answers a problem, never a 2xx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from csa.services import definition
from csa_billing.simulation.schemas import EXAMPLE_REQUEST
from csa_shared.http.problems import PROBLEM_JSON
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.commits import failing_commits
from csa_shared.testing.read_after_write import WriteCoverage, answer_first
from csa_shared.testing.tokens import TestTokens

coverage = WriteCoverage()
MONTH = "2025-03"


@pytest.fixture
async def embedded(tmp_path: Path, tokens: TestTokens) -> AsyncIterator[ServiceRuntime]:
    runtime = definition("billing").build_runtime(Settings(CSA_VAR_DIR=tmp_path))
    runtime.token_verifier = tokens.verifier("billing")
    await runtime.start(migrate=True, relay=False)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def client(embedded: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    app = definition("billing").create_app(embedded, manage_lifecycle=False)
    async with answer_first(app, "http://billing") as client:
        yield client


@pytest.fixture
def agent(tokens: TestTokens) -> dict[str, str]:
    return tokens.header(tokens.cae_agent("agent-1"))


async def _row_counts(runtime: ServiceRuntime) -> dict[str, int]:
    async with runtime.sessions() as session:
        return {
            name: (await session.execute(select(func.count()).select_from(table))).scalar_one()
            for name, table in runtime.metadata.tables.items()
        }


@coverage.covers("POST /v1/periods/{month}/close")
async def test_a_close_reads_back_at_once(client, agent) -> None:
    closing = await client.post(
        f"/v1/periods/{MONTH}/close", json={"ignore_grace": True}, headers=agent
    )
    assert closing.status_code in (200, 202), closing.text
    shown = await client.get(f"/v1/periods/{MONTH}", headers=agent)
    assert shown.status_code == 200, shown.text
    assert shown.json()["month"] == MONTH
    assert shown.json()["status"] in ("closing", "closed")


@coverage.covers("POST /v1/simulations")
async def test_a_simulation_stores_nothing_to_read_back(client, embedded) -> None:
    """A computation, not a change: the answer holds everything and no row is written."""
    before = await _row_counts(embedded)
    simulated = await client.post("/v1/simulations", json=EXAMPLE_REQUEST)
    assert simulated.status_code == 200, simulated.text
    assert await _row_counts(embedded) == before


async def test_a_commit_that_fails_answers_503_and_stores_nothing(
    client, embedded: ServiceRuntime, agent
) -> None:
    before: dict[str, Any] = await _row_counts(embedded)
    with failing_commits(embedded.engine) as refused:
        closing = await client.post(
            f"/v1/periods/{MONTH}/close", json={"ignore_grace": True}, headers=agent
        )
    assert refused
    assert (closing.status_code, closing.headers["content-type"]) == (503, PROBLEM_JSON)
    assert await _row_counts(embedded) == before
    assert (await client.get(f"/v1/periods/{MONTH}", headers=agent)).status_code == 404


def test_every_write_endpoint_is_read_back(embedded: ServiceRuntime) -> None:
    coverage.assert_complete(definition("billing").create_app(embedded, manage_lifecycle=False))
