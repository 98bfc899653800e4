"""RFC 9457 problem details for every error a service returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from csa_shared.auth.errors import AuthError, Forbidden
from csa_shared.errors import ApplicationError
from csa_shared.observability.logging import request_id
from csa_shared.rules.errors import RuleInputError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://csa.lu/problems/"


def problem_response(status: int, title: str, detail: str, code: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if rid := request_id.get():
        body["instance"] = f"urn:request:{rid}"
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "(body)"


async def _application_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApplicationError)
    extra = {k: v for k, v in exc.extra.items() if k != "www_authenticate"}
    response = problem_response(exc.status, exc.title, exc.detail, exc.code, **extra)
    if challenge := exc.extra.get("www_authenticate"):
        response.headers["WWW-Authenticate"] = challenge
    return response


async def _auth_error(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, Forbidden):
        return problem_response(403, "Forbidden", str(exc), "forbidden")
    response = problem_response(401, "Authentication required", str(exc), "unauthorized")
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _rule_input_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RuleInputError)
    errors = [{"field": exc.field, "message": exc.detail}]
    return problem_response(
        422, "Invalid input", f"{exc.field}: {exc.detail}", "invalid-input", errors=errors
    )


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem_response(422, "Invalid input", detail, "invalid-input", errors=errors)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = {404: "Not found", 405: "Method not allowed", 401: "Authentication required"}.get(
        exc.status_code, "Error"
    )
    response = problem_response(
        exc.status_code, title, str(exc.detail), title.lower().replace(" ", "-")
    )
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return problem_response(500, "Internal error", "an unexpected error occurred", "internal")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApplicationError, _application_error)
    app.add_exception_handler(AuthError, _auth_error)
    app.add_exception_handler(RuleInputError, _rule_input_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {
        "description": description,
        "content": {
            PROBLEM_JSON: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": {
                    "type": PROBLEM_BASE + slug,
                    "title": description,
                    "status": code,
                    "detail": example,
                },
            }
        },
    }
    for code, description, slug, example in (
        (401, "Authentication required", "unauthorized", "missing or invalid bearer token"),
        (403, "Forbidden", "forbidden", "this token may not act for that child"),
        (404, "Not found", "not-found", "no such resource"),
        (409, "Conflict", "conflict", "the resource already exists"),
        (422, "Invalid input", "invalid-input", "start: must be before end"),
    )
}
