"""AP service sheets (the agency, versions replace) and charges outside the CSA."""

from __future__ import annotations

import pytest
from attendance_api import contract_body, outbox_types, provider_body

from csa_shared.testing.events import waiting_documents

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


async def ap_with_child(api, agency) -> None:
    """AP ap-1 of the Dageselteren agency, with child c7 under contract."""
    ap = provider_body("ap-1", "assistant_parental", agency_id="dageselteren")
    assert (await api.post("/v1/providers", json=ap, headers=agency)).status_code == 201
    contract = contract_body("ec-c7", "c7", "ap-1")
    assert (
        await api.post("/v1/education-contracts", json=contract, headers=agency)
    ).status_code == 201


async def test_agency_submits_a_sheet_and_a_new_version_replaces_it(api, tokens, runtime) -> None:
    agency = tokens.header(tokens.agency_agent("agent-dgs"))
    await ap_with_child(api, agency)

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


async def test_sheet_with_4_out_of_band_hours_totals_18_h_and_carries_them_in_its_event(
    api, tokens, runtime
) -> None:
    agency = tokens.header(tokens.agency_agent("agent-dgs"))
    await ap_with_child(api, agency)
    body = sheet("8")
    body["days"][0]["out_of_band_hours"] = "4"

    response = await api.post("/v1/service-sheets", json=body, headers=agency)
    history = (await api.get("/v1/service-sheets/ap-1/c7/2025-03", headers=agency)).json()

    assert response.status_code == 201, response.text
    out = response.json()
    assert (out["total_hours"], out["total_out_of_band_hours"]) == ("18.00", "4.00")
    assert [d["out_of_band_hours"] for d in out["days"]] == ["4", "0"]
    assert history["current"]["days"] == out["days"]
    [event] = [d for d in await waiting_documents(runtime) if "servicesheet" in d["type"]]
    assert [(d["hours"], d["out_of_band_hours"]) for d in event["data"]["days"]] == [
        ("8", "4"),
        ("6", "0"),
    ]


async def test_sheet_day_over_12_hours_in_or_out_of_the_band_is_a_422_problem(
    api, tokens, runtime
) -> None:
    agency = tokens.header(tokens.agency_agent("agent-dgs"))
    await ap_with_child(api, agency)
    body = sheet("12.5")
    body["days"][1]["out_of_band_hours"] = "13"

    response = await api.post("/v1/service-sheets", json=body, headers=agency)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    found = {(e["code"], e["field"]) for e in response.json()["errors"]}
    assert found == {
        ("hours_out_of_range", "days[0].hours"),
        ("hours_out_of_range", "days[1].out_of_band_hours"),
    }
    assert "lu.csa.attendance.servicesheet.submitted.v1" not in await outbox_types(runtime)


async def test_sheet_hours_in_exponent_notation_are_read_as_plain_10_h_huge_ones_a_422(
    api, tokens, runtime
) -> None:
    agency = tokens.header(tokens.agency_agent("agent-dgs"))
    await ap_with_child(api, agency)
    body = sheet("1E+1")
    body["days"][1]["out_of_band_hours"] = "1E+1"

    response = await api.post("/v1/service-sheets", json=body, headers=agency)
    body["days"][1]["out_of_band_hours"] = "1E+999999999"
    huge = await api.post("/v1/service-sheets", json=body, headers=agency)

    assert response.status_code == 201, response.text
    assert [(d["hours"], d["out_of_band_hours"]) for d in response.json()["days"]] == [
        ("10", "0"),
        ("6", "10"),
    ]
    assert huge.status_code == 422
    assert huge.json()["errors"][0]["code"] == "hours_out_of_range"


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
