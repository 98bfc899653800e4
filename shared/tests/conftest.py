"""A service app around a few test routers, for the tests of the shared app factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI

from csa_shared.composition import ServiceDefinition
from csa_shared.messaging.tables import service_metadata
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings

ServiceApp = Callable[..., tuple[ServiceRuntime, FastAPI]]


@pytest.fixture
async def service_app(tmp_path: Path) -> AsyncIterator[ServiceApp]:
    """``service_app(routers, **settings)`` → (runtime, app); runtimes stopped afterwards."""
    runtimes: list[ServiceRuntime] = []

    def build(routers: Sequence[APIRouter], **settings: str) -> tuple[ServiceRuntime, FastAPI]:
        spec = ServiceDefinition(
            name="billing",
            title="Billing",
            description="d",
            version="1",
            metadata=service_metadata(),
            migrations=Path(__file__).parent,
            routers=lambda: list(routers),
        )
        runtime = spec.build_runtime(Settings(CSA_VAR_DIR=tmp_path, **settings))
        runtimes.append(runtime)
        return runtime, spec.create_app(runtime, manage_lifecycle=False)

    yield build
    for runtime in runtimes:
        await runtime.stop()
