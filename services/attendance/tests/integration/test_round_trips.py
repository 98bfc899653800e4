"""Database round trips of the single-request paths on PostgreSQL (issue 24), counted with
asyncpg's query logger on every pooled connection: a count, not a timing, so the test is
deterministic. A new presence is one statement (`presences.one_statement`); the goal of the
issue is at most two per request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from attendance_api import single_presence
from sqlalchemy import event

from csa_shared.runtime import ServiceRuntime

pytestmark = pytest.mark.postgres

GOAL = 2  # round trips per single POST /v1/presences or /v1/meals (issue 24)


@contextmanager
def round_trips(runtime: ServiceRuntime) -> Iterator[list[str]]:
    """The statements sent to PostgreSQL inside the block: SQLAlchemy's (asyncpg prepared
    statements, which its query logger does not see) and those sent on asyncpg's
    connections directly (BEGIN, COMMIT, pings, the one-statement write)."""
    sent: list[str] = []
    logging: set[int] = set()
    counting = [False]

    def log(record: Any) -> None:
        if counting[0]:
            sent.append(record.query)

    def checkout(dbapi: Any, _record: Any, _proxy: Any) -> None:
        raw = dbapi.driver_connection
        if id(raw) not in logging:
            logging.add(id(raw))
            raw.add_query_logger(log)

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if counting[0]:
            sent.append(sql)

    engine = runtime.engine.sync_engine
    event.listen(engine.pool, "checkout", checkout)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        counting[0] = True
        yield sent
    finally:
        counting[0] = False
        event.remove(engine.pool, "checkout", checkout)
        event.remove(engine, "before_cursor_execute", statement)


async def test_a_single_presence_is_one_round_trip(api, world, runtime, as_provider) -> None:
    sea_a = as_provider("sea-a")
    # the first presence of (sea-a, c1) reads the registry (and caches it), the pool warms
    for n, day in enumerate(("2025-03-03", "2025-03-04")):
        warm = await api.post(
            "/v1/presences", json=single_presence(f"w{n}", "c1", day), headers=sea_a
        )
        assert warm.status_code == 201, warm.text

    with round_trips(runtime) as sent:
        posted = await api.post(
            "/v1/presences", json=single_presence("r1", "c1", "2025-03-05"), headers=sea_a
        )
    with round_trips(runtime) as repeated:  # the same again: a duplicate, the full path
        again = await api.post(
            "/v1/presences", json=single_presence("r1", "c1", "2025-03-05"), headers=sea_a
        )

    assert posted.status_code == 201, posted.text
    assert again.status_code == 200 and again.json()["id"] == posted.json()["id"]
    assert len(sent) <= GOAL, sent
    assert len(sent) == 1 and "attendance_presence_clear" in sent[0]
    assert len(repeated) > 1  # (the check failed: the full path decided it)


def meal(record: str, child: str, day: str, count: int = 1) -> dict[str, Any]:
    return {"kind": "meal", "record_id": record, "child_id": child, "day": day, "count": count}


async def test_a_single_meal_is_one_round_trip(api, world, runtime, as_provider) -> None:
    sea_a = as_provider("sea-a")
    for n, day in enumerate(("2025-03-03", "2025-03-04", "2025-03-05")):
        posted = await api.post(
            "/v1/presences", json=single_presence(f"p{n}", "c2", day), headers=sea_a
        )
        assert posted.status_code == 201, posted.text
    first = await api.post(  # the first of (sea-a, c2) in a batch reads the registry
        "/v1/declarations/batch", json={"items": [meal("m0", "c2", "2025-03-03")]}, headers=sea_a
    )

    with round_trips(runtime) as sent:
        second = await api.post(
            "/v1/declarations/batch",
            json={"items": [meal("m1", "c2", "2025-03-04", 2)]},
            headers=sea_a,
        )
    with round_trips(runtime) as alone:  # the same through POST /v1/meals
        single = await api.post("/v1/meals", json=meal("m4", "c2", "2025-03-05", 3), headers=sea_a)
    with round_trips(runtime) as full:  # no presence that day: the full path refuses it
        absent = await api.post(
            "/v1/declarations/batch",
            json={"items": [meal("m2", "c2", "2025-03-06")]},
            headers=sea_a,
        )
    # two more that day would make 4 (at most 3): refused on the full path too
    too_many = await api.post(
        "/v1/declarations/batch",
        json={"items": [meal("m3", "c2", "2025-03-04", 2)]},
        headers=sea_a,
    )

    outcomes = [r.json()["results"][0]["outcome"] for r in (first, second, absent, too_many)]
    assert outcomes == ["accepted", "accepted", "rejected", "rejected"]
    assert len(sent) <= GOAL, sent
    assert len(sent) == 1 and "attendance_meal_clear" in sent[0]
    assert single.status_code == 201, single.text
    assert len(alone) <= GOAL, alone
    assert len(alone) == 1 and "attendance_meal_clear" in alone[0]
    assert len(full) > 1
    assert [e["code"] for e in absent.json()["results"][0]["errors"]] == ["no_presence_that_day"]


CORRECTION = 6  # BEGIN, row + lock + registry, presences, meals, the writes, COMMIT


async def test_a_correction_is_six_round_trips(api, world, runtime, as_provider) -> None:
    sea_a = as_provider("sea-a")
    posted = await api.post(
        "/v1/presences", json=single_presence("k1", "c3", "2025-03-05"), headers=sea_a
    )
    presence = posted.json()["id"]
    amend = {"start": "2025-03-05T09:00:00", "end": "2025-03-05T12:00:00", "reason": "late"}

    with round_trips(runtime) as first:
        amended = await api.post(f"/v1/presences/{presence}/amend", json=amend, headers=sea_a)
    with round_trips(runtime) as second:  # corrected before: its versions are read too
        voided = await api.post(
            f"/v1/presences/{presence}/void", json={"reason": "absent"}, headers=sea_a
        )
    shown = await api.get(f"/v1/presences/{presence}", headers=sea_a)

    assert amended.status_code == 200, amended.text
    assert (amended.json()["start"], amended.json()["version"]) == ("2025-03-05T09:00:00", 2)
    assert (voided.json()["status"], voided.json()["version"]) == ("voided", 3)
    assert [(v["version"], v["status"], v["reason"]) for v in shown.json()["versions"]] == [
        (1, "active", None),
        (2, "active", "late"),
        (3, "voided", "absent"),
    ]
    assert len(first) == CORRECTION, first
    assert "attendance_locked_registry" in first[0] + first[1]
    assert len(second) == CORRECTION + 1, second


async def test_the_short_correction_still_sees_other_records(
    api, world, runtime, as_provider
) -> None:
    """Its reads are the full path's: a presence of the child at another provider that the
    new times overlap, a meal that rests on the presence."""
    sea_a, sea_b = as_provider("sea-a"), as_provider("sea-b")
    here = await api.post(
        "/v1/presences", json=single_presence("o1", "c1", "2025-03-10"), headers=sea_a
    )
    there = {"record_id": "o2", "child_id": "c1"}
    there |= {"start": "2025-03-10T13:00:00", "end": "2025-03-10T17:00:00"}
    assert (await api.post("/v1/presences", json=there, headers=sea_b)).status_code == 201
    fed = {"kind": "meal", "record_id": "o3", "child_id": "c1", "day": "2025-03-10", "count": 1}
    meal = await api.post("/v1/declarations/batch", json={"items": [fed]}, headers=sea_a)
    assert meal.json()["accepted"] == 1, meal.text
    presence = here.json()["id"]
    longer = {"start": "2025-03-10T08:00:00", "end": "2025-03-10T14:00:00", "reason": "stayed"}

    overlapping = await api.post(f"/v1/presences/{presence}/amend", json=longer, headers=sea_a)
    voided = await api.post(
        f"/v1/presences/{presence}/void", json={"reason": "absent"}, headers=sea_a
    )
    foreign = await api.post(
        f"/v1/presences/{presence}/void", json={"reason": "absent"}, headers=sea_b
    )

    assert overlapping.status_code == 422, overlapping.text
    assert [e["code"] for e in overlapping.json()["errors"]] == ["overlap"]
    assert voided.status_code == 422, voided.text
    assert [e["code"] for e in voided.json()["errors"]] == ["no_presence_that_day"]
    assert foreign.status_code == 404, foreign.text
