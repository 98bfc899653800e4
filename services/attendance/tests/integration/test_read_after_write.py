"""Every write endpoint read back at once, on PostgreSQL (``csa_shared.testing.read_after_write``);
a commit that fails answers a problem, never a 2xx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from attendance_api import contract_body, provider_body, rows

from csa.services import definition
from csa_attendance.tables import presences
from csa_shared.http.problems import PROBLEM_JSON
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.commits import failing_commits
from csa_shared.testing.read_after_write import WriteCoverage, answer_first

pytestmark = pytest.mark.postgres

coverage = WriteCoverage()


@pytest.fixture
async def client(runtime: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    app = definition("attendance").create_app(runtime, manage_lifecycle=False)
    async with answer_first(app, "http://attendance") as client:
        yield client


async def _read(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> Any:
    read = await client.get(path, headers=headers)
    assert read.status_code == 200, read.text
    return read.json()


def _answered(read: dict[str, Any], write: httpx.Response) -> bool:
    """The read shows every field the write answered (a history read adds its versions)."""
    return {key: read[key] for key in write.json()} == write.json()


def _presence(record_id: str, day: str = "2025-03-03") -> dict[str, Any]:
    return {
        "record_id": record_id,
        "child_id": "c1",
        "start": f"{day}T08:00:00",
        "end": f"{day}T16:00:00",
    }


@coverage.covers(
    "POST /v1/providers",
    "POST /v1/providers/{provider_id}/versions",
    "POST /v1/education-contracts",
    "POST /v1/education-contracts/{contract_id}/end",
)
async def test_the_registry_reads_back_after_each_write(client, agent) -> None:
    created = await client.post("/v1/providers", json=provider_body("sea-r"), headers=agent)
    assert created.status_code == 201, created.text
    assert await _read(client, "/v1/providers/sea-r", agent) == created.json()

    terms = provider_body("sea-r", effective_from="2025-09-01", hourly_price="5.50")
    del terms["provider_id"], terms["provider_type"]
    changed = await client.post("/v1/providers/sea-r/versions", json=terms, headers=agent)
    assert changed.status_code == 200, changed.text
    shown = await _read(client, "/v1/providers/sea-r", agent)
    assert [v["hourly_price"] for v in shown["versions"]] == ["5.00", "5.50"]

    started = await client.post(
        "/v1/education-contracts", json=contract_body("ec-r", "c-r", "sea-r"), headers=agent
    )
    assert started.status_code == 201, started.text
    listed = await _read(client, "/v1/education-contracts?child_id=c-r", agent)
    assert [c["contract_id"] for c in listed["items"]] == ["ec-r"]

    ended = await client.post(
        "/v1/education-contracts/ec-r/end", json={"end": "2025-06-30"}, headers=agent
    )
    assert ended.status_code == 200, ended.text
    listed = await _read(client, "/v1/education-contracts?child_id=c-r", agent)
    assert [c["end"] for c in listed["items"]] == ["2025-06-30"]


@coverage.covers(
    "POST /v1/presences",
    "POST /v1/presences/{presence_id}/amend",
    "POST /v1/presences/{presence_id}/void",
)
async def test_a_presence_reads_back_after_each_write(client, world, as_provider) -> None:
    provider = as_provider("sea-a")
    posted = await client.post("/v1/presences", json=_presence("p-raw"), headers=provider)
    assert posted.status_code == 201, posted.text
    path = f"/v1/presences/{posted.json()['id']}"
    assert _answered(await _read(client, path, provider), posted)

    amended = await client.post(
        f"{path}/amend",
        json={"start": "2025-03-03T09:00:00", "end": "2025-03-03T15:00:00", "reason": "late"},
        headers=provider,
    )
    assert amended.status_code == 200, amended.text
    assert _answered(await _read(client, path, provider), amended)

    voided = await client.post(f"{path}/void", json={"reason": "absent"}, headers=provider)
    assert voided.status_code == 200, voided.text
    assert _answered(await _read(client, path, provider), voided)


@coverage.covers(
    "POST /v1/declarations/batch",
    "POST /v1/meals/{meal_id}/amend",
    "POST /v1/meals/{meal_id}/void",
)
async def test_a_batch_and_its_meal_read_back_after_each_write(client, world, as_provider) -> None:
    provider = as_provider("sea-a")
    meal = {"kind": "meal", "record_id": "m-raw", "child_id": "c1", "day": "2025-03-04"}
    items = [{"kind": "presence", **_presence("p-raw-2", "2025-03-04")}, {**meal, "count": 1}]
    batch = await client.post("/v1/declarations/batch", json={"items": items}, headers=provider)
    assert batch.status_code == 200, batch.text
    presence_id, meal_id = (r["id"] for r in batch.json()["results"])
    assert (await _read(client, f"/v1/presences/{presence_id}", provider))["version"] == 1
    meals = "/v1/meals?child_id=c1"

    def this_meal(page: Any) -> dict[str, Any]:
        return next(m for m in page["items"] if m["id"] == meal_id)

    assert this_meal(await _read(client, meals, provider))["count"] == 1

    amended = await client.post(
        f"/v1/meals/{meal_id}/amend",
        json={"day": "2025-03-04", "count": 2, "reason": "dinner too"},
        headers=provider,
    )
    assert amended.status_code == 200, amended.text
    assert this_meal(await _read(client, meals, provider))["count"] == 2

    voided = await client.post(f"/v1/meals/{meal_id}/void", json={"reason": "x"}, headers=provider)
    assert voided.status_code == 200, voided.text
    assert this_meal(await _read(client, meals, provider))["status"] == "voided"


@coverage.covers("POST /v1/meals")
async def test_a_single_meal_reads_back_at_once(client, world, as_provider) -> None:
    provider = as_provider("sea-a")
    presence = await client.post("/v1/presences", json=_presence("p-meal"), headers=provider)
    assert presence.status_code == 201, presence.text
    meal = {"record_id": "m-one", "child_id": "c1", "day": "2025-03-03", "count": 1}
    posted = await client.post("/v1/meals", json=meal, headers=provider)
    assert posted.status_code == 201, posted.text
    listed = await _read(client, "/v1/meals?child_id=c1", provider)
    assert listed["items"] == [posted.json()]


@coverage.covers("POST /v1/service-sheets")
async def test_a_service_sheet_reads_back_at_once(client, tokens) -> None:
    agency = tokens.header(tokens.agency_agent("agent-dgs"))
    ap = provider_body("ap-r", "assistant_parental", agency_id="dageselteren")
    assert (await client.post("/v1/providers", json=ap, headers=agency)).status_code == 201
    contract = contract_body("ec-ap-r", "c7", "ap-r")
    started = await client.post("/v1/education-contracts", json=contract, headers=agency)
    assert started.status_code == 201, started.text
    sheet = {
        "provider_id": "ap-r",
        "child_id": "c7",
        "month": "2025-03",
        "days": [{"day": "2025-03-03", "hours": "8", "lunches": 1}],
    }
    submitted = await client.post("/v1/service-sheets", json=sheet, headers=agency)
    assert submitted.status_code == 201, submitted.text
    shown = await _read(client, "/v1/service-sheets/ap-r/c7/2025-03", agency)
    assert shown["current"] == submitted.json()


@coverage.covers("POST /v1/other-charges")
async def test_an_other_charge_reads_back_at_once(client, world, as_provider) -> None:
    provider = as_provider("sea-a")
    charge = {
        "record_id": "fee-r",
        "child_id": "c1",
        "day": "2025-03-03",
        "kind": "registration_fee",
        "amount": "50.00",
        "description": "Registration",
    }
    recorded = await client.post("/v1/other-charges", json=charge, headers=provider)
    assert recorded.status_code == 201, recorded.text
    listed = await _read(client, "/v1/other-charges", provider)
    assert [c["id"] for c in listed] == [recorded.json()["id"]]


async def test_a_commit_that_fails_answers_503_and_stores_nothing(
    client, world, as_provider, runtime: ServiceRuntime
) -> None:
    before = await rows(runtime, presences)
    with failing_commits(runtime.engine) as refused:
        posted = await client.post(
            "/v1/presences", json=_presence("p-lost"), headers=as_provider("sea-a")
        )
    assert refused
    assert (posted.status_code, posted.headers["content-type"]) == (503, PROBLEM_JSON)
    assert await rows(runtime, presences) == before


def test_every_write_endpoint_is_read_back(runtime: ServiceRuntime) -> None:
    coverage.assert_complete(definition("attendance").create_app(runtime, manage_lifecycle=False))
