"""A partner's view: a client generated from the committed billing document, used for real.

A package generated from ``docs/api/billing.openapi.json`` (see ``partner.py``) calls the
billing app in-process; ``test_partner_client_running.py`` does the same with attendance
against a running server.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from csa.services import definition
from csa_billing.simulation.schemas import EXAMPLE_REQUEST
from csa_shared.settings import Settings
from tests.api_docs.partner import generated_client

PACKAGE = "csa_billing_partner_client"


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    with generated_client("billing", tmp_path_factory.mktemp("partner")) as package:
        yield package


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


async def test_the_generated_client_simulates_the_interfaces_example_week(
    client_package: ModuleType, tmp_path: Path
) -> None:
    billing = definition("billing")
    app = billing.create_app(billing.build_runtime(Settings(CSA_VAR_DIR=tmp_path)))
    simulate = _module("api.simulations.simulations_simulate")
    models = _module("models")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://billing.test") as http:
        client = client_package.Client(base_url="http://billing.test")
        client.set_async_httpx_client(http)
        body = models.SimulationRequest.from_dict(EXAMPLE_REQUEST)
        response = await simulate.asyncio_detailed(client=client, body=body)
    assert response.status_code == 200, response.content
    result = response.parsed
    assert isinstance(result, models.SimulationResponse)
    # 9 plurilingual hours at 6.00 free for the parent; one meal at 4.50, lt_2 rate 1.00
    assert (result.parent_total, result.state_total) == ("1.00", "57.50")
    assert result.hours.plurilingual_free == "9.00"


async def test_the_generated_client_parses_the_problem_of_an_invalid_week(
    client_package: ModuleType, tmp_path: Path
) -> None:
    billing = definition("billing")
    app = billing.create_app(billing.build_runtime(Settings(CSA_VAR_DIR=tmp_path)))
    simulate = _module("api.simulations.simulations_simulate")
    models = _module("models")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://billing.test") as http:
        client = client_package.Client(base_url="http://billing.test")
        client.set_async_httpx_client(http)
        body = models.SimulationRequest.from_dict({**EXAMPLE_REQUEST, "rank": 0})
        response = await simulate.asyncio_detailed(client=client, body=body)
    assert response.status_code == 422
    assert isinstance(response.parsed, models.Problem)
    assert response.parsed.status == 422
