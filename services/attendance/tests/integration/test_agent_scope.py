"""Each agent acts only where it may (issue 19 §3): a commune agent on the providers of its
commune, the Dageselteren agency on parental assistants, a CAE agent everywhere.

World: `lux-sea` (SEA in Luxembourg) with child `c1`'s contract and one presence,
`esch-sea` (SEA in Esch-sur-Alzette), `lux-ap` (parental assistant in Luxembourg).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from attendance_api import contract_body, provider_body, rows

from csa_attendance.tables import education_contracts, provider_versions
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres

ESCH = "Esch-sur-Alzette"
ESCH_ADDRESS = {"street": "1 rue de l'Alzette", "postcode": "L-4011", "locality": ESCH}
PROBLEM = "application/problem+json"
AGENCY = {"agency_id": "dageselteren"}


def terms(pid: str, **over: Any) -> dict[str, Any]:
    body = provider_body(pid, **over)
    del body["provider_id"], body["provider_type"]
    return body


@pytest.fixture
def lux(tokens: TestTokens) -> dict[str, str]:
    return tokens.header(tokens.commune_agent("agent-lux", "Luxembourg"))


@pytest.fixture
def esch(tokens: TestTokens) -> dict[str, str]:
    return tokens.header(tokens.commune_agent("agent-esch", ESCH))


@pytest.fixture
def agency(tokens: TestTokens) -> dict[str, str]:
    return tokens.header(tokens.agency_agent("agent-dgs"))


@pytest.fixture
async def scoped(
    api: httpx.AsyncClient, agent: dict[str, str], agency: dict[str, str], as_provider: Any
) -> str:
    """The world above; returns the id of c1's presence at lux-sea."""
    seeds: list[tuple[dict[str, str], str, dict[str, Any]]] = [
        (agent, "/v1/providers", provider_body("lux-sea")),
        (agent, "/v1/providers", provider_body("esch-sea", address=ESCH_ADDRESS, commune=ESCH)),
        (agency, "/v1/providers", provider_body("lux-ap", "assistant_parental", **AGENCY)),
        (agent, "/v1/education-contracts", contract_body("ec-c1", "c1", "lux-sea")),
    ]
    for headers, path, body in seeds:
        response = await api.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.text
    presence = {"record_id": "p-1", "child_id": "c1", "start": "2025-03-03T08:00:00"}
    presence["end"] = "2025-03-03T12:00:00"
    posted = await api.post("/v1/presences", json=presence, headers=as_provider("lux-sea"))
    assert posted.status_code == 201, posted.text
    return str(posted.json()["id"])


def refused(response: httpx.Response) -> bool:
    return response.status_code == 403 and response.headers["content-type"].startswith(PROBLEM)


async def test_an_agent_of_another_commune_changes_nothing_of_a_luxembourg_creche(
    api: httpx.AsyncClient, runtime: ServiceRuntime, scoped: str, esch: dict[str, str]
) -> None:
    before = await rows(runtime, provider_versions), await rows(runtime, education_contracts)
    cheaper = terms("lux-sea", effective_from="2025-04-07", hourly_price="4.00")

    attempts = [
        await api.post("/v1/providers/lux-sea/versions", json=cheaper, headers=esch),
        await api.post("/v1/providers", json=provider_body("lux-2"), headers=esch),
        await api.post(
            "/v1/education-contracts/ec-c1/end", json={"end": "2025-06-30"}, headers=esch
        ),
        await api.post(
            "/v1/education-contracts", json=contract_body("ec-x", "c7", "lux-sea"), headers=esch
        ),
        await api.get("/v1/providers/lux-sea", headers=esch),
        await api.get("/v1/presences", params={"provider_id": "lux-sea"}, headers=esch),
        await api.get("/v1/meals", params={"provider_id": "lux-sea"}, headers=esch),
        await api.get("/v1/education-contracts", params={"provider_id": "lux-sea"}, headers=esch),
    ]

    assert [r.status_code for r in attempts if not refused(r)] == []
    assert "another commune" in attempts[0].json()["detail"]
    assert (await api.get(f"/v1/presences/{scoped}", headers=esch)).status_code == 404
    assert (await rows(runtime, provider_versions), await rows(runtime, education_contracts)) == (
        before
    )


async def test_the_agent_of_the_commune_keeps_its_providers(
    api: httpx.AsyncClient, scoped: str, lux: dict[str, str], esch: dict[str, str]
) -> None:
    cheaper = terms("lux-sea", effective_from="2025-04-07", hourly_price="4.00")
    changed = await api.post("/v1/providers/lux-sea/versions", json=cheaper, headers=lux)
    ended = await api.post(
        "/v1/education-contracts/ec-c1/end", json={"end": "2025-06-30"}, headers=lux
    )
    own = provider_body("esch-2", address=ESCH_ADDRESS, commune=ESCH.upper())
    registered = await api.post("/v1/providers", json=own, headers=esch)
    listed = await api.get("/v1/presences", params={"provider_id": "lux-sea"}, headers=lux)
    shown = await api.get(f"/v1/presences/{scoped}", headers=lux)

    assert (changed.status_code, changed.json()["current"]["hourly_price"]) == (200, "4.00")
    assert (ended.status_code, ended.json()["end"]) == (200, "2025-06-30")
    assert registered.status_code == 201, registered.text  # the commune, in other letters
    assert [p["id"] for p in listed.json()["items"]] == [scoped]
    assert shown.status_code == 200


async def test_a_commune_agent_cannot_move_its_provider_to_another_commune(
    api: httpx.AsyncClient, scoped: str, lux: dict[str, str], agent: dict[str, str]
) -> None:
    moved = terms("lux-sea", effective_from="2025-04-07", address=ESCH_ADDRESS, commune=ESCH)

    refusal = await api.post("/v1/providers/lux-sea/versions", json=moved, headers=lux)
    by_the_cae = await api.post("/v1/providers/lux-sea/versions", json=moved, headers=agent)

    assert refused(refusal), refusal.text
    assert by_the_cae.status_code == 200, by_the_cae.text


async def test_lists_hold_the_agents_scope_only(
    api: httpx.AsyncClient,
    scoped: str,
    lux: dict[str, str],
    esch: dict[str, str],
    agency: dict[str, str],
    agent: dict[str, str],
) -> None:
    async def providers(headers: dict[str, str], **params: str) -> list[str]:
        response = await api.get("/v1/providers", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [p["provider_id"] for p in response.json()["items"]]

    async def contracts(headers: dict[str, str]) -> list[str]:
        response = await api.get("/v1/education-contracts", headers=headers)
        assert response.status_code == 200, response.text
        return [c["contract_id"] for c in response.json()["items"]]

    assert await providers(lux) == ["lux-ap", "lux-sea"]
    assert await providers(esch) == ["esch-sea"]
    assert await providers(esch, commune="Luxembourg") == []
    assert await providers(agency) == ["lux-ap"]
    assert await providers(agent) == ["esch-sea", "lux-ap", "lux-sea"]
    assert await providers(agent, commune="luxembourg") == ["lux-ap", "lux-sea"]
    assert await contracts(lux) == await contracts(agent) == ["ec-c1"]
    assert await contracts(esch) == await contracts(agency) == []


async def test_the_agency_acts_on_parental_assistants_only(
    api: httpx.AsyncClient, scoped: str, agency: dict[str, str], lux: dict[str, str]
) -> None:
    ap_terms = terms("lux-ap", effective_from="2025-04-07", hourly_price="6.00", **AGENCY)
    sea_terms = terms("lux-sea", effective_from="2025-04-07", hourly_price="6.00")
    esch_ap = provider_body(
        "esch-ap", "assistant_parental", address=ESCH_ADDRESS, commune=ESCH, **AGENCY
    )

    on_sea = [
        await api.post("/v1/providers", json=provider_body("sea-new"), headers=agency),
        await api.post("/v1/providers/lux-sea/versions", json=sea_terms, headers=agency),
        await api.post(
            "/v1/education-contracts", json=contract_body("ec-s", "c8", "lux-sea"), headers=agency
        ),
        await api.post(
            "/v1/education-contracts/ec-c1/end", json={"end": "2025-06-30"}, headers=agency
        ),
        await api.get("/v1/providers/lux-sea", headers=agency),
        await api.get("/v1/presences", params={"provider_id": "lux-sea"}, headers=agency),
    ]
    on_ap = [
        await api.post("/v1/providers", json=esch_ap, headers=agency),  # any commune
        await api.post("/v1/providers/lux-ap/versions", json=ap_terms, headers=agency),
        await api.post(
            "/v1/education-contracts", json=contract_body("ec-a", "c8", "lux-ap"), headers=agency
        ),
        await api.get("/v1/providers/lux-ap", headers=agency),
        await api.get("/v1/reservations", params={"provider_id": "lux-ap"}, headers=agency),
    ]

    assert [r.status_code for r in on_sea if not refused(r)] == []
    assert "parental assistants only" in on_sea[0].json()["detail"]
    assert [r.status_code for r in on_ap] == [201, 200, 201, 200, 200]
    # a parental assistant's terms are the agency's to keep, even in the agent's commune
    assert refused(await api.post("/v1/providers/lux-ap/versions", json=ap_terms, headers=lux))
