"""CORS for partners' web apps: off by default, the configured origins only when set."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import APIRouter

things = APIRouter()


@things.post("/things")
async def create_thing() -> dict[str, str]:
    return {"id": "t-1"}


ServiceApp = Callable[..., Any]  # the service_app fixture of shared/tests/conftest.py
PARTNER = "https://app.partner.example"
PREFLIGHT = {
    "Origin": PARTNER,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
}


@asynccontextmanager
async def _service(service_app: ServiceApp, **settings: str) -> AsyncIterator[httpx.AsyncClient]:
    _, app = service_app([things], **settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        yield http


async def test_without_configured_origins_no_cors_header_is_sent(service_app: ServiceApp) -> None:
    async with _service(service_app) as http:
        preflight = await http.options("/v1/things", headers=PREFLIGHT)
        posted = await http.post("/v1/things", headers={"Origin": PARTNER})
    assert "access-control-allow-origin" not in preflight.headers
    assert posted.status_code == 200
    assert "access-control-allow-origin" not in posted.headers


async def test_a_configured_origin_is_allowed_with_the_api_headers_another_is_not(
    service_app: ServiceApp,
) -> None:
    origins = f"{PARTNER}/, https://other.example"
    async with _service(service_app, CSA_CORS_ALLOW_ORIGINS=origins) as http:
        preflight = await http.options("/v1/things", headers=PREFLIGHT)
        posted = await http.post("/v1/things", headers={"Origin": PARTNER})
        stranger = await http.post("/v1/things", headers={"Origin": "https://evil.example"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == PARTNER
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "idempotency-key"} <= set(allowed.split(", "))
    assert "access-control-allow-credentials" not in preflight.headers
    assert posted.headers["access-control-allow-origin"] == PARTNER
    assert "x-request-id" in posted.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in stranger.headers
