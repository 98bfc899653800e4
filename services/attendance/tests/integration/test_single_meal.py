"""`POST /v1/meals`: one meal from a provider's system, the counterpart of `POST /v1/presences`
(issue 24): the batch's ingest for one meal item, answered 201 / 200 (an identical repeat) /
409 (the record id with other content) / 422 / 403 as a presence is."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from attendance_api import count, outbox_types, single_presence

from csa_attendance.tables import meals

pytestmark = pytest.mark.postgres

MEAL_RECORDED = "lu.csa.attendance.meal.recorded.v1"


def meal(record: str, child: str = "c1", day: str = "2025-03-03", count: int = 1) -> dict[str, Any]:
    return {"record_id": record, "child_id": child, "day": day, "count": count}


async def _present(api: Any, provider: dict[str, str], child: str, day: str) -> None:
    posted = await api.post(
        "/v1/presences", json=single_presence(f"p-{child}-{day}", child, day), headers=provider
    )
    assert posted.status_code == 201, posted.text


async def test_a_meal_is_201_then_200_on_a_repeat_and_409_on_other_content(
    api, world, as_provider, runtime
) -> None:
    sea_a = as_provider("sea-a")
    await _present(api, sea_a, "c1", "2025-03-03")

    first = await api.post("/v1/meals", json=meal("m-1"), headers=sea_a)
    again = await api.post("/v1/meals", json={"kind": "meal", **meal("m-1")}, headers=sea_a)
    other = await api.post("/v1/meals", json=meal("m-1", count=2), headers=sea_a)
    listed = await api.get("/v1/meals?child_id=c1", headers=sea_a)

    assert first.status_code == 201, first.text
    assert first.json() == {
        "id": first.json()["id"],
        "provider_id": "sea-a",
        "record_id": "m-1",
        "child_id": "c1",
        "day": "2025-03-03",
        "count": 1,
        "version": 1,
        "status": "active",
    }
    assert (again.status_code, again.json()) == (200, first.json())
    assert other.status_code == 409, other.text
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["existing_id"] == first.json()["id"]
    assert listed.json()["items"] == [first.json()]
    assert (await outbox_types(runtime)).count(MEAL_RECORDED) == 1


async def test_a_meal_is_refused_as_a_presence_is(api, world, as_provider, tokens, runtime) -> None:
    sea_a = as_provider("sea-a")
    await _present(api, sea_a, "c2", "2025-03-04")

    no_presence = await api.post("/v1/meals", json=meal("r-1", "c2", "2025-03-05"), headers=sea_a)
    too_many = await api.post(
        "/v1/meals", json=meal("r-2", "c2", "2025-03-04", count=4), headers=sea_a
    )
    other_child = await api.post("/v1/meals", json=meal("r-3", "c9", "2025-03-04"), headers=sea_a)
    claimed = await api.post(
        "/v1/meals", json={**meal("r-4", "c2", "2025-03-04"), "provider_id": "sea-b"}, headers=sea_a
    )
    a_presence = await api.post(
        "/v1/meals", json=single_presence("r-5", "c2", "2025-03-04"), headers=sea_a
    )
    malformed = await api.post(
        "/v1/meals", content=b"{nope", headers={**sea_a, "content-type": "application/json"}
    )
    anonymous = await api.post("/v1/meals", json=meal("r-6", "c2", "2025-03-04"))
    parent = await api.post(
        "/v1/meals",
        json=meal("r-7", "c2", "2025-03-04"),
        headers=tokens.header(tokens.parent("p", ["c2"])),
    )

    assert no_presence.status_code == 422, no_presence.text
    assert [e["code"] for e in no_presence.json()["errors"]] == ["no_presence_that_day"]
    assert too_many.status_code == 422, too_many.text
    assert other_child.status_code == 422
    assert other_child.json()["errors"][0]["code"] == "unknown_child"
    assert claimed.status_code == 403
    assert (a_presence.status_code, malformed.status_code) == (422, 422)
    assert (anonymous.status_code, parent.status_code) == (401, 403)
    assert await count(runtime, meals, meals.c.child_id == "c2") == 0


async def test_twenty_identical_meals_at_once_store_one(api, world, as_provider, runtime) -> None:
    """The first to take the provider's lock stores it (201); every other finds it there and
    answers the same meal (200), whichever path (one statement or the full one) it took."""
    sea_a = as_provider("sea-a")
    await _present(api, sea_a, "c3", "2025-03-06")
    body = meal("m-par", "c3", "2025-03-06", count=2)

    answers = await asyncio.gather(
        *(api.post("/v1/meals", json=body, headers=sea_a) for _ in range(20))
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 19 + [201], [a.text for a in answers if a.status_code >= 300]
    assert len({a.json()["id"] for a in answers}) == 1
    assert await count(runtime, meals, meals.c.provider_record_id == "m-par") == 1
    assert (await outbox_types(runtime)).count(MEAL_RECORDED) == 1
