"""Bearer-token authentication for every service's endpoints.

Tokens are identity's JWTs; the public keys come from ``IDENTITY_URL``'s JWKS in
production, and from the JWKS file embedded identity writes under ``CSA_VAR_DIR``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from csa_shared.auth import InvalidToken, Principal, TokenVerifier
from csa_shared.errors import Unauthorized
from csa_shared.settings import ServiceName, Settings, audience_of

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="userToken",  # csa_shared.http.openapi documents the schemes it stands for
    description="Access token issued by the identity service",
)


def jwks_source(settings: Settings) -> Callable[[], dict[str, Any]]:
    """Fetch the key set (re-fetched by the verifier when it meets an unknown key id, over
    HTTP at most once per ``CSA_JWKS_REFETCH_COOLDOWN_SECONDS``)."""
    if settings.identity_url:
        url = settings.identity_url.rstrip("/") + "/.well-known/jwks.json"

        def fetch() -> dict[str, Any]:
            response = httpx.get(url, timeout=5.0)
            response.raise_for_status()
            keys: dict[str, Any] = response.json()
            return keys

        return fetch

    def read_file() -> dict[str, Any]:
        try:
            keys: dict[str, Any] = json.loads(settings.jwks_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"keys": []}
        return keys

    return read_file


def token_verifier(settings: Settings, service: ServiceName) -> TokenVerifier:
    """Over HTTP, unknown key ids re-fetch at most once per cooldown; the embedded JWKS file
    is cheap to read and is re-read at once (embedded identity writes it on first use)."""
    cooldown = settings.jwks_refetch_cooldown_seconds if settings.identity_url else 0.0
    return TokenVerifier(
        jwks_source(settings),
        issuer=settings.token_issuer,
        audience=audience_of(service),
        refetch_cooldown=timedelta(seconds=cooldown),
    )


async def authenticated(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Security(bearer)
) -> Principal:
    """FastAPI dependency: the principal of a valid bearer token, else 401 problem details.

    Taken through ``Security`` so that every operation depending on it says so in OpenAPI.
    """
    if credentials is None:
        raise Unauthorized("a bearer token is required", www_authenticate="Bearer")
    verifier: TokenVerifier = request.app.state.runtime.token_verifier
    try:
        return await verifier.verify_async(credentials.credentials)
    except InvalidToken as exc:
        raise Unauthorized(f"invalid token: {exc}") from exc
