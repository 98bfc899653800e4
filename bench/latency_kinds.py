"""bench_latency's kinds of request (``--kind``, issue 24: "the same goal for a single meal and
a single correction"): what each request of a slot posts, what the bench records first (not
measured), and where billing shows an accepted one.

- ``presence``: ``POST /v1/presences`` (201), shown by billing's ``presence_projection`` row.
- ``meal``: ``POST /v1/meals`` (201), one meal of the slot's child that day, shown by its
  ``meal_projection`` row. A meal rests on a presence of the child at the provider that day:
  the slots' presences are recorded first.
- ``correction``: ``POST /v1/presences/{id}/amend`` (200), new times the same day with a
  reason, shown when billing's ``presence_projection`` row is at version 2. The slots'
  presences are recorded first.

What is recorded first goes in batches (``POST /v1/declarations/batch``, 1000 items), must
be in billing's projection before the warm-up (the measured run finds no backlog), and both
databases are analysed after it (as autovacuum would; else its ANALYZE falls in the run).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from latency_load import PRESENCES, Projection
from latency_platform import Headers, Platform, Slot, expect, plain_dsn

BATCH = 1000


@dataclass
class Kind:
    """One kind of request: ``request(slot)`` is its path and body, ``ok`` its status when
    accepted, ``projection`` where billing shows it; ``prepare`` records what it rests on."""

    name: str
    route: str
    ok: int
    projection: Projection
    shown: str  # what billing does that makes it visible (the end-to-end line)

    def request(self, slot: Slot) -> tuple[str, dict[str, Any]]:
        return "/v1/presences", slot.body()

    async def prepare(
        self, client: httpx.AsyncClient, headers: Headers, slots: list[Slot], plat: Platform
    ) -> None:
        """Nothing to record first (a presence rests on the registry only)."""

    def describe(self) -> str:
        version = f", version >= {self.projection.version}" if self.projection.version > 1 else ""
        return f"{self.name}: {self.route} → billing's {self.projection.table}{version}"


@dataclass
class MealKind(Kind):
    def request(self, slot: Slot) -> tuple[str, dict[str, Any]]:
        return "/v1/meals", meal_body(slot)

    async def prepare(
        self, client: httpx.AsyncClient, headers: Headers, slots: list[Slot], plat: Platform
    ) -> None:
        """The slots' presences, recorded and in billing."""
        await record_presences(client, headers, slots, plat)


@dataclass
class CorrectionKind(Kind):
    presence_ids: dict[Slot, str] = field(default_factory=dict)

    def request(self, slot: Slot) -> tuple[str, dict[str, Any]]:
        return f"/v1/presences/{self.presence_ids[slot]}/amend", amend_body(slot)

    async def prepare(
        self, client: httpx.AsyncClient, headers: Headers, slots: list[Slot], plat: Platform
    ) -> None:
        """The slots' presences (to be corrected), recorded and in billing at version 1."""
        self.presence_ids = await record_presences(client, headers, slots, plat)


def kind_named(name: str) -> Kind:
    """A new kind of that name (a correction keeps the ids of the presences it corrects)."""
    if name == "meal":
        return MealKind("meal", "POST /v1/meals", 201, Projection("meal_projection", "meal_id"),
                        "billing inserts the row")  # fmt: skip
    if name == "correction":
        return CorrectionKind(
            "correction", "POST /v1/presences/{id}/amend", 200, Projection(
                "presence_projection", "presence_id", version=2
            ), "billing writes version 2",
        )  # fmt: skip
    assert name == "presence", name
    return Kind("presence", "POST /v1/presences", 201, PRESENCES, "billing inserts the row")


KINDS = ("presence", "meal", "correction")


def meal_body(slot: Slot) -> dict[str, Any]:
    """One main meal of the slot's child on its day."""
    return {
        "record_id": f"m-{slot.child_id}-{slot.day}",
        "child_id": slot.child_id,
        "day": slot.day.isoformat(),
        "count": 1,
    }


def amend_body(slot: Slot) -> dict[str, Any]:
    """The slot's presence (08:00-16:30, `Slot.body`) shortened the same day, with a reason."""
    return {
        "start": f"{slot.day}T08:30:00",
        "end": f"{slot.day}T16:00:00",
        "reason": "bench: arrived late, left early",
    }


async def record_presences(
    client: httpx.AsyncClient,
    headers: Headers,
    slots: list[Slot],
    plat: Platform,
    timeout_s: float = 300.0,
) -> dict[Slot, str]:
    """Each slot's presence recorded through batches of its provider (all accepted), then
    awaited in billing's presence_projection, both databases analysed; their ids by slot."""
    ids: dict[Slot, str] = {}
    by_provider = sorted(slots, key=lambda s: s.provider_id)
    for provider, group in itertools.groupby(by_provider, key=lambda s: s.provider_id):
        mine = list(group)
        for start in range(0, len(mine), BATCH):
            chunk = mine[start : start + BATCH]
            items = [{"kind": "presence", **slot.body()} for slot in chunk]
            response = await client.post(
                "/v1/declarations/batch", json={"items": items}, headers=headers.of(provider)
            )
            expect(response, 200)
            results = response.json()["results"]
            refused = [r for r in results if r["outcome"] != "accepted"]
            if refused:
                raise RuntimeError(f"presences recorded first: {len(refused)} not accepted, "
                                   f"e.g. {refused[0]}")  # fmt: skip
            ids.update((slot, r["id"]) for slot, r in zip(chunk, results, strict=True))
    await projected(plain_dsn(plat.billing_db), PRESENCES, list(ids.values()), timeout_s)
    await analyze(plain_dsn(plat.attendance_db), plain_dsn(plat.billing_db))
    return ids


async def analyze(*dsns: str) -> None:
    """Planner statistics of the databases, as autovacuum would keep them: after the bulk
    load into empty tables, its ANALYZE would otherwise fall in the measured run."""
    for dsn in dsns:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("ANALYZE")
        finally:
            await conn.close()


async def projected(dsn: str, projection: Projection, ids: list[str], timeout_s: float) -> None:
    """Wait until billing shows every id (polling its database); raise after ``timeout_s``."""
    conn = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + timeout_s
        missing = set(ids)
        while missing:
            rows = await conn.fetch(projection.query(), list(missing))
            missing -= {row[projection.key] for row in rows}
            if missing and time.monotonic() > deadline:
                raise RuntimeError(f"{len(missing)} of {len(ids)} not in billing after "
                                   f"{timeout_s:g} s, e.g. {next(iter(missing))}")  # fmt: skip
            if missing:
                await asyncio.sleep(0.2)
    finally:
        await conn.close()
