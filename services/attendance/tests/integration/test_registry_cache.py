"""The registry cache (issue 24): the events that change the registry empty it, and a cache
that missed a change (made by another replica, straight in the database) is never used: the
one-statement write checks the registry's version and the full path decides instead."""

from __future__ import annotations

from typing import Any

import pytest
from attendance_api import single_presence
from sqlalchemy import text

from csa_attendance.registry.cache import cache_of
from csa_shared.events import TOPICS, new_event
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.events import waiting_documents
from csa_shared.testing.polling import eventually

pytestmark = pytest.mark.postgres

MARCH = "2025-03"  # billing period Monday 2025-03-03 .. Sunday 2025-04-06


def cache(runtime: ServiceRuntime) -> Any:
    return cache_of(runtime.sessions())


async def recorded_flags(runtime: ServiceRuntime) -> dict[str, bool]:
    """record id → affects_closed_period of its presence.recorded event in the outbox."""
    return {
        e["data"]["record_id"]: e["data"]["affects_closed_period"]
        for e in await waiting_documents(runtime)
        if e["type"] == "lu.csa.attendance.presence.recorded.v1"
    }


async def in_another_process(runtime: ServiceRuntime, sql: str) -> None:
    """A write this process's cache hears nothing of (another replica's)."""
    async with runtime.engine.begin() as connection:
        await connection.execute(text(sql))


async def test_a_period_closed_event_empties_the_cache(api, world, runtime, as_provider) -> None:
    posted = await api.post(
        "/v1/presences", json=single_presence("a", "c1", "2025-03-03"), headers=as_provider("sea-a")
    )
    filled = len(cache(runtime))
    event = new_event(
        "lu.csa.billing.period.closed.v1",
        source="/csa/billing",
        subject=MARCH,
        data={
            "month": MARCH,
            "start": "2025-03-03",
            "end": "2025-04-06",
            "invoices": 1,
            "children": 1,
            "parent_total": "1.00",
            "state_total": "1.00",
            "closed_at": "2025-04-16T06:00:00+00:00",
        },
    )
    await runtime.bus.publish(TOPICS["billing"], event.key, event.to_json())

    async def emptied() -> bool:
        return cache(runtime).version is None

    await eventually(emptied, timeout=10)

    assert posted.status_code == 201 and filled > 0
    assert len(cache(runtime)) == 0


async def test_a_closed_month_the_cache_missed_is_still_flagged(
    api, world, runtime, as_provider
) -> None:
    sea_a = as_provider("sea-a")
    first = await api.post(
        "/v1/presences", json=single_presence("a", "c1", "2025-03-03"), headers=sea_a
    )
    await in_another_process(
        runtime, f"INSERT INTO closed_periods VALUES ('{MARCH}', '2025-04-16T06:00:00+00:00')"
    )
    says_open = MARCH not in cache(runtime).get("sea-a", ["c1"]).closed
    late = await api.post(
        "/v1/presences", json=single_presence("b", "c1", "2025-03-04"), headers=sea_a
    )

    assert (first.status_code, late.status_code) == (201, 201)
    assert says_open  # the cache still said March was open ...
    assert await recorded_flags(runtime) == {"a": False, "b": True}  # ... and was not used
    assert MARCH in cache(runtime).get("sea-a", ["c1"]).closed  # read again


async def test_a_contract_ended_elsewhere_refuses_the_single_presence(
    api, world, runtime, as_provider
) -> None:
    sea_a = as_provider("sea-a")
    first = await api.post(
        "/v1/presences", json=single_presence("a", "c2", "2025-03-03"), headers=sea_a
    )
    await in_another_process(
        runtime,
        "UPDATE education_contracts SET \"end\" = '2025-03-03', version = version + 1"
        " WHERE contract_id = 'ec-c2'",
    )
    after = await api.post(
        "/v1/presences", json=single_presence("b", "c2", "2025-03-04"), headers=sea_a
    )

    assert first.status_code == 201
    assert after.status_code == 422, after.text


def test_the_cache_is_bounded_and_keeps_one_version() -> None:
    from csa_attendance.registry.cache import Registry, RegistryCache

    small = RegistryCache(max_entries=20)
    for n in range(50):
        small.put(Registry({}, [], frozenset(), 7), f"p{n}", [f"c{n}"])
    newer = RegistryCache()
    newer.put(Registry({}, [], frozenset({"2025-03"}), 8), "p", ["c"])
    newer.put(Registry({}, [], frozenset(), 7), "q", ["c"])  # an older reader, late

    assert len(small) <= 22
    assert small.get("p49", ["c49"]) is not None and small.get("p0", ["c0"]) is None
    assert newer.version == 8 and newer.get("q", ["c"]) is None
    assert newer.get("p", ["c"]).closed == {"2025-03"}
