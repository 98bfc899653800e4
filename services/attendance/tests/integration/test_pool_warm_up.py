"""The pool's warm-up (`CSA_DB_POOL_WARM`) leaves the statement of a new presence prepared
and planned on every pooled connection before the first request (issue 24: the first burst
found each of the 20 connections preparing it, PostgreSQL compiling the check function and
planning it anew, at once), and the relay's deletion prepared with its array type known."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from attendance_api import post_presences, single_presence

from csa.services import definition
from csa_shared.db import WARM_EXECUTIONS
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.round_trips import prepared_on_each_connection, round_trips
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres


@pytest.fixture
async def runtime(
    pg_database_url: Callable[[], str], tokens: TestTokens
) -> AsyncIterator[ServiceRuntime]:
    settings = Settings(ATTENDANCE_DATABASE_URL=pg_database_url(), CSA_DB_POOL_WARM=True)
    rt = definition("attendance").build_runtime(settings)
    await rt.migrate()
    await rt.start(relay=False)
    rt.token_verifier = tokens.verifier("attendance")
    yield rt
    await rt.stop()


async def test_every_connection_holds_the_presence_statement_planned(
    api, world, runtime, as_provider
) -> None:
    sea_a = as_provider("sea-a")
    # the first presence of (sea-a, c1) reads the registry; the second is the one statement
    first = await api.post(
        "/v1/presences", json=single_presence("w0", "c1", "2025-03-03"), headers=sea_a
    )
    assert first.status_code == 201, first.text
    async with round_trips(runtime) as sent:
        posted = await api.post(
            "/v1/presences", json=single_presence("w1", "c1", "2025-03-04"), headers=sea_a
        )
    assert posted.status_code == 201, posted.text
    (statement,) = [sql for sql in sent if "attendance_presence_clear" in sql]

    connections = await prepared_on_each_connection(runtime)

    assert len(connections) == runtime.settings.db_pool_size
    for prepared in connections:
        assert prepared.get(statement, 0) >= WARM_EXECUTIONS
        assert any("DELETE FROM outbox" in sql for sql in prepared)


async def test_every_connection_holds_the_correction_statements_prepared(
    api, world, runtime, as_provider
) -> None:
    """A correction's read and checked write (of its first correction, then of a later
    one) are those the warm-up prepared on every connection: no burst of corrections
    prepares them again connection by connection."""
    sea_a = as_provider("sea-a")
    (presence,) = await post_presences(api, sea_a, "w", "c1", ["2025-03-05"])
    amend = {"start": "2025-03-05T09:00:00", "end": "2025-03-05T12:00:00", "reason": "late"}
    async with round_trips(runtime) as sent:
        amended = await api.post(f"/v1/presences/{presence}/amend", json=amend, headers=sea_a)
        voided = await api.post(
            f"/v1/presences/{presence}/void", json={"reason": "absent"}, headers=sea_a
        )
    assert (amended.status_code, voided.status_code) == (200, 200), voided.text
    statements = {sql for sql in sent if "attendance_correction_" in sql}
    assert len(statements) == 3, sent  # the read, the first correction's write, a later one's

    connections = await prepared_on_each_connection(runtime)

    assert len(connections) == runtime.settings.db_pool_size
    for prepared in connections:
        assert statements <= set(prepared), statements - set(prepared)
