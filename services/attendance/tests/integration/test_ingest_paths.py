"""One ingest, two ways in: items already validated (the whole body at once, or the body of
`POST /presences`) and JSON values validated one by one decide alike."""

from __future__ import annotations

import json
from typing import Any

import pytest

from csa_attendance.presences import service
from csa_attendance.presences.schemas import valid_batch

pytestmark = pytest.mark.postgres


def timed(kind: str, record: str, child: str, day: str, hours: str, **more: str) -> dict[str, Any]:
    start, end = hours.split("-")
    return {
        "kind": kind,
        "record_id": record,
        "child_id": child,
        "start": f"{day}T{start}:00",
        "end": f"{day}T{end}:00",
        **more,
    }


def meal(record: str, child: str, day: str) -> dict[str, Any]:
    return {"kind": "meal", "record_id": record, "child_id": child, "day": day, "count": 1}


ITEMS: list[dict[str, Any]] = [
    timed("presence", "p-1", "c1", "2025-03-03", "08:00-12:00"),
    meal("m-1", "c1", "2025-03-03"),
    meal("m-2", "c2", "2025-03-03"),
    timed("reservation", "r-1", "c2", "2025-03-04", "08:00-12:00"),
    timed("presence", "p-2", "c1", "2025-03-03", "11:00-13:00"),
    timed("presence", "p-3", "c1", "2025-03-05", "08:00-12:00", provider_id="sea-b"),
    timed("presence", "p-4", "nobody", "2025-03-05", "08:00-12:00"),
    timed("presence", "p-1", "c1", "2025-03-03", "08:00-12:00"),
]


async def outcomes(runtime: Any, items: list[Any]) -> list[tuple[Any, ...]]:
    """The outcomes of ingesting `items` for sea-a, in a transaction rolled back after."""
    async with runtime.sessions() as session:
        results = await service.ingest(
            session, runtime.outbox, "sea-a", items, source=runtime.source
        )
        await session.rollback()
    return [
        (r.index, r.record_id, r.kind, r.outcome, r.id is not None, [v.code for v in r.errors])
        for r in results
    ]


async def test_validated_items_and_json_values_have_the_same_outcomes(runtime, world) -> None:
    models = valid_batch(json.dumps({"items": ITEMS}).encode())
    assert models is not None  # every item is valid: the body's fast path

    from_models = await outcomes(runtime, models)
    from_json = await outcomes(runtime, ITEMS)

    assert from_models == from_json
    assert [(o[3], o[5]) for o in from_json] == [
        ("accepted", []),
        ("accepted", []),
        ("rejected", ["no_presence_that_day"]),
        ("accepted", []),
        ("rejected", ["overlap"]),
        ("rejected", ["not_authorised"]),
        ("rejected", ["unknown_child"]),
        ("duplicate", []),
    ]
