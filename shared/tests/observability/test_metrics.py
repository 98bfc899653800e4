"""What ``/metrics`` samples when scraped: the outbox backlog and its oldest age, pool use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from csa.services import definition
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings


@pytest.fixture
async def membership(tmp_path: Path) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:
    spec = definition("membership")
    runtime = spec.build_runtime(Settings(CSA_VAR_DIR=tmp_path))
    await runtime.start(migrate=True, relay=False)  # the rows stay: nothing publishes them
    app = spec.create_app(runtime, manage_lifecycle=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        yield runtime, http
    await runtime.stop()


async def scrape(http: httpx.AsyncClient) -> dict[str, float]:
    """The scrape's samples of the service ``membership``, by metric name."""
    response = await http.get("/metrics")
    assert response.status_code == 200
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.labels.get("service") == "membership"
    }


async def test_scrape_reports_the_outbox_backlog_and_the_age_of_its_oldest_event(
    membership,
) -> None:
    runtime, http = membership
    assert (await scrape(http))["csa_outbox_backlog_events"] == 0
    assert (await scrape(http))["csa_outbox_oldest_age_seconds"] == 0

    now = datetime.now(UTC)
    rows = [
        {"event_id": "e-1", "created_at": now - timedelta(minutes=10), "message_count": 1},
        {"event_id": "e-2", "created_at": now - timedelta(seconds=5), "message_count": 40},
    ]
    async with runtime.unit_of_work() as session:
        for row in rows:
            await session.execute(
                runtime.outbox.insert().values(
                    topic="csa.membership.events", message_key="k", payload="{}", **row
                )
            )
    samples = await scrape(http)

    assert samples["csa_outbox_backlog_events"] == 41  # a bulk row counts its events
    assert 600 <= samples["csa_outbox_oldest_age_seconds"] < 660


async def test_scrape_reports_the_connections_checked_out_of_the_pool(membership) -> None:
    runtime, http = membership
    idle = await scrape(http)
    async with runtime.engine.connect() as held:
        busy = await scrape(http)
        assert held is not None
    assert busy["csa_db_pool_connections_in_use"] == idle["csa_db_pool_connections_in_use"] + 1
    assert busy["csa_db_pool_connections_max"] >= 1
