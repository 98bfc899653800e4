"""A correction decided on a read made outside any lock (`presences.quick_correction`) is
written only when the ledger and registry it read are unchanged under the provider's lock;
else it is decided again under the lock. Concurrent writes come between its read and its
write (`before_statement`: just before the checked write is sent), or many corrections of
one presence run at once, on a pool of three connections (none of these requests may wait
for a second connection while holding one)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from attendance_api import before_statement, contract_body, single_presence
from sqlalchemy import select

from csa.services import definition
from csa_attendance.tables import presence_versions, presences
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.events import waiting_documents
from csa_shared.testing.round_trips import round_trips
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres

WRITE = "attendance_correction_clear"  # the checked write's statement


@pytest.fixture
async def runtime(
    pg_database_url: Callable[[], str], tokens: TestTokens
) -> AsyncIterator[ServiceRuntime]:
    """The service (as conftest's) on a pool of three connections."""
    settings = Settings(ATTENDANCE_DATABASE_URL=pg_database_url(), CSA_DB_POOL_SIZE=3)
    rt = definition("attendance").build_runtime(settings)
    await rt.start(migrate=True, relay=False)
    rt.token_verifier = tokens.verifier("attendance")
    yield rt
    await rt.stop()


async def _versions(runtime: Any, presence_id: str) -> list[tuple[int, str, str]]:
    async with runtime.sessions() as s:
        found = await s.execute(
            select(
                presence_versions.c.version, presence_versions.c.start, presence_versions.c.status
            )
            .where(presence_versions.c.presence_id == presence_id)
            .order_by(presence_versions.c.version)
        )
        return [(v, start.isoformat(), status) for v, start, status in found]


async def _events(runtime: Any, record_id: str, kind: str) -> list[dict[str, Any]]:
    return [
        d
        for d in await waiting_documents(runtime)
        if d["type"].startswith(f"lu.csa.attendance.{kind}.")
        and d["data"].get("record_id") == record_id
        and not d["type"].endswith(".recorded.v1")
    ]


async def test_a_presence_posted_between_read_and_write_is_seen(
    api, world, runtime, as_provider
) -> None:
    """The child's presence at another provider, posted after the amend's read, overlaps
    the new times: the checked write finds the ledger changed, and the locked path refuses."""
    sea_a, sea_b = as_provider("sea-a"), as_provider("sea-b")
    here = await api.post(
        "/v1/presences", json=single_presence("x1", "c1", "2025-03-10"), headers=sea_a
    )
    presence = here.json()["id"]
    there = {"record_id": "x2", "child_id": "c1"}
    there |= {"start": "2025-03-10T13:00:00", "end": "2025-03-10T17:00:00"}
    longer = {"start": "2025-03-10T08:00:00", "end": "2025-03-10T16:00:00", "reason": "stayed"}

    async def post_there() -> Any:
        return await api.post("/v1/presences", json=there, headers=sea_b)

    async with round_trips(runtime) as sent:
        with before_statement(runtime, WRITE, post_there) as done:
            amended = await api.post(f"/v1/presences/{presence}/amend", json=longer, headers=sea_a)

    assert done[0].status_code == 201, done[0].text
    assert amended.status_code == 422, amended.text
    assert [e["code"] for e in amended.json()["errors"]] == ["overlap"]
    assert any("attendance_locked_registry" in s for s in sent)  # the locked path decided
    async with runtime.sessions() as s:
        row = (await s.execute(select(presences).where(presences.c.id == presence))).one()
    assert (row.version, row.end.isoformat()) == (1, "2025-03-10T12:00:00")
    assert await _versions(runtime, presence) == []
    assert await _events(runtime, "x1", "presence") == []


async def test_a_presence_corrected_between_read_and_write_is_decided_again(
    api, world, runtime, as_provider
) -> None:
    """Another amend of the same presence between the amend's read and its write: the
    write finds the presence at another version and the amend is decided again on it."""
    sea_a = as_provider("sea-a")
    here = await api.post(
        "/v1/presences", json=single_presence("y1", "c2", "2025-03-11"), headers=sea_a
    )
    presence = here.json()["id"]
    url = f"/v1/presences/{presence}/amend"
    first = {"start": "2025-03-11T08:30:00", "end": "2025-03-11T12:00:00", "reason": "one"}
    second = {"start": "2025-03-11T09:00:00", "end": "2025-03-11T12:00:00", "reason": "two"}

    async def amend_first() -> Any:
        return await api.post(url, json=first, headers=sea_a)

    with before_statement(runtime, WRITE, amend_first) as done:
        amended = await api.post(url, json=second, headers=sea_a)

    assert (done[0].status_code, done[0].json()["version"]) == (200, 2)
    assert amended.status_code == 200, amended.text
    assert (amended.json()["version"], amended.json()["start"]) == (3, "2025-03-11T09:00:00")
    assert await _versions(runtime, presence) == [
        (1, "2025-03-11T08:00:00", "active"),
        (2, "2025-03-11T08:30:00", "active"),
        (3, "2025-03-11T09:00:00", "active"),
    ]
    events = await _events(runtime, "y1", "presence")
    assert [e["data"]["previous_start"][11:16] for e in events] == ["08:00", "08:30"]


async def test_a_registry_write_between_read_and_write_is_seen(
    api, world, runtime, agent, as_provider
) -> None:
    """A contract registered between a void's read and its write raises the registry's
    version: the void is decided again under the lock (on the registry read afresh)."""
    sea_a = as_provider("sea-a")
    here = await api.post(
        "/v1/presences", json=single_presence("v1", "c4", "2025-03-14"), headers=sea_a
    )
    presence = here.json()["id"]

    async def register() -> Any:
        body = contract_body("ec-c7", "c7", "sea-a")
        return await api.post("/v1/education-contracts", json=body, headers=agent)

    async with round_trips(runtime) as sent:
        with before_statement(runtime, WRITE, register) as done:
            voided = await api.post(
                f"/v1/presences/{presence}/void", json={"reason": "absent"}, headers=sea_a
            )

    assert done[0].status_code == 201, done[0].text
    assert (voided.status_code, voided.json()["version"]) == (200, 2), voided.text
    assert sum(WRITE in s for s in sent) == 1  # the checked write: nothing written
    assert any("attendance_locked_registry" in s for s in sent)  # decided again
    assert [v for v, _, _ in await _versions(runtime, presence)] == [1, 2]
    assert len(await _events(runtime, "v1", "presence")) == 1


async def test_a_meal_posted_between_read_and_write_is_counted(
    api, world, runtime, as_provider
) -> None:
    """A meal's amend to 3 meals that day, a meal of the child posted between its read and
    its write: 4 that day, refused (at most 3) when decided again."""
    sea_a = as_provider("sea-a")
    assert (
        await api.post(
            "/v1/presences", json=single_presence("z0", "c5", "2025-03-12"), headers=sea_a
        )
    ).status_code == 201
    fed = {"kind": "meal", "record_id": "z1", "child_id": "c5", "day": "2025-03-12", "count": 1}
    other = fed | {"record_id": "z2"}
    posted = await api.post("/v1/declarations/batch", json={"items": [fed]}, headers=sea_a)
    meal_id = posted.json()["results"][0]["id"]

    async def post_other() -> Any:
        return await api.post("/v1/declarations/batch", json={"items": [other]}, headers=sea_a)

    more = {"day": "2025-03-12", "count": 3, "reason": "dinner"}
    with before_statement(runtime, WRITE, post_other) as done:
        amended = await api.post(f"/v1/meals/{meal_id}/amend", json=more, headers=sea_a)

    assert done[0].json()["accepted"] == 1, done[0].text
    assert amended.status_code == 422, amended.text
    assert await _events(runtime, "z1", "meal") == []


async def test_many_corrections_of_one_presence_at_once(api, world, runtime, as_provider) -> None:
    """Twenty amends of one presence at once: each answered 2xx is stored, under its own
    version, with its one event; the versions follow one another."""
    sea_a = as_provider("sea-a")
    here = await api.post(
        "/v1/presences", json=single_presence("w1", "c3", "2025-03-13"), headers=sea_a
    )
    presence = here.json()["id"]
    bodies = [
        {"start": f"2025-03-13T08:{n:02d}:00", "end": "2025-03-13T12:00:00", "reason": f"r{n}"}
        for n in range(1, 21)
    ]

    answers = await asyncio.gather(
        *(api.post(f"/v1/presences/{presence}/amend", json=b, headers=sea_a) for b in bodies)
    )

    assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers]
    versions = await _versions(runtime, presence)
    assert [v for v, _, _ in versions] == list(range(1, 22))
    answered = sorted((a.json()["version"], a.json()["start"]) for a in answers)
    assert answered == [(v, start) for v, start, _ in versions[1:]]
    events = await _events(runtime, "w1", "presence")
    assert sorted(e["data"]["start"][11:16] for e in events) == sorted(
        b["start"][11:16] for b in bodies
    )
    async with runtime.sessions() as s:
        row = (await s.execute(select(presences).where(presences.c.id == presence))).one()
    assert (row.version, row.start.isoformat()) == (21, versions[-1][1])
