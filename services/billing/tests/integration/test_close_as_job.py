"""BILLING_CLOSE_RUNNER=job: an agent's close request only records the period as closing,
and the Job's `csa billing close --pending` closes it, out of the API pods."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from csa.cli import app as csa
from csa_billing.periods import jobs
from csa_billing.tables import invoice
from csa_shared.settings import get_settings

from .conftest import count
from .town import deliver, town

pytestmark = pytest.mark.postgres
MARCH = "2025-03"


@pytest.fixture
def job_runner(billing, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings as the Kubernetes manifests give them, the CLI on the test's database."""
    monkeypatch.setenv("BILLING_CLOSE_RUNNER", "job")
    url = billing.settings.billing_database_url.get_secret_value()
    monkeypatch.setenv("BILLING_DATABASE_URL", url)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_an_agents_request_is_closed_by_the_pending_job_not_the_api(
    job_runner, billing, api, tokens
) -> None:
    await deliver(billing, town())
    agent = tokens.header(tokens.cae_agent("agent-1"))

    requested = await api.post(f"/v1/periods/{MARCH}/close", json={}, headers=agent)

    assert requested.status_code == 202, requested.text
    assert requested.json()["status"] == "closing"
    assert jobs.running(billing, MARCH) is None  # nothing runs in the API process
    assert await count(billing, invoice) == 0

    result = await asyncio.to_thread(CliRunner().invoke, csa, ["billing", "close", "--pending"])

    assert result.exit_code == 0, result.output
    period = await api.get(f"/v1/periods/{MARCH}", headers=agent)
    assert period.json()["status"] == "closed"
    assert await count(billing, invoice) == 5
    again = await asyncio.to_thread(CliRunner().invoke, csa, ["billing", "close", "--pending"])
    assert (again.exit_code, "no period is waiting" in again.output) == (0, True)
