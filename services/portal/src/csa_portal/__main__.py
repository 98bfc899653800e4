"""``python -m csa_portal``: the portal alone (production shape), under ``/portal``.

It reaches the four services at ``PORTAL_<SERVICE>_URL`` and listens on ``CSA_HTTP_HOST``/
``CSA_HTTP_PORT``; in the embedded platform (``csa run``) it is mounted instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from csa_portal.app import create_portal_app
from csa_shared.observability.logging import configure_logging
from csa_shared.settings import get_settings


def create_standalone_app() -> FastAPI:
    portal = create_portal_app(get_settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await portal.state.portal.apis.close()

    root = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    # no database and no bus: alive is ready (a service that is down shows as a message page)
    @root.get("/healthz")
    @root.get("/readyz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    root.mount("/portal", portal)
    return root


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    uvicorn.run(
        create_standalone_app(), host=settings.http_host, port=settings.http_port, log_config=None
    )


if __name__ == "__main__":
    main()
