"""Typed errors of token verification: 401 / 403 problems (``csa_shared.errors``)."""

from __future__ import annotations

from csa_shared.errors import DomainError


class AuthError(DomainError):
    """Base of every authentication / authorisation failure (401 with a Bearer challenge)."""

    status, code, title = 401, "unauthorized", "Authentication required"

    def problem_headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class InvalidToken(AuthError):
    """The bearer token is missing, malformed, tampered with, expired or not meant for us (401)."""


class Forbidden(AuthError):
    """The token is valid but its principal may not do this (403)."""

    status, code, title = 403, "forbidden", "Forbidden"

    def problem_headers(self) -> dict[str, str]:
        return {}
