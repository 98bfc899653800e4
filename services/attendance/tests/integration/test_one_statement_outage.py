"""The one-statement write on a pooled connection the database dropped (a restart, a
failover): a 503 the provider's system retries, not a 500, and the retry is stored (the
broken connection was discarded, not handed out again)."""

from __future__ import annotations

import pytest
from attendance_api import single_presence
from sqlalchemy import text

from csa_shared.db import create_engine

pytestmark = pytest.mark.postgres


async def test_a_dropped_connection_is_a_503_and_the_retry_is_stored(
    api, world, runtime, as_provider
) -> None:
    sea_a = as_provider("sea-a")
    warm = await api.post(
        "/v1/presences", json=single_presence("a", "c1", "2025-03-03"), headers=sea_a
    )
    admin = create_engine(runtime.engine.url.render_as_string(hide_password=False))
    async with admin.connect() as connection:  # every connection of the service's pool goes
        await connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    await admin.dispose()
    body = single_presence("b", "c1", "2025-03-04")
    dropped = await api.post("/v1/presences", json=body, headers=sea_a)
    retried = await api.post("/v1/presences", json=body, headers=sea_a)
    again = await api.post(
        "/v1/presences", json=single_presence("c", "c1", "2025-03-05"), headers=sea_a
    )

    assert warm.status_code == 201
    assert dropped.status_code == 503, dropped.text
    assert retried.status_code in (200, 201) and again.status_code == 201, retried.text
