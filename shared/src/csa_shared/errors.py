"""Typed application errors; ``csa_shared.http.problems`` maps them to RFC 9457 once."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """An error a client caused and can understand; carries its HTTP status and a code."""

    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.extra = extra


class NotFound(ApplicationError):
    status, code, title = 404, "not-found", "Not found"


class Conflict(ApplicationError):
    status, code, title = 409, "conflict", "Conflict"


class Unprocessable(ApplicationError):
    status, code, title = 422, "invalid-input", "Invalid input"


class Unauthorized(ApplicationError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(ApplicationError):
    status, code, title = 403, "forbidden", "Forbidden"


class TooManyRequests(ApplicationError):
    status, code, title = 429, "too-many-requests", "Too many requests"


class PayloadTooLarge(ApplicationError):
    status, code, title = 413, "payload-too-large", "Payload too large"
