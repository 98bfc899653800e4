"""A provider sends a month of attendance for a group of children, repeats it, corrects some."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from attendance_api import count, outbox_types

from csa_attendance.presences import repository
from csa_attendance.tables import meals, presence_versions, presences
from csa_shared.clock import luxembourg_now

pytestmark = pytest.mark.postgres

CHILDREN = ["c1", "c2", "c3", "c4", "c5"]


def month_items() -> list[dict[str, Any]]:
    """March 2025 weekdays, 08:00-16:30 for each child, plus a lunch each day: 21 x 5 x 2."""
    items: list[dict[str, Any]] = []
    for n in range(31):
        day = date(2025, 3, 1) + timedelta(days=n)
        if day.weekday() >= 5:
            continue
        for child in CHILDREN:
            items.append(
                {
                    "kind": "presence",
                    "record_id": f"p-{child}-{day}",
                    "child_id": child,
                    "start": f"{day}T08:00:00",
                    "end": f"{day}T16:30:00",
                }
            )
            items.append(
                {
                    "kind": "meal",
                    "record_id": f"m-{child}-{day}",
                    "child_id": child,
                    "day": str(day),
                    "count": 1,
                }
            )
    return items


async def test_month_for_five_children_is_accepted_once_and_repeat_is_all_duplicates(
    api, world, as_provider, runtime
) -> None:
    items = month_items()
    first = await api.post(
        "/v1/declarations/batch", json={"items": items}, headers=as_provider("sea-a")
    )
    again = await api.post(
        "/v1/declarations/batch", json={"items": items}, headers=as_provider("sea-a")
    )

    assert first.status_code == 200, first.text
    assert (first.json()["accepted"], first.json()["rejected"]) == (210, 0)
    assert (again.json()["accepted"], again.json()["duplicate"]) == (0, 210)
    assert [r["id"] for r in again.json()["results"]] == [r["id"] for r in first.json()["results"]]
    assert await count(runtime, presences) == 105
    assert await count(runtime, meals) == 105
    types = Counter(await outbox_types(runtime))
    assert types["lu.csa.attendance.presence.recorded.v1"] == 105
    assert types["lu.csa.attendance.meal.recorded.v1"] == 105


async def test_amend_and_void_keep_history_and_emit_corrections(
    api, world, as_provider, runtime
) -> None:
    provider = as_provider("sea-a")
    items = [i for i in month_items() if i["kind"] == "presence" and i["child_id"] == "c2"]
    results = (
        await api.post("/v1/declarations/batch", json={"items": items}, headers=provider)
    ).json()
    first_id, second_id = results["results"][0]["id"], results["results"][1]["id"]

    amended = await api.post(
        f"/v1/presences/{first_id}/amend",
        json={"start": "2025-03-03T09:00:00", "end": "2025-03-03T15:00:00", "reason": "late"},
        headers=provider,
    )
    voided = await api.post(
        f"/v1/presences/{second_id}/void", json={"reason": "absent"}, headers=provider
    )
    void_again = await api.post(
        f"/v1/presences/{second_id}/void", json={"reason": "x"}, headers=provider
    )
    history = (await api.get(f"/v1/presences/{first_id}", headers=provider)).json()

    assert amended.status_code == 200, amended.text
    assert (amended.json()["start"], amended.json()["version"]) == ("2025-03-03T09:00:00", 2)
    assert (voided.json()["status"], voided.json()["version"]) == ("voided", 2)
    assert void_again.status_code == 422
    assert void_again.json()["errors"][0]["code"] == "already_voided"
    assert [(v["version"], v["start"], v["reason"]) for v in history["versions"]] == [
        (1, "2025-03-03T08:00:00", None),
        (2, "2025-03-03T09:00:00", "late"),
    ]
    # Version rows of the two corrected presences only: each one's version 1 (its row until
    # the correction) and the correction; the other 19 presences are their own version 1.
    assert await count(runtime, presence_versions) == 4
    types = Counter(await outbox_types(runtime))
    assert types["lu.csa.attendance.presence.corrected.v1"] == 1
    assert types["lu.csa.attendance.presence.voided.v1"] == 1
    # A retry of the original posting is still a duplicate after the correction.
    retry = await api.post(
        "/v1/presences", json={k: v for k, v in items[0].items() if k != "kind"}, headers=provider
    )
    assert (retry.status_code, retry.json()["id"]) == (200, first_id)


async def test_amend_of_another_providers_presence_is_not_found(api, world, as_provider) -> None:
    item = month_items()[0]
    posted = await api.post(
        "/v1/declarations/batch", json={"items": [item]}, headers=as_provider("sea-a")
    )
    presence_id = posted.json()["results"][0]["id"]

    response = await api.post(
        f"/v1/presences/{presence_id}/void", json={"reason": "x"}, headers=as_provider("sea-b")
    )

    assert response.status_code == 404


async def test_meal_amend_and_void_and_a_presence_backing_meals_cannot_be_voided(
    api, world, as_provider, runtime
) -> None:
    provider = as_provider("sea-a")
    items = [i for i in month_items() if i["child_id"] == "c3"][:4]  # 2 days: presence + meal
    body = (
        await api.post("/v1/declarations/batch", json={"items": items}, headers=provider)
    ).json()
    presence_id, meal_id = body["results"][0]["id"], body["results"][1]["id"]

    blocked = await api.post(
        f"/v1/presences/{presence_id}/void", json={"reason": "x"}, headers=provider
    )
    amended = await api.post(
        f"/v1/meals/{meal_id}/amend",
        headers=provider,
        json={"day": items[1]["day"], "count": 2, "reason": "dinner too"},
    )
    voided = await api.post(f"/v1/meals/{meal_id}/void", json={"reason": "none"}, headers=provider)
    now_free = await api.post(
        f"/v1/presences/{presence_id}/void", json={"reason": "x"}, headers=provider
    )

    assert blocked.status_code == 422
    assert blocked.json()["errors"][0]["code"] == "no_presence_that_day"
    assert (amended.json()["count"], amended.json()["version"]) == (2, 2)
    assert (voided.json()["status"], voided.json()["version"]) == ("voided", 3)
    assert now_free.status_code == 200
    types = await outbox_types(runtime)
    assert types.count("lu.csa.attendance.meal.corrected.v1") == 2


async def _post_first_presence(api: Any, provider: dict[str, str]) -> str:
    posted = await api.post(
        "/v1/declarations/batch", json={"items": [month_items()[0]]}, headers=provider
    )
    return str(posted.json()["results"][0]["id"])


async def test_an_uncorrected_presence_shows_its_first_version_from_its_row(
    api, world, as_provider, runtime
) -> None:
    provider = as_provider("sea-a")
    before = luxembourg_now().replace(microsecond=0)
    presence_id = await _post_first_presence(api, provider)
    after = luxembourg_now()

    shown = (await api.get(f"/v1/presences/{presence_id}", headers=provider)).json()

    assert await count(runtime, presence_versions) == 0  # ingest writes no version row
    [first] = shown["versions"]
    assert (first["version"], first["start"], first["status"], first["reason"]) == (
        1, "2025-03-03T08:00:00", "active", None,
    )  # fmt: skip
    # Recorded in Luxembourg time, whatever the machine's zone (UTC here: dates differ 23-24 h)
    assert before <= datetime.fromisoformat(first["recorded_at"]) <= after
    # The batch path reads that version as the record shows it (naive local time).
    async with runtime.sessions() as s:
        histories, _, _, ids = await repository.load_records(
            s, "sea-a", ["p-c1-2025-03-03"], {"c1"}, datetime(2025, 3, 3), datetime(2025, 3, 4)
        )
    assert ids["presence"][("sea-a", "p-c1-2025-03-03")] == presence_id
    [read] = [version for history in histories for version in history.versions]
    assert read.recorded_at.isoformat() == first["recorded_at"]


async def test_a_presence_whose_first_version_an_older_ingest_stored_is_corrected_once(
    api, world, as_provider, runtime
) -> None:
    provider = as_provider("sea-a")
    presence_id = await _post_first_presence(api, provider)
    async with runtime.unit_of_work() as s:  # as every ingest before this release wrote it
        await s.execute(
            presence_versions.insert().values(
                presence_id=presence_id, version=1, status="active", reason=None,
                start=datetime(2025, 3, 3, 8), end=datetime(2025, 3, 3, 16, 30),
                recorded_at=datetime(2025, 3, 3, 17),
            )
        )  # fmt: skip

    amended = await api.post(
        f"/v1/presences/{presence_id}/amend",
        json={"start": "2025-03-03T09:00:00", "end": "2025-03-03T15:00:00", "reason": "late"},
        headers=provider,
    )
    shown = (await api.get(f"/v1/presences/{presence_id}", headers=provider)).json()

    assert amended.status_code == 200, amended.text
    first, second = shown["versions"]
    assert (first["version"], first["recorded_at"]) == (1, "2025-03-03T17:00:00")
    assert (second["version"], second["start"]) == (2, "2025-03-03T09:00:00")
    assert await count(runtime, presence_versions) == 2
