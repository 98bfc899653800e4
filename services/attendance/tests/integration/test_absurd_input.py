"""Absurd input (issue 19 §4): a 4xx problem, never a 500, and stored records unchanged."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from attendance_api import contract_body, provider_body, rows

from csa_attendance.tables import other_charges, presences
from csa_shared.http.problems import PROBLEM_JSON
from csa_shared.testing.problems import assert_refused_naming

pytestmark = pytest.mark.postgres

DEEP = "[" * 100_000 + "]" * 100_000
PRESENCE = {
    "kind": "presence",
    "record_id": "kept-1",
    "child_id": "c1",
    "start": "2025-03-03T08:00:00",
    "end": "2025-03-03T12:00:00",
}
CHARGE = {
    "record_id": "fee-1",
    "child_id": "c1",
    "day": "2025-03-03",
    "kind": "registration_fee",
    "amount": "50.00",
    "description": "Registration 2025",
}
PROVIDER = provider_body("sea-z")
CONTRACT = contract_body("ec-z", "c1", "sea-b")

# (who, method, path, query, body, the field the problem names): a dict body goes as JSON,
# a str as it is. Naming the field tells the bound from the database's own refusal.
ABSURD: dict[str, tuple[str, str, str, dict[str, str] | None, Any, str]] = {
    "presences to 9999-12-31": (
        "provider", "GET", "/v1/presences", {"to": "9999-12-31"}, None, "to",
    ),
    "reservations to 9999-12-31": (
        "provider", "GET", "/v1/reservations", {"to": "9999-12-31"}, None, "to",
    ),
    "meals from 0001-01-01": (
        "provider", "GET", "/v1/meals", {"from": "0001-01-01"}, None, "from",
    ),
    "NUL in a child filter": (
        "provider", "GET", "/v1/presences", {"child_id": "c\x00"}, None, "child_id",
    ),
    "NUL in the providers' commune filter": (
        "agent", "GET", "/v1/providers", {"commune": "L\x00"}, None, "commune",
    ),
    "NUL in the contracts' child filter": (
        "agent", "GET", "/v1/education-contracts", {"child_id": "c\x00", "provider_id": "sea-a"},
        None, "child_id",
    ),
    "charge of 1e400": (
        "provider", "POST", "/v1/other-charges", None,
        {**CHARGE, "record_id": "fee-2", "amount": "1e400"}, "amount",
    ),
    "charge of 10^26": (
        "provider", "POST", "/v1/other-charges", None,
        {**CHARGE, "record_id": "fee-3", "amount": "100000000000000000000000000.00"}, "amount",
    ),
    "charge in year 1": (
        "provider", "POST", "/v1/other-charges", None,
        {**CHARGE, "record_id": "fee-4", "day": "0001-01-01"}, "day",
    ),
    "NUL in a charge's description": (
        "provider", "POST", "/v1/other-charges", None,
        {**CHARGE, "record_id": "fee-5", "kind": "other", "description": "a\x00b"},
        "description",
    ),
    "amend to year 1": (
        "provider", "POST", "/v1/presences/{kept}/amend", None,
        {"start": "0001-01-01T08:00:00", "end": "0001-01-01T12:00:00", "reason": "typo"},
        "start",
    ),
    "100 000-deep JSON batch": (
        "provider", "POST", "/v1/declarations/batch", None, DEEP, "body",
    ),
    "provider price of 1e308": (
        "agent", "POST", "/v1/providers", None, {**PROVIDER, "hourly_price": 1e308},
        "hourly_price",
    ),
    "NUL in a provider's name": (
        "agent", "POST", "/v1/providers", None, {**PROVIDER, "name": "Cr\x00che"}, "name",
    ),
    "contract from 9999-12-27": (
        "agent", "POST", "/v1/education-contracts", None,
        {**CONTRACT, "child_id": "c7", "start": "9999-12-27"}, "start",
    ),
}  # fmt: skip


@pytest.fixture
async def stored(api, world, as_provider) -> dict[str, Any]:
    """A presence and a charge of sea-a, accepted before any absurd request."""
    provider = as_provider("sea-a")
    batch = await api.post("/v1/declarations/batch", json={"items": [PRESENCE]}, headers=provider)
    charge = await api.post("/v1/other-charges", json=CHARGE, headers=provider)
    assert batch.json()["accepted"] == 1, batch.text
    assert charge.status_code == 201, charge.text
    return {"kept": batch.json()["results"][0]["id"]}


@pytest.mark.parametrize("case", ABSURD, ids=list(ABSURD))
async def test_absurd_input_is_a_4xx_problem_and_stored_records_stay(
    api, stored, as_provider, agent, runtime, case: str
) -> None:
    who, method, path, query, body, field = ABSURD[case]
    headers = agent if who == "agent" else as_provider("sea-a")
    sent: dict[str, Any] = {"json": body} if isinstance(body, dict) else {"content": body}
    if isinstance(body, str):
        headers = {**headers, "content-type": "application/json"}
    before = (await rows(runtime, presences), await rows(runtime, other_charges))

    response = await api.request(
        method, path.format(**stored), params=query, headers=headers, **sent
    )

    assert_refused_naming(response, field)
    assert (await rows(runtime, presences), await rows(runtime, other_charges)) == before
    listed = await api.get("/v1/presences", headers=as_provider("sea-a"))
    assert [p["record_id"] for p in listed.json()["items"]] == ["kept-1"]


async def test_a_batch_item_in_year_1_is_rejected_the_others_accepted(
    api, world, as_provider
) -> None:
    items = [
        {**PRESENCE, "record_id": "year-1", "start": "0001-01-01T08:00:00",
         "end": "0001-01-01T12:00:00"},
        PRESENCE,
        {"kind": "meal", "record_id": "m-9999", "child_id": "c1", "day": "9999-12-31",
         "count": 1},
    ]  # fmt: skip

    response = await api.post(
        "/v1/declarations/batch", json={"items": items}, headers=as_provider("sea-a")
    )

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["outcome"] for r in results] == ["rejected", "accepted", "rejected"]
    assert {e["code"] for e in results[0]["errors"]} == {"invalid_value"}
    assert [e["field"].rsplit(".")[-1] for e in results[2]["errors"]] == ["day"]


async def test_a_batch_of_1000_items_over_the_default_body_limit_is_read(
    api, world, as_provider
) -> None:
    record = "\U0001f9f8" * 124  # escaped by json.dumps as surrogate pairs: 12 bytes each
    items = [{**PRESENCE, "record_id": f"{i:04d}{record}"} for i in range(1000)]
    body = json.dumps({"items": items}).encode()
    assert len(body) > 1 << 20

    response = await api.post(
        "/v1/declarations/batch",
        content=body,
        headers={**as_provider("sea-a"), "content-type": "application/json"},
    )

    assert response.status_code == 200, response.text[:300]
    assert response.json()["accepted"] == 1  # the others overlap the first


async def test_a_batch_body_over_its_larger_limit_is_413(api, world, as_provider) -> None:
    body = b'{"items": [], "padding": "' + b"x" * (4 << 20) + b'"}'

    response = await api.post(
        "/v1/declarations/batch",
        content=body,
        headers={**as_provider("sea-a"), "content-type": "application/json"},
    )

    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"].startswith(PROBLEM_JSON)


async def test_a_charge_stored_before_the_bounds_is_still_listed(api, world, as_provider, runtime):
    """The code before issue 19 accepted a charge dated year 1: reads are not bounded."""
    async with runtime.sessions() as session, session.begin():
        await session.execute(
            other_charges.insert().values(
                id="legacy-1", provider_id="sea-a", provider_record_id="fee-year-1",
                child_id="c1", day=date(1, 1, 1), kind="registration_fee",
                amount=Decimal("9999999.99"), description="", created_at=datetime.now(UTC),
            )
        )  # fmt: skip

    response = await api.get("/v1/other-charges", headers=as_provider("sea-a"))

    assert response.status_code == 200, response.text
    assert [(c["day"], c["amount"]) for c in response.json()] == [("0001-01-01", "9999999.99")]
