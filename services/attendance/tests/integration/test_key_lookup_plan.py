"""The plan of a batch's key lookup on PostgreSQL (issue 24, the ingest ratio).

A batch reads the provider's stored records under its 1000 record ids. PostgreSQL caches a
generic plan for a prepared statement (asyncpg's, from the sixth execution on) made with the
statistics it has then: for a table never analysed (a new database), `provider_record_id =
ANY($keys)` was planned as a scan of all the provider's rows, each compared with every key,
which grew to tens of milliseconds a batch. The lookup now probes the unique index once per
key whatever the statistics: checked here on the generic plan, the one that went wrong."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg

from csa_attendance.presences.repository import _keyed
from csa_attendance.tables import meals, presences, reservations
from csa_shared.db import asyncpg_connection
from csa_shared.runtime import ServiceRuntime

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("table", [presences, meals, reservations], ids=lambda t: t.name)
async def test_the_key_lookup_probes_the_index_per_key(runtime: ServiceRuntime, table) -> None:
    keys = [f"r-{n}" for n in range(1000)]
    async with runtime.sessions() as session:
        query = _keyed(session, table, "sea-a", keys)
        sql = str(query.compile(dialect=pg_asyncpg.dialect()))
        driver = await asyncpg_connection(session)
        assert driver is not None
        await driver.execute("SET plan_cache_mode = force_generic_plan")
        try:
            await driver.execute(f"PREPARE key_lookup AS {sql}")
            # (literals: EXECUTE takes no bind parameters; the plan is the generic one)
            arguments = "'{" + ",".join(keys) + "}', 'sea-a', 0"
            explained = await driver.fetch(f"EXPLAIN EXECUTE key_lookup({arguments})")
            plan = "\n".join(row[0] for row in explained)
            rows = await driver.fetch(f"EXECUTE key_lookup({arguments})")
        finally:
            await driver.execute("DEALLOCATE ALL")
            await driver.execute("RESET plan_cache_mode")
    assert rows == []
    index_conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert any(
        "provider_id" in line and "provider_record_id" in line for line in index_conditions
    ), plan
    assert "Filter" not in plan, plan
