"""Every write endpoint read back at once, on PostgreSQL (``csa_shared.testing.read_after_write``);
a commit that fails answers a problem, never a 2xx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import time_machine
from membership_api import ESCH, application, household_earning, snapshot
from weeks_api import enrol, week_body

from csa_membership.app import definition
from csa_shared.http.problems import PROBLEM_JSON
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.commits import failing_commits
from csa_shared.testing.read_after_write import WriteCoverage, answer_first
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres

coverage = WriteCoverage()


@pytest.fixture
async def client(membership: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    app = definition.create_app(membership, manage_lifecycle=False)
    async with answer_first(app, "http://membership") as client:
        yield client


async def _read(client: httpx.AsyncClient, cid: str, agent: dict[str, str]) -> dict[str, Any]:
    read = await client.get(f"/v1/contracts/{cid}", headers=agent)
    assert read.status_code == 200, read.text
    body: dict[str, Any] = read.json()
    return body


@coverage.covers(
    "POST /v1/contracts",
    "POST /v1/contracts/{contract_id}/signature",
    "POST /v1/contracts/{contract_id}/amendments",
    "POST /v1/contracts/{contract_id}/termination",
)
async def test_a_contract_reads_back_after_each_write(client, tokens: TestTokens) -> None:
    agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
    filed = await client.post("/v1/contracts", json=application(), headers=agent)
    assert filed.status_code == 201, filed.text
    cid = filed.json()["contract_id"]
    assert await _read(client, cid, agent) == filed.json()

    signed = await client.post(f"/v1/contracts/{cid}/signature", json={}, headers=agent)
    assert signed.status_code == 200, signed.text
    assert (await _read(client, cid, agent))["status"] == "active"

    amended = await client.post(
        f"/v1/contracts/{cid}/amendments",
        json={"changes": ["income"], "household": household_earning("2000.00")},
        headers=agent,
    )
    assert amended.status_code == 200, amended.text
    assert (await _read(client, cid, agent))["versions"] == amended.json()["versions"]

    valid_from = signed.json()["valid_from"]
    ended = await client.post(
        f"/v1/contracts/{cid}/termination",
        json={"last_day": valid_from, "reason": "moved abroad"},
        headers=agent,
    )
    assert ended.status_code == 200, ended.text
    assert await _read(client, cid, agent) == ended.json()


@coverage.covers("POST /v1/contracts/{contract_id}/renewals")
async def test_a_renewal_reads_back_at_once(client, tokens: TestTokens) -> None:
    with time_machine.travel(datetime(2025, 1, 15, 10), tick=True):
        agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
        filed = await client.post("/v1/contracts", json=application(), headers=agent)
        cid = filed.json()["contract_id"]
        assert (await client.post(f"/v1/contracts/{cid}/signature", headers=agent)).is_success
    with time_machine.travel(datetime(2025, 12, 10, 10), tick=True):
        agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
        renewed = await client.post(f"/v1/contracts/{cid}/renewals", headers=agent)
        assert renewed.status_code == 200, renewed.text
        assert await _read(client, cid, agent) == renewed.json()


@coverage.covers("POST /v1/privacy/erasures")
async def test_an_erasure_reads_back_at_once(client, tokens: TestTokens) -> None:
    agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
    officer = tokens.header(tokens.privacy_officer())
    filed = (await client.post("/v1/contracts", json=application(), headers=agent)).json()
    erased = await client.post(
        "/v1/privacy/erasures",
        json={"child_id": filed["child_id"], "reason": "request of the parent"},
        headers=officer,
    )
    assert erased.status_code == 200, erased.text
    export = await client.get(f"/v1/privacy/children/{filed['child_id']}/export", headers=officer)
    assert export.status_code == 200, export.text
    assert "Muller" not in export.text
    assert (await _read(client, filed["contract_id"], agent))["status"] == "terminated"


@coverage.covers(
    "POST /v1/weeks",
    "POST /v1/weeks/{week_id}/sign-ups",
    "POST /v1/weeks/{week_id}/sign-ups/{child_id}/cancellation",
)
async def test_a_week_and_its_sign_ups_read_back_at_once(
    client, membership: ServiceRuntime, tokens: TestTokens
) -> None:
    await enrol(membership, ["week-child"])
    provider = tokens.header(tokens.provider("prov-x"))
    parent = tokens.header(tokens.parent("account-w", ["week-child"]))
    made = await client.post("/v1/weeks", json=week_body(), headers=provider)
    assert made.status_code == 201, made.text
    url = f"/v1/weeks/{made.json()['week_id']}"
    assert (await client.get(url, headers=parent)).json() == made.json()

    signed = await client.post(f"{url}/sign-ups", json={"child_id": "week-child"}, headers=parent)
    assert signed.status_code == 201, signed.text
    mine = await client.get("/v1/children/week-child/week-sign-ups", headers=parent)
    assert mine.json() == [signed.json()]
    assert (await client.get(url, headers=parent)).json()["places_left"] == 9

    cancelled = await client.post(f"{url}/sign-ups/week-child/cancellation", headers=parent)
    assert cancelled.status_code == 200, cancelled.text
    assert (await client.get("/v1/children/week-child/week-sign-ups", headers=parent)).json() == [
        cancelled.json()
    ]
    assert (await client.get(url, headers=parent)).json()["places_left"] == 10


async def test_a_commit_that_fails_answers_503_and_stores_nothing(
    client, membership: ServiceRuntime, tokens: TestTokens
) -> None:
    agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
    before = await snapshot(membership)
    with failing_commits(membership.engine) as refused:
        filed = await client.post("/v1/contracts", json=application(), headers=agent)
    assert refused
    assert (filed.status_code, filed.headers["content-type"]) == (503, PROBLEM_JSON)
    assert await snapshot(membership) == before


def test_every_write_endpoint_is_read_back(membership: ServiceRuntime) -> None:
    coverage.assert_complete(definition.create_app(membership, manage_lifecycle=False))
