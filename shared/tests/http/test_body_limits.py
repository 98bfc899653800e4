"""Request bodies are bounded by the shared app: size (413) and JSON nesting (422)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Body, Request

from csa_shared.composition import ServiceDefinition
from csa_shared.http.limits import MAX_JSON_DEPTH, json_depth_exceeds
from csa_shared.http.problems import PROBLEM_JSON
from csa_shared.messaging.tables import service_metadata
from csa_shared.settings import Settings

echo = APIRouter()


@echo.post("/echo")
async def post_echo(body: Any = Body(None)) -> dict[str, int]:
    return {"length": len(json.dumps(body))}


@echo.post("/bulk")
async def post_bulk(request: Request) -> dict[str, int]:
    return {"length": len(await request.body())}


LIMIT = 4096


@pytest.fixture
async def client(tmp_path: Path):
    spec = ServiceDefinition(
        name="identity",
        title="t",
        description="d",
        version="1",
        metadata=service_metadata(),
        migrations=Path(__file__).parent,
        routers=lambda: [echo],
        larger_bodies=lambda settings: {"/v1/bulk": 4 * settings.max_body_bytes_of("identity")},
    )
    settings = Settings(
        CSA_VAR_DIR=tmp_path, CSA_MAX_BODY_BYTES=1 << 20, IDENTITY_MAX_BODY_BYTES=LIMIT
    )
    runtime = spec.build_runtime(settings)
    app = spec.create_app(runtime, manage_lifecycle=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        yield http
    await runtime.stop()


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


async def test_a_body_over_the_services_limit_is_413_problem_details(client) -> None:
    response = await client.post("/v1/echo", json={"name": "x" * LIMIT})

    body = _problem(response, 413)
    assert body["type"] == "https://csa.lu/problems/payload-too-large"
    assert body["limit"] == LIMIT


async def test_a_streamed_body_without_length_is_cut_at_the_limit(client) -> None:
    sent: list[int] = []

    async def chunks():
        for _ in range(100):
            sent.append(1)
            yield b" " * 1024

    response = await client.post(
        "/v1/echo", content=chunks(), headers={"content-type": "application/json"}
    )

    _problem(response, 413)
    assert len(sent) < 10  # read up to the limit, not the whole stream


async def test_a_body_within_the_limit_and_a_larger_path_get_through(client) -> None:
    small = await client.post("/v1/echo", json={"name": "x" * 1000})
    bulk = await client.post("/v1/bulk", content=b"x" * (3 * LIMIT))
    too_big = await client.post("/v1/bulk", content=b"x" * (4 * LIMIT + 1))

    assert small.status_code == 200, small.text
    assert bulk.json() == {"length": 3 * LIMIT}
    _problem(too_big, 413)


@pytest.mark.parametrize("opening", ["[", '{"a":'])
async def test_json_nested_too_deep_is_refused_before_parsing(client, opening: str) -> None:
    closing = "]" if opening == "[" else "}"
    deep = opening * 500 + "1" + closing * 500

    response = await client.post(
        "/v1/echo", content=deep, headers={"content-type": "application/json"}
    )

    body = _problem(response, 422)
    assert body["type"] == "https://csa.lu/problems/invalid-input"
    assert f"deeper than {MAX_JSON_DEPTH}" in body["detail"]


async def test_json_as_deep_as_allowed_and_brackets_in_strings_pass(client) -> None:
    nested: Any = "[[[{{{ not structure ]]]" * 10
    for _ in range(MAX_JSON_DEPTH):
        nested = [nested]

    response = await client.post("/v1/echo", json=nested)

    assert response.status_code == 200, response.text


def test_depth_scan_ignores_escaped_quotes_and_flat_siblings() -> None:
    assert not json_depth_exceeds(b'{"a": "\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')
    assert not json_depth_exceeds(b"[" + b"[1]," * 100_000 + b"[]]")
    assert json_depth_exceeds(b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1))
    assert not json_depth_exceeds(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    # closing brackets inside strings do not hide the depth, escaped quotes or not
    deeper = 10
    hidden = b"[" * MAX_JSON_DEPTH + b'"]",[' * deeper + b"]" * (MAX_JSON_DEPTH + deeper)
    escaped = b"[" * MAX_JSON_DEPTH + b'"\\"]\\"",[' * deeper + b"]" * (MAX_JSON_DEPTH + deeper)
    assert json_depth_exceeds(hidden) and json_depth_exceeds(escaped)
    assert not json_depth_exceeds(b"[" + b"[}" * 100 + b"]")  # not JSON: left to the parser


def test_each_service_has_its_own_limit_else_the_shared_one() -> None:
    settings = Settings(CSA_MAX_BODY_BYTES=2048, BILLING_MAX_BODY_BYTES=8192)

    assert settings.max_body_bytes_of("billing") == 8192
    assert settings.max_body_bytes_of("membership") == 2048
    assert Settings().max_body_bytes_of("identity") == 1 << 20


async def test_the_413_is_documented_on_operations_with_a_body(client) -> None:
    document = (await client.get("/openapi.json")).json()

    responses = document["paths"]["/v1/echo"]["post"]["responses"]
    assert responses["413"]["content"][PROBLEM_JSON]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert "413" not in document["paths"]["/healthz"]["get"]["responses"]
