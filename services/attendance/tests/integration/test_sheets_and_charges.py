"""AP service sheets (the agency, versions replace) and charges outside the CSA."""

from __future__ import annotations

import pytest
from attendance_api import contract_body, outbox_types, provider_body

pytestmark = pytest.mark.postgres


def sheet(hours: str) -> dict:
    return {
        "provider_id": "ap-1",
        "child_id": "c7",
        "month": "2025-03",
        "days": [
            {"day": "2025-03-03", "hours": hours, "lunches": 1},
            {"day": "2025-03-04", "hours": "6", "lunches": 0},
        ],
    }


async def test_agency_submits_a_sheet_and_a_new_version_replaces_it(api, tokens, runtime) -> None:
    agency = tokens.header(tokens.agency_agent("agent-dgs"))
    ap = provider_body("ap-1", "assistant_parental", agency_id="dageselteren")
    assert (await api.post("/v1/providers", json=ap, headers=agency)).status_code == 201
    contract = contract_body("ec-c7", "c7", "ap-1")
    assert (
        await api.post("/v1/education-contracts", json=contract, headers=agency)
    ).status_code == 201

    first = await api.post("/v1/service-sheets", json=sheet("8.5"), headers=agency)
    second = await api.post("/v1/service-sheets", json=sheet("9"), headers=agency)
    by_commune = await api.post(
        "/v1/service-sheets",
        json=sheet("9"),
        headers=tokens.header(tokens.commune_agent("x", "Luxembourg")),
    )
    bad_day = await api.post(
        "/v1/service-sheets",
        headers=agency,
        json={**sheet("9"), "days": [{"day": "2025-05-20", "hours": "25", "lunches": 1}]},
    )
    history = (await api.get("/v1/service-sheets/ap-1/c7/2025-03", headers=agency)).json()

    assert (first.status_code, second.status_code) == (201, 201), first.text
    assert (second.json()["version"], second.json()["total_hours"]) == (2, "15.00")
    assert by_commune.status_code == 403
    assert bad_day.status_code == 422
    assert history["current"]["version"] == 2
    assert [v["total_hours"] for v in history["versions"]] == ["14.50", "15.00"]
    assert (await outbox_types(runtime)).count("lu.csa.attendance.servicesheet.submitted.v1") == 2


async def test_sheet_for_an_sea_is_refused(api, world, tokens) -> None:
    agency = tokens.header(tokens.agency_agent("agent-dgs"))

    response = await api.post(
        "/v1/service-sheets", json={**sheet("8"), "provider_id": "sea-a"}, headers=agency
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "wrong_provider_type"


async def test_other_charge_is_idempotent_and_never_state_supported(
    api, world, as_provider, runtime
) -> None:
    charge = {
        "record_id": "fee-1",
        "child_id": "c1",
        "day": "2025-03-03",
        "kind": "registration_fee",
        "amount": "50.00",
        "description": "Registration",
    }
    provider = as_provider("sea-a")

    first = await api.post("/v1/other-charges", json=charge, headers=provider)
    again = await api.post("/v1/other-charges", json=charge, headers=provider)
    changed = await api.post(
        "/v1/other-charges", json={**charge, "amount": "60.00"}, headers=provider
    )
    foreign = await api.post(
        "/v1/other-charges", json={**charge, "record_id": "f2", "child_id": "c9"}, headers=provider
    )
    listed = (await api.get("/v1/other-charges", headers=provider)).json()

    assert (first.status_code, again.status_code, changed.status_code) == (201, 200, 409)
    assert first.json()["state_supported"] is False and again.json()["id"] == first.json()["id"]
    assert foreign.json()["errors"][0]["code"] == "unknown_child"
    assert [c["amount"] for c in listed] == ["50.00"]
    assert (await outbox_types(runtime)).count("lu.csa.attendance.othercharge.recorded.v1") == 1
