"""A partner's view: a client generated from the committed billing document, used for real.

openapi-python-client (pinned, installed offline by ``make install`` into its own virtual
environment because it pins an older typer than the platform) generates a package from
``docs/api/billing.openapi.json``; the test imports it and calls the billing app.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from csa.contracts.openapi import REPO_ROOT, openapi_path
from csa.services import definition
from csa_billing.simulation.schemas import EXAMPLE_REQUEST
from csa_shared.settings import Settings

TOOL = REPO_ROOT / ".venv" / "tools" / "openapi-python-client" / "bin" / "openapi-python-client"
PACKAGE = "csa_billing_partner_client"


def _generator() -> str:
    for candidate in (os.environ.get("CSA_OPENAPI_PYTHON_CLIENT"), str(TOOL)):
        if candidate and Path(candidate).is_file():
            return candidate
    found = shutil.which("openapi-python-client")
    if found is None:
        pytest.fail(
            f"openapi-python-client is not installed: `make install` puts it in {TOOL.parent} "
            "(python -m venv .venv/tools/openapi-python-client && "
            ".venv/tools/openapi-python-client/bin/pip install openapi-python-client==0.29.1)"
        )
    return found


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("partner")
    config = out / "config.yaml"
    config.write_text("post_hooks: []\n")
    generated = subprocess.run(
        [
            _generator(),
            "generate",
            "--path",
            str(openapi_path("billing")),
            "--meta",
            "none",
            "--output-path",
            str(out / PACKAGE),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_PROXY": "*"},
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


async def test_the_generated_client_simulates_the_interfaces_example_week(
    client_package: ModuleType, tmp_path: Path
) -> None:
    billing = definition("billing")
    app = billing.create_app(billing.build_runtime(Settings(CSA_VAR_DIR=tmp_path)))
    simulate = _module("api.simulations.simulate_v1_simulations_post")
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
    simulate = _module("api.simulations.simulate_v1_simulations_post")
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
