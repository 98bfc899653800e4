"""Provider registry, education contracts and who reads which presences."""

from __future__ import annotations

from collections import Counter

import pytest
from attendance_api import contract_body, outbox_types, provider_body

pytestmark = pytest.mark.postgres


def presence(record: str, child: str, day: str) -> dict[str, str]:
    return {
        "kind": "presence",
        "record_id": record,
        "child_id": child,
        "start": f"{day}T08:00:00",
        "end": f"{day}T12:00:00",
    }


async def test_provider_change_is_a_new_dated_version_and_both_emit_events(
    api, agent, runtime
) -> None:
    created = await api.post("/v1/providers", json=provider_body("sea-x"), headers=agent)
    changed = await api.post(
        "/v1/providers/sea-x/versions",
        json={
            k: v
            for k, v in provider_body(
                "sea-x", effective_from="2025-09-01", hourly_price="5.50"
            ).items()
            if k not in ("provider_id", "provider_type")
        },
        headers=agent,
    )
    shown = (await api.get("/v1/providers/sea-x", headers=agent)).json()

    assert (created.status_code, changed.status_code) == (201, 200)
    assert [(v["version"], v["hourly_price"]) for v in shown["versions"]] == [
        (1, "5.00"),
        (2, "5.50"),
    ]
    types = Counter(await outbox_types(runtime))
    assert types["lu.csa.attendance.provider.registered.v1"] == 1
    assert types["lu.csa.attendance.provider.changed.v1"] == 1


async def test_registry_refusals(api, agent, tokens) -> None:
    commune = tokens.header(tokens.commune_agent("a", "Luxembourg"))
    agency = tokens.header(tokens.agency_agent("dageselteren"))
    ap = provider_body("ap-1", "assistant_parental", agency_id="dageselteren")

    above_cap = await api.post(
        "/v1/providers",
        json=provider_body("sea-c", "sea_conventionne", hourly_price="99.00"),
        headers=agent,
    )
    ap_by_commune = await api.post("/v1/providers", json=ap, headers=commune)
    ap_by_agency = await api.post("/v1/providers", json=ap, headers=agency)
    twice = await api.post("/v1/providers", json=ap, headers=agency)
    by_provider = await api.post(
        "/v1/providers",
        json=provider_body("sea-z"),
        headers=tokens.header(tokens.provider("sea-z")),
    )

    assert above_cap.status_code == 422
    assert above_cap.json()["errors"][0]["code"] == "price_above_cap"
    assert (ap_by_commune.status_code, ap_by_agency.status_code, twice.status_code) == (
        403,
        201,
        409,
    )
    assert by_provider.status_code == 403


async def test_contract_end_and_overlap(api, world, agent, runtime) -> None:
    overlap = await api.post(
        "/v1/education-contracts", json=contract_body("ec-dup", "c1", "sea-a"), headers=agent
    )
    ended = await api.post(
        "/v1/education-contracts/ec-c2/end", json={"end": "2025-06-30"}, headers=agent
    )

    assert overlap.status_code == 422 and overlap.json()["errors"][0]["code"] == "overlap"
    assert (ended.status_code, ended.json()["end"], ended.json()["version"]) == (
        200,
        "2025-06-30",
        2,
    )
    assert "lu.csa.attendance.educationcontract.ended.v1" in await outbox_types(runtime)


async def test_each_principal_reads_only_its_presences(
    api, world, as_provider, agent, tokens
) -> None:
    await api.post(
        "/v1/declarations/batch",
        headers=as_provider("sea-a"),
        json={
            "items": [
                presence(f"a-{c}-{d}", c, f"2025-03-{d:02d}")
                for c in ("c1", "c2")
                for d in (3, 4, 5)
            ]
        },
    )
    await api.post(
        "/v1/declarations/batch",
        headers=as_provider("sea-b"),
        json={
            "items": [presence("b-c9", "c9", "2025-03-03"), presence("b-c1", "c1", "2025-03-06")]
        },
    )
    parent = tokens.header(tokens.parent("parent-1", ["c1"]))

    first = (await api.get("/v1/presences?limit=4", headers=as_provider("sea-a"))).json()
    page = (
        await api.get(
            "/v1/presences",
            params={"limit": 4, "cursor": first["next_cursor"]},
            headers=as_provider("sea-a"),
        )
    ).json()
    in_month = await api.get("/v1/presences?month=2025-03&limit=200", headers=as_provider("sea-a"))
    other_month = await api.get("/v1/presences?month=2025-04", headers=as_provider("sea-a"))
    filtered = (
        await api.get(
            "/v1/presences?child_id=c2&from=2025-03-04&to=2025-03-04", headers=as_provider("sea-a")
        )
    ).json()
    mine = (await api.get("/v1/presences", headers=parent)).json()
    not_mine = await api.get("/v1/presences?child_id=c2", headers=parent)
    per_provider = (await api.get("/v1/presences?provider_id=sea-b", headers=agent)).json()
    agent_without_provider = await api.get("/v1/presences", headers=agent)

    assert (len(first["items"]), len(page["items"]), page["next_cursor"]) == (4, 2, None)
    by_start = [i["record_id"] for i in first["items"] + page["items"]]
    assert [r[-1] for r in by_start] == ["3", "3", "4", "4", "5", "5"]  # then by id
    assert sorted(by_start) == [f"a-{c}-{d}" for c in ("c1", "c2") for d in (3, 4, 5)]
    assert len(in_month.json()["items"]) == 6 and in_month.json()["next_cursor"] is None
    assert other_month.json() == {"items": [], "next_cursor": None}
    assert [i["record_id"] for i in filtered["items"]] == ["a-c2-4"]
    assert sorted(i["record_id"] for i in mine["items"]) == ["a-c1-3", "a-c1-4", "a-c1-5", "b-c1"]
    assert not_mine.status_code == 403
    assert len(per_provider["items"]) == 2
    assert agent_without_provider.status_code == 422


def meal(record: str, child: str, day: str) -> dict[str, object]:
    return {"kind": "meal", "record_id": record, "child_id": child, "day": day, "count": 1}


def reservation(record: str, child: str, day: str) -> dict[str, str]:
    return {**presence(record, child, day), "kind": "reservation"}


async def test_meals_and_reservations_are_read_with_the_rules_of_presences(
    api, world, as_provider, agent, tokens
) -> None:
    days = [f"2025-03-{d:02d}" for d in (3, 4, 5)]
    sent_a = await api.post(
        "/v1/declarations/batch",
        headers=as_provider("sea-a"),
        json={
            "items": [presence(f"p-{c}-{d}", c, d) for c in ("c1", "c2") for d in days]
            + [meal(f"m-{c}-{d}", c, d) for c in ("c1", "c2") for d in days]
            + [reservation(f"r-{c}-{d}", c, d) for c in ("c1", "c2") for d in days]
        },
    )
    sent_b = await api.post(
        "/v1/declarations/batch",
        headers=as_provider("sea-b"),
        json={
            "items": [
                presence("b-c1", "c1", "2025-03-06"),
                meal("bm-c1", "c1", "2025-03-06"),
                reservation("br-c1", "c1", "2025-03-06"),
                reservation("br-c9", "c9", "2025-03-06"),
            ]
        },
    )
    assert (sent_a.json()["accepted"], sent_b.json()["accepted"]) == (18, 4)
    parent = tokens.header(tokens.parent("parent-1", ["c1"]))
    meal_id = next(r["id"] for r in sent_a.json()["results"] if r["record_id"] == "m-c2-2025-03-04")
    voided = await api.post(
        f"/v1/meals/{meal_id}/void", json={"reason": "absent"}, headers=as_provider("sea-a")
    )

    async def records(path: str, headers: dict[str, str]) -> list[str]:
        response = await api.get(path, headers=headers)
        assert response.status_code == 200, response.text
        return [i["record_id"] for i in response.json()["items"]]

    meal_page = (await api.get("/v1/meals?limit=2", headers=as_provider("sea-a"))).json()
    assert voided.status_code == 200
    assert len(meal_page["items"]) == 2 and meal_page["next_cursor"]
    after = await api.get(
        "/v1/meals", params={"cursor": meal_page["next_cursor"]}, headers=as_provider("sea-a")
    )
    assert len(after.json()["items"]) == 4 and after.json()["next_cursor"] is None
    assert await records(
        "/v1/meals?child_id=c2&from=2025-03-04&to=2025-03-05", as_provider("sea-a")
    ) == ["m-c2-2025-03-04", "m-c2-2025-03-05"]
    assert await records("/v1/meals?status=voided", as_provider("sea-a")) == ["m-c2-2025-03-04"]
    assert await records("/v1/meals", as_provider("sea-b")) == ["bm-c1"]
    assert await records("/v1/meals", parent) == [
        "m-c1-2025-03-03",
        "m-c1-2025-03-04",
        "m-c1-2025-03-05",
        "bm-c1",
    ]
    assert await records("/v1/meals?provider_id=sea-b", agent) == ["bm-c1"]

    assert await records("/v1/reservations?child_id=c1&to=2025-03-04", as_provider("sea-a")) == [
        "r-c1-2025-03-03",
        "r-c1-2025-03-04",
    ]
    assert await records("/v1/reservations?from=2025-03-06", parent) == ["br-c1"]
    assert sorted(await records("/v1/reservations?provider_id=sea-b", agent)) == [
        "br-c1",
        "br-c9",
    ]
    reservations = (await api.get("/v1/reservations?limit=4", headers=as_provider("sea-a"))).json()
    assert len(reservations["items"]) == 4 and reservations["next_cursor"]
    # a cursor of the meals list is not one of the reservations list's
    foreign = await api.get(
        "/v1/reservations", params={"cursor": meal_page["next_cursor"]}, headers=parent
    )
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "cursor"

    for path in ("/v1/meals", "/v1/reservations"):
        assert (await api.get(f"{path}?child_id=c2", headers=parent)).status_code == 403
        assert (await api.get(f"{path}?child_id=c9", headers=parent)).status_code == 403
        assert (await api.get(path, headers=agent)).status_code == 422
    # a provider's filter on another provider is ignored: it reads its own records only
    assert sorted(await records("/v1/reservations?provider_id=sea-a", as_provider("sea-b"))) == [
        "br-c1",
        "br-c9",
    ]


async def test_providers_are_listed_by_current_commune_with_pagination(
    api, agent, tokens, as_provider
) -> None:
    esch = "Esch-sur-Alzette"
    for pid, commune in (
        ("sea-1", esch),
        ("sea-2", "Luxembourg"),
        ("sea-3", esch),
        ("sea-4", esch),
    ):
        body = provider_body(pid, commune=commune)
        assert (await api.post("/v1/providers", json=body, headers=agent)).status_code == 201
    moved = {
        k: v
        for k, v in provider_body(
            "sea-3", effective_from="2025-09-01", commune="Luxembourg"
        ).items()
        if k not in ("provider_id", "provider_type")
    }
    moving = await api.post("/v1/providers/sea-3/versions", json=moved, headers=agent)
    assert moving.status_code == 200, moving.text

    async def listed(query: str) -> tuple[int, list[str]]:
        response = await api.get(f"/v1/providers{query}", headers=agent)
        assert response.status_code == 200, response.text
        body = response.json()
        return body["total"], [p["provider_id"] for p in body["items"]]

    assert await listed("") == (4, ["sea-1", "sea-2", "sea-3", "sea-4"])
    assert await listed("?commune=Esch-sur-Alzette") == (2, ["sea-1", "sea-4"])
    assert await listed("?commune=Luxembourg") == (2, ["sea-2", "sea-3"])
    assert await listed("?commune=Esch-sur-Alzette&limit=1&offset=1") == (2, ["sea-4"])
    assert await listed("?commune=Wiltz") == (0, [])
    assert await listed("?limit=2&offset=3") == (4, ["sea-4"])
    assert (await api.get("/v1/providers?limit=0", headers=agent)).status_code == 422
    assert (await api.get("/v1/providers", headers=as_provider("sea-1"))).status_code == 403
    parent = tokens.header(tokens.parent("parent-1", ["c1"]))
    assert (await api.get("/v1/providers", headers=parent)).status_code == 403
