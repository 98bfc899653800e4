"""RFC 9457 problem details for every error a service returns."""

from __future__ import annotations

import logging
import socket
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from csa_shared.bus import BusUnavailable
from csa_shared.errors import DomainError
from csa_shared.observability.logging import request_id

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://csa.lu/problems/"
# Marks a 503 a retry may get past (set by the handlers below, removed before the answer
# leaves by ``csa_shared.http.retry.RetryTransientReads``, which retries reads on it).
TRANSIENT_HEADER = "x-csa-transient"
# An I/O failure reaching a dependency (the database refusing connections, a timeout, a
# name that does not resolve), raised by the driver before SQLAlchemy could wrap it.
UNREACHABLE = (ConnectionError, TimeoutError, socket.gaierror)


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


_SOURCES = ("body", "query", "path", "header", "cookie")


def _field(error: dict[str, Any]) -> str:
    """The field an error names, as the CLI names it: ``meals[0].count``; ``body`` for the
    whole body (malformed JSON, whose location is the character offset)."""
    location = tuple(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        return "body"
    if location and location[0] in _SOURCES:
        location = location[1:]
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def _message(error: dict[str, Any], body: Any) -> str:
    """The error's message; malformed JSON says where, like ``json.JSONDecodeError``."""
    if error.get("type") != "json_invalid":
        return str(error.get("msg", "invalid"))
    reason = (error.get("ctx") or {}).get("error", "JSON decode error")
    location = tuple(error.get("loc", ()))
    if isinstance(body, str) and len(location) > 1 and isinstance(location[1], int):
        pos = location[1]
        line = body.count("\n", 0, pos) + 1
        column = pos - body.rfind("\n", 0, pos)
        return f"malformed JSON: {reason} (line {line}, column {column})"
    return f"malformed JSON: {reason}"


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    """Every typed refusal (``csa_shared.errors.DomainError``: the services' domain errors,
    the use cases' ``ApplicationError``s, token and rule-input errors) as its problem."""
    assert isinstance(exc, DomainError)
    detail = exc.problem_detail(request.headers.get("accept-language", ""))
    fields = exc.problem_fields()
    response = problem_response(exc.status, exc.title, detail, exc.problem_type(), **fields)
    response.headers.update(exc.problem_headers())
    return response


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(e), "message": _message(e, exc.body)} for e in exc.errors()]
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


def _sqlstates(exc: DBAPIError) -> list[str]:
    """The SQLSTATE codes along the driver's chain of causes (asyncpg and psycopg name it
    ``sqlstate``; SQLite has none)."""
    found: list[str] = []
    seen: BaseException | None = exc.orig
    while seen is not None:
        if code := str(getattr(seen, "sqlstate", "") or ""):
            found.append(code)
        seen = seen.__cause__
    return found


def _unstorable_value(exc: DBAPIError) -> bool:
    """The database refused a value itself (SQLSTATE class 22 "data exception", e.g. a NUL
    character in text, or an integer beyond 64 bits the driver cannot encode)."""
    if any(code.startswith("22") for code in _sqlstates(exc)):
        return True
    seen: BaseException | None = exc.orig
    while seen is not None:
        if type(seen).__name__ == "DataError" or isinstance(seen, OverflowError):
            return True
        seen = seen.__cause__
    return False


# Classes a retry may get past: connection (08), transaction rollback (40: serialization,
# deadlock), insufficient resources (53), operator intervention (57: shutdown, cancel).
_TRANSIENT_CLASSES = ("08", "40", "53", "57")


def _transient(exc: DBAPIError) -> bool:
    codes = _sqlstates(exc)
    if codes:
        return any(code.startswith(_TRANSIENT_CLASSES) for code in codes)
    return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """What the database refused, as a problem: a value it cannot store is the caller's
    input error (422); a conflict with stored rows, 409; a failure a retry may get past
    (connection lost, serialization, lock, shutdown), 503. Whatever the statement, the
    transaction was rolled back: nothing of the request is stored."""
    assert isinstance(exc, DBAPIError)
    if _unstorable_value(exc):
        detail = "a value cannot be stored: out of range, or a character such as NUL"
        return problem_response(422, "Invalid input", detail, "invalid-input")
    if isinstance(exc, IntegrityError):
        log.warning("integrity conflict, nothing stored: %s", type(exc.orig).__name__)
        detail = "the change conflicts with data stored meanwhile; nothing was stored"
        return problem_response(409, "Conflict", detail, "conflict")
    if _transient(exc):
        log.warning("database unavailable, nothing stored: %s", type(exc.orig).__name__)
        return unavailable("the change was not stored, retry shortly", transient=True)
    return await _unexpected(request, exc)


async def _overloaded(_: Request, exc: Exception) -> JSONResponse:
    """No database connection free within the pool's timeout: the caller may retry."""
    log.warning("database pool exhausted: %s", type(exc).__name__)
    return unavailable("the service is overloaded, retry shortly")


async def _unreachable(_: Request, exc: Exception) -> JSONResponse:
    """The database (or another dependency) cannot be reached: an outage, not a defect."""
    log.warning("dependency unreachable, nothing stored: %s: %s", type(exc).__name__, exc)
    return unavailable("a dependency is unreachable; nothing was stored, retry shortly", True)


async def _broker_unavailable(_: Request, exc: Exception) -> JSONResponse:
    log.warning("broker unavailable: %s", exc)
    return unavailable("the event broker is unreachable; nothing was stored, retry shortly", True)


def unavailable(detail: str, transient: bool = False) -> JSONResponse:
    """503 with ``Retry-After``: the caller (a provider's system) retries, as it would not
    after a 500; `transient` ones are retried in the service first when safe."""
    response = problem_response(503, "Service unavailable", detail, "unavailable")
    response.headers["Retry-After"] = "1"
    if transient:
        response.headers[TRANSIENT_HEADER] = "1"
    return response


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _overloaded)
    for unreachable in UNREACHABLE:
        app.add_exception_handler(unreachable, _unreachable)
    app.add_exception_handler(BusUnavailable, _broker_unavailable)
    app.add_exception_handler(Exception, _unexpected)


def problem_example(
    status: int, title: str, problem_type: str, detail: str, **fields: Any
) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry: a problem answer with its example."""
    example = {"type": PROBLEM_BASE + problem_type, "title": title, "status": status}
    return {
        "description": title,
        "content": {
            PROBLEM_JSON: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": {**example, "detail": detail, **fields},
            }
        },
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: problem_example(code, description, slug, example)
    for code, description, slug, example in (
        (401, "Authentication required", "unauthorized", "missing or invalid bearer token"),
        (403, "Forbidden", "forbidden", "this token may not act for that child"),
        (404, "Not found", "not-found", "no such resource"),
        (409, "Conflict", "conflict", "the resource already exists"),
        (
            413,
            "Payload too large",
            "payload-too-large",
            "the request body is larger than 1048576 bytes",
        ),
        (422, "Invalid input", "invalid-input", "start: must be before end"),
    )
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` of an authenticated operation: 401, 403 and ``codes``."""
    return {k: PROBLEM_RESPONSES[k] for k in (401, 403, *codes)}
