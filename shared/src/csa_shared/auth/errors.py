"""Typed errors of token verification, mapped to HTTP 401 / 403 by the HTTP layer."""

from __future__ import annotations


class AuthError(Exception):
    """Base of every authentication / authorisation failure."""


class InvalidToken(AuthError):
    """The bearer token is missing, malformed, tampered with, expired or not meant for us (401)."""


class Forbidden(AuthError):
    """The token is valid but its principal may not do this (403)."""
