"""Bad input: clear per-item reasons, and nothing already accepted is lost or changed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from attendance_api import rows

from csa_attendance.tables import meals, presence_versions, presences
from csa_shared.testing.events import waiting_documents

pytestmark = pytest.mark.postgres


def presence(record: str, child: str, start: str, end: str) -> dict[str, str]:
    return {"kind": "presence", "record_id": record, "child_id": child, "start": start, "end": end}


@pytest.fixture
async def stored(api, world, as_provider) -> None:
    """c1 at sea-a on 2025-03-03 08:00-12:00, c9 at sea-b 2025-03-04 08:00-12:00."""
    a = await api.post(
        "/v1/declarations/batch",
        headers=as_provider("sea-a"),
        json={"items": [presence("kept-1", "c1", "2025-03-03T08:00:00", "2025-03-03T12:00:00")]},
    )
    b = await api.post(
        "/v1/declarations/batch",
        headers=as_provider("sea-b"),
        json={"items": [presence("kept-2", "c9", "2025-03-04T08:00:00", "2025-03-04T12:00:00")]},
    )
    assert a.json()["accepted"] == b.json()["accepted"] == 1


async def snapshot(runtime) -> tuple:
    return (
        await rows(runtime, presences),
        await rows(runtime, presence_versions),
        await rows(runtime, meals),
        len(await rows(runtime, runtime.outbox)),
    )


async def test_every_bad_item_gets_its_reason_and_stored_records_are_unchanged(
    api, stored, as_provider, runtime
) -> None:
    tomorrow = date.today() + timedelta(days=2)
    before = await snapshot(runtime)
    items = [
        presence("x-unknown-child", "nobody", "2025-03-05T08:00:00", "2025-03-05T12:00:00"),
        presence("x-other-providers-child", "c9", "2025-03-05T08:00:00", "2025-03-05T12:00:00"),
        presence("x-no-contract", "c6", "2025-03-20T08:00:00", "2025-03-20T12:00:00"),
        presence("x-overlap-same", "c1", "2025-03-03T11:00:00", "2025-03-03T13:00:00"),
        presence("x-end-before-start", "c2", "2025-03-05T12:00:00", "2025-03-05T08:00:00"),
        presence("x-future", "c2", f"{tomorrow}T08:00:00", f"{tomorrow}T12:00:00"),
        presence("kept-1", "c1", "2025-03-03T08:00:00", "2025-03-03T12:30:00"),
        {"kind": "presence", "record_id": "x-malformed", "child_id": "c2", "start": "soon"},
        {
            "kind": "meal",
            "record_id": "x-meal-no-presence",
            "child_id": "c3",
            "day": "2025-03-06",
            "count": 1,
        },
        presence("kept-1", "c1", "2025-03-03T08:00:00", "2025-03-03T12:00:00"),
    ]
    response = await api.post(
        "/v1/declarations/batch", json={"items": items}, headers=as_provider("sea-a")
    )

    body = response.json()
    codes = [[e["code"] for e in r["errors"]] for r in body["results"]]
    assert response.status_code == 200
    assert codes == [
        ["unknown_child"],
        ["unknown_child"],
        ["no_contract_on_date"],
        ["overlap"],
        ["end_not_after_start"],
        ["in_future"],
        ["conflicting_repeat"],
        ["invalid_value", "invalid_value"],
        ["no_presence_that_day"],
        [],
    ]
    assert [r["outcome"] for r in body["results"]][-1] == "duplicate"
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (0, 1, 9)
    assert await snapshot(runtime) == before


async def test_overlap_with_another_providers_presence_is_rejected_without_naming_it(
    api, world, as_provider, runtime
) -> None:
    mine = await api.post(
        "/v1/declarations/batch",
        headers=as_provider("sea-b"),
        json={"items": [presence("b-1", "c1", "2025-03-10T08:00:00", "2025-03-10T12:00:00")]},
    )
    before = await snapshot(runtime)
    theirs = await api.post(
        "/v1/declarations/batch",
        headers=as_provider("sea-a"),
        json={"items": [presence("a-1", "c1", "2025-03-10T11:00:00", "2025-03-10T17:00:00")]},
    )

    error = theirs.json()["results"][0]["errors"][0]
    assert mine.json()["accepted"] == 1
    assert error["code"] == "overlap"
    assert "another provider" in error["message"] and "b-1" not in error["message"]
    assert await snapshot(runtime) == before


async def test_a_stored_overnight_presence_bears_on_the_next_days_batch(
    api, world, as_provider, runtime
) -> None:
    """The batch's state is the records overlapping its span: a presence stored the evening
    before (22:00-07:00) overlaps a new 06:00-09:00 one and gives its morning a meal; a
    presence ending at midnight exactly neither overlaps nor touches the next day."""
    first = await api.post(
        "/v1/declarations/batch",
        headers=as_provider("sea-a"),
        json={
            "items": [
                presence("night", "c5", "2025-03-11T22:00:00", "2025-03-12T07:00:00"),
                presence("evening", "c3", "2025-03-11T18:00:00", "2025-03-12T00:00:00"),
                presence("late", "c2", "2025-03-11T18:00:00", "2025-03-12T00:00:00"),
            ]
        },
    )
    later = [
        presence("morning", "c5", "2025-03-12T06:00:00", "2025-03-12T09:00:00"),
        {"kind": "meal", "record_id": "breakfast", "child_id": "c5", "day": "2025-03-12",
         "count": 1},
        presence("early", "c3", "2025-03-12T00:00:00", "2025-03-12T06:00:00"),
        {"kind": "meal", "record_id": "midnight-snack", "child_id": "c2", "day": "2025-03-12",
         "count": 1},
    ]  # fmt: skip
    second = await api.post(
        "/v1/declarations/batch", json={"items": later}, headers=as_provider("sea-a")
    )

    assert first.json()["accepted"] == 3
    results = second.json()["results"]
    assert [[e["code"] for e in r["errors"]] for r in results] == [
        ["overlap"],
        [],
        [],
        ["no_presence_that_day"],
    ]
    assert "night" in results[0]["errors"][0]["message"]


async def test_overlap_inside_one_batch_keeps_the_first(api, world, as_provider) -> None:
    items = [
        presence("o-1", "c4", "2025-03-11T08:00:00", "2025-03-11T12:00:00"),
        presence("o-2", "c4", "2025-03-11T10:00:00", "2025-03-11T14:00:00"),
    ]
    body = (
        await api.post(
            "/v1/declarations/batch", json={"items": items}, headers=as_provider("sea-a")
        )
    ).json()

    assert [r["outcome"] for r in body["results"]] == ["accepted", "rejected"]


async def test_oversize_batch_is_413_with_the_limit_and_stores_nothing(
    api, stored, as_provider, runtime
) -> None:
    before = await snapshot(runtime)
    items = [
        presence(f"r-{i}", "c2", "2025-03-05T08:00:00", "2025-03-05T09:00:00") for i in range(1001)
    ]

    response = await api.post(
        "/v1/declarations/batch", json={"items": items}, headers=as_provider("sea-a")
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert (response.json()["limit"], response.json()["size"]) == (1000, 1001)
    assert await snapshot(runtime) == before


async def test_malformed_json_is_a_422_problem(api, stored, as_provider, runtime) -> None:
    before = await snapshot(runtime)
    headers = {**as_provider("sea-a"), "content-type": "application/json"}

    broken = await api.post("/v1/declarations/batch", content=b'{"items": [', headers=headers)
    single = await api.post("/v1/presences", content=b"{nope", headers=headers)

    assert (broken.status_code, single.status_code) == (422, 422)
    assert broken.headers["content-type"] == "application/problem+json"
    assert await snapshot(runtime) == before


async def test_single_post_refusals(api, world, as_provider, tokens) -> None:
    body = {
        "record_id": "s-1",
        "child_id": "c9",
        "start": "2025-03-05T08:00:00",
        "end": "2025-03-05T12:00:00",
    }

    other_child = await api.post("/v1/presences", json=body, headers=as_provider("sea-a"))
    claimed = await api.post(
        "/v1/presences", json={**body, "provider_id": "sea-b"}, headers=as_provider("sea-a")
    )
    anonymous = await api.post("/v1/presences", json=body)
    parent = await api.post(
        "/v1/presences", json=body, headers=tokens.header(tokens.parent("p", ["c9"]))
    )

    assert other_child.status_code == 422
    assert other_child.json()["errors"][0]["code"] == "unknown_child"
    assert claimed.status_code == 403
    assert (anonymous.status_code, parent.status_code) == (401, 403)


async def test_a_bad_first_item_does_not_stop_the_good_ones(
    api, world, as_provider, runtime
) -> None:
    """Events are staged before the items are decided; a refused item's (invalid) event
    is never schema-checked nor written, the accepted one's is."""
    items = [
        presence("f-backwards", "c4", "2025-03-12T12:00:00", "2025-03-12T08:00:00"),
        presence("f-good", "c4", "2025-03-12T08:00:00", "2025-03-12T12:00:00"),
    ]
    response = await api.post(
        "/v1/declarations/batch", json={"items": items}, headers=as_provider("sea-a")
    )

    body = response.json()
    assert response.status_code == 200
    assert [r["outcome"] for r in body["results"]] == ["rejected", "accepted"]
    documents = await waiting_documents(runtime)
    (event,) = [d for d in documents if d["type"] == "lu.csa.attendance.presence.recorded.v1"]
    assert event["data"]["provider_record_id"] == "f-good"
    assert event["data"]["minutes"] == 240
