"""A close left half-way by a process that died resumes by itself: a serving replica picks
it up once the dead process's lease is gone (never while the process closing it lives),
and `csa billing close` (the CronJob) finishes it before its own month."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from csa.services import definition
from csa_billing.periods import jobs
from csa_billing.periods.close import CloseOptions, close_period, period_status_in
from csa_billing.tables import invoice
from csa_shared.db import create_engine

from .conftest import count
from .town import deliver, town

pytestmark = pytest.mark.postgres
MARCH = "2025-03"
LEASE = "SELECT pg_advisory_lock(hashtext('csa-billing-close:2025-03'))"


async def left_half_way(billing) -> None:  # type: ignore[no-untyped-def]
    """March's close, killed after its first chunk of two children (as its pod was)."""
    await deliver(billing, town())

    def killed(chunks: int) -> None:
        raise RuntimeError("the pod died")

    with pytest.raises(RuntimeError):
        options = CloseOptions(today=date(2025, 4, 30), chunk_size=2, after_chunk=killed)
        await close_period(billing, MARCH, options)


async def march(runtime):  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return await period_status_in(session, MARCH)


async def test_a_replica_resumes_a_close_once_the_process_running_it_is_gone(billing) -> None:
    await left_half_way(billing)
    assert (await march(billing)).children_done == 2
    alive = create_engine(billing.settings.database_url("billing"))
    holder = await alive.connect()  # the process closing March, still alive: its lease
    await holder.execute(text(LEASE))
    await holder.commit()
    replica = definition("billing").build_runtime(billing.settings)
    replica.at_start["billing close resumer"] = lambda: jobs.keep_resuming(replica, every_s=0.1)
    await replica.start(relay=False)
    try:
        await asyncio.sleep(0.5)  # rounds of the resumer: the lease is taken, nothing done
        assert ((await march(replica)).status, (await march(replica)).children_done) == (
            "closing",
            2,
        )

        await holder.close()  # that process dies: the server ends its lease
        await alive.dispose()
        async with asyncio.timeout(30):
            while (await march(replica)).status != "closed":
                await asyncio.sleep(0.1)
        assert (await march(replica)).state_total == Decimal("430.30")
        assert await count(replica, invoice) == 5
    finally:
        await replica.stop()


async def test_the_cronjob_run_finishes_a_close_left_half_way(billing) -> None:
    await left_half_way(billing)

    assert await jobs.resume_closes(billing) == [MARCH]

    assert ((await march(billing)).status, await count(billing, invoice)) == ("closed", 5)
    assert await jobs.resume_closes(billing) == []  # nothing left: nothing done
