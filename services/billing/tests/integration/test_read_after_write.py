"""Every write endpoint read back at once, on the embedded SQLite
(``csa_shared.testing.read_after_write``); a commit that fails answers a problem, never a 2xx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from csa.services import definition
from csa_billing.periods.close import CloseOptions, close_period
from csa_billing.simulation.schemas import EXAMPLE_REQUEST
from csa_shared.http.problems import PROBLEM_JSON
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.commits import failing_commits
from csa_shared.testing.read_after_write import WriteCoverage, answer_first
from csa_shared.testing.tokens import TestTokens

from .test_payments import MR, banked_town, report
from .town import deliver

coverage = WriteCoverage()
MONTH = "2025-03"
PAYING_AGENCY = {
    "BILLING_PAYMENT_DEBTOR_NAME": "Ministère de l'Éducation nationale",
    "BILLING_PAYMENT_DEBTOR_IBAN": "LU12 0010 0012 3456 7891",
}


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


@pytest.fixture
async def exported_march(embedded: ServiceRuntime, client, agent, monkeypatch) -> dict[str, Any]:
    """March of the banked town closed, its payments exported and read back at once."""
    for name, value in PAYING_AGENCY.items():
        monkeypatch.setenv(name, value)
    await deliver(embedded, banked_town())
    await close_period(embedded, MONTH, CloseOptions(today=date(2025, 4, 30)))
    exported = await client.post(f"/v1/periods/{MONTH}/payments", headers=agent)
    assert exported.status_code == 201, exported.text
    shown = await client.get(f"/v1/periods/{MONTH}/payments", headers=agent)
    assert shown.status_code == 200, shown.text
    assert shown.json()["payments"] == exported.json()["payments"]
    return {p["statement_number"]: p for p in shown.json()["payments"]}


def _status_of(batch: httpx.Response, number: str) -> str:
    return next(p["status"] for p in batch.json()["payments"] if p["statement_number"] == number)


@coverage.covers("POST /v1/periods/{month}/payments")
async def test_an_export_reads_back_at_once(exported_march) -> None:
    assert {p["status"] for p in exported_march.values()} >= {"exported"}


@coverage.covers("POST /v1/statements/{statement_id}/payment-status")
async def test_a_payment_status_reads_back_at_once(client, agent, exported_march) -> None:
    statement_id = exported_march[MR]["statement_id"]
    recorded = await client.post(
        f"/v1/statements/{statement_id}/payment-status", json={"status": "confirmed"}, headers=agent
    )
    assert recorded.status_code == 200, recorded.text
    shown = await client.get(f"/v1/periods/{MONTH}/payments", headers=agent)
    assert _status_of(shown, MR) == "confirmed"


@coverage.covers("POST /v1/payments/status-reports")
async def test_a_status_report_reads_back_at_once(client, agent, exported_march) -> None:
    uploaded = await client.post(
        "/v1/payments/status-reports",
        content=report((MR, "RJCT", "AC04")),
        headers={**agent, "Content-Type": "application/xml"},
    )
    assert uploaded.status_code == 200, uploaded.text
    shown = await client.get(f"/v1/periods/{MONTH}/payments", headers=agent)
    assert _status_of(shown, MR) == "rejected"
