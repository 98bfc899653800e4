"""Billing's closed periods reach attendance, and corrections touching them are flagged."""

from __future__ import annotations

from typing import Any

import pytest
from attendance_api import rows
from sqlalchemy import select

from csa_attendance.tables import closed_periods
from csa_shared.bus import Message
from csa_shared.events import TOPICS, Envelope, new_event
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.events import waiting_documents
from csa_shared.testing.polling import eventually

pytestmark = pytest.mark.postgres

MARCH = "2025-03"  # billing period Monday 2025-03-03 .. Sunday 2025-04-06


def period_closed(month: str = MARCH, closed_at: str = "2025-04-16T06:00:00+00:00") -> Envelope:
    return new_event(
        "lu.csa.billing.period.closed.v1",
        source="/csa/billing",
        subject=month,
        data={
            "month": month,
            "start": "2025-03-03",
            "end": "2025-04-06",
            "invoices": 2,
            "children": 2,
            "parent_total": "120.00",
            "state_total": "480.00",
            "closed_at": closed_at,
        },
    )


def presence(record: str, day: str) -> dict[str, str]:
    return {
        "kind": "presence",
        "record_id": record,
        "child_id": "c1",
        "start": f"{day}T08:00:00",
        "end": f"{day}T12:00:00",
    }


async def _closed(runtime: ServiceRuntime) -> list[str]:
    async with runtime.sessions() as s:
        return list((await s.execute(select(closed_periods.c.month))).scalars())


async def _corrections(runtime: ServiceRuntime) -> dict[str, bool]:
    """record id → affects_closed_period of its presence.corrected event in the outbox."""
    payloads = await waiting_documents(runtime)
    return {
        e["data"]["record_id"]: e["data"]["affects_closed_period"]
        for e in payloads
        if e["type"] == "lu.csa.attendance.presence.corrected.v1"
    }


async def _amend(api: Any, headers: dict[str, str], presence_id: str, day: str) -> int:
    response = await api.post(
        f"/v1/presences/{presence_id}/amend",
        json={"start": f"{day}T08:30:00", "end": f"{day}T12:00:00", "reason": "clock error"},
        headers=headers,
    )
    return response.status_code


async def test_a_correction_in_a_period_billing_closed_is_flagged_and_redelivery_is_harmless(
    api, world, runtime, as_provider
) -> None:
    sea_a = as_provider("sea-a")
    posted = await api.post(
        "/v1/declarations/batch",
        headers=sea_a,
        json={"items": [presence("mar", "2025-03-05"), presence("apr", "2025-04-08")]},
    )
    ids = {r["record_id"]: r["id"] for r in posted.json()["results"]}
    event = period_closed()

    # billing publishes on its topic; attendance's own consumer group picks it up
    await runtime.bus.publish(TOPICS["billing"], event.key, event.to_json())
    await eventually(lambda: _closed(runtime), timeout=10)
    (consumer,) = [c for c in runtime.consumers if c.name == "attendance.billing"]
    again = await consumer(Message(TOPICS["billing"], event.key, event.to_json(), 0, 1))
    other_copy = period_closed(closed_at="2025-04-17T06:00:00+00:00")
    second = await consumer(Message(TOPICS["billing"], event.key, other_copy.to_json(), 0, 2))

    statuses = (
        await _amend(api, sea_a, ids["mar"], "2025-03-05"),
        await _amend(api, sea_a, ids["apr"], "2025-04-08"),
    )

    assert (again, second) == ("duplicate", "processed")
    assert [(m, c.isoformat()) for m, c in await rows(runtime, closed_periods)] == [
        (MARCH, "2025-04-16T06:00:00+00:00")
    ]
    assert statuses == (200, 200)
    assert await _corrections(runtime) == {"mar": True, "apr": False}


async def test_before_billing_closes_the_period_a_correction_is_not_flagged(
    api, world, runtime, as_provider
) -> None:
    sea_a = as_provider("sea-a")
    posted = await api.post(
        "/v1/declarations/batch", headers=sea_a, json={"items": [presence("mar", "2025-03-05")]}
    )
    (result,) = posted.json()["results"]

    assert await _amend(api, sea_a, result["id"], "2025-03-05") == 200
    assert await _corrections(runtime) == {"mar": False}
    assert await _closed(runtime) == []
