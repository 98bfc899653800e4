"""Every service app: health, readiness, metrics, request ids and RFC 9457 problems."""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter
from prometheus_client import REGISTRY

from csa_shared.bus import EventBus
from csa_shared.bus.kafka import KafkaBus
from csa_shared.composition import ServiceDefinition
from csa_shared.errors import Conflict
from csa_shared.http.problems import PROBLEM_JSON
from csa_shared.messaging.tables import service_metadata
from csa_shared.settings import Settings
from csa_shared.testing.broker import free_port
from csa_shared.testing.tokens import TestTokens

boom = APIRouter()


@boom.get("/conflict")
async def conflict() -> None:
    raise Conflict("already there", existing_id="x-1")


@boom.get("/crash")
async def crash() -> None:
    raise RuntimeError("secret internals")


@boom.get("/items/{item_id}")
async def item(item_id: int) -> dict[str, int]:
    return {"id": item_id}


SPEC = ServiceDefinition(
    name="billing",
    title="t",
    description="d",
    version="1",
    metadata=service_metadata(),
    migrations=Path(__file__).parent,
    routers=lambda: [boom],
)


@asynccontextmanager
async def service_client(settings: Settings, bus: EventBus | None = None):
    runtime = SPEC.build_runtime(settings, bus=bus)
    app = SPEC.create_app(runtime, manage_lifecycle=False)
    await runtime.bus.start()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
            yield http
    finally:
        await runtime.stop()


def write_keys(var_dir: Path) -> None:
    """The key set embedded identity writes (``CSA_VAR_DIR/jwks.json``)."""
    (var_dir / "jwks.json").write_text(json.dumps(TestTokens().jwks()), encoding="utf-8")


@pytest.fixture
async def client(tmp_path: Path):
    write_keys(tmp_path)
    async with service_client(Settings(CSA_VAR_DIR=tmp_path)) as http:
        yield http


async def test_healthz_and_readyz_report_database_bus_and_keys(client) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": True, "bus": True, "token_keys": True}


async def test_without_a_key_to_verify_tokens_not_ready_until_one_comes(tmp_path: Path) -> None:
    async with service_client(Settings(CSA_VAR_DIR=tmp_path)) as http:
        missing = await http.get("/readyz")
        assert missing.status_code == 503
        assert missing.json()["checks"]["token_keys"] is False
        write_keys(tmp_path)  # identity published its key set
        assert (await http.get("/readyz")).status_code == 200


async def test_a_broker_away_is_reported_but_keeps_the_service_ready(tmp_path: Path) -> None:
    write_keys(tmp_path)
    away = KafkaBus(bootstrap_servers=f"127.0.0.1:{free_port()}", client_id="t", ping_timeout_s=0.5)
    async with service_client(Settings(CSA_VAR_DIR=tmp_path), bus=away) as http:
        ready = await http.get("/readyz")
    assert ready.status_code == 200  # the outbox keeps the events until it is back
    assert ready.json()["checks"] == {"database": True, "bus": False, "token_keys": True}


async def test_application_error_is_problem_details_with_extra_members(client) -> None:
    response = await client.get("/v1/conflict", headers={"X-Request-ID": "req-42"})
    body = response.json()
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["x-request-id"] == "req-42"
    assert body["type"].endswith("/conflict")
    assert (body["status"], body["existing_id"], body["instance"]) == (
        409,
        "x-1",
        "urn:request:req-42",
    )


async def test_validation_error_names_the_field(client) -> None:
    body = (await client.get("/v1/items/not-a-number")).json()
    assert body["status"] == 422
    assert body["errors"][0]["field"] == "item_id"


async def test_unexpected_error_is_500_problem_without_internals(client) -> None:
    response = await client.get("/v1/crash")
    assert response.status_code == 500
    assert "secret" not in response.text
    assert response.headers["content-type"] == PROBLEM_JSON


async def test_unknown_path_is_404_problem_and_metrics_count_requests(client) -> None:
    await client.get("/v1/conflict")
    missing = await client.get("/v1/nothing")
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM_JSON)
    metrics = (await client.get("/metrics")).text
    assert "csa_http_requests_total" in metrics
    labels = {"service": "billing", "method": "GET", "route": "/v1/conflict", "status": "409"}
    assert (REGISTRY.get_sample_value("csa_http_requests_total", labels) or 0) >= 1


async def test_each_request_gets_an_access_line_with_route_status_and_duration(
    client, caplog
) -> None:
    caplog.set_level(logging.DEBUG, logger="csa.access")
    await client.get("/v1/items/4711", headers={"X-Request-ID": "req-9"})
    await client.get("/healthz")

    by_route = {record.route: record for record in caplog.records if record.name == "csa.access"}
    access = by_route["/v1/items/{item_id}"]
    assert (access.levelno, access.method, access.status) == (logging.INFO, "GET", 200)
    assert isinstance(access.duration_ms, float) and access.duration_ms >= 0
    assert "4711" not in access.getMessage()  # the template, never the raw path
    assert by_route["/healthz"].levelno == logging.DEBUG  # probes stay out of INFO
