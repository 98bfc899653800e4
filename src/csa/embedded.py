"""Embedded mode: the whole platform in one process, one port, a path prefix per service.

SQLite files under ``CSA_VAR_DIR``, the in-process bus, migrations applied at start.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from csa.services import all_definitions
from csa_portal.app import create_portal_app
from csa_shared.bus.memory import InProcessBus
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings


def create_embedded_app(settings: Settings) -> FastAPI:
    bus = InProcessBus()
    runtimes: list[ServiceRuntime] = []
    apps: dict[str, FastAPI] = {}
    for definition in all_definitions():
        runtime = definition.build_runtime(settings, bus=bus)
        runtimes.append(runtime)
        apps[definition.name] = definition.create_app(runtime, manage_lifecycle=False)
    # the parent portal calls the four APIs over HTTP, here on this process's own port
    portal = create_portal_app(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for runtime in runtimes:
            await runtime.migrate()
        await bus.start()
        for runtime in runtimes:
            await runtime.start()
        if settings.demo_data:
            from csa.demo import load_demo_data

            await load_demo_data({r.name: r for r in runtimes})
        try:
            yield
        finally:
            await portal.state.portal.apis.close()
            for runtime in runtimes:
                await runtime.stop()
            await bus.stop()

    root = FastAPI(title="CSA platform (embedded)", lifespan=lifespan)
    root.state.runtimes = {r.name: r for r in runtimes}

    @root.get("/")
    async def index() -> dict[str, Any]:
        services: dict[str, Any] = {
            name: {
                "api": f"/{name}/v1",
                "docs": f"/{name}/docs",
                "openapi": f"/{name}/openapi.json",
            }
            for name in apps
        }
        return services | {"portal": {"web": "/portal/"}}

    @root.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    for name, app in apps.items():
        root.mount(f"/{name}", app)
    root.mount("/portal", portal)
    return root
