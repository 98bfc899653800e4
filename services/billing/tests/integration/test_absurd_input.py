"""Absurd input (issue 19 §4): a 4xx problem naming the field, never a 500, nothing stored."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from csa_billing.simulation.schemas import EXAMPLE_REQUEST
from csa_billing.tables import billing_period
from csa_shared.testing.problems import assert_refused_naming

from .conftest import count

pytestmark = pytest.mark.postgres


def _simulation(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE_REQUEST)
    assert isinstance(body, dict)
    body.update(changes)
    return body


def _provider(**changes: Any) -> list[dict[str, Any]]:
    [provider] = copy.deepcopy(EXAMPLE_REQUEST["providers"])  # type: ignore[index,misc]
    return [{**provider, **changes}]


def _presences(n: int) -> list[dict[str, str]]:
    return [{"provider": "p1", "start": "2025-03-03T08:00:00", "end": "2025-03-03T09:00:00"}] * n


# (method, path, body, the field the problem names): a str body goes as it is
ABSURD: dict[str, tuple[str, str, Any, str]] = {
    "simulated week of 9999-12-27": (
        "POST", "/v1/simulations", _simulation(week_start="9999-12-27"), "week_start",
    ),
    "hourly price of 10^26": (
        "POST", "/v1/simulations",
        _simulation(providers=_provider(hourly_price="1" + "0" * 26 + ".00")),
        "providers[0].hourly_price",
    ),
    "child born in 9999": (
        "POST", "/v1/simulations",
        _simulation(child={"birth_date": "9999-01-01", "schooling": "none"}),
        "child.birth_date",
    ),
    "NUL in a provider id": (
        "POST", "/v1/simulations", _simulation(providers=_provider(id="p\x001")),
        "providers[0].id",
    ),
    "1001 presences in a week": (
        "POST", "/v1/simulations", _simulation(presences=_presences(1001)), "presences",
    ),
    "100 000-deep JSON": ("POST", "/v1/simulations", "[" * 100_000 + "]" * 100_000, "body"),
    "close of 0001-01": ("POST", "/v1/periods/0001-01/close", {"ignore_grace": True}, "month"),
}  # fmt: skip


@pytest.mark.parametrize("case", ABSURD, ids=list(ABSURD))
async def test_absurd_input_is_a_4xx_problem_naming_the_field(
    api, billing, tokens, case: str
) -> None:
    method, path, body, field = ABSURD[case]
    headers = tokens.header(tokens.cae_agent("agent-cae"))
    sent: dict[str, Any] = {"content": body} if isinstance(body, str) else {"json": body}
    if isinstance(body, str):
        headers["content-type"] = "application/json"
    periods = await count(billing, billing_period)

    response = await api.request(method, path, headers=headers, **sent)

    assert_refused_naming(response, field)
    assert await count(billing, billing_period) == periods


async def test_the_example_simulation_is_still_computed(api) -> None:
    response = await api.post("/v1/simulations", json=EXAMPLE_REQUEST)

    assert response.status_code == 200, response.text
    assert response.json()["parent_total"] == "1.00"
