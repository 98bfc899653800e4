"""Typed refusals: every error a client caused carries its answer, and
``csa_shared.http.problems`` renders each one as RFC 9457 problem details with one handler.

``DomainError`` is the base. A service's pure domain subclasses it and types each refusal with
its ``status``, ``title`` and ``code`` (plain class attributes, no HTTP import); a refusal
that says more overrides the ``problem_*`` hooks (its fields, its text in the caller's
language, its headers). ``ApplicationError`` and its subclasses below are the refusals a use
case or an endpoint raises with its detail and fields given at the raise.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal with its answer: status, title and code (the problem type's name)."""

    status: int = 422
    title: str = "Invalid input"
    code: str = "invalid-input"

    def problem_type(self) -> str:
        """The problem type's name (``https://csa.lu/problems/<name>``): the code with dots
        and underscores as hyphens."""
        return self.code.replace(".", "-").replace("_", "-")

    def problem_detail(self, accept_language: str) -> str:
        """The ``detail``: the error's text (a service may answer in the caller's language,
        given as the request's ``Accept-Language``)."""
        return str(self)

    def problem_fields(self) -> dict[str, Any]:
        """Members beyond RFC 9457's own (``errors``, ``error``, ...), in answer order."""
        return {}

    def problem_headers(self) -> dict[str, str]:
        """Headers of the answer (``Retry-After``, ``WWW-Authenticate``)."""
        return {}


class ApplicationError(DomainError):
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

    def problem_type(self) -> str:
        return self.code

    def problem_detail(self, accept_language: str) -> str:
        return self.detail

    def problem_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.extra.items() if k != "www_authenticate"}

    def problem_headers(self) -> dict[str, str]:
        challenge = self.extra.get("www_authenticate")
        return {"WWW-Authenticate": challenge} if challenge else {}


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


class PayloadTooLarge(ApplicationError):
    status, code, title = 413, "payload-too-large", "Payload too large"
