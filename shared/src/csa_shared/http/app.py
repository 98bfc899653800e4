"""The FastAPI app every service builds around its runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from csa_shared.http.limits import BodyLimitMiddleware
from csa_shared.http.middleware import RequestContextMiddleware
from csa_shared.http.problems import PROBLEM_RESPONSES, install_problem_handlers
from csa_shared.http.unit_of_work import check_commits_before_response
from csa_shared.observability.sampling import sample_service
from csa_shared.observability.tracing import instrument_app
from csa_shared.runtime import ServiceRuntime

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


INFORMATIONAL = frozenset({"bus"})  # readiness checks reported in /readyz, not required


def runtime_of(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def create_service_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    version: str,
    routers: Sequence[APIRouter],
    manage_lifecycle: bool = True,
    migrate_on_start: bool = False,
    larger_bodies: Mapping[str, int] | None = None,
) -> FastAPI:
    """An app with ``/v1`` routers, ``/healthz``, ``/readyz``, ``/metrics`` and problem details.

    Request bodies are bounded (``Settings.max_body_bytes_of``; ``larger_bodies``: a larger
    limit for some paths, e.g. ``{"/v1/declarations/batch": 4 << 20}``) and JSON nesting too.
    With ``manage_lifecycle`` off (embedded mode mounts several apps under one root), the
    caller starts and stops the runtime itself.
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if manage_lifecycle:
            await runtime.start(migrate=migrate_on_start)
        try:
            yield
        finally:
            if manage_lifecycle:
                await runtime.stop()

    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    app.state.runtime = runtime
    limit = runtime.settings.max_body_bytes_of(runtime.name)
    app.add_middleware(BodyLimitMiddleware, limit=limit, larger=larger_bodies)
    app.add_middleware(RequestContextMiddleware, service=runtime.name)  # outermost: counts 413s
    install_problem_handlers(app)
    check_commits_before_response(routers)
    for router in routers:
        app.include_router(router, prefix="/v1")
    _add_operational_routes(app, runtime)
    _add_problem_schema(app)
    instrument_app(app)
    return app


def _add_operational_routes(app: FastAPI, runtime: ServiceRuntime) -> None:
    @app.get("/healthz", tags=["operations"], summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.name}

    @app.get("/readyz", tags=["operations"], summary="Readiness: database (bus reported)")
    async def readyz() -> JSONResponse:
        """503 when the database (or a service's own check) fails. The bus is reported but
        does not count: while the broker is away the outbox keeps the writes and consumers
        resume where they stopped, so dropping every pod from the Service would only turn
        a broker blink into an outage."""
        checks = {"database": await runtime.database_ready(), "bus": await runtime.bus.ping()}
        for name, check in runtime.readiness.items():
            checks[name] = await check()
        status = 200 if all(v for k, v in checks.items() if k not in INFORMATIONAL) else 503
        body = {"status": "ready" if status == 200 else "not ready", "checks": checks}
        return JSONResponse(body, status_code=status)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def prometheus_metrics() -> Response:
        await sample_service(runtime.name, runtime.engine, runtime.outbox)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _validation_errors_are_problems(schema: dict[str, Any]) -> None:
    """Document the 422 that FastAPI adds by itself as what the service really answers.

    Request validation errors go through the problem-details handler, so FastAPI's default
    ``HTTPValidationError`` body never appears on the wire.
    """
    default_ref = "#/components/schemas/HTTPValidationError"
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            response = operation.get("responses", {}).get("422")
            content = (response or {}).get("content", {})
            if content.get("application/json", {}).get("schema", {}).get("$ref") == default_ref:
                operation["responses"]["422"] = PROBLEM_RESPONSES[422]


def _bodies_may_be_too_large(schema: dict[str, Any]) -> None:
    """Document the 413 of ``BodyLimitMiddleware`` on every operation that takes a body."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("413", PROBLEM_RESPONSES[413])


def _add_problem_schema(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        _validation_errors_are_problems(schema)
        _bodies_may_be_too_large(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
