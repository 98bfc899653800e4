"""The FastAPI app every service builds around its runtime."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from csa_shared.http import openapi as partner_openapi
from csa_shared.http.docs_pages import add_docs_pages
from csa_shared.http.limits import BodyLimitMiddleware
from csa_shared.http.middleware import RequestContextMiddleware
from csa_shared.http.problems import PROBLEM_RESPONSES, install_problem_handlers
from csa_shared.http.query import refuse_unknown_query
from csa_shared.http.retry import RetryTransientReads
from csa_shared.http.unit_of_work import check_commits_before_response
from csa_shared.idempotency.middleware import IdempotencyMiddleware
from csa_shared.observability.sampling import sample_service
from csa_shared.observability.tracing import instrument_app
from csa_shared.runtime import ServiceRuntime

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {
            "type": "string",
            "format": "uri",
            "description": "What kind of problem: https://csa.lu/problems/<code>",
        },
        "title": {"type": "string", "description": "Short summary of the kind of problem"},
        "status": {"type": "integer", "description": "The HTTP status code"},
        "detail": {"type": "string", "description": "Explanation of this occurrence"},
        "instance": {
            "type": "string",
            "description": "This occurrence: urn:request:<the request's id>, as in the logs",
        },
        "errors": {
            "type": "array",
            "description": "Invalid input: one entry per field at fault",
            "items": {
                "type": "object",
                "properties": {
                    "field": {
                        "type": "string",
                        "description": 'The field, e.g. "meals[0].count"; "body" for all',
                    },
                    "message": {"type": "string", "description": "What is wrong with it"},
                },
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
    idempotency_keys: bool = True,
) -> FastAPI:
    """An app with ``/v1`` routers, ``/healthz``, ``/readyz``, ``/metrics`` and problem details.

    Request bodies are bounded (``Settings.max_body_bytes_of``; ``larger_bodies``: a larger
    limit for some paths, e.g. ``{"/v1/declarations/batch": 4 << 20}``) and JSON nesting too.
    With ``manage_lifecycle`` off (embedded mode mounts several apps under one root), the
    caller starts and stops the runtime itself. ``idempotency_keys``: POSTs under ``/v1``
    honour an ``Idempotency-Key`` header (``csa_shared.idempotency``) and say so in OpenAPI.
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

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        docs_url=None,  # add_docs_pages: the same pages with assets served here, not a CDN
        redoc_url=None,
        generate_unique_id_function=partner_openapi.operation_id,
        servers=partner_openapi.servers_of(runtime.name),
    )
    app.state.runtime = runtime
    limit = runtime.settings.max_body_bytes_of(runtime.name)
    if idempotency_keys:  # inside the body limit: it reads a bounded body
        app.add_middleware(IdempotencyMiddleware, runtime=runtime)
    app.add_middleware(BodyLimitMiddleware, limit=limit, larger=larger_bodies)
    app.add_middleware(RetryTransientReads)
    app.add_middleware(RequestContextMiddleware, service=runtime.name)  # counts 413s
    _allow_cross_origin(app, runtime.settings.cors_origins)  # outermost: a 413 is readable too
    install_problem_handlers(app)
    check_commits_before_response(routers)
    for router in routers:
        _include_flat(app, router)
    _add_operational_routes(app, runtime)
    add_docs_pages(app, title)
    _add_problem_schema(app, idempotency_keys=idempotency_keys)
    instrument_app(app)
    return app


def _include_flat(app: FastAPI, router: APIRouter) -> None:
    """``router``'s routes under ``/v1`` as the app's own routes (issue 24).

    FastAPI's ``include_router`` keeps the router whole and matches a request through it
    twice (once to choose, once to handle), about 15 route matches per request; its routes
    copied to the app, as FastAPI did before, match once each. The copies are what
    ``include_router(router, prefix="/v1", dependencies=[refuse_unknown_query])`` makes
    (same paths, dependencies, tags, responses, operation ids), so OpenAPI is unchanged. A
    router including others is included as before.
    """
    if not all(isinstance(route, APIRoute) for route in router.routes):  # nested routers
        app.include_router(router, prefix="/v1", dependencies=[Depends(refuse_unknown_query)])
        return
    for route in router.routes:
        assert isinstance(route, APIRoute)
        app.router.add_api_route(
            "/v1" + route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=[Depends(refuse_unknown_query), *route.dependencies],
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=route.responses,
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
            strict_content_type=route.strict_content_type,
            max_body_size=route.max_body_size,
        )


CORS_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"]


def _allow_cross_origin(app: FastAPI, origins: list[str]) -> None:
    """Partners' browser apps (``CSA_CORS_ALLOW_ORIGINS``); tokens travel in a header, so no
    credentials (cookies) are allowed, which also makes ``*`` safe."""
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=CORS_HEADERS,
        expose_headers=["X-Request-ID", "Location", "Retry-After"],
        allow_credentials=False,
        max_age=600,
    )


def _add_operational_routes(app: FastAPI, runtime: ServiceRuntime) -> None:
    @app.get("/healthz", tags=["operations"], summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.name}

    @app.get("/readyz", tags=["operations"], summary="Readiness: database, keys (and bus)")
    async def readyz() -> JSONResponse:
        """503 when a request cannot be served: no database, no key to verify a token. The
        bus is reported but does not count: while the broker is away the outbox keeps the
        events and the consumers resume where they stopped, so dropping every pod from the
        Service would only turn a broker blink into an outage."""
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
    schemas = schema.get("components", {}).get("schemas", {})
    unused = {"HTTPValidationError", "ValidationError"}
    rest = {name: value for name, value in schemas.items() if name not in unused}
    if not any(
        f"#/components/schemas/{name}" in json.dumps([rest, schema["paths"]]) for name in unused
    ):
        for name in unused:
            schemas.pop(name, None)  # FastAPI's own 422 body, never answered


def _bodies_may_be_too_large(schema: dict[str, Any]) -> None:
    """Document the 413 of ``BodyLimitMiddleware`` on every operation that takes a body."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("413", PROBLEM_RESPONSES[413])


def _add_problem_schema(app: FastAPI, *, idempotency_keys: bool) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        if schemas.setdefault("Problem", PROBLEM_SCHEMA) != PROBLEM_SCHEMA:
            raise ValueError("a model named Problem would hide the problem-details schema")
        _validation_errors_are_problems(schema)
        _bodies_may_be_too_large(schema)
        partner_openapi.hoist_inline_definitions(schema)
        partner_openapi.describe_raw_content(schema)
        partner_openapi.drop_default_json(schema)
        partner_openapi.document_security(schema, partner_openapi.token_url())
        partner_openapi.describe_operations(schema)
        if idempotency_keys:
            partner_openapi.document_idempotency_key(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
