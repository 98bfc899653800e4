"""An AP service sheet posted to attendance's HTTP API, its events handed to billing's
consumers, the period closed: the night, weekend and public-holiday supplement (§4) is paid
on the sheet's out-of-band and weekend hours (§10).

Child `ge_4_5`, rank 2, at an AP charging 6.00 €/h (state cap 5.40), week of 2025-03-10:
Tuesday 8 in-band + 4 out-of-band hours (07:00-15:00, 19:00-23:00): parent 45.60, state
28.40 of which 2.00 night supplement; Saturday 5 hours: parent 19.00, state 13.50 of which
2.50 weekend supplement. Month: parent 64.60, state 41.90.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from csa.services import definition
from csa_billing.periods import jobs
from csa_shared.events import parse_event
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.events import waiting_documents
from csa_shared.testing.tokens import TestTokens

from .conftest import invoices
from .town import contract, deliver

pytestmark = pytest.mark.postgres
MARCH = "2025-03"


@pytest.fixture
async def attendance(
    pg_database_url: Callable[[], str], tokens: TestTokens
) -> AsyncIterator[httpx.AsyncClient]:
    runtime = definition("attendance").build_runtime(
        Settings(ATTENDANCE_DATABASE_URL=pg_database_url())
    )
    await runtime.start(migrate=True, relay=False)
    runtime.token_verifier = tokens.verifier("attendance")
    app = definition("attendance").create_app(runtime, manage_lifecycle=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://attendance") as client:
        client.runtime = runtime  # type: ignore[attr-defined]
        yield client
    await runtime.stop()


async def post(client: httpx.AsyncClient, path: str, body: dict, headers: dict) -> None:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text


async def test_sheet_night_and_saturday_hours_get_the_supplement_parent_64_60_state_41_90(
    attendance: httpx.AsyncClient, billing: ServiceRuntime, api: httpx.AsyncClient, tokens
) -> None:
    agency = tokens.header(tokens.agency_agent("agent-dgs"))
    provider = {
        "provider_id": "ap-1",
        "provider_type": "assistant_parental",
        "effective_from": "2024-09-02",
        "name": "AP Mustermann",
        "address": {"street": "1 rue de la Gare", "postcode": "L-1611", "locality": "Luxembourg"},
        "commune": "Luxembourg",
        "hourly_price": "6.00",
        "meal_price": "4.50",
        "plurilingual": False,
        "agency_id": "dageselteren",
    }
    education = {
        "contract_id": "ec-child-c",
        "child_id": "child-c",
        "provider_id": "ap-1",
        "start": "2025-01-06",
        "hours_per_week": "20",
        "hourly_price": "6.00",
    }
    sheet = {
        "provider_id": "ap-1",
        "child_id": "child-c",
        "month": MARCH,
        "days": [
            {"day": "2025-03-11", "hours": "8", "out_of_band_hours": "4", "lunches": 0},
            {"day": "2025-03-15", "hours": "5", "lunches": 0},
        ],
    }
    await post(attendance, "/v1/providers", provider, agency)
    await post(attendance, "/v1/education-contracts", education, agency)
    await post(attendance, "/v1/service-sheets", sheet, agency)
    emitted = await waiting_documents(attendance.runtime)  # type: ignore[attr-defined]
    await deliver(
        billing,
        [contract("child-c", "ge_4_5", 2, "none")]
        + [parse_event(json.dumps(document)) for document in emitted],
    )

    agent = tokens.header(tokens.cae_agent("agent-1"))
    started = await api.post(
        f"/v1/periods/{MARCH}/close", json={"ignore_grace": True}, headers=agent
    )
    assert started.status_code == 202, started.text
    task = jobs.running(billing, MARCH)
    if task is not None:
        await task

    [invoice] = await invoices(api, tokens, "child-c")
    assert (invoice["parent_total"], invoice["state_total"]) == ("64.60", "41.90")
    extra = [line for line in invoice["lines"] if line["kind"] == "ap_supplement"]
    assert [(x["quantity"], x["state_amount"]) for x in extra] == [("9.00", "4.50")]
