"""Database round trips of the single-request paths on PostgreSQL (issue 24), counted with
asyncpg's query logger on every pooled connection: a count, not a timing, so the test is
deterministic. A new presence is one statement (`presences.one_statement`), a correction of
a presence or meal two (`presences.quick_correction`); the goal of the issue is at most two
per request."""

from __future__ import annotations

from typing import Any

import pytest
from attendance_api import (
    contract_body,
    outbox_types,
    post_presences,
    single_presence,
)

from csa_shared.testing.round_trips import round_trips

pytestmark = pytest.mark.postgres

GOAL = 2  # round trips per single POST /v1/presences or /v1/meals (issue 24)


async def test_a_single_presence_is_one_round_trip(api, world, runtime, as_provider) -> None:
    sea_a = as_provider("sea-a")
    # the first presence of (sea-a, c1) reads the registry (and caches it), the pool warms
    await post_presences(api, sea_a, "w", "c1", ["2025-03-03", "2025-03-04"])

    async with round_trips(runtime) as sent:
        posted = await api.post(
            "/v1/presences", json=single_presence("r1", "c1", "2025-03-05"), headers=sea_a
        )
    async with round_trips(runtime) as repeated:  # the same again: a duplicate, the full path
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
    await post_presences(api, sea_a, "p", "c2", ["2025-03-03", "2025-03-04", "2025-03-05"])
    first = await api.post(  # the first of (sea-a, c2) in a batch reads the registry
        "/v1/declarations/batch", json={"items": [meal("m0", "c2", "2025-03-03")]}, headers=sea_a
    )

    async with round_trips(runtime) as sent:
        second = await api.post(
            "/v1/declarations/batch",
            json={"items": [meal("m1", "c2", "2025-03-04", 2)]},
            headers=sea_a,
        )
    async with round_trips(runtime) as alone:  # the same through POST /v1/meals
        single = await api.post("/v1/meals", json=meal("m4", "c2", "2025-03-05", 3), headers=sea_a)
    async with round_trips(runtime) as full:  # no presence that day: the full path refuses it
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


CORRECTION = 2  # the read (row, registry, ledger), the checked write (quick_correction)
WRITE = "attendance_correction_clear"


async def test_a_correction_is_two_round_trips(api, world, runtime, as_provider) -> None:
    sea_a = as_provider("sea-a")
    posted = await api.post(
        "/v1/presences", json=single_presence("k1", "c3", "2025-03-05"), headers=sea_a
    )
    presence = posted.json()["id"]
    amend = {"start": "2025-03-05T09:00:00", "end": "2025-03-05T12:00:00", "reason": "late"}

    async with round_trips(runtime) as first:
        amended = await api.post(f"/v1/presences/{presence}/amend", json=amend, headers=sea_a)
    async with round_trips(runtime) as second:  # corrected before: its versions are read too
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
    for sent in (first, second):
        assert len(sent) == CORRECTION, sent
        assert "attendance_correction_ledger" in sent[0]
        assert "attendance_correction_clear" in sent[1]


async def test_a_correction_reads_a_registry_not_cached_on_its_connection(
    api, world, runtime, agent, as_provider
) -> None:
    """The registry changed since it was cached: the correction reads the provider and the
    child's contracts between its read and its write, in autocommit (no BEGIN, no COMMIT)."""
    sea_a = as_provider("sea-a")
    (presence,) = await post_presences(api, sea_a, "n", "c5", ["2025-03-07"])
    body = contract_body("ec-c8", "c8", "sea-a")  # (a registry write: a new version)
    assert (await api.post("/v1/education-contracts", json=body, headers=agent)).status_code == 201

    async with round_trips(runtime) as sent:
        voided = await api.post(
            f"/v1/presences/{presence}/void", json={"reason": "absent"}, headers=sea_a
        )

    assert (voided.status_code, voided.json()["version"]) == (200, 2), voided.text
    assert len(sent) == CORRECTION + 2, sent  # + the provider, + the contracts
    # (the read's line may come after the registry's: asyncpg logs a statement sent on its
    # connection directly at the loop's next turn, SQLAlchemy's at once)
    assert [s for s in sent if "attendance_correction_ledger" in s and WRITE not in s]
    assert WRITE in sent[-1]
    assert not any(s.lstrip().upper().startswith(("BEGIN", "COMMIT")) for s in sent), sent
    shown = (await api.get(f"/v1/presences/{presence}", headers=sea_a)).json()
    assert (shown["status"], [v["version"] for v in shown["versions"]]) == ("voided", [1, 2])


async def test_a_meal_correction_is_two_round_trips(api, world, runtime, as_provider) -> None:
    sea_a = as_provider("sea-a")
    await post_presences(api, sea_a, "q", "c4", ["2025-03-05", "2025-03-06"])
    fed = await api.post(
        "/v1/declarations/batch", json={"items": [meal("qm", "c4", "2025-03-05")]}, headers=sea_a
    )
    meal_id = fed.json()["results"][0]["id"]
    moved = {"day": "2025-03-06", "count": 2, "reason": "wrong day"}

    async with round_trips(runtime) as first:
        amended = await api.post(f"/v1/meals/{meal_id}/amend", json=moved, headers=sea_a)
    async with round_trips(runtime) as second:
        voided = await api.post(f"/v1/meals/{meal_id}/void", json={"reason": "no"}, headers=sea_a)
    async with round_trips(runtime) as refused:  # voided: refused on the read, nothing written
        again = await api.post(f"/v1/meals/{meal_id}/void", json={"reason": "no"}, headers=sea_a)

    assert amended.status_code == 200, amended.text
    assert (amended.json()["day"], amended.json()["count"]) == ("2025-03-06", 2)
    assert (voided.json()["status"], voided.json()["version"]) == ("voided", 3)
    assert again.status_code == 422, again.text
    for sent in (first, second):
        assert len(sent) == CORRECTION, sent
        assert "attendance_correction_clear" in sent[1]
    assert len(refused) == 1
    types = await outbox_types(runtime)
    assert types.count("lu.csa.attendance.meal.corrected.v1") == 2


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
