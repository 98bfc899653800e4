"""This month so far (issue 21): the open period's running total per child and provider,
read over HTTP from the projections as the events arrive, and equal to what the close then
invoices."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from csa_billing.periods.close import CloseOptions, close_period

from .conftest import invoices
from .town import AP_PRESENCE, deliver, presence, town, two_providers

pytestmark = pytest.mark.postgres
# Thursday 20 March 2025, 10:00 in Luxembourg: the March period (3 March - 6 April) is open
MID_MARCH = datetime(2025, 3, 20, 9, 0, tzinfo=UTC)


def _usage(body: list[dict], child: str) -> dict:
    [found] = [u for u in body if u["child_id"] == child]
    return found


def _providers(usage: dict) -> dict[str, tuple[str, str, dict[str, str]]]:
    return {
        p["provider_id"]: (p["parent_to_date"], p["state_to_date"], p["hours_by_rule"])
        for p in usage["providers"]
    }


async def test_the_running_total_follows_records_and_corrections_and_equals_the_close(
    billing, api, tokens
) -> None:
    await deliver(billing, town() + two_providers())
    with time_machine.travel(MID_MARCH, tick=True):
        parent = tokens.header(tokens.parent("p-f", ["child-f", "child-a"]))
        first = await api.get("/v1/usage", headers=parent)
        assert first.status_code == 200, first.text
        assert [u["child_id"] for u in first.json()] == ["child-a", "child-f"]
        child_f = _usage(first.json(), "child-f")
        assert (child_f["month"], child_f["period_start"], child_f["period_end"]) == (
            "2025-03",
            "2025-03-03",
            "2025-04-06",
        )
        # the figures of town.two_providers, as strings like every billing amount
        assert _providers(child_f) == {
            "ap-1": ("2.40", "21.60", {"tranche_1": "4.00"}),
            "sea-mr": ("1.00", "27.50", {"tranche_1": "4.00"}),
        }
        assert (child_f["hours"], child_f["parent_to_date"], child_f["state_to_date"]) == (
            "8.00",
            "3.40",
            "49.10",
        )
        assert {r["rule"] for r in child_f["providers"][1]["rules"]} == {
            "tranche_1",
            "meal_category_rate",
        }
        assert child_f["providers"][0]["provider_name"] == "Provider ap-1"

        # the AP's Wednesday corrected to 2 h, and a late Friday at sea-mr: read at once
        await deliver(
            billing,
            [
                presence(
                    "child-f",
                    "ap-1",
                    "2025-03-12T08:00",
                    "2025-03-12T10:00",
                    presence_id=AP_PRESENCE,
                    version=2,
                    corrected=True,
                    previous=("2025-03-12T08:00", "2025-03-12T12:00"),
                ),
                presence("child-f", "sea-mr", "2025-03-14T08:00", "2025-03-14T10:00"),
            ],
        )
        again = _usage((await api.get("/v1/usage", headers=parent)).json(), "child-f")
        assert _providers(again) == {
            "ap-1": ("1.20", "10.80", {"tranche_1": "2.00"}),
            "sea-mr": ("1.00", "39.50", {"tranche_1": "6.00"}),
        }
        before_close = {
            child: _providers(_usage((await api.get("/v1/usage", headers=parent)).json(), child))
            for child in ("child-a", "child-f")
        }

    await close_period(billing, "2025-03", CloseOptions(today=date(2025, 4, 30)))
    for child, expected in before_close.items():
        billed = {
            i["provider_id"]: (i["parent_total"], i["state_total"])
            for i in await invoices(api, tokens, child)
        }
        assert billed == {pid: (p, s) for pid, (p, s, _) in expected.items()}, child

    with time_machine.travel(MID_MARCH, tick=True):  # March closed: April is the open one
        parent = tokens.header(tokens.parent("p-f", ["child-f"]))
        [after] = (await api.get("/v1/usage", headers=parent)).json()
    assert (after["month"], after["providers"], after["parent_to_date"]) == ("2025-04", [], "0.00")


async def test_a_parent_sees_only_the_attached_children_an_agent_names_one(api, tokens) -> None:
    parent = tokens.header(tokens.parent("p-a", ["child-a"]))
    other = await api.get("/v1/usage", params={"child_id": "child-b"}, headers=parent)
    assert other.status_code == 404, other.text
    assert other.headers["content-type"] == "application/problem+json"
    agent = tokens.header(tokens.cae_agent("agent-1"))
    named = await api.get("/v1/usage", params={"child_id": "child-b"}, headers=agent)
    assert named.status_code == 200, named.text
    [usage] = named.json()
    assert (usage["child_id"], usage["providers"], Decimal(usage["hours"])) == ("child-b", [], 0)
    unnamed = await api.get("/v1/usage", headers=agent)
    assert unnamed.status_code == 422, unnamed.text
    provider = tokens.header(tokens.provider("sea-mr"))
    refused = await api.get("/v1/usage", params={"child_id": "child-b"}, headers=provider)
    assert refused.status_code == 404, refused.text
