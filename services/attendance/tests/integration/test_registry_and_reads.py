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

    page = (await api.get("/v1/presences?limit=4&offset=4", headers=as_provider("sea-a"))).json()
    filtered = (
        await api.get(
            "/v1/presences?child_id=c2&from=2025-03-04&to=2025-03-04", headers=as_provider("sea-a")
        )
    ).json()
    mine = (await api.get("/v1/presences", headers=parent)).json()
    not_mine = await api.get("/v1/presences?child_id=c2", headers=parent)
    per_provider = (await api.get("/v1/presences?provider_id=sea-b", headers=agent)).json()
    agent_without_provider = await api.get("/v1/presences", headers=agent)

    assert (page["total"], len(page["items"])) == (6, 2)
    assert [i["record_id"] for i in filtered["items"]] == ["a-c2-4"]
    assert sorted(i["record_id"] for i in mine["items"]) == ["a-c1-3", "a-c1-4", "a-c1-5", "b-c1"]
    assert not_mine.status_code == 403
    assert per_provider["total"] == 2
    assert agent_without_provider.status_code == 422
